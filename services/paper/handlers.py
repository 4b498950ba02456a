"""The paper service's subscribers: print one letter, or one recovery letter."""

import logging

from faststream.rabbit import RabbitBroker

from services.paper.printing import LetterPrinter
from services.paper.recovery import RecoveryLetterPrinter
from shared.contracts.messages import PrintLetter, PrintRecoveryLetter
from shared.messaging.broker import consumer
from shared.messaging.topology import Queues
from shared.runtime.logs import correlation_id
from shared.runtime.metrics import Metrics

logger = logging.getLogger(__name__)


class PaperHandlers:
    def __init__(self, printer: LetterPrinter, recovery: RecoveryLetterPrinter, metrics: Metrics) -> None:
        self.printer, self.recovery, self.metrics = printer, recovery, metrics

    async def on_print_letter(self, command: PrintLetter) -> None:
        """Render the letter into the spool, or mark it undeliverable and tell the agency."""
        status = await self.printer.print(command, correlation_id.get() or "")
        self.metrics.letters.labels(status).inc()
        if command.purpose == "route":
            logger.info("letter %s for message %s: %s", command.letter_id, command.message_id, status)
        else:  # a copy the box asked for says that a message was unopened: no id of it in the logs
            logger.info("a %s copy of a box message: %s", command.purpose, status)

    async def on_print_recovery_letter(self, command: PrintRecoveryLetter) -> None:
        """Render the letter that says post waits (no receipt to anyone)."""
        status = await self.recovery.print(command)
        self.metrics.letters.labels(status).inc()
        logger.info("recovery letter %s: %s", command.letter_id, status)


def subscribe(broker: RabbitBroker, handlers: PaperHandlers, prefetch: int) -> None:
    consumer(broker, Queues.PAPER_COMMANDS, prefetch=prefetch)(handlers.on_print_letter)
    consumer(broker, Queues.PAPER_RECOVERY_LETTERS, prefetch=prefetch)(handlers.on_print_recovery_letter)
