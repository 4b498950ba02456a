"""Group commit for inserts: the documents of concurrent callers go to the server in one
unordered `insert_many`. While one is in flight the next callers gather, so an idle server
sees no delay and a busy one sees one round trip for many messages (on FerretDB an insert
of 1,000 documents costs what 100 single inserts do).

Every caller learns what its own unordered `insert_many` would have told it: which of its
`_id`s were taken already, or the error one of its documents met. A document that fails
for a reason of its own fails only its caller; a failure of the write as a whole (the
connection, a write concern) fails every caller of that group."""

import asyncio
from collections import deque
from typing import Any, Protocol

from pymongo.errors import BulkWriteError

from shared.mongo import DUPLICATE_KEY, Document

Waiting = tuple[list[Document], "asyncio.Future[set[Any]]"]


class Collection(Protocol):
    async def insert_many(self, documents: list[Document], ordered: bool) -> object: ...


class GroupedInserter:
    def __init__(self, collection: Collection, max_documents: int = 1000) -> None:
        self._collection = collection
        self._max_documents = max_documents
        self._waiting: deque[Waiting] = deque()
        self._writer: asyncio.Task[None] | None = None

    async def insert(self, documents: list[Document]) -> set[Any]:
        """Insert the documents (each with an `_id`); the `_id`s that were taken already."""
        if not documents:
            return set()
        future: asyncio.Future[set[Any]] = asyncio.get_running_loop().create_future()
        self._waiting.append((documents, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_while_waiting())
        return await future

    async def _write_while_waiting(self) -> None:
        while self._waiting:
            group = [self._waiting.popleft()]
            size = len(group[0][0])
            while self._waiting and size + len(self._waiting[0][0]) <= self._max_documents:
                group.append(self._waiting.popleft())
                size += len(group[-1][0])
            await self._write(group)

    async def _write(self, group: list[Waiting]) -> None:
        documents = [d for docs, _ in group for d in docs]
        try:
            await self._collection.insert_many(documents, ordered=False)
            errors: list[dict[str, Any]] = []
        except BulkWriteError as error:
            if error.details.get("writeConcernErrors"):
                return _settle(group, error)
            errors = error.details["writeErrors"]
        except Exception as error:  # every caller of the group gets it
            return _settle(group, error)
        start = 0
        for docs, future in group:
            mine = [{**e, "index": e["index"] - start} for e in errors if start <= e["index"] < start + len(docs)]
            start += len(docs)
            if future.done():  # its caller was cancelled
                continue
            if any(e["code"] != DUPLICATE_KEY for e in mine):
                future.set_exception(BulkWriteError({"writeErrors": mine, "writeConcernErrors": [], "nInserted": 0}))
            else:
                future.set_result({docs[e["index"]]["_id"] for e in mine})


def _settle(group: list[Waiting], error: BaseException) -> None:
    for _, future in group:
        if not future.done():
            future.set_exception(error)
