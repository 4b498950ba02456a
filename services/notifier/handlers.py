"""The notifier's subscribers: notification commands, and openings that cancel reminders."""

import logging

from faststream.rabbit import RabbitBroker

from services.notifier.batches import notify_all
from services.notifier.notifying import Notifier, Outcomes
from services.notifier.repository import Reminders
from services.notifier.settings import NotifierSettings
from shared.contracts.messages import MessageOpened, NotifyCitizen, NotifyCitizens
from shared.messaging.broker import consumer
from shared.messaging.dead_letter import PermanentError
from shared.messaging.topology import Queues
from shared.runtime.metrics import Metrics

logger = logging.getLogger(__name__)


class NotifierHandlers:
    def __init__(self, notifier: Notifier, reminders: Reminders, metrics: Metrics) -> None:
        self.notifier, self.reminders, self.metrics = notifier, reminders, metrics

    async def on_notify_citizens(self, command: NotifyCitizens) -> None:
        """Notify by e-mail and/or push; each (message, channel, kind) at most once."""
        failures = await notify_all(self.notifier.handle, command.notifications, self._handled)
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
    consumer(broker, Queues.NOTIFIER_OPENED)(handlers.on_message_opened)
