"""The citizen's entries (the box's own collection), and the only module that knows their
documents. What the box reads of other services' records: sources.py."""

import re
from datetime import date, datetime, timedelta
from typing import Protocol

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.errors import BulkWriteError

from services.box.messages.records import Entry, Folder, Page
from services.box.messages.recovery_rules import Waiting
from shared.storage.mongo import Collections, Database, Document, Indexes

INDEXES: Indexes = {
    Collections.BOX_ENTRIES: [
        # a page; on FerretDB its descending last key also gives it a twin of the rows a sorted
        # page must not trust, which keeps the page's check cheap (docs/local-database.md)
        IndexModel(
            [("account_id", ASCENDING), ("folder", ASCENDING), ("delivered_at", DESCENDING)], name="folder_newest"
        ),
        IndexModel([("account_id", ASCENDING), ("deadline", ASCENDING)], name="to_do"),
        # FerretDB on PostgreSQL answers other equalities from single-field indexes only
        # (scripts/ferretdb-index-twins.sql), and one citizen's entries are few
        IndexModel([("account_id", ASCENDING)], name="account_id"),
        IndexModel([("safety_net_due", ASCENDING)], name="safety_net_due"),
        IndexModel([("recovery_due", ASCENDING)], name="recovery_due"),
    ],
    # expiry: checked on every read, and cleared by `sessions.clear_expired` (FerretDB has no TTL indexes)
    Collections.BOX_SESSIONS: [IndexModel([("expires_at", ASCENDING)], name="expires_at")],
    Collections.BOX_LOGINS: [IndexModel([("expires_at", ASCENDING)], name="expires_at")],
    Collections.BOX_RATE_LIMITS: [IndexModel([("expires_at", ASCENDING)], name="expires_at")],
    Collections.BOX_CONFIRMATIONS: [IndexModel([("expires_at", ASCENDING)], name="expires_at")],
}
DUPLICATE_KEY = 11000


class Box(Protocol):
    async def file(self, entries: list[Entry]) -> int: ...
    async def page(
        self,
        account_id: str,
        folder: Folder,
        page: int,
        size: int,
        agency_id: str | None = None,
        search: str = "",
        senders: frozenset[str] | None = None,
    ) -> Page:
        """`senders`: only these agencies' messages (a helper's scope); None: all."""
        ...

    async def get(self, account_id: str, message_id: str) -> Entry | None: ...
    async def first_opening(self, account_id: str, message_id: str, now: datetime, by: str | None = None) -> bool: ...
    async def move(self, account_id: str, message_id: str, folder: Folder) -> bool: ...
    async def empty_trash(self, account_id: str) -> int: ...
    async def to_do(self, account_id: str, senders: frozenset[str] | None = None) -> list[Entry]: ...
    async def unopened_from(self, account_id: str, agencies: set[str], since: datetime) -> list[Entry]:
        """Not opened, not in the trash, not printed as a catch-up before, delivered since."""
        ...

    async def caught_up(self, account_id: str, message_ids: list[str], now: datetime) -> None: ...
    async def safety_net_due(self, now: datetime, limit: int) -> list[Entry]:
        """Due, still unopened, not in the trash: to print."""
        ...

    async def safety_net_printed(self, message_id: str, now: datetime) -> None: ...
    async def safety_net_for(self, account_id: str, days: int | None) -> int:
        """Every unopened entry of the account due `days` after delivery (None: none)."""
        ...

    async def recovery_due(self, now: datetime, limit: int) -> dict[str, list[Waiting]]:
        """Per box, its entries that asked for a recovery letter by `now`."""
        ...

    async def recovery_later(self, message_ids: list[str], until: datetime) -> None: ...
    async def recovery_asked(self, account_id: str, delivered_since: datetime, due: datetime) -> int:
        """Every unopened entry of the box delivered since then, outside the trash, not on paper
        and not asking already, asks for a recovery letter at `due`; how many."""
        ...

    async def recovery_done(self, message_ids: list[str]) -> None: ...
    async def unopened_senders(self, account_id: str) -> set[str]:
        """The agencies of the box's unopened messages outside the trash."""
        ...

    async def everything(self, account_id: str) -> list[Entry]: ...


class MongoBox:
    def __init__(self, db: Database) -> None:
        self._entries = db[Collections.BOX_ENTRIES]

    async def file(self, entries: list[Entry]) -> int:
        """Insert each entry once (its id is the message's): a redelivery files nothing new."""
        if not entries:
            return 0
        try:
            result = await self._entries.insert_many([_entry_document(e) for e in entries], ordered=False)
            return len(result.inserted_ids)
        except BulkWriteError as error:
            if any(e["code"] != DUPLICATE_KEY for e in error.details["writeErrors"]):
                raise
            return int(error.details["nInserted"])

    async def page(
        self,
        account_id: str,
        folder: Folder,
        page: int,
        size: int,
        agency_id: str | None = None,
        search: str = "",
        senders: frozenset[str] | None = None,
    ) -> Page:
        query: Document = {"account_id": account_id, "folder": folder.value}
        if senders is not None:
            query["agency_id"] = {"$in": sorted(senders & {agency_id} if agency_id else senders)}
        elif agency_id:
            query["agency_id"] = agency_id
        if search:
            query["subject"] = {"$regex": re.escape(search), "$options": "i"}
        cursor = self._entries.find(query).sort("delivered_at", DESCENDING).skip((page - 1) * size).limit(size + 1)
        found = [_entry(d) async for d in cursor]
        return Page(found[:size], page, len(found) > size)

    async def get(self, account_id: str, message_id: str) -> Entry | None:
        """None for another citizen's message, as for one that does not exist."""
        document = await self._entries.find_one({"_id": message_id, "account_id": account_id})
        return None if document is None else _entry(document)

    async def first_opening(self, account_id: str, message_id: str, now: datetime, by: str | None = None) -> bool:
        """True for the one opening that set `opened_at`; later ones change nothing."""
        found = await self._entries.find_one_and_update(
            {"_id": message_id, "account_id": account_id, "opened_at": None},
            {"$set": {"opened_at": now, "opened_by": by}},
            return_document=ReturnDocument.AFTER,
        )
        return found is not None

    async def move(self, account_id: str, message_id: str, folder: Folder) -> bool:
        result = await self._entries.update_one(
            {"_id": message_id, "account_id": account_id}, {"$set": {"folder": folder.value}}
        )
        return result.matched_count == 1

    async def empty_trash(self, account_id: str) -> int:
        result = await self._entries.delete_many({"account_id": account_id, "folder": Folder.TRASH.value})
        return result.deleted_count

    async def to_do(self, account_id: str, senders: frozenset[str] | None = None) -> list[Entry]:
        query: Document = {"account_id": account_id, "deadline": {"$ne": None}, "folder": {"$ne": Folder.TRASH.value}}
        if senders is not None:
            query["agency_id"] = {"$in": sorted(senders)}
        return [_entry(d) async for d in self._entries.find(query).sort("deadline", ASCENDING).limit(500)]

    async def unopened_from(self, account_id: str, agencies: set[str], since: datetime) -> list[Entry]:
        query: Document = {"account_id": account_id, "agency_id": {"$in": sorted(agencies)}, "opened_at": None}
        query |= {"folder": {"$ne": Folder.TRASH.value}, "delivered_at": {"$gte": since}, "caught_up_at": None}
        return [_entry(d) async for d in self._entries.find(query).limit(5000)]

    async def caught_up(self, account_id: str, message_ids: list[str], now: datetime) -> None:
        await self._entries.update_many(
            {"_id": {"$in": message_ids}, "account_id": account_id}, {"$set": {"caught_up_at": now}}
        )

    async def safety_net_due(self, now: datetime, limit: int) -> list[Entry]:
        query = {"safety_net_due": {"$lte": now}, "opened_at": None, "folder": {"$ne": Folder.TRASH.value}}
        return [_entry(d) async for d in self._entries.find(query).limit(limit)]

    async def safety_net_printed(self, message_id: str, now: datetime) -> None:
        await self._entries.update_one(
            {"_id": message_id}, {"$set": {"safety_net_due": None, "safety_net_printed_at": now}}
        )

    async def safety_net_for(self, account_id: str, days: int | None) -> int:
        query = {"account_id": account_id, "opened_at": None, "safety_net_printed_at": None}
        entries = [d async for d in self._entries.find(query, {"delivered_at": 1}).limit(5000)]
        for d in entries:
            due = None if days is None else d["delivered_at"] + timedelta(days=days)
            await self._entries.update_one({"_id": d["_id"]}, {"$set": {"safety_net_due": due}})
        return len(entries)

    async def recovery_due(self, now: datetime, limit: int) -> dict[str, list[Waiting]]:
        found: dict[str, list[Waiting]] = {}
        async for d in self._entries.find({"recovery_due": {"$lte": now}}).limit(limit):
            on_paper = d.get("safety_net_printed_at") is not None or d.get("caught_up_at") is not None
            waiting = Waiting(d["_id"], d["agency_id"], d["delivered_at"], d.get("opened_at") is not None,
                              d["folder"] == Folder.TRASH.value, on_paper)  # fmt: skip
            found.setdefault(d["account_id"], []).append(waiting)
        return found

    async def recovery_asked(self, account_id: str, delivered_since: datetime, due: datetime) -> int:
        query = {"account_id": account_id, "opened_at": None, "folder": {"$ne": Folder.TRASH.value},
                 "delivered_at": {"$gte": delivered_since}, "recovery_due": None, "paper_copy": False,
                 "safety_net_printed_at": None, "caught_up_at": None}  # fmt: skip
        result = await self._entries.update_many(query, {"$set": {"recovery_due": due}})
        return result.modified_count

    async def recovery_later(self, message_ids: list[str], until: datetime) -> None:
        await self._entries.update_many({"_id": {"$in": message_ids}}, {"$set": {"recovery_due": until}})

    async def recovery_done(self, message_ids: list[str]) -> None:
        await self._entries.update_many({"_id": {"$in": message_ids}}, {"$set": {"recovery_due": None}})

    async def unopened_senders(self, account_id: str) -> set[str]:
        query = {"account_id": account_id, "opened_at": None, "folder": {"$ne": Folder.TRASH.value}}
        return {d["agency_id"] async for d in self._entries.find(query, {"agency_id": 1}).limit(5000)}

    async def everything(self, account_id: str) -> list[Entry]:
        cursor = self._entries.find({"account_id": account_id}).sort("delivered_at", DESCENDING).limit(5000)
        return [_entry(d) async for d in cursor]


def _entry_document(entry: Entry) -> Document:
    return {
        "_id": entry.message_id,
        "account_id": entry.account_id,
        "agency_id": entry.agency_id,
        "subject": entry.subject,
        "delivered_at": entry.delivered_at,
        "folder": entry.folder.value,
        "opened_at": entry.opened_at,
        "action_text": entry.action_text,
        "deadline": entry.deadline.isoformat() if entry.deadline else None,
        "paper_copy": entry.paper_copy,
        "safety_net_due": entry.safety_net_due,
        "recovery_due": entry.recovery_due,
    }


def _entry(document: Document) -> Entry:
    deadline = document.get("deadline")
    return Entry(
        message_id=document["_id"],
        account_id=document["account_id"],
        agency_id=document["agency_id"],
        subject=document["subject"],
        delivered_at=document["delivered_at"],
        folder=Folder(document["folder"]),
        opened_at=document.get("opened_at"),
        action_text=document.get("action_text"),
        deadline=date.fromisoformat(deadline) if deadline else None,
        paper_copy=bool(document.get("paper_copy")),
        opened_by=document.get("opened_by"),
        safety_net_due=document.get("safety_net_due"),
    )
