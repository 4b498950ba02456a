"""The notifier's records, and the only module that knows their documents: the account it
notifies (read only; the router writes accounts), one claim per attempt before sending and
its outcome after (inserts, never updates), and the three-week reminders."""

import contextlib
import hashlib
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import ValidationError
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from services.notifier.ladder import Next, Rung
from services.notifier.records import (
    DueReminder,
    Outcome,
    Recipient,
    Status,
    UnreadableRecipient,
    UnreadableReminder,
    Unsettled,
    UnsettledPage,
)
from shared.contracts.ids import derived_id
from shared.contracts.messages import Channel, NotifyCitizen
from shared.messaging.dead_letter import describe
from shared.storage.grouped import GroupedFinder, GroupedInserter
from shared.storage.mongo import Collections, Database, Document, Indexes

INDEXES: Indexes = {
    Collections.NOTIFICATIONS: [
        IndexModel(
            # one claim per (message, channel, kind, attempt) through its derived _id
            [("message_id", ASCENDING), ("channel", ASCENDING), ("kind", ASCENDING), ("attempt", ASCENDING)],
            name="claims",
        ),
        IndexModel([("claimed_at", ASCENDING)], name="claimed_at"),  # the sweep of unsettled claims
    ],
    Collections.NOTIFICATION_OUTCOMES: [IndexModel([("message_id", ASCENDING)], name="message_id")],
    Collections.REMINDERS: [IndexModel([("status", ASCENDING), ("due_at", ASCENDING)], name="due")],
}
ACCOUNT_FIELDS = {"email": 1, "email_not_working": 1, "push_subscriptions": 1, "reminder_opt_in": 1,
                  "deadline_reminders": 1}  # fmt: skip
"""What the notifier reads of an account (never its BSN). It reads no message: the command
carries what a notification tells of one, its sender and its call to action."""


class Recipients(Protocol):
    async def get(self, account_id: str) -> Recipient | UnreadableRecipient | None: ...


class NotificationLog(Protocol):
    async def claim(self, command: NotifyCitizen, channel: Channel, now: datetime) -> bool:
        """True if this delivery may send: no other delivery claimed this attempt first. The
        claim keeps the command (for that channel), so a claim left without an outcome can be
        offered again."""
        ...

    async def record(self, message_id: str, channel: Channel, kind: str, outcome: Outcome, now: datetime) -> None: ...

    async def unsettled(self, claimed_from: datetime, claimed_until: datetime, limit: int) -> UnsettledPage:
        """Of the first `limit` claims of that window, oldest first, those without an outcome."""
        ...


class Reminders(Protocol):
    async def schedule(self, notified: NotifyCitizen, first: Next) -> bool: ...
    async def cancelled(self, message_id: str) -> bool: ...
    async def opened(self, message_id: str, opened_at: datetime) -> None: ...
    async def due(self, now: datetime, limit: int) -> list[DueReminder | UnreadableReminder]: ...
    async def advance(self, message_id: str, sent: tuple[Rung, datetime] | None, following: Next | None) -> None:
        """After a rung was sent (or not), the next one, or the ladder done (`following` None)."""
        ...

    async def invalid(self, message_id: str, reason: str, now: datetime) -> None: ...


class BoxReadings(Protocol):
    async def states(self, message_ids: list[str]) -> dict[str, tuple[bool, bool]]:
        """Per message still in a box: (opened, in the trash). A message not there is gone."""
        ...


class MongoBoxReadings:
    """The box's entries, read only: whether a message was opened or trashed."""

    def __init__(self, db: Database) -> None:
        self._entries = db[Collections.BOX_ENTRIES]

    async def states(self, message_ids: list[str]) -> dict[str, tuple[bool, bool]]:
        if not message_ids:
            return {}
        cursor = self._entries.find({"_id": {"$in": message_ids}}, {"opened_at": 1, "folder": 1})
        return {d["_id"]: (d.get("opened_at") is not None, d.get("folder") == "trash") async for d in cursor}


class MongoRecipients:
    def __init__(self, db: Database) -> None:
        self._accounts = GroupedFinder(db[Collections.ACCOUNTS], projection=ACCOUNT_FIELDS)

    async def get(self, account_id: str) -> Recipient | UnreadableRecipient | None:
        """Look-ups of concurrent deliveries go to the server together."""
        document = await self._accounts.get(account_id)
        return None if document is None else recipient_from(document)


def recipient_from(document: Document) -> Recipient | UnreadableRecipient:
    email, subscriptions = document.get("email"), document.get("push_subscriptions") or []
    if email is not None and not isinstance(email, str):
        return UnreadableRecipient(document["_id"], "stored account is invalid (email is not text)")
    if not isinstance(subscriptions, list) or not all(
        isinstance(s, dict) and isinstance(s.get("endpoint"), str) for s in subscriptions
    ):
        return UnreadableRecipient(document["_id"], "stored account is invalid (push_subscriptions)")
    reminders = bool(document.get("reminder_opt_in")), document.get("deadline_reminders") is not False
    usable = None if document.get("email_not_working") else email  # marked: no mail goes there
    return Recipient(document["_id"], usable, subscriptions, *reminders)


def attempt_key(message_id: str, channel: Channel, kind: str, attempt: int) -> str:
    return derived_id("notification", message_id, channel.value, kind, str(attempt))


class MongoNotificationLog:
    """A claim that exists already means another delivery of the same command got there first,
    or a notifier died between claim and send: either way this delivery does not send."""

    def __init__(self, db: Database, gather_seconds: float = 0.0) -> None:
        """`gather_seconds`: how long an outcome waits for others to be inserted with."""
        self._outcomes = db[Collections.NOTIFICATION_OUTCOMES]
        self._claims = db[Collections.NOTIFICATIONS]
        self._new_claims = GroupedInserter(self._claims)
        self._new_outcomes = GroupedInserter(self._outcomes, gather_seconds=gather_seconds)

    async def claim(self, command: NotifyCitizen, channel: Channel, now: datetime) -> bool:
        key = attempt_key(command.message_id, channel, command.logged_as, command.attempt)
        claim: Document = {"_id": key, "message_id": command.message_id, "channel": channel.value}
        claim |= {"kind": command.logged_as, "attempt": command.attempt, "claimed_at": now}
        offered = command.model_copy(update={"channels": [channel]}).model_dump(mode="json")
        return key not in await self._new_claims.insert([{**claim, "command": offered}])

    async def unsettled(self, claimed_from: datetime, claimed_until: datetime, limit: int) -> UnsettledPage:
        window = {"claimed_at": {"$gte": claimed_from, "$lt": claimed_until}}
        claims = await self._claims.find(window).sort("claimed_at", ASCENDING).limit(limit).to_list()
        ids = [c["_id"] for c in claims]
        settled = {d["_id"] async for d in self._outcomes.find({"_id": {"$in": ids}}, {"_id": 1})} if ids else set()
        found = [_unsettled(c) for c in claims if c["_id"] not in settled]
        return UnsettledPage(found, claims[-1]["claimed_at"] if claims else None, len(claims) == limit)

    async def record(self, message_id: str, channel: Channel, kind: str, outcome: Outcome, now: datetime) -> None:
        attempt = outcome.attempt
        document: Document = {"_id": attempt_key(message_id, channel, kind, attempt), "message_id": message_id}
        document |= {"channel": channel.value, "kind": kind, "attempt": attempt, "status": outcome.status.value}
        await self._new_outcomes.insert([{**document, "detail": outcome.detail, "at": now}])

    async def latest(self, message_id: str, channel: Channel, kind: str = "new_message") -> Outcome | None:
        """The last recorded outcome; None while claimed and not yet (or never) recorded."""
        cursor = self._outcomes.find({"message_id": message_id, "channel": channel.value, "kind": kind})
        found = await cursor.sort("attempt", DESCENDING).limit(1).to_list()
        return Outcome(Status(found[0]["status"]), found[0]["attempt"], found[0]["detail"]) if found else None


class MongoReminders:
    """Found by the sweep through the (status, due_at) index, never by a full scan."""

    def __init__(self, db: Database, gather_seconds: float = 0.0) -> None:
        """`gather_seconds`: how long a new reminder waits for others to be inserted with."""
        self._reminders = db[Collections.REMINDERS]
        self._new_reminders = GroupedInserter(self._reminders, gather_seconds=gather_seconds)

    async def schedule(self, notified: NotifyCitizen, first: Next) -> bool:
        """False when already scheduled, sent, or the message was opened first. The reminder
        keeps what its notification tells (sender, call to action), to tell it again."""
        action = notified.call_to_action
        reminder: Document = {
            "_id": notified.message_id,
            "account_id": notified.account_id,
            "agency_id": notified.agency_id,
            "call_to_action": action.model_dump(mode="json") if action else None,
            "delivered_at": notified.delivered_at,
            "status": "scheduled",
            "due_at": first.due_at,
            "rung": first.rung.value,
            "sent": [],
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

    async def due(self, now: datetime, limit: int) -> list[DueReminder | UnreadableReminder]:
        cursor = self._reminders.find({"status": "scheduled", "due_at": {"$lte": now}}).sort("due_at", ASCENDING)
        return [due_reminder(d) for d in await cursor.limit(limit).to_list()]

    async def advance(self, message_id: str, sent: tuple[Rung, datetime] | None, following: Next | None) -> None:
        change: Document = {
            "$set": {"status": "done"}
            if following is None
            else {"status": "scheduled", "due_at": following.due_at, "rung": following.rung.value}
        }
        if sent is not None:
            change["$push"] = {"sent": {"rung": sent[0].value, "at": sent[1]}}
        await self._reminders.update_one({"_id": message_id, "status": "scheduled"}, change)

    async def invalid(self, message_id: str, reason: str, now: datetime) -> None:
        await self._reminders.update_one(
            {"_id": message_id, "status": "scheduled"},
            {"$set": {"status": "invalid", "reason": reason, "invalid_at": now}},
        )


def _unsettled(claim: Document) -> Unsettled:
    try:
        command = NotifyCitizen.model_validate(claim["command"])
    except (KeyError, ValidationError):  # claimed before claims kept their command
        command = None
    return Unsettled(
        claim["message_id"], Channel(claim["channel"]), claim["kind"], claim["attempt"], claim["claimed_at"], command
    )


def due_reminder(document: Document) -> DueReminder | UnreadableReminder:
    """A reminder stored before reminders kept their sender cannot be told again."""
    fields = ("account_id", "agency_id", "delivered_at")
    if missing := [name for name in fields if name not in document]:
        return UnreadableReminder(document["_id"], f"missing {missing[0]!r}")
    try:
        values = {name: document[name] for name in fields}
        sent = tuple((Rung(s["rung"]), s["at"]) for s in document.get("sent") or [])
        return DueReminder(
            message_id=document["_id"], call_to_action=document.get("call_to_action"), sent=sent, **values
        )
    except ValidationError as error:
        return UnreadableReminder(document["_id"], describe(error))


class AddressHealth(Protocol):
    async def refused(self, address: str, failure_id: str, now: datetime) -> int:
        """Counts a permanent failure of mail to `address` (once per `failure_id`: a bounce
        delivered twice is one failure); the failures within `FAILURE_WINDOW` now."""
        ...


FAILURE_WINDOW = timedelta(days=90)
"""Permanent failures further apart than this do not add up: an address that failed once a
year is not dead."""


def address_key(address: str) -> str:
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


class MongoAddressHealth:
    """Only failures are written: a mass mailing's millions of deliveries cost nothing here."""

    def __init__(self, db: Database) -> None:
        self._failures = db[Collections.EMAIL_FAILURES]

    async def refused(self, address: str, failure_id: str, now: datetime) -> int:
        key = address_key(address)
        stale = {"_id": key, "since": {"$lt": now - FAILURE_WINDOW}}
        await self._failures.update_one(stale, {"$set": {"count": 0, "since": now, "failures": []}})
        for _ in range(2):
            try:
                found = await self._failures.find_one_and_update(
                    {"_id": key, "failures": {"$ne": failure_id}},
                    {"$inc": {"count": 1}, "$push": {"failures": failure_id}, "$setOnInsert": {"since": now},
                     "$set": {"last_at": now}},
                    upsert=True, return_document=ReturnDocument.AFTER,
                )  # fmt: skip
                return int(found["count"]) if found else 1
            except DuplicateKeyError:
                # the address has a document: another failure inserted it at the same moment (so
                # try again, now as an update), or this failure was counted before
                continue
        found = await self._failures.find_one({"_id": key})
        return int(found["count"]) if found else 1
