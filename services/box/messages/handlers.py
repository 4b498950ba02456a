"""The box's subscribers: deliveries the router routed into boxes, filed once each, then the
helpers who asked are told; an e-mail address found not working, after which the unopened
messages ask for a recovery letter."""

import logging

from faststream.rabbit import RabbitBroker

from services.box.delegation.notices import HelperNotices
from services.box.messages.filing import Filing
from services.box.messages.recovery_letters import RecoveryLetters
from shared.contracts.messages import EmailNotWorking, MessagesDeliveredToBox
from shared.messaging.broker import consumer
from shared.messaging.topology import Queues
from shared.runtime.metrics import Metrics

logger = logging.getLogger(__name__)


class BoxHandlers:
    def __init__(self, filing: Filing, notices: HelperNotices, recovery: RecoveryLetters, metrics: Metrics) -> None:
        self.filing, self.notices, self.recovery, self.metrics = filing, notices, recovery, metrics

    async def on_delivered(self, event: MessagesDeliveredToBox) -> None:
        new = await self.filing.file(event)
        logger.info("filed %d of %d deliveries (the rest were filed before)", new, len(event.deliveries))
        told = await self.notices.notify(event)
        if told:
            logger.info("%d helper notices for %d deliveries", told, len(event.deliveries))

    async def on_email_not_working(self, event: EmailNotWorking) -> None:
        asked = await self.recovery.contact_lost(event.account_id)
        logger.info("an address found not working: %d unopened messages ask for a recovery letter", asked)


def subscribe(broker: RabbitBroker, handlers: BoxHandlers, prefetch: int) -> None:
    consumer(broker, Queues.BOX_DELIVERIES, prefetch=prefetch)(handlers.on_delivered)
    consumer(broker, Queues.BOX_EMAIL_NOT_WORKING, prefetch=prefetch)(handlers.on_email_not_working)
