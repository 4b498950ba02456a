"""At most one notification per (message, channel, kind): each attempt is claimed in
MongoDB (unique per message, channel, kind and attempt) before anything is sent, and its
outcome inserted after. Both are inserts, never updates.

A claim that exists already means another delivery of the same command got there first,
or a notifier died between claim and send: either way this delivery does not send (at most
once). Attempt n + 1 exists only as the retry the notifier scheduled after attempt n failed
transiently, so a retry never doubles a sent notification."""

from datetime import datetime
from enum import StrEnum

from pymongo import DESCENDING

from shared.contracts.ids import derived_id
from shared.contracts.messages import Channel
from shared.storage.inserts import GroupedInserter
from shared.storage.mongo import Collections, Database, Document


class Status(StrEnum):
    SENT = "sent"
    RETRYING = "retrying"
    PERMANENT_FAILURE = "permanent-failure"
    TECHNICAL_FAILURE = "technical-failure"


def attempt_key(message_id: str, channel: Channel, kind: str, attempt: int) -> str:
    return derived_id("notification", message_id, channel.value, kind, str(attempt))


class MongoNotificationLog:
    def __init__(self, db: Database, gather_seconds: float = 0.0) -> None:
        """`gather_seconds`: how long an outcome waits for others to be inserted with."""
        self._claims = db[Collections.NOTIFICATIONS]
        self._outcomes = db[Collections.NOTIFICATION_OUTCOMES]
        self._new_claims = GroupedInserter(self._claims)
        self._new_outcomes = GroupedInserter(self._outcomes, gather_seconds=gather_seconds)

    async def claim(self, message_id: str, channel: Channel, kind: str, attempt: int, now: datetime) -> bool:
        """True if this delivery may send."""
        key = attempt_key(message_id, channel, kind, attempt)
        taken = await self._new_claims.insert(
            [
                {
                    "_id": key,
                    "message_id": message_id,
                    "channel": channel.value,
                    "kind": kind,
                    "attempt": attempt,
                    "claimed_at": now,
                }
            ]
        )
        return key not in taken

    async def record(
        self,
        message_id: str,
        channel: Channel,
        kind: str,
        attempt: int,
        status: Status,
        now: datetime,
        detail: str = "",
    ) -> None:
        await self._new_outcomes.insert(
            [
                {
                    "_id": attempt_key(message_id, channel, kind, attempt),
                    "message_id": message_id,
                    "channel": channel.value,
                    "kind": kind,
                    "attempt": attempt,
                    "status": status.value,
                    "detail": detail,
                    "at": now,
                }
            ]
        )

    async def latest(self, message_id: str, channel: Channel, kind: str = "new_message") -> Document | None:
        """The last recorded outcome; None while claimed and not yet (or never) recorded."""
        cursor = self._outcomes.find({"message_id": message_id, "channel": channel.value, "kind": kind})
        found = await cursor.sort("attempt", DESCENDING).limit(1).to_list()
        return found[0] if found else None
