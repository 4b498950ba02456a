"""The three-week reminder sweep. A reminder is scheduled when a citizen who opted in is
notified of a new message, and cancelled when the message is opened. Each run queues a
`NotifyCitizen(kind="reminder")` for every reminder that is due; queued twice after a crash,
the notification claim still sends it once. A reminder that cannot become a command ends
`invalid`, with the reason, instead of holding up every sweep after it."""

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from services.notifier.records import DueReminder, UnreadableReminder
from services.notifier.repository import Reminders
from shared.contracts.ids import derived_id
from shared.contracts.messages import Channel, NotifyCitizen

logger = logging.getLogger(__name__)


class ReminderSweep:
    def __init__(
        self,
        reminders: Reminders,
        publish: Callable[[NotifyCitizen], Awaitable[None]],
        *,
        batch: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.reminders, self.publish, self.batch, self.clock = reminders, publish, batch, clock

    async def run_once(self) -> int:
        """The number of reminders queued."""
        now, queued = self.clock(), 0
        for reminder in await self.reminders.due(now, self.batch):
            if isinstance(reminder, UnreadableReminder):
                logger.error("reminder for message %s is invalid: %s", reminder.message_id, reminder.reason)
                await self.reminders.invalid(reminder.message_id, reminder.reason, now)
                continue
            await self.publish(reminder_command(reminder))
            await self.reminders.queued(reminder.message_id, now)
            queued += 1
        return queued


def reminder_command(reminder: DueReminder) -> NotifyCitizen:
    return NotifyCitizen(
        notification_id=derived_id("notification", reminder.message_id, "reminder"),
        message_id=reminder.message_id,
        account_id=reminder.account_id,
        agency_id=reminder.agency_id,
        call_to_action=reminder.call_to_action,
        delivered_at=reminder.delivered_at,
        channels=[Channel.EMAIL],
        kind="reminder",
    )
