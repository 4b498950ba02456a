"""A page of a box, `find({account_id, folder}).sort({delivered_at: -1}).skip(s).limit(n)`, is
what the same find without a limit gives, cut to that page; on FerretDB the project's patch
(scripts/ferretdb-sort-pushdown.patch) answers it with ORDER BY and LIMIT in PostgreSQL when
that cannot differ, and the rest is checked against FerretDB's own sort in Go. A table of odd
collections: every sort value a date (the patch's case), and each way the patch must step
aside (the sort value missing, null, a number, a string, an array, a timestamp; a filter field
that is an array, a number, an ObjectId spelled like the filter's string), ties, deep pages,
both directions."""

import datetime
from typing import Any

import pytest
from bson import Int64, ObjectId, Timestamp

from shared.storage.mongo import Database, Document

BASE = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
HEX = "65a1b2c3d4e5f60718293a4b"
FILTER = {"account_id": "a-1", "folder": "inbox"}
PAGES = [(0, 25), (25, 25), (1000, 25), (1190, 25), (0, 1), (3, 7)]


def entries(n: int = 1200, *, every: int = 0, odd: dict[str, Any] | None = None, tie: bool = False) -> list[Document]:
    """Entries of one box (and of others), dated one minute apart (`tie`: ten at each minute);
    every `every`th has `odd` in place of its fields."""
    made = []
    for i in range(n):
        minute = i // 10 if tie else i
        entry = {"_id": f"m-{i:05}", **FILTER, "delivered_at": BASE + datetime.timedelta(minutes=minute)}
        if every and i % every == every - 1:
            entry |= odd or {}
        made.append(entry)
    others = [{**e, "_id": f"x-{e['_id']}", "account_id": "a-2"} for e in made[:100]]
    return made + others + [{**made[0], "_id": "trash", "folder": "trash"}]


def without_date(entry: Document) -> Document:
    return {k: v for k, v in entry.items() if k != "delivered_at"}


CASES = {
    "all dates": entries(),
    "ties": entries(tie=True),
    "sort value missing": [without_date(e) if e["_id"] == "m-00500" else e for e in entries()],
    "sort value null": entries(every=300, odd={"delivered_at": None}),
    "sort value a number": entries(every=300, odd={"delivered_at": 5}),
    "sort value a string": entries(every=300, odd={"delivered_at": "2030-01-01"}),
    "sort value an array": entries(every=300, odd={"delivered_at": [BASE, BASE + datetime.timedelta(days=9999)]}),
    "sort value a timestamp": entries(every=300, odd={"delivered_at": Timestamp(1_900_000_000, 1)}),
    "filter field an array": entries(every=300, odd={"folder": ["inbox", "archive"]}),
    "filter field a number": entries(every=300, odd={"folder": 7}),
    "filter field an ObjectId": entries(every=300, odd={"account_id": ObjectId(HEX)}),
    "filter value looks like an ObjectId": [{**e, "account_id": HEX} for e in entries()]
    + [{"_id": "oid", "account_id": ObjectId(HEX), "folder": "inbox", "delivered_at": BASE}],
}


def key(document: Document) -> str:
    return repr(document.get("delivered_at"))


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("direction", [-1, 1])
async def test_a_page_is_the_sorted_find_cut_to_the_page(db: Database, case: str, direction: int) -> None:
    documents = db[f"pages_{abs(hash(case)) % 10**8}_{direction + 1}"]
    await documents.create_index([("account_id", 1), ("folder", 1), ("delivered_at", -1)], name="folder_newest")
    await documents.insert_many(CASES[case])
    wanted = {**FILTER, "account_id": HEX} if "looks like" in case else FILTER
    everything = await documents.find(wanted).sort("delivered_at", direction).to_list()
    assert everything, "the filter selects nothing: the case tests nothing"
    for skip, limit in PAGES:
        page = await documents.find(wanted).sort("delivered_at", direction).skip(skip).limit(limit).to_list()
        expected = everything[skip : skip + limit]
        assert [key(d) for d in page] == [key(d) for d in expected], (case, skip, limit)
        # among equal sort values any order is right, but only documents with that value
        by_value = {key(d): {e["_id"] for e in everything if key(e) == key(d)} for d in page}
        assert all(d["_id"] in by_value[key(d)] for d in page), (case, skip, limit)
        assert len({d["_id"] for d in page}) == len(page), (case, skip, limit)  # no document twice


async def test_a_box_page_is_answered_from_the_index_on_the_local_database(db: Database) -> None:
    """FerretDB's explain says whether the sort and the limit went to PostgreSQL (MongoDB's
    says nothing of the kind, and sorts from its index anyway)."""
    documents = db["pages_explained"]
    await documents.create_index([("account_id", 1), ("folder", 1), ("delivered_at", -1)], name="folder_newest")
    await documents.insert_many(entries())
    find = {
        "find": documents.name,
        "filter": FILTER,
        "sort": {"delivered_at": -1},
        "skip": Int64(25),
        "limit": Int64(25),
    }
    explained = await db.command("explain", find)
    if "sortPushdown" not in explained:
        assert "queryPlanner" in explained  # MongoDB
        return
    assert (explained["sortPushdown"], explained["limitPushdown"]) == (True, True), explained
    assert "folder_newest" in str(explained["queryPlanner"])  # the compound index's btree
    odd = db["pages_explained_odd"]
    await odd.insert_many(entries(every=300, odd={"delivered_at": None}))
    explained = await db.command("explain", {**find, "find": odd.name})
    assert explained["sortPushdown"] is False  # a null among the dates: FerretDB sorts in Go
