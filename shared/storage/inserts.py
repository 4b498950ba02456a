"""Grouped inserts: the documents of concurrent callers go to the server in one unordered
`insert_many` (on FerretDB an insert of 1,000 documents costs what 100 single inserts do).

Every caller learns what its own unordered `insert_many` would have told it: which of its
`_id`s were taken already, or the error one of its documents met. A document that fails
for a reason of its own fails only its caller; a failure of the write as a whole (the
connection, a write concern) fails every caller of that group."""

from typing import Any, Protocol

from pymongo.errors import BulkWriteError

from shared.runtime.grouping import GroupCommit, Request
from shared.storage.mongo import DUPLICATE_KEY, Document


class Collection(Protocol):
    async def insert_many(self, documents: list[Document], ordered: bool) -> object: ...


class GroupedInserter(GroupCommit[Document, set[Any]]):
    def __init__(self, collection: Collection, max_documents: int = 1000, gather_seconds: float = 0.0) -> None:
        super().__init__(max_documents, gather_seconds)
        self._collection = collection

    async def insert(self, documents: list[Document]) -> set[Any]:
        """Insert the documents (each with an `_id`); the `_id`s that were taken already."""
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
