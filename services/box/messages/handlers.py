"""The box's subscriber: deliveries the router routed into boxes, filed once each; then the
helpers who asked are told."""

import logging

from faststream.rabbit import RabbitBroker

from services.box.delegation.notices import HelperNotices
from services.box.messages.filing import Filing
from shared.contracts.messages import MessagesDeliveredToBox
from shared.messaging.broker import consumer
from shared.messaging.topology import Queues
from shared.runtime.metrics import Metrics

logger = logging.getLogger(__name__)


class BoxHandlers:
    def __init__(self, filing: Filing, notices: HelperNotices, metrics: Metrics) -> None:
        self.filing, self.notices, self.metrics = filing, notices, metrics

    async def on_delivered(self, event: MessagesDeliveredToBox) -> None:
        new = await self.filing.file(event)
        logger.info("filed %d of %d deliveries (the rest were filed before)", new, len(event.deliveries))
        told = await self.notices.notify(event)
        if told:
            logger.info("%d helper notices for %d deliveries", told, len(event.deliveries))


def subscribe(broker: RabbitBroker, handlers: BoxHandlers, prefetch: int) -> None:
    consumer(broker, Queues.BOX_DELIVERIES, prefetch=prefetch)(handlers.on_delivered)
