"""Where ingest keeps messages and rejections: a Protocol, MongoDB, and an in-memory fake."""

from dataclasses import dataclass
from typing import Protocol

from pymongo.errors import BulkWriteError

from shared.mongo import DUPLICATE_KEY, Collections, Database, Document


@dataclass(frozen=True)
class Stored:
    document: Document
    original: Document | None
    """The message already stored under the same (agency, reference), if any."""
    receipted: bool = False
    """Whether the original's `accepted` receipt already went out."""

    def is_new(self, redelivered: bool) -> bool:
        """Not stored before; or stored by an earlier delivery of this same AMQP message that
        died before its receipt went out (a new AMQP message then is a duplicate, even while
        the original is still being processed)."""
        return self.original is None or (redelivered and not self.receipted)


class MessageStore(Protocol):
    async def add_many(self, documents: list[Document]) -> list[Stored]: ...
    async def mark_receipted(self, message_ids: list[str]) -> None: ...
    async def add_rejections(self, rejections: list[Document]) -> None: ...


class MongoMessageStore:
    """Inserts messages and never updates them; receipts sent are marked in their own collection."""

    def __init__(self, db: Database) -> None:
        self._messages = db[Collections.MESSAGES]
        self._receipted = db[Collections.RECEIPTED]
        self._rejections = db[Collections.REJECTIONS]

    async def add_many(self, documents: list[Document]) -> list[Stored]:
        """One unordered insert; ids already present come back with their original."""
        if not documents:
            return []
        try:
            await self._messages.insert_many(documents, ordered=False)
            return [Stored(d, None) for d in documents]
        except BulkWriteError as error:
            if any(e["code"] != DUPLICATE_KEY for e in error.details["writeErrors"]):
                raise
            duplicate_ids = [documents[e["index"]]["_id"] for e in error.details["writeErrors"]]
        originals = {d["_id"]: d async for d in self._messages.find({"_id": {"$in": duplicate_ids}})}
        receipted = {d["_id"] async for d in self._receipted.find({"_id": {"$in": duplicate_ids}}, {"_id": 1})}
        return [Stored(d, originals.get(d["_id"]), d["_id"] in receipted) for d in documents]

    async def mark_receipted(self, message_ids: list[str]) -> None:
        if not message_ids:
            return
        try:
            await self._receipted.insert_many([{"_id": i} for i in message_ids], ordered=False)
        except BulkWriteError as error:
            if any(e["code"] != DUPLICATE_KEY for e in error.details["writeErrors"]):
                raise

    async def add_rejections(self, rejections: list[Document]) -> None:
        """Idempotent: a rejection kept by an earlier delivery is not kept twice."""
        if not rejections:
            return
        try:
            await self._rejections.insert_many(rejections, ordered=False)
        except BulkWriteError as error:
            if any(e["code"] != DUPLICATE_KEY for e in error.details["writeErrors"]):
                raise


class InMemoryMessageStore:
    def __init__(self) -> None:
        self.messages: dict[str, Document] = {}
        self.receipted: set[str] = set()
        self.rejections: list[Document] = []

    async def add_many(self, documents: list[Document]) -> list[Stored]:
        stored = []
        for d in documents:
            original = self.messages.get(d["_id"])
            if original is None:
                self.messages[d["_id"]] = dict(d)
            stored.append(Stored(d, None if original is None else dict(original), d["_id"] in self.receipted))
        return stored

    async def mark_receipted(self, message_ids: list[str]) -> None:
        self.receipted.update(message_ids)

    async def add_rejections(self, rejections: list[Document]) -> None:
        known = {r["_id"] for r in self.rejections}
        self.rejections.extend(r for r in rejections if r["_id"] not in known)
