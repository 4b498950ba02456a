"""The reminder sweep: the ladder (`ladder.py`) applied to each reminder that is due. A ladder is
scheduled when a citizen is notified of a new message and a rung applies (a deadline, or the
three-week reminder they opted in to); an opening cancels it at once. Each run reads, for the
due ones, whether the message is still in the box, opened or in the trash, and the citizen's
current choices and channels; then queues a `NotifyCitizen(kind="reminder", rung)` through
every channel, and schedules the next rung or ends the ladder. Queued twice after a crash,
the claim (per rung) still sends it once. A reminder that cannot become a command ends
`invalid`, with the reason, instead of holding up every sweep after it."""

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from services.notifier.ladder import Choices, LadderFacts, Rung, next_reminder
from services.notifier.records import DueReminder, Recipient, UnreadableReminder
from services.notifier.repository import BoxReadings, Recipients, Reminders
from shared.contracts.ids import derived_id
from shared.contracts.messages import Channel, NotifyCitizen

logger = logging.getLogger(__name__)


class ReminderSweep:
    def __init__(
        self,
        reminders: Reminders,
        recipients: Recipients,
        readings: BoxReadings,
        publish: Callable[[NotifyCitizen], Awaitable[None]],
        *,
        batch: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.reminders, self.recipients, self.readings, self.publish = reminders, recipients, readings, publish
        self.batch, self.clock = batch, clock

    async def run_once(self) -> int:
        """The number of reminders queued."""
        now, queued = self.clock(), 0
        due = await self.reminders.due(now, self.batch)
        states = await self.readings.states([r.message_id for r in due if isinstance(r, DueReminder)])
        for reminder in due:
            if isinstance(reminder, UnreadableReminder):
                logger.error("reminder for message %s is invalid: %s", reminder.message_id, reminder.reason)
                await self.reminders.invalid(reminder.message_id, reminder.reason, now)
                continue
            opened, trashed = states.get(reminder.message_id, (False, True))  # not in a box: gone
            queued += await self._climb(reminder, opened, trashed, now)
        return queued

    async def _climb(self, reminder: DueReminder, opened: bool, trashed: bool, now: datetime) -> int:
        recipient = await self.recipients.get(reminder.account_id)
        if not isinstance(recipient, Recipient):  # no account, or one that cannot be read: nobody to remind
            await self.reminders.advance(reminder.message_id, None, None)
            return 0
        facts = LadderFacts(reminder.delivered_at, reminder.deadline, opened, trashed, reminder.sent)
        choices = Choices(recipient.deadline_reminders, recipient.reminder_opt_in)
        found = next_reminder(facts, choices, now)
        if found is None or found.due_at > now:  # done, or a choice changed and it comes later
            await self.reminders.advance(reminder.message_id, None, found)
            return 0
        channels = channels_of(recipient)
        if channels:
            await self.publish(reminder_command(reminder, found.rung, channels))
        sent = (found.rung, now)
        following = next_reminder(LadderFacts(reminder.delivered_at, reminder.deadline, sent=(*reminder.sent, sent)),
                                  choices, now)  # fmt: skip
        await self.reminders.advance(reminder.message_id, sent, following)
        return 1 if channels else 0


def channels_of(recipient: Recipient) -> list[Channel]:
    """Every channel the citizen has: a reminder goes where the notification could."""
    return [c for c, on in ((Channel.EMAIL, recipient.email), (Channel.PUSH, recipient.push_subscriptions)) if on]


def reminder_command(reminder: DueReminder, rung: Rung, channels: list[Channel]) -> NotifyCitizen:
    return NotifyCitizen(
        notification_id=derived_id("notification", reminder.message_id, "reminder", rung.value),
        message_id=reminder.message_id,
        account_id=reminder.account_id,
        agency_id=reminder.agency_id,
        call_to_action=reminder.call_to_action,
        delivered_at=reminder.delivered_at,
        channels=channels,
        kind="reminder",
        rung=rung.value,
    )
