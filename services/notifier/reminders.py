"""The three-week reminder. Scheduled when a citizen who opted in is notified of a new
message; cancelled when the message is opened; found by the sweep through the
(status, due_at) index, never by a full scan. A reminder that cannot become a command ends
`invalid`, with the reason, instead of holding up every sweep after it."""

import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from shared.contracts.ids import derived_id
from shared.contracts.messages import Channel, NotifyCitizen
from shared.messaging.dead_letter import describe
from shared.storage.inserts import GroupedInserter
from shared.storage.mongo import Collections, Database, Document

logger = logging.getLogger(__name__)


class MongoReminders:
    def __init__(self, db: Database, gather_seconds: float = 0.0) -> None:
        """`gather_seconds`: how long a new reminder waits for others to be inserted with."""
        self._reminders = db[Collections.REMINDERS]
        self._new_reminders = GroupedInserter(self._reminders, gather_seconds=gather_seconds)

    async def schedule(self, notified: NotifyCitizen, after: timedelta) -> bool:
        """False when already scheduled, sent, or the message was opened first. The reminder
        keeps what its notification tells (sender, call to action), to tell it again."""
        action = notified.call_to_action
        reminder = {
            "_id": notified.message_id,
            "account_id": notified.account_id,
            "agency_id": notified.agency_id,
            "call_to_action": action.model_dump(mode="json") if action else None,
            "delivered_at": notified.delivered_at,
            "status": "scheduled",
            "due_at": notified.delivered_at + after,
        }
        return notified.message_id not in await self._new_reminders.insert([reminder])

    async def opened(self, message_id: str, opened_at: datetime) -> None:
        """Cancel a reminder not sent yet; remember the opening if none was scheduled yet."""
        await self._reminders.update_one(
            {"_id": message_id, "status": {"$in": ["scheduled", "queued"]}},
            {"$set": {"status": "cancelled", "opened_at": opened_at}},
        )
        with contextlib.suppress(DuplicateKeyError):
            await self._reminders.insert_one({"_id": message_id, "status": "cancelled", "opened_at": opened_at})

    async def cancelled(self, message_id: str) -> bool:
        return await self._reminders.count_documents({"_id": message_id, "status": "cancelled"}, limit=1) > 0

    async def due(self, now: datetime, limit: int) -> list[Document]:
        cursor = self._reminders.find({"status": "scheduled", "due_at": {"$lte": now}}).sort("due_at", ASCENDING)
        return await cursor.limit(limit).to_list()

    async def queued(self, message_id: str, now: datetime) -> None:
        await self._reminders.update_one(
            {"_id": message_id, "status": "scheduled"}, {"$set": {"status": "queued", "queued_at": now}}
        )

    async def invalid(self, message_id: str, reason: str, now: datetime) -> None:
        await self._reminders.update_one(
            {"_id": message_id, "status": "scheduled"},
            {"$set": {"status": "invalid", "reason": reason, "invalid_at": now}},
        )


class ReminderSweep:
    """Each run queues a `NotifyCitizen(kind="reminder")` for every reminder that is due.
    Queued twice after a crash, the notification claim still sends it once."""

    def __init__(
        self,
        reminders: MongoReminders,
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
            try:
                command = _reminder_command(reminder)
            except (KeyError, ValidationError) as error:
                reason = f"missing {error}" if isinstance(error, KeyError) else describe(error)
                logger.error("reminder for message %s is invalid: %s", reminder["_id"], reason)
                await self.reminders.invalid(reminder["_id"], reason, now)
                continue
            await self.publish(command)
            await self.reminders.queued(command.message_id, now)
            queued += 1
        return queued


def _reminder_command(reminder: Document) -> NotifyCitizen:
    return NotifyCitizen(
        notification_id=derived_id("notification", reminder["_id"], "reminder"),
        message_id=reminder["_id"],
        account_id=reminder["account_id"],
        agency_id=reminder["agency_id"],
        call_to_action=reminder.get("call_to_action"),
        delivered_at=reminder["delivered_at"],
        channels=[Channel.EMAIL],
        kind="reminder",
    )
