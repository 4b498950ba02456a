"""The paper service's records, and the only module that knows their documents: the message
and the account it prints (read only), its letters (one writer: this service) and print
batches. Batch membership is claimed by inserting one document per letter under the letter's
id, so a letter lands in exactly one batch even with several paper processes."""

import base64
from datetime import UTC, datetime
from typing import Protocol

from pymongo import ASCENDING, IndexModel

from services.paper.records import Addressee, ClosingBatch, Letter, MessageToPrint, PrintBatch, PrintedLetter
from shared.storage.grouped import GroupedFinder, GroupedInserter
from shared.storage.mongo import Collections, Database, Document, Indexes

INDEXES: Indexes = {
    Collections.LETTERS: [
        IndexModel([("message_id", ASCENDING)], name="message_id"),
        IndexModel([("status", ASCENDING), ("batched", ASCENDING), ("rendered_at", ASCENDING)], name="unbatched"),
    ],
    Collections.BATCH_MEMBERS: [IndexModel([("batch_id", ASCENDING)], name="batch_id")],
    Collections.BATCHES: [IndexModel([("status", ASCENDING)], name="status")],  # batches left half made
}
MESSAGE_FIELDS = dict.fromkeys(
    [
        "agency_id",
        "agency_reference",
        "subject",
        "body",
        "call_to_action",
        "attachments",
        "accepted_at",
        "correlation_id",
    ],
    1,
)
ACCOUNT_FIELDS = {"name": 1, "address_lines": 1, "country": 1}
"""The window address and the postage: not the BSN."""
PRINTED_FIELDS = ("message_id", "copy_of_box_message", "file", "sha256", "pages", "sheets", "postage", "rendered_at")


class PrintSources(Protocol):
    async def message(self, message_id: str) -> MessageToPrint | None: ...
    async def addressee(self, account_id: str) -> Addressee | None: ...


class LetterStore(Protocol):
    async def status(self, letter_id: str) -> str | None:
        """The letter's status if it was handled before."""
        ...

    async def record(self, letter: Letter) -> None: ...
    async def unbatched(self, limit: int) -> list[PrintedLetter]: ...
    async def open_batch(self, batch: ClosingBatch) -> None:
        """Recorded before any letter is claimed, so a crash leaves a batch to finish."""
        ...

    async def closing_batches(self) -> list[ClosingBatch]: ...
    async def printed(self, letter_ids: list[str]) -> list[PrintedLetter]: ...
    async def claim_for_batch(self, batch_id: str, letter_ids: list[str]) -> list[str]: ...
    async def save_batch(self, batch: PrintBatch) -> None:
        """The finished batch, its letters marked batched."""
        ...


class MongoPrintSources:
    def __init__(self, db: Database, gather_seconds: float = 0.0) -> None:
        """Look-ups of concurrent letters go to the server together (waiting `gather_seconds` for company)."""
        self._messages = GroupedFinder(
            db[Collections.MESSAGES], projection=MESSAGE_FIELDS, gather_seconds=gather_seconds
        )
        self._accounts = GroupedFinder(
            db[Collections.ACCOUNTS], projection=ACCOUNT_FIELDS, gather_seconds=gather_seconds
        )

    async def message(self, message_id: str) -> MessageToPrint | None:
        document = await self._messages.get(message_id)
        if document is None:
            return None
        attachments = [base64.b64decode(a["content_base64"]) for a in document.get("attachments") or []]
        return MessageToPrint.model_validate({**document, "attachments": attachments})

    async def addressee(self, account_id: str) -> Addressee | None:
        document = await self._accounts.get(account_id)
        if document is None:
            return None
        return Addressee(document.get("name"), document.get("address_lines") or [], document.get("country", "NL"))


class MongoLetterStore:
    def __init__(self, db: Database, gather_seconds: float = 0.0) -> None:
        """`gather_seconds`: how long a letter's look-up or record waits for others to go with."""
        self._letters = db[Collections.LETTERS]
        self._members = db[Collections.BATCH_MEMBERS]
        self._batches = db[Collections.BATCHES]
        self._new_letters = GroupedInserter(self._letters, gather_seconds=gather_seconds)
        self._new_members = GroupedInserter(self._members)
        self._status = GroupedFinder(self._letters, projection={"status": 1}, gather_seconds=gather_seconds)

    async def status(self, letter_id: str) -> str | None:
        found = await self._status.get(letter_id)
        return None if found is None else str(found["status"])

    async def record(self, letter: Letter) -> None:
        """Insert once; a concurrent attempt that recorded the same letter first wins."""
        await self._new_letters.insert([letter_document(letter)])

    async def unbatched(self, limit: int) -> list[PrintedLetter]:
        cursor = self._letters.find({"status": "rendered", "batched": False}).sort("rendered_at", ASCENDING)
        return [_printed(d) for d in await cursor.limit(limit).to_list()]

    async def claim_for_batch(self, batch_id: str, letter_ids: list[str]) -> list[str]:
        """The ids this batch got; ids another batch claimed first are left out."""
        lost = await self._new_members.insert([{"_id": i, "batch_id": batch_id} for i in letter_ids])
        if lost:  # or claimed by this batch before a crash
            lost -= {d["_id"] async for d in self._members.find({"_id": {"$in": sorted(lost)}, "batch_id": batch_id})}
        return [i for i in letter_ids if i not in lost]

    async def open_batch(self, batch: ClosingBatch) -> None:
        document = {"status": "closing", "letter_ids": batch.letter_ids, "closed_because": batch.reason}
        await self._batches.update_one(
            {"_id": batch.batch_id}, {"$setOnInsert": {**document, "closing_since": batch.closed_at}}, upsert=True
        )

    async def closing_batches(self) -> list[ClosingBatch]:
        found = await self._batches.find({"status": "closing"}).to_list()
        return [ClosingBatch(d["_id"], d["letter_ids"], d["closed_because"], _aware(d["closing_since"])) for d in found]

    async def printed(self, letter_ids: list[str]) -> list[PrintedLetter]:
        found = {d["_id"]: d async for d in self._letters.find({"_id": {"$in": letter_ids}, "status": "rendered"})}
        return [_printed(found[i]) for i in letter_ids if i in found]

    async def save_batch(self, batch: PrintBatch) -> None:
        document = {**batch.header, "_id": batch.batch_id, "path": batch.path, "letter_ids": batch.letter_ids}
        await self._batches.replace_one({"_id": batch.batch_id}, {**document, "status": "closed"}, upsert=True)
        await self._letters.update_many({"_id": {"$in": batch.letter_ids}}, {"$set": {"batched": True}})

    async def batch(self, batch_id: str) -> PrintBatch | None:
        document = await self._batches.find_one({"_id": batch_id})
        if document is None:
            return None
        header = {k: v for k, v in document.items() if k not in ("_id", "path", "letter_ids", "status")}
        return PrintBatch(batch_id, header, document["path"], document["letter_ids"])


def letter_document(letter: Letter) -> Document:
    common = {
        "_id": letter.letter_id,
        "message_id": letter.message_id,
        "copy_of_box_message": letter.copy_of_box_message,
    }
    if isinstance(letter, PrintedLetter):
        printed = {name: getattr(letter, name) for name in PRINTED_FIELDS}
        return {**common, **printed, "status": "rendered", "batched": False}
    return {**common, "status": "undeliverable", "reason": letter.reason, "rendered_at": letter.decided_at}


def _printed(document: Document) -> PrintedLetter:
    values = {name: document[name] for name in PRINTED_FIELDS}
    return PrintedLetter(letter_id=document["_id"], **{**values, "rendered_at": _aware(values["rendered_at"])})


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
