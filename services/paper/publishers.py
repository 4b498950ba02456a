"""What the paper service tells: an agency's letter that could not be made. The Protocol is
what the printing use case needs; `BrokerPaperPublisher` does it over RabbitMQ."""

from typing import Protocol

from faststream.rabbit import RabbitBroker

from shared.contracts.messages import Receipt
from shared.messaging.broker import persistent_publisher
from shared.messaging.topology import Exchanges


class PaperPublisher(Protocol):
    async def undeliverable(self, agency_id: str, receipt: Receipt, correlation_id: str) -> None: ...


class BrokerPaperPublisher:
    def __init__(self, broker: RabbitBroker) -> None:
        self._receipts = persistent_publisher(
            broker, Exchanges.RECEIPTS, "", Receipt, "Undeliverable letter (key: agency id)."
        )

    async def undeliverable(self, agency_id: str, receipt: Receipt, correlation_id: str) -> None:
        await self._receipts.publish(
            receipt, routing_key=agency_id, message_id=receipt.receipt_id, correlation_id=correlation_id
        )
