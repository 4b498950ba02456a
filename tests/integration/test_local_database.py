"""What the services rely on from the database, checked on the one the tests run against
(FerretDB with the project's patches, or MongoDB): an update of one document is atomic, also
when many are in flight at once, a conditional update (a claim) is won exactly once, and
updates in flight while indexes are made never hang the database."""

import asyncio
import time

from pymongo import AsyncMongoClient, ReturnDocument

from shared.storage.mongo import Database, Document
from tests.conftest import Sandbox

ROUNDS = 10
WRITERS = 20


async def test_concurrent_sets_of_different_fields_and_increments_of_one_document_are_all_kept(db: Database) -> None:
    documents = db["atomicity"]
    for round_ in range(ROUNDS):
        await documents.insert_one({"_id": round_, "count": 0})
        sets = [documents.update_one({"_id": round_}, {"$set": {f"field_{n}": n}}) for n in range(WRITERS)]
        increments = [documents.update_one({"_id": round_}, {"$inc": {"count": 1}}) for _ in range(WRITERS)]
        results = await asyncio.gather(*sets, *increments)
        assert all(r.matched_count == 1 and r.modified_count == 1 for r in results)
    lost = 0
    async for document in documents.find():
        lost += WRITERS - document["count"]
        lost += sum(1 for n in range(WRITERS) if document.get(f"field_{n}") != n)
    assert lost == 0, f"{lost} of {ROUNDS * 2 * WRITERS} updates lost"


async def test_a_claim_of_one_document_is_won_exactly_once(db: Database) -> None:
    claims = db["claims"]
    for round_ in range(ROUNDS):
        await claims.insert_many([{"_id": f"{round_}-a", "owner": None}, {"_id": f"{round_}-b", "owner": None}])
        by_find = [
            claims.find_one_and_update(
                {"_id": f"{round_}-a", "owner": None},
                {"$set": {"owner": n}, "$inc": {"tries": 1}},
                return_document=ReturnDocument.AFTER,
            )
            for n in range(WRITERS)
        ]
        by_update = [
            claims.update_one({"_id": f"{round_}-b", "owner": None}, {"$set": {"owner": n}, "$inc": {"tries": 1}})
            for n in range(WRITERS)
        ]
        found, updated = await asyncio.gather(asyncio.gather(*by_find), asyncio.gather(*by_update))
        winners = [d for d in found if d is not None]
        assert len(winners) == 1, f"round {round_}: {len(winners)} findAndModify claims won"
        assert sum(r.modified_count for r in updated) == 1, f"round {round_}: several update claims won"
        a = await claims.find_one({"_id": f"{round_}-a"})
        b = await claims.find_one({"_id": f"{round_}-b"})
        assert a is not None and b is not None
        assert (a["owner"], a["tries"], b["tries"]) == (winners[0]["owner"], 1, 1)


async def test_a_multi_update_racing_single_updates_keeps_every_write(db: Database) -> None:
    documents = db["many"]
    await documents.insert_many([{"_id": n, "state": "new", "seen": 0} for n in range(WRITERS)])
    everyone = documents.update_many({"state": "new"}, {"$inc": {"seen": 1}})
    each = [documents.update_one({"_id": n}, {"$set": {"touched": True}}) for n in range(WRITERS)]
    await asyncio.gather(everyone, *each)
    kept = [d async for d in documents.find({"seen": 1, "touched": True})]
    assert len(kept) == WRITERS


async def test_many_updates_in_flight_while_indexes_are_made_all_finish(sandbox: Sandbox, db: Database) -> None:
    """More updates at once than FerretDB has PostgreSQL connections (50), while new collections
    and their indexes are made (as a service's start-up or a first insert does). Unpatched, each
    update held its query's connection while it asked for a second one and the registry's lock,
    which a createIndexes held while it waited for a connection: FerretDB answered nobody."""
    client: AsyncMongoClient[Document] = AsyncMongoClient(sandbox.servers.mongodb_url, maxPoolSize=200)
    documents, updated, made = client[sandbox.database_name]["busy"], [0], [0]
    await documents.insert_many([{"_id": n, "n": 0} for n in range(100)])
    stop = time.monotonic() + 5

    async def update(k: int) -> None:
        while time.monotonic() < stop:
            await documents.update_one({"_id": k % 100}, {"$inc": {"n": 1}})
            updated[0] += 1

    async def make_indexes() -> None:
        while time.monotonic() < stop:
            await client[sandbox.database_name][f"new_{made[0]}"].create_index("a")
            made[0] += 1

    try:
        await asyncio.wait_for(asyncio.gather(*(update(k) for k in range(150)), make_indexes()), timeout=60)
    except TimeoutError:
        raise AssertionError(f"the database hung: {updated[0]} updates and {made[0]} indexes were done") from None
    finally:
        await client.close()
    total = sum([d["n"] async for d in db["busy"].find()])
    assert total == updated[0] and made[0] > 0
