"""A range of dates on one field, `{safety_net_due: {$lte: now}}`, selects what the same
filter selects when FerretDB checks it in Go, and an empty `$in` selects nothing. On FerretDB
the project's patch (scripts/ferretdb-range-pushdown.patch) lets PostgreSQL choose the rows
first, where FerretDB 1.24 read and decoded the whole collection for either: the box's sweeps
read every box entry, and a sweep that found nothing asked for the accounts of an empty list.
`{_id: {$in: [...]}}` of strings goes to PostgreSQL as equalities on `_id`'s btree index
(scripts/ferretdb-in-pushdown.patch): as a disjunction of containments, a list of hundreds of
ids was planned as a scan of the whole table.
The reference is the same filter inside `$and`, which FerretDB never pushes down. A table of
odd values: dates on both sides of the bound and on it, null, missing, strings, numbers (one
spelled like a date's milliseconds), a boolean, a timestamp, an object, and arrays with and
without a match (FerretDB stores no nested arrays)."""

import datetime

import pytest
from bson import Int64, ObjectId, Timestamp

from shared.storage.mongo import Database, Document

BOUND = datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)
MILLIS = int(BOUND.timestamp() * 1000)
VALUES = {
    "long before": BOUND - 400 * DAY,
    "just before": BOUND - datetime.timedelta(milliseconds=1),
    "on the bound": BOUND,
    "just after": BOUND + datetime.timedelta(milliseconds=1),
    "long after": BOUND + 400 * DAY,
    "before 1970": datetime.datetime(1960, 1, 1, tzinfo=datetime.UTC),
    "null": None,
    "a string": "2026-05-01",
    "an int": 5,
    "the bound's milliseconds as a long": Int64(MILLIS),
    "a double past it": float(MILLIS + 10),
    "a boolean": True,
    "a timestamp": Timestamp(1_900_000_000, 1),
    "an object": {"at": BOUND - DAY},
    "an array with a date before": [BOUND + DAY, BOUND - DAY],
    "an array with a date after": [BOUND + DAY],
    "an empty array": [],
}
BOUNDS = [BOUND, BOUND - 1000 * DAY, BOUND + 1000 * DAY]


def documents() -> list[Document]:
    return [{"_id": name, "due": value} for name, value in VALUES.items()] + [{"_id": "missing"}]


@pytest.mark.parametrize("operator", ["$lt", "$lte", "$gt", "$gte"])
async def test_a_range_of_dates_selects_what_the_filter_in_go_selects(db: Database, operator: str) -> None:
    collection = db[f"ranges_{operator[1:]}"]
    await collection.create_index("due", name="due")
    await collection.insert_many(documents())
    for bound in BOUNDS:
        condition = {"due": {operator: bound}}
        found = {d["_id"] async for d in collection.find(condition)}
        reference = {d["_id"] async for d in collection.find({"$and": [condition]})}
        assert found == reference, (operator, bound)
        counted = await collection.count_documents(condition)
        assert counted == len(reference), (operator, bound)
    assert {d["_id"] async for d in collection.find({"due": {operator: BOUND}})}, "the table tests nothing"


async def test_a_range_of_dates_goes_to_the_local_database(db: Database) -> None:
    """FerretDB's explain says whether the filter went to PostgreSQL (MongoDB's says nothing
    of the kind, and answers from its index anyway)."""
    collection = db["ranges_explained"]
    await collection.insert_many(documents())
    explained = await db.command("explain", {"find": collection.name, "filter": {"due": {"$lte": BOUND}}})
    if "filterPushdown" not in explained:
        assert "queryPlanner" in explained  # MongoDB
        return
    assert explained["filterPushdown"] is True, explained
    dotted = {"find": collection.name, "filter": {"due.at": {"$lte": BOUND}}}
    assert (await db.command("explain", dotted))["filterPushdown"] is False  # a path: not ours to push down


async def test_an_empty_in_selects_nothing_and_reads_nothing(db: Database) -> None:
    collection = db["ranges_empty_in"]
    await collection.insert_many(documents())
    assert await collection.find({"_id": {"$in": []}}).to_list() == []
    assert await collection.count_documents({"due": None, "_id": {"$in": []}}) == 0
    explained = await db.command("explain", {"find": collection.name, "filter": {"_id": {"$in": []}}})
    if "filterPushdown" in explained:
        assert explained["filterPushdown"] is True, explained


async def test_an_in_of_ids_selects_what_the_filter_in_go_selects(db: Database) -> None:
    collection = db["in_of_ids"]
    object_ids = [ObjectId() for _ in range(3)]
    await collection.insert_many(
        [{"_id": f"id-{n}"} for n in range(50)] + [{"_id": o} for o in object_ids] + [{"_id": 7}, {"_id": 7.5}]
    )
    lists = {
        "strings": [f"id-{n}" for n in range(0, 60, 3)],
        "object ids": [object_ids[0], object_ids[2]],
        "strings and object ids": ["id-1", object_ids[1], "none"],
        "strings and numbers": ["id-2", 7, 7.5],
        "the string of an object id": [str(object_ids[0])],
        "none stored": ["nobody", "nothing"],
    }
    for name, ids in lists.items():
        found = {d["_id"] async for d in collection.find({"_id": {"$in": ids}})}
        reference = {d["_id"] async for d in collection.find({"$and": [{"_id": {"$in": ids}}]})}
        assert found == reference, name
    assert len({d["_id"] async for d in collection.find({"_id": {"$in": lists["strings"]}})}) == 17


async def test_hundreds_of_ids_are_looked_up_in_the_index(db: Database) -> None:
    """The paper service's batch of 500 letters, and every grouped look-up, ask this."""
    collection = db["in_of_many_ids"]
    await collection.insert_many([{"_id": f"letter-{n:05d}", "status": "rendered"} for n in range(5000)])
    ids = [f"letter-{n:05d}" for n in range(0, 5000, 10)]
    assert len(await collection.find({"_id": {"$in": ids}}).to_list()) == 500
    explained = await db.command("explain", {"find": collection.name, "filter": {"_id": {"$in": ids}}})
    if "filterPushdown" not in explained:
        assert "queryPlanner" in explained  # MongoDB
        return
    plan = str(explained["queryPlanner"])
    assert "Index Scan" in plan and "Seq Scan" not in plan, plan[:500]
