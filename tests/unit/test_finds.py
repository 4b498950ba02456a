"""Grouped look-ups against a fake collection that answers `find({field: {$in: keys}})`."""

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest
from pymongo.errors import AutoReconnect

from shared.storage.grouped import GroupedFinder
from shared.storage.mongo import Document


class FakeCollection:
    def __init__(self, documents: list[Document]) -> None:
        self.documents = documents
        self.queries: list[tuple[Document, Mapping[str, Any] | None]] = []
        self.down = False

    def find(self, filter: Document, projection: Mapping[str, Any] | None = None) -> AsyncIterator[Document]:
        self.queries.append((filter, projection))
        ((field, condition),) = filter.items()
        return self._answer(field, condition["$in"], projection)

    async def _answer(
        self, field: str, keys: list[Any], projection: Mapping[str, Any] | None
    ) -> AsyncIterator[Document]:
        await asyncio.sleep(0.01)  # in flight: the next callers gather meanwhile
        if self.down:
            raise AutoReconnect("connection closed")
        for document in self.documents:
            if document.get(field) in keys:
                yield {k: v for k, v in document.items() if projection is None or k in projection or k == "_id"}


ACCOUNTS = [{"_id": f"a{i}", "bsn": f"bsn{i}", "email": f"{i}@example.org"} for i in range(10)]


async def test_concurrent_look_ups_share_one_query_while_another_is_in_flight() -> None:
    collection = FakeCollection(ACCOUNTS)
    finder = GroupedFinder(collection)
    first = asyncio.create_task(finder.get("a0"))
    await asyncio.sleep(0.001)  # its query is in flight
    found = await asyncio.gather(*(finder.get(f"a{i}") for i in range(1, 10)))
    assert await first == ACCOUNTS[0]
    assert [d["_id"] for d in found if d] == [f"a{i}" for i in range(1, 10)]
    assert [q["_id"]["$in"] for q, _ in collection.queries] == [["a0"], [f"a{i}" for i in range(1, 10)]]


async def test_a_key_nobody_has_is_none_and_a_key_asked_twice_is_asked_once() -> None:
    collection = FakeCollection(ACCOUNTS)
    finder = GroupedFinder(collection, field="bsn")
    found = await asyncio.gather(finder.get("bsn3"), finder.get("unknown"), finder.get("bsn3"))
    assert [d and d["_id"] for d in found] == ["a3", None, "a3"]
    assert collection.queries[0][0] == {"bsn": {"$in": ["bsn3", "unknown"]}}


async def test_a_projection_always_keeps_the_field_looked_up_by() -> None:
    collection = FakeCollection(ACCOUNTS)
    found = await GroupedFinder(collection, field="bsn", projection={"email": 1}).get("bsn4")
    assert found == {"_id": "a4", "bsn": "bsn4", "email": "4@example.org"}


async def test_groups_hold_at_most_max_keys() -> None:
    collection = FakeCollection(ACCOUNTS)
    finder = GroupedFinder(collection, max_keys=4)
    await asyncio.gather(*(finder.get(f"a{i}") for i in range(10)))
    assert [len(q["_id"]["$in"]) for q, _ in collection.queries] == [4, 4, 2]


async def test_a_failed_query_fails_every_caller_of_its_group_and_the_next_group_runs() -> None:
    collection = FakeCollection(ACCOUNTS)
    finder = GroupedFinder(collection)
    collection.down = True
    outcomes = await asyncio.gather(finder.get("a1"), finder.get("a2"), return_exceptions=True)
    assert all(isinstance(o, AutoReconnect) for o in outcomes)
    collection.down = False
    assert (await finder.get("a1")) is not None


async def test_a_cancelled_caller_does_not_break_the_others() -> None:
    finder = GroupedFinder(FakeCollection(ACCOUNTS))
    cancelled = asyncio.create_task(finder.get("a1"))
    kept = asyncio.create_task(finder.get("a2"))
    await asyncio.sleep(0)
    cancelled.cancel()
    assert await kept == ACCOUNTS[2]
    with pytest.raises(asyncio.CancelledError):
        await cancelled


async def test_with_gather_seconds_callers_arriving_one_at_a_time_share_one_query() -> None:
    collection = FakeCollection(ACCOUNTS)
    finder = GroupedFinder(collection, gather_seconds=0.2)

    async def arriving(i: int) -> Document | None:
        await asyncio.sleep(0.02 * i)
        return await finder.get(f"a{i}")

    found = await asyncio.gather(*(arriving(i) for i in range(4)))
    assert [d and d["_id"] for d in found] == ["a0", "a1", "a2", "a3"]
    assert [q["_id"]["$in"] for q, _ in collection.queries] == [["a0", "a1", "a2", "a3"]]


async def test_a_full_group_does_not_wait_for_company() -> None:
    collection = FakeCollection(ACCOUNTS)
    finder = GroupedFinder(collection, max_keys=4, gather_seconds=30)
    found = await asyncio.wait_for(asyncio.gather(*(finder.get(f"a{i}") for i in range(4))), timeout=5)
    assert [d and d["_id"] for d in found] == ["a0", "a1", "a2", "a3"]
    assert len(collection.queries) == 1
