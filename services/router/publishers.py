"""What follows a route: notification and letter commands, and delivery receipts. The
Protocol is what the routing use case needs; `BrokerRouterPublisher` does it over RabbitMQ."""

from typing import Protocol

from faststream.rabbit import RabbitBroker

from shared.contracts.ids import derived_id
from shared.contracts.messages import MessagesDeliveredToBox, NotifyCitizens, PrintLetter, Receipt
from shared.messaging.broker import persistent_publisher
from shared.messaging.receipts import ReceiptPublisher
from shared.messaging.topology import Exchanges, RoutingKeys


class RouterPublisher(Protocol):
    async def notify(self, command: NotifyCitizens, correlation_id: str) -> None: ...
    async def print_letter(self, command: PrintLetter, correlation_id: str) -> None: ...
    async def receipts(self, agency_id: str, receipts: list[Receipt]) -> None: ...
    async def delivered(self, event: MessagesDeliveredToBox, correlation_id: str) -> None: ...


class BrokerRouterPublisher:
    def __init__(self, broker: RabbitBroker) -> None:
        self._notify = persistent_publisher(
            broker,
            Exchanges.COMMANDS,
            RoutingKeys.NOTIFY_CITIZEN,
            NotifyCitizens,
            "Notify the citizens of routed messages.",
        )
        self._letters = persistent_publisher(
            broker, Exchanges.COMMANDS, RoutingKeys.PRINT_LETTER, PrintLetter, "Print a letter."
        )
        self._receipts = ReceiptPublisher(broker, "Delivery receipts")
        self._delivered = persistent_publisher(
            broker,
            Exchanges.EVENTS,
            RoutingKeys.DELIVERED_TO_BOX,
            MessagesDeliveredToBox,
            "Messages routed into citizens' boxes.",
        )

    async def notify(self, command: NotifyCitizens, correlation_id: str) -> None:
        command_id = derived_id("notify-citizens", *(n.notification_id for n in command.notifications))
        await self._notify.publish(command, message_id=command_id, correlation_id=correlation_id)

    async def print_letter(self, command: PrintLetter, correlation_id: str) -> None:
        await self._letters.publish(command, message_id=command.letter_id, correlation_id=correlation_id)

    async def receipts(self, agency_id: str, receipts: list[Receipt]) -> None:
        await self._receipts.send(agency_id, receipts)

    async def delivered(self, event: MessagesDeliveredToBox, correlation_id: str) -> None:
        event_id = derived_id("delivered-to-box", *(d.message_id for d in event.deliveries))
        await self._delivered.publish(event, message_id=event_id, correlation_id=correlation_id)
