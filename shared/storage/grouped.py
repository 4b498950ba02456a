"""Grouped database work, for repositories only: the inserts and the look-ups by key of
concurrent callers go to the server as one `insert_many` or one `find({field: {$in: keys}})`.
A use case never sees it; a repository uses it where many deliveries ask at once. Why the
local database needs it, with figures: docs/local-database.md.

Every caller of a `GroupedInserter` learns what its own unordered `insert_many` would have
told it: which of its `_id`s were taken already, or the error one of its documents met. A
document that fails for a reason of its own fails only its caller; a failure of the write as
a whole (the connection, a write concern) fails every caller of that group, and so does a
failed look-up every caller of a `GroupedFinder`'s group."""

from collections.abc import Mapping
from typing import Any, Protocol

from pymongo.errors import BulkWriteError

from shared.messaging.dead_letter import PermanentError
from shared.runtime.grouping import GroupCommit, Request
from shared.storage.mongo import DUPLICATE_KEY, Document


class Cursor(Protocol):
    def __aiter__(self) -> Any: ...


class Searchable(Protocol):
    def find(self, filter: Document, projection: Mapping[str, Any] | None = None) -> Cursor: ...


class Insertable(Protocol):
    async def insert_many(self, documents: list[Document], ordered: bool) -> object: ...


class GroupedInserter(GroupCommit[Document, set[Any]]):
    def __init__(self, collection: Insertable, max_documents: int = 1000, gather_seconds: float = 0.0) -> None:
        super().__init__(max_documents, gather_seconds)
        self._collection = collection

    async def insert(self, documents: list[Document]) -> set[Any]:
        """Insert the documents (each with an `_id`); the `_id`s that were taken already. A
        document the database cannot hold fails its caller here, before it joins a group
        whose whole write it would fail."""
        for document in documents:
            unstorable(document)
        return await self._submit(documents) if documents else set()

    async def _run(self, group: list[Request[Document, set[Any]]]) -> None:
        try:
            await self._collection.insert_many([d for r in group for d in r.items], ordered=False)
            errors: list[dict[str, Any]] = []
        except BulkWriteError as error:
            if error.details.get("writeConcernErrors"):
                raise
            errors = error.details["writeErrors"]
        start = 0
        for request in group:
            docs = request.items
            mine = [{**e, "index": e["index"] - start} for e in errors if start <= e["index"] < start + len(docs)]
            start += len(docs)
            if any(e["code"] != DUPLICATE_KEY for e in mine):
                request.fail(BulkWriteError({"writeErrors": mine, "writeConcernErrors": [], "nInserted": 0}))
            else:
                request.answer({docs[e["index"]]["_id"] for e in mine})


class UnstorableDocument(PermanentError):
    """A document no retry can store (a NUL in a string: PostgreSQL's jsonb, under FerretDB,
    refuses the whole insert it is part of)."""


def unstorable(document: Document) -> None:
    """Raise `UnstorableDocument` for a string or key with a NUL anywhere in the document."""
    stack: list[Any] = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise UnstorableDocument("a string holds a NUL character")
        elif isinstance(value, dict):
            if any(isinstance(key, str) and "\x00" in key for key in value):
                raise UnstorableDocument("a field name holds a NUL character")
            stack.extend(value.values())
        elif isinstance(value, list | tuple):
            stack.extend(value)


class GroupedFinder(GroupCommit[Any, dict[Any, Document]]):
    def __init__(
        self,
        collection: Searchable,
        field: str = "_id",
        projection: Mapping[str, Any] | None = None,
        max_keys: int = 100,
        gather_seconds: float = 0.0,
    ) -> None:
        """`field` must be unique (a primary key or a unique index): one document per key."""
        super().__init__(max_keys, gather_seconds)
        self._collection, self._field = collection, field
        self._projection = None if projection is None else {**projection, field: 1}

    async def get(self, key: Any) -> Document | None:
        return (await self._submit([key])).get(key)

    async def _run(self, group: list[Request[Any, dict[Any, Document]]]) -> None:
        keys = list(dict.fromkeys(k for r in group for k in r.items))
        found = {d[self._field]: d async for d in self._collection.find({self._field: {"$in": keys}}, self._projection)}
        for request in group:
            request.answer({k: found[k] for k in request.items if k in found})
