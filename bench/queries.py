"""`make bench-queries`: what one short query costs the database server, in CPU: a look-up by
`_id`, one by an indexed field, and a box's first page of 20 (the shapes of the box's page
reads). For FerretDB's own patches and settings (docs/local-database.md); on MongoDB the same
figures describe mongod.

Run: make bench-queries [QUERIES=3000]
"""

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from pymongo import DESCENDING
from pymongo.asynchronous.collection import AsyncCollection

from bench.processes import rest_of_machine
from bench.workspace import workspace
from shared.storage.mongo import Document

Collection = AsyncCollection[Document]
DOCUMENTS = 20_000
BOXES = 200
IN_FLIGHT = 8
SETTLE_SECONDS = 5.0
"""After the load, for autovacuum to analyze the new table (its CPU would count as the queries')."""


async def seed(things: Collection) -> None:
    await things.create_index("key", name="key")
    await things.create_index([("box", 1), ("folder", 1), ("at", -1)], name="page")
    await things.create_index("box", name="box")  # as box entries' account_id: the page's check reads through it
    now = datetime.now(UTC)
    documents = [
        {
            "_id": f"id{i}",
            "key": f"{i:09d}",
            "box": f"b{i % BOXES}",
            "folder": "inbox",
            "at": now - timedelta(minutes=i),
        }
        for i in range(DOCUMENTS)
    ]
    await things.insert_many(documents, ordered=False)


def shapes(things: Collection) -> dict[str, Callable[[int], Awaitable[object]]]:
    def page(i: int) -> Awaitable[object]:
        return things.find({"box": f"b{i % BOXES}", "folder": "inbox"}).sort("at", DESCENDING).limit(21).to_list()

    return {
        "by _id": lambda i: things.find_one({"_id": f"id{i % DOCUMENTS}"}),
        "by an indexed field": lambda i: things.find_one({"key": f"{i % DOCUMENTS:09d}"}),
        "a page of 20": page,
    }


async def measure(query: Callable[[int], Awaitable[object]], queries: int) -> tuple[float, dict[str, float]]:
    """Queries per second, and CPU milliseconds per query of each server."""
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(i: int) -> None:
        async with gate:
            await query(i)

    before, started = rest_of_machine(), time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(queries)))
    took, after = time.perf_counter() - started, rest_of_machine()
    servers = ("ferretdb", "postgresql", "machine busy")
    return queries / took, {k: (after[k] - before[k]) * 1000 / queries for k in servers}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=3000)
    args = parser.parse_args()
    async with workspace("queries") as space:
        things = space.db["things"]
        await seed(things)
        await asyncio.sleep(SETTLE_SECONDS)
        print(f"{'query':<22}{'per s':>8}{'ferretdb ms':>13}{'postgresql ms':>15}{'machine ms':>12}")
        for name, query in shapes(things).items():
            await measure(query, 200)  # warm: plans, the pool's connections
            rate, ms = await measure(query, args.queries)
            print(
                f"{name:<22}{rate:>8.0f}"
                + "".join(f"{v:>{w}.3f}" for v, w in zip(ms.values(), (13, 15, 12), strict=True))
            )


if __name__ == "__main__":
    asyncio.run(main())
