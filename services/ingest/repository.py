"""Where ingest keeps messages and rejections: a Protocol, MongoDB, and an in-memory fake."""

from dataclasses import dataclass
from typing import Protocol

from shared.inserts import GroupedInserter
from shared.mongo import Collections, Database, Document


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
        self._new_messages, self._new_receipted, self._new_rejections = (
            GroupedInserter(c) for c in (self._messages, self._receipted, self._rejections)
        )

    async def add_many(self, documents: list[Document]) -> list[Stored]:
        """One unordered insert (grouped with concurrent submissions'); ids already present
        come back with their original."""
        taken = await self._new_messages.insert(documents)
        if not taken:
            return [Stored(d, None) for d in documents]
        duplicate_ids = sorted(taken)
        originals = {d["_id"]: d async for d in self._messages.find({"_id": {"$in": duplicate_ids}})}
        receipted = {d["_id"] async for d in self._receipted.find({"_id": {"$in": duplicate_ids}}, {"_id": 1})}
        return [Stored(d, originals.get(d["_id"]), d["_id"] in receipted) for d in documents]

    async def mark_receipted(self, message_ids: list[str]) -> None:
        await self._new_receipted.insert([{"_id": i} for i in message_ids])

    async def add_rejections(self, rejections: list[Document]) -> None:
        """Idempotent: a rejection kept by an earlier delivery is not kept twice."""
        await self._new_rejections.insert(rejections)


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
