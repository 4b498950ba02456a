"""Grouped inserts against a fake collection that answers like MongoDB's unordered
insert_many: duplicates and per-document errors by index, or a failure of the whole write."""

import asyncio
from typing import Any

from pymongo.errors import AutoReconnect, BulkWriteError

from shared.storage.grouped import GroupedInserter
from shared.storage.mongo import DUPLICATE_KEY, Document

INVALID = 121


class FakeCollection:
    def __init__(self, taken: frozenset[str] = frozenset(), invalid: frozenset[str] = frozenset()) -> None:
        self.ids, self.invalid = set(taken), set(invalid)
        self.calls: list[list[str]] = []
        self.down = False

    async def insert_many(self, documents: list[Document], ordered: bool) -> object:
        assert ordered is False
        self.calls.append([d["_id"] for d in documents])
        await asyncio.sleep(0.01)  # in flight: the next callers gather meanwhile
        if self.down:
            raise AutoReconnect("connection closed")
        errors: list[dict[str, Any]] = []
        for index, document in enumerate(documents):
            if document["_id"] in self.invalid:
                errors.append({"index": index, "code": INVALID, "errmsg": "document failed validation"})
            elif document["_id"] in self.ids:
                errors.append({"index": index, "code": DUPLICATE_KEY, "errmsg": "duplicate key"})
            else:
                self.ids.add(document["_id"])
        if errors:
            raise BulkWriteError({"writeErrors": errors, "writeConcernErrors": [], "nInserted": 0})
        return None


def docs(*ids: str) -> list[Document]:
    return [{"_id": i} for i in ids]


async def test_concurrent_callers_share_one_insert_while_another_is_in_flight() -> None:
    collection = FakeCollection()
    inserter = GroupedInserter(collection)
    first = asyncio.create_task(inserter.insert(docs("m0")))
    await asyncio.sleep(0.001)  # its insert is in flight
    results = await asyncio.gather(*(inserter.insert(docs(f"m{i}")) for i in range(1, 10)))
    assert (await first, results) == (set(), [set()] * 9)
    assert collection.calls == [["m0"], [f"m{i}" for i in range(1, 10)]]
    assert collection.ids == {f"m{i}" for i in range(10)}


async def test_each_caller_learns_only_which_of_its_own_ids_were_taken() -> None:
    collection = FakeCollection(taken=frozenset({"b2", "c1"}))
    inserter = GroupedInserter(collection)
    results = await asyncio.gather(
        inserter.insert(docs("first")), inserter.insert(docs("a1", "a2")), inserter.insert(docs("b1", "b2", "c1"))
    )
    assert list(results) == [set(), set(), {"b2", "c1"}]


async def test_a_document_failing_on_its_own_fails_only_its_caller() -> None:
    collection = FakeCollection(invalid=frozenset({"bad"}))
    inserter = GroupedInserter(collection)
    outcomes = await asyncio.gather(
        inserter.insert(docs("g1", "g2")), inserter.insert(docs("fine", "bad")), return_exceptions=True
    )
    good, bad = outcomes
    assert good == set()
    assert len(collection.calls) == 1
    assert isinstance(bad, BulkWriteError)
    assert [(e["index"], e["code"]) for e in bad.details["writeErrors"]] == [(1, INVALID)]  # its own index
    assert {"g1", "g2", "fine"} <= collection.ids


async def test_a_failed_write_fails_every_caller_of_its_group_and_the_next_group_goes_on() -> None:
    collection = FakeCollection()
    inserter = GroupedInserter(collection)
    collection.down = True
    outcomes = await asyncio.gather(*(inserter.insert(docs(f"m{i}")) for i in range(3)), return_exceptions=True)
    assert all(isinstance(o, AutoReconnect) for o in outcomes)
    collection.down = False
    assert await inserter.insert(docs("later")) == set()


async def test_a_group_holds_at_most_max_documents() -> None:
    collection = FakeCollection()
    inserter = GroupedInserter(collection, max_documents=4)
    await asyncio.gather(*(inserter.insert(docs(f"a{i}", f"b{i}")) for i in range(7)))
    assert [len(c) for c in collection.calls] == [4, 4, 4, 2]  # callers are never split


async def test_nothing_to_insert_is_no_write() -> None:
    collection = FakeCollection()
    assert await GroupedInserter(collection).insert([]) == set()
    assert collection.calls == []


async def test_a_document_that_cannot_be_stored_fails_alone_before_it_joins_a_group() -> None:
    collection = FakeCollection()
    inserter = GroupedInserter(collection)
    results = await asyncio.gather(
        inserter.insert([{"_id": "good-1"}]),
        inserter.insert([{"_id": "bad", "subject": "Aanslag\x00verborgen"}]),
        inserter.insert([{"_id": "bad-key", "nested": [{"k\x00": 1}]}]),
        inserter.insert([{"_id": "good-2"}]),
        return_exceptions=True,
    )
    assert [type(r).__name__ for r in results] == ["set", "UnstorableDocument", "UnstorableDocument", "set"]
    assert sorted(d for call in collection.calls for d in call) == ["good-1", "good-2"]
