"""Where ingest keeps messages and rejections: a Protocol, MongoDB, and an in-memory fake."""

from dataclasses import dataclass
from typing import Protocol

from shared.storage.inserts import GroupedInserter
from shared.storage.mongo import Collections, Database, Document

STAMPED = frozenset({"accepted_at", "status"})
"""Fields ingest stamps on a message when it stores it; a redelivery stamps them anew."""


@dataclass(frozen=True)
class Stored:
    document: Document
    original: Document | None
    """The message already stored under the same (agency, reference), if any."""

    def is_new(self, redelivered: bool) -> bool:
        """Not stored before; or stored by an earlier delivery of this same AMQP message (a
        redelivery whose content and correlation id match the original's), which may have died
        before its announcement and receipt went out: it resumes, with the same ids. A new AMQP
        message under a stored reference is a duplicate, even while the original is still being
        processed."""
        if self.original is None:
            return True
        original = self.original
        return redelivered and all(original.get(k) == v for k, v in self.document.items() if k not in STAMPED)


class MessageStore(Protocol):
    async def add_many(self, documents: list[Document]) -> list[Stored]: ...
    async def add_rejections(self, rejections: list[Document]) -> None: ...


class MongoMessageStore:
    """Inserts messages and never updates them."""

    def __init__(self, db: Database) -> None:
        self._messages = db[Collections.MESSAGES]
        self._new_messages = GroupedInserter(self._messages)
        self._new_rejections = GroupedInserter(db[Collections.REJECTIONS])

    async def add_many(self, documents: list[Document]) -> list[Stored]:
        """One unordered insert (grouped with concurrent submissions'); ids already present
        come back with their original."""
        taken = await self._new_messages.insert(documents)
        if not taken:
            return [Stored(d, None) for d in documents]
        duplicate_ids = sorted(taken)
        originals = {d["_id"]: d async for d in self._messages.find({"_id": {"$in": duplicate_ids}})}
        return [Stored(d, originals.get(d["_id"])) for d in documents]

    async def add_rejections(self, rejections: list[Document]) -> None:
        """Idempotent: a rejection kept by an earlier delivery is not kept twice."""
        await self._new_rejections.insert(rejections)


class InMemoryMessageStore:
    def __init__(self) -> None:
        self.messages: dict[str, Document] = {}
        self.rejections: list[Document] = []

    async def add_many(self, documents: list[Document]) -> list[Stored]:
        stored = []
        for d in documents:
            original = self.messages.get(d["_id"])
            if original is None:
                self.messages[d["_id"]] = dict(d)
            stored.append(Stored(d, None if original is None else dict(original)))
        return stored

    async def add_rejections(self, rejections: list[Document]) -> None:
        known = {r["_id"] for r in self.rejections}
        self.rejections.extend(r for r in rejections if r["_id"] not in known)
