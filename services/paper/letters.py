"""The paper service's records: letters (one writer: this service) and print batches.
Batch membership is claimed by inserting one document per letter under the letter's id,
so a letter lands in exactly one batch even with several paper processes."""

from datetime import datetime
from typing import Protocol

from pymongo import ASCENDING

from shared.storage.finds import GroupedFinder
from shared.storage.inserts import GroupedInserter
from shared.storage.mongo import Collections, Database, Document


class LetterStore(Protocol):
    async def get(self, letter_id: str) -> Document | None: ...
    async def record(self, letter: Document) -> None: ...


class MongoLetterStore:
    def __init__(self, db: Database, gather_seconds: float = 0.0) -> None:
        """`gather_seconds`: how long a letter's look-up or record waits for others to go with."""
        self._letters = db[Collections.LETTERS]
        self._members = db[Collections.BATCH_MEMBERS]
        self._batches = db[Collections.BATCHES]
        self._new_letters = GroupedInserter(self._letters, gather_seconds=gather_seconds)
        self._new_members = GroupedInserter(self._members)
        self._letter_status = GroupedFinder(self._letters, projection={"status": 1}, gather_seconds=gather_seconds)

    async def get(self, letter_id: str) -> Document | None:
        """The letter's status if it was handled before (concurrent look-ups go as one query)."""
        return await self._letter_status.get(letter_id)

    async def record(self, letter: Document) -> None:
        """Insert once; a concurrent attempt that recorded the same letter first wins."""
        await self._new_letters.insert([{**letter, "batched": False}])

    async def unbatched(self, limit: int) -> list[Document]:
        cursor = self._letters.find({"status": "rendered", "batched": False}).sort("rendered_at", ASCENDING)
        return await cursor.limit(limit).to_list()

    async def claim_for_batch(self, batch_id: str, letter_ids: list[str]) -> list[str]:
        """The ids this batch got; ids another batch claimed first are left out."""
        lost = await self._new_members.insert([{"_id": i, "batch_id": batch_id} for i in letter_ids])
        if lost:  # or claimed by this batch before a crash
            lost -= {d["_id"] async for d in self._members.find({"_id": {"$in": sorted(lost)}, "batch_id": batch_id})}
        claimed = [i for i in letter_ids if i not in lost]
        await self._letters.update_many({"_id": {"$in": letter_ids}}, {"$set": {"batched": True}})
        return claimed

    async def save_batch(self, batch: Document) -> None:
        await self._batches.replace_one({"_id": batch["_id"]}, batch, upsert=True)

    async def batch(self, batch_id: str) -> Document | None:
        return await self._batches.find_one({"_id": batch_id})


def sheets_for(pages: int) -> int:
    """Printed on both sides."""
    return (pages + 1) // 2


def is_due(oldest: datetime, now: datetime, count: int, size: int, max_age_seconds: float) -> str | None:
    """Why a batch closes now (`size` or `age`), or None."""
    if count >= size:
        return "size"
    if count and (now - oldest).total_seconds() >= max_age_seconds:
        return "age"
    return None
