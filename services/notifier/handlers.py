"""The notifier's subscribers: notification commands, and openings that cancel reminders."""

import logging
from collections.abc import Callable
from typing import Protocol

from faststream.rabbit import RabbitBroker

from services.notifier.batches import notify_all
from services.notifier.notifying import Outcomes
from services.notifier.repository import Reminders
from services.notifier.settings import NotifierSettings
from shared.contracts.messages import MessageOpened, NotifyCitizen, NotifyCitizens
from shared.messaging.broker import consumer
from shared.messaging.dead_letter import PermanentError, describe
from shared.messaging.topology import Queues
from shared.runtime.metrics import Metrics

logger = logging.getLogger(__name__)


class Notifying(Protocol):
    """What the handlers ask of the notification use case (`Notifier`)."""

    async def handle(self, command: NotifyCitizen) -> Outcomes: ...
    async def give_up(self, notifications: list[NotifyCitizen], reason: str) -> None: ...


class NotifierHandlers:
    def __init__(
        self, notifier: Notifying, reminders: Reminders, metrics: Metrics, last_attempt: Callable[[], bool]
    ) -> None:
        """`last_attempt`: whether the delivery being handled is dead-lettered if it fails."""
        self.notifier, self.reminders, self.metrics, self.last_attempt = notifier, reminders, metrics, last_attempt

    async def on_notify_citizens(self, command: NotifyCitizens) -> None:
        """Notify by e-mail and/or push; each (message, channel, kind) at most once."""
        try:
            failures = await notify_all(self.notifier.handle, command.notifications, self._handled)
        except Exception as error:
            if not self.last_attempt():
                raise  # retried after a wait
            await self.notifier.give_up(command.notifications, describe(error))
            raise PermanentError(f"gave up: {describe(error)}") from error
        if failures.permanent:  # the others are handled; this delivery goes to the dead letters
            raise PermanentError(failures.reason(len(command.notifications)))

    async def on_message_opened(self, event: MessageOpened) -> None:
        """The citizen opened the message: no reminder for it."""
        await self.reminders.opened(event.message_id, event.opened_at)

    def _handled(self, command: NotifyCitizen, outcomes: Outcomes) -> None:
        for channel, status in outcomes.items():
            self.metrics.notifications.labels(channel.value, status.value if status else "already-claimed").inc()
        shown = {c.value: s for c, s in outcomes.items()}
        logger.info("notification %s %s attempt %d: %s", command.message_id, command.kind, command.attempt, shown)


def subscribe(broker: RabbitBroker, handlers: NotifierHandlers, settings: NotifierSettings) -> None:
    consumer(broker, Queues.NOTIFIER_COMMANDS, prefetch=settings.event_prefetch_count)(handlers.on_notify_citizens)
    consumer(broker, Queues.NOTIFIER_OPENED, prefetch=settings.prefetch_count)(handlers.on_message_opened)
