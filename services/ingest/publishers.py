"""What ingest tells others: `MessagesAccepted` to the router (grouped per agency, see
`announcements.py`) and receipts to the agency. The Protocol is what the intake use case
needs; `BrokerIntakePublisher` does it over RabbitMQ with publisher confirms."""

from typing import Protocol

from faststream.rabbit import RabbitBroker

from services.ingest.announcements import GroupedAnnouncements
from shared.contracts.ids import derived_id
from shared.contracts.messages import MessagesAccepted, Receipt
from shared.messaging.broker import persistent_publisher
from shared.messaging.receipts import ReceiptPublisher
from shared.messaging.topology import Exchanges, RoutingKeys


class IntakePublisher(Protocol):
    async def messages_accepted(self, event: MessagesAccepted, correlation_id: str) -> None: ...
    async def receipts(self, agency_id: str, receipts: list[Receipt]) -> None: ...


class BrokerIntakePublisher:
    def __init__(self, broker: RabbitBroker) -> None:
        self._accepted = persistent_publisher(
            broker, Exchanges.EVENTS, RoutingKeys.MESSAGES_ACCEPTED, MessagesAccepted, "A submission was stored."
        )
        self._receipts = ReceiptPublisher(broker, "Receipts of a submission")
        self._announcements = GroupedAnnouncements(self._announce)

    async def messages_accepted(self, event: MessagesAccepted, correlation_id: str) -> None:
        await self._announcements.messages_accepted(event, correlation_id)

    async def receipts(self, agency_id: str, receipts: list[Receipt]) -> None:
        await self._receipts.send(agency_id, receipts)

    async def _announce(self, event: MessagesAccepted, correlation_id: str) -> None:
        event_id = derived_id("messages-accepted", *event.message_ids)
        await self._accepted.publish(event, message_id=event_id, correlation_id=correlation_id)
