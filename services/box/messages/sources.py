"""What the box reads of other services' records, read only, and the only module that knows
those documents: the messages ingest stored (content and attachments), the notifier's outcomes
(for the logboek and the proof of notification) and, of the router's accounts, the citizen's
paper safety net and whether a notification reaches them."""

import base64
from datetime import datetime
from typing import Protocol

from pymongo import ASCENDING

from services.box.messages.proof import Notified
from services.box.messages.records import Attachment, Content, FiledFor
from services.box.messages.recovery_rules import Reach
from shared.storage.mongo import Collections, Database, Document


class Contents(Protocol):
    async def get(self, message_id: str) -> Content | None: ...
    async def summaries(self, message_ids: list[str]) -> dict[str, Document]: ...


class MongoContents:
    """Ingest's messages, read only."""

    def __init__(self, db: Database) -> None:
        self._messages = db[Collections.MESSAGES]

    async def get(self, message_id: str) -> Content | None:
        document = await self._messages.find_one({"_id": message_id})
        if document is None:
            return None
        attachments = [
            Attachment(a["filename"], _content_type(a["filename"]), base64.b64decode(a["content_base64"]))
            for a in document.get("attachments") or []
        ]
        return Content(document["subject"], document["body"], document.get("agency_reference", ""), attachments)

    async def summaries(self, message_ids: list[str]) -> dict[str, Document]:
        """Subject and call to action of each message: what a box entry keeps to list it."""
        projection = {"subject": 1, "call_to_action": 1}
        return {d["_id"]: d async for d in self._messages.find({"_id": {"$in": message_ids}}, projection)}


def _content_type(filename: str) -> str:
    return "application/pdf" if filename.lower().endswith(".pdf") else "application/octet-stream"


class NotificationHistory(Protocol):
    async def of(self, message_ids: list[str]) -> dict[str, list[tuple[str, str, datetime]]]: ...
    async def of_message(self, message_id: str) -> list[Notified]:
        """Every outcome of the citizen's own notifications about one message, oldest first."""
        ...


class MongoNotificationHistory:
    """The notifier's outcomes, read only: when and how a citizen was told of a message."""

    def __init__(self, db: Database) -> None:
        self._outcomes = db[Collections.NOTIFICATION_OUTCOMES]

    async def of_message(self, message_id: str) -> list[Notified]:
        cursor = self._outcomes.find({"message_id": message_id}).sort("at", ASCENDING)
        found = [(d, own_kind(d.get("kind"))) async for d in cursor]
        return [Notified(d["channel"], kind, d["status"], d["at"]) for d, kind in found if kind]

    async def of(self, message_ids: list[str]) -> dict[str, list[tuple[str, str, datetime]]]:
        found: dict[str, list[tuple[str, str, datetime]]] = {}
        for i in range(0, len(message_ids), 500):
            cursor = self._outcomes.find({"message_id": {"$in": message_ids[i : i + 500]}}).sort("at", ASCENDING)
            async for d in cursor:
                kind = {"reminder": "herinnering", "new_message": "nieuw bericht"}.get(own_kind(d.get("kind")) or "")
                if kind is None:
                    continue  # a helper's notice: theirs, in their own words, not the owner's
                found.setdefault(d["message_id"], []).append((f"{d['channel']} ({kind})", d["status"], d["at"]))
        return found


def own_kind(logged: object) -> str | None:
    """The kind of a notification to the citizen themselves, as the notifier logged it: a
    reminder is logged per rung (`reminder:deadline`); a helper's notice is not theirs (None)."""
    if logged == "new_message":
        return "new_message"
    return "reminder" if isinstance(logged, str) and logged.split(":")[0] == "reminder" else None


class AccountFacts(Protocol):
    async def of(self, account_ids: list[str]) -> dict[str, FiledFor]:
        """Per account that exists: what filing and the recovery sweep go by."""
        ...


class MongoAccountFacts:
    """The router's accounts, read only: the citizen's vangnet, and whether a notification can
    reach them."""

    def __init__(self, db: Database) -> None:
        self._accounts = db[Collections.ACCOUNTS]

    async def of(self, account_ids: list[str]) -> dict[str, FiledFor]:
        projection = {f: 1 for f in ("safety_net_days", "state", "email", "email_not_working", "push_subscriptions")}
        return {d["_id"]: _filed_for(d) async for d in self._accounts.find({"_id": {"$in": account_ids}}, projection)}


def _filed_for(account: Document) -> FiledFor:
    days = account.get("safety_net_days")
    reach = Reach(
        activated=account.get("state") == "activated",
        working_email=bool(account.get("email")) and not account.get("email_not_working"),
        devices=bool(account.get("push_subscriptions")),
    )
    return FiledFor(days if days in (14, 21, 28) else None, reach)
