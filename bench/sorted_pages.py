"""What one page of a box costs the database: `find({account_id, folder}).sort({delivered_at:
-1}).skip(s).limit(25)` on boxes of 1,200 entries, sequentially, with the CPU of the database
server and of PostgreSQL per page (FerretDB with the sort patch, FerretDB without it through
`--url` of a second server, or MongoDB). The figures are in docs/local-database.md.

Run: uv run python -m bench.sorted_pages [--url mongodb://127.0.0.1:27017] [--pages 400]
"""

import argparse
import asyncio
import datetime
import time

import psutil
from pymongo import AsyncMongoClient

from shared.storage.mongo import Document
from tools.throwaway import new_throwaway

BOXES, ENTRIES, PAGE = 20, 1200, 25
SERVERS = ("ferretdb", "postgres", "mongod")


def server_cpu() -> float:
    total = 0.0
    for process in psutil.process_iter(["name", "cpu_times"]):
        if (process.info["name"] or "").startswith(SERVERS) and process.info["cpu_times"] is not None:
            total += process.info["cpu_times"].user + process.info["cpu_times"].system
    return total


async def main(args: argparse.Namespace) -> None:
    client: AsyncMongoClient[Document] = AsyncMongoClient(args.url, tz_aware=True)
    db = client[new_throwaway("bench-pages").database_name]
    entries = db["box_entries"]
    await entries.create_index([("account_id", 1), ("folder", 1), ("delivered_at", -1)], name="folder_newest")
    await entries.create_index([("account_id", 1)], name="account_id")
    base = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    for box in range(BOXES):
        await entries.insert_many(
            {"_id": f"{box}-{i}", "account_id": f"a-{box}", "folder": "inbox" if i % 10 else "archive",
             "subject": "Uw aanslag inkomstenbelasting 2025", "delivered_at": base + datetime.timedelta(minutes=i)}
            for i in range(ENTRIES)
        )  # fmt: skip
    try:
        for skip in (0, 500):
            await entries.find({"account_id": "a-0", "folder": "inbox"}).limit(PAGE).to_list()  # warm
            cpu, started = server_cpu(), time.perf_counter()
            for n in range(args.pages):
                query = {"account_id": f"a-{n % BOXES}", "folder": "inbox"}
                await entries.find(query).sort("delivered_at", -1).skip(skip).limit(PAGE).to_list()
            seconds, cpu = time.perf_counter() - started, server_cpu() - cpu
            print(
                f"{args.url} skip {skip}: {args.pages} pages, {seconds * 1000 / args.pages:.1f} ms each, "
                f"database CPU {cpu * 1000 / args.pages:.1f} ms per page",
                flush=True,
            )
    finally:
        await client.drop_database(db.name)
        await client.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="mongodb://127.0.0.1:27017")
    parser.add_argument("--pages", type=int, default=400)
    asyncio.run(main(parser.parse_args()))
