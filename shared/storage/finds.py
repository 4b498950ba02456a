"""Grouped look-ups: the keys concurrent callers ask for go to the server as one
`find({field: {$in: keys}})` (on FerretDB, with scripts/ferretdb-in-pushdown.patch, 100 keys
cost what about 15 single look-ups do; on MongoDB `$in` walks the index).

Each caller gets the documents of its own keys; a failure of the query fails every caller
of that group."""

from collections.abc import Mapping
from typing import Any, Protocol

from shared.runtime.grouping import GroupCommit, Request
from shared.storage.mongo import Document


class Cursor(Protocol):
    def __aiter__(self) -> Any: ...


class Collection(Protocol):
    def find(self, filter: Document, projection: Mapping[str, Any] | None = None) -> Cursor: ...


class GroupedFinder(GroupCommit[Any, dict[Any, Document]]):
    def __init__(
        self,
        collection: Collection,
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
