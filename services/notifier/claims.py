"""At most one notification per (message, channel, kind): the send is claimed in MongoDB
(unique index) before it happens, and its outcome recorded after.

A claim that exists already means another delivery of the command got there first, or a
notifier died between claim and send: either way this delivery does not send (at most
once). The only way to send again is the retry that the notifier itself scheduled: a claim
in `retrying` at attempt n is taken over by the command carrying attempt n + 1."""

from datetime import datetime
from enum import StrEnum

from pymongo.errors import DuplicateKeyError

from shared.ids import derived_id
from shared.messages import Channel
from shared.mongo import Collections, Database


class Status(StrEnum):
    CLAIMED = "claimed"
    SENT = "sent"
    RETRYING = "retrying"
    PERMANENT_FAILURE = "permanent-failure"
    TECHNICAL_FAILURE = "technical-failure"


def notification_key(message_id: str, channel: Channel, kind: str) -> str:
    return derived_id("notification", message_id, channel.value, kind)


class MongoNotificationLog:
    def __init__(self, db: Database) -> None:
        self._notifications = db[Collections.NOTIFICATIONS]

    async def claim(self, message_id: str, channel: Channel, kind: str, attempt: int, now: datetime) -> bool:
        """True if this delivery may send."""
        key = notification_key(message_id, channel, kind)
        if attempt == 1:
            try:
                await self._notifications.insert_one(
                    {
                        "_id": key,
                        "message_id": message_id,
                        "channel": channel.value,
                        "kind": kind,
                        "status": Status.CLAIMED.value,
                        "attempt": 1,
                        "claimed_at": now,
                    }
                )
            except DuplicateKeyError:
                return False
            return True
        result = await self._notifications.update_one(
            {"_id": key, "status": Status.RETRYING.value, "attempt": attempt - 1},
            {"$set": {"status": Status.CLAIMED.value, "attempt": attempt, "claimed_at": now}},
        )
        return result.modified_count == 1

    async def record(
        self, message_id: str, channel: Channel, kind: str, status: Status, now: datetime, detail: str = ""
    ) -> None:
        await self._notifications.update_one(
            {"_id": notification_key(message_id, channel, kind)},
            {"$set": {"status": status.value, "detail": detail, "updated_at": now}},
        )
