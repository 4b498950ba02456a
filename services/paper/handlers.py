"""The paper service's subscriber: print one letter."""

import logging

from faststream.rabbit import RabbitBroker

from services.paper.printing import LetterPrinter
from shared.contracts.messages import PrintLetter
from shared.messaging.broker import consumer
from shared.messaging.topology import Queues
from shared.runtime.logs import correlation_id
from shared.runtime.metrics import Metrics

logger = logging.getLogger(__name__)


class PaperHandlers:
    def __init__(self, printer: LetterPrinter, metrics: Metrics) -> None:
        self.printer, self.metrics = printer, metrics

    async def on_print_letter(self, command: PrintLetter) -> None:
        """Render the letter into the spool, or mark it undeliverable and tell the agency."""
        status = await self.printer.print(command, correlation_id.get() or "")
        self.metrics.letters.labels(status).inc()
        logger.info("letter %s for message %s: %s", command.letter_id, command.message_id, status)


def subscribe(broker: RabbitBroker, handlers: PaperHandlers) -> None:
    consumer(broker, Queues.PAPER_COMMANDS)(handlers.on_print_letter)
