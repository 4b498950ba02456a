"""What the box tells the others: a first opening (the notifier cancels the reminder), the
citizen's account changes, as the account events the router applies in `sequence` order, and
the notices a helper asked for (the notifier sends them), and the unopened messages of a
citizen who chose paper (the paper service prints them)."""

from typing import Protocol

from faststream.rabbit import RabbitBroker

from shared.contracts.ids import derived_id
from shared.contracts.messages import (
    AccountActivated,
    EmailLinked,
    MessageOpened,
    NotifyCitizens,
    PreferencesChanged,
    PrintLetter,
    PrintRecoveryLetter,
    PushSubscriptionsChanged,
    RepresentationDigitalChanged,
)
from shared.contracts.pseudonyms import Pseudonyms
from shared.messaging.broker import persistent_publisher
from shared.messaging.topology import Exchanges, RoutingKeys, account_event_key

BoxAccountEvent = (
    AccountActivated | EmailLinked | PreferencesChanged | PushSubscriptionsChanged | RepresentationDigitalChanged
)


class BoxPublisher(Protocol):
    async def opened(self, event: MessageOpened) -> None: ...
    async def account_event(self, event: BoxAccountEvent) -> None: ...
    async def notify(self, command: NotifyCitizens, message_id: str) -> None: ...
    async def print_letter(self, command: PrintLetter) -> None: ...
    async def print_recovery_letter(self, command: PrintRecoveryLetter) -> None: ...


class BrokerBoxPublisher:
    def __init__(self, broker: RabbitBroker, pseudonyms: Pseudonyms) -> None:
        self._citizen = pseudonyms.citizen
        self._opened = persistent_publisher(
            broker, Exchanges.EVENTS, RoutingKeys.MESSAGE_OPENED, MessageOpened, "A citizen opened a message."
        )
        self._accounts = {
            event.model_fields["event"].default: persistent_publisher(
                broker,
                Exchanges.EVENTS,
                account_event_key(event.model_fields["event"].default),
                event,
                f"The citizen changed their account ({event.__name__}).",
            )
            for event in (
                AccountActivated,
                EmailLinked,
                PreferencesChanged,
                PushSubscriptionsChanged,
                RepresentationDigitalChanged,
            )
        }

        self._letters = persistent_publisher(
            broker, Exchanges.COMMANDS, RoutingKeys.PRINT_LETTER, PrintLetter, "Print an unopened message (catch-up)."
        )
        self._recovery_letters = persistent_publisher(
            broker, Exchanges.COMMANDS, RoutingKeys.PRINT_RECOVERY_LETTER, PrintRecoveryLetter,
            "Print a letter saying post waits (contact recovery).",
        )  # fmt: skip
        self._notify = persistent_publisher(
            broker, Exchanges.COMMANDS, RoutingKeys.NOTIFY_CITIZEN, NotifyCitizens, "Notify helpers of new messages."
        )

    async def opened(self, event: MessageOpened) -> None:
        await self._opened.publish(event, message_id=derived_id("opened", event.message_id))

    async def account_event(self, event: BoxAccountEvent) -> None:
        """Its id names the citizen's sequence, so a publish repeated after a lost confirm is
        recognisable, and the router ignores it as stale anyway."""
        message_id = derived_id("account-event", self._citizen(event.bsn), str(event.sequence))
        await self._accounts[event.event].publish(event, message_id=message_id)

    async def notify(self, command: NotifyCitizens, message_id: str) -> None:
        await self._notify.publish(command, message_id=message_id)

    async def print_letter(self, command: PrintLetter) -> None:
        await self._letters.publish(command, message_id=command.letter_id)

    async def print_recovery_letter(self, command: PrintRecoveryLetter) -> None:
        await self._recovery_letters.publish(command, message_id=command.letter_id)
