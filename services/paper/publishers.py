"""What the paper service tells an agency: its letter was sent on paper (once it is in the
spool), or could not be made. The Protocol is what the printing use case needs;
`BrokerPaperPublisher` does it over RabbitMQ."""

from typing import Protocol

from faststream.rabbit import RabbitBroker

from shared.contracts.messages import Receipt
from shared.messaging.broker import persistent_publisher
from shared.messaging.topology import Exchanges


class PaperPublisher(Protocol):
    async def receipt(self, agency_id: str, receipt: Receipt) -> None: ...


class BrokerPaperPublisher:
    def __init__(self, broker: RabbitBroker) -> None:
        self._receipts = persistent_publisher(
            broker, Exchanges.RECEIPTS, "", Receipt, "A letter sent on paper, or undeliverable (key: agency id)."
        )

    async def receipt(self, agency_id: str, receipt: Receipt) -> None:
        await self._receipts.publish(
            receipt, routing_key=agency_id, message_id=receipt.receipt_id, correlation_id=receipt.correlation_id
        )
