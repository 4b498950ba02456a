"""`make bench-box`: many concurrent citizens reading their inbox and opening messages, the
box as a real process (uvicorn) on FerretDB. A population of accounts, and for the citizens
who read, each a box of up to 1,000 messages (`--most`); sessions are made directly in the store (this
measures the box, not the identity provider). Requests go out at a fixed rate (open loop:
a slow answer does not slow the load, and latency is counted from when a request was due).

Run: make bench-box [BOX_ACCOUNTS=100000 READERS=500 RATE=200 MOST=1000]
"""

import argparse
import asyncio
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from bench.processes import quiet_machine, rest_of_machine, usage
from bench.workspace import workspace
from scripts.harness import ServiceProcesses
from scripts.ports import free_port
from services.box.identity.sessions import MongoSessions
from shared.contracts.bsn import Bsn
from shared.storage.mongo import Collections, Database, Document
from tools.population import population

OPENABLE = 20
"""Messages per reader with their content stored (the ones the bench opens)."""


async def seed(db: Database, accounts: int, readers: int, most: int, rng: random.Random) -> list[Document]:
    """On a workspace with every index (the router's on accounts, by BSN, among them)."""
    people = list(population(accounts, seed=5))
    for i in range(0, len(people), 5000):
        await db[Collections.ACCOUNTS].insert_many(people[i : i + 5000], ordered=False)
    chosen = rng.sample([p for p in people if p["state"] == "activated"], readers)
    now = datetime.now(UTC)
    for reader in chosen:
        count = rng.randint(1, most)
        entries = [
            {
                "_id": f"{reader['_id']}-{n}",
                "account_id": reader["_id"],
                "agency_id": rng.choice(["belastingdienst", "uwv", "rdw", "svb"]),
                "subject": f"Bericht {n}",
                "delivered_at": now - timedelta(minutes=n),
                "folder": "inbox",
                "opened_at": None,
                "action_text": None,
                "deadline": None,
                "paper_copy": False,
            }
            for n in range(count)
        ]
        await db[Collections.BOX_ENTRIES].insert_many(entries, ordered=False)
        content = [{"_id": e["_id"], "subject": e["subject"], "body": "Tekst.\n\nMeer."} for e in entries[:OPENABLE]]
        await db[Collections.MESSAGES].insert_many(content, ordered=False)
        reader["openable"] = [e["_id"] for e in entries[:OPENABLE]]
    sessions = MongoSessions(db, timedelta(hours=2), timedelta(hours=2))
    for reader in chosen:
        reader["token"], _ = await sessions.start(Bsn(reader["bsn"]), now)
    return chosen


async def load(url: str, readers: list[Document], rate: float, seconds: float, rng: random.Random) -> dict[str, Any]:
    latencies: dict[str, list[float]] = {"inbox": [], "message": []}
    failures = 0
    connector = aiohttp.TCPConnector(limit=300)
    async with aiohttp.ClientSession(url, connector=connector) as http:

        async def one(due: float, reader: Document, page: str) -> None:
            nonlocal failures
            path = "/berichten" if page == "inbox" else f"/berichten/{rng.choice(reader['openable'])}"
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            async with http.get(path, cookies={"bb_sessie": reader["token"]}, allow_redirects=False) as answer:
                await answer.read()
                failures += answer.status != 200
            latencies[page].append(time.perf_counter() - due)

        start = time.perf_counter() + 0.5
        total = int(rate * seconds)
        plan = [
            (start + i / rate, rng.choice(readers), "inbox" if rng.random() < 0.8 else "message") for i in range(total)
        ]
        await asyncio.gather(*(one(*p) for p in plan))
        elapsed = time.perf_counter() - start
    return {"latencies": latencies, "failures": failures, "requests": total, "elapsed": elapsed}


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] if len(values) > 1 else values[0]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--readers", type=int, default=500)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--most", type=int, default=1000, help="messages per reader: 1 to this many")
    args = parser.parse_args()
    rng = random.Random(11)
    # a vhost and database of its own: the openings it publishes leave with them
    async with workspace("box") as space:
        started = time.perf_counter()
        readers = await seed(space.db, args.accounts, args.readers, args.most, rng)
        entries = await space.db[Collections.BOX_ENTRIES].estimated_document_count()
        took = time.perf_counter() - started
        print(f"seeded {args.accounts} accounts, {len(readers)} readers with {entries} box entries ({took:.0f} s)")
        print(f"waited {await quiet_machine():.0f} s after seeding for the machine to be quiet")
        port = free_port()
        env = {**space.environment(), "BERICHTENBOX_HTTP_PORT": str(port)}
        processes = ServiceProcesses(env, Path("var/bench-box/logs"), services=("box",))
        with processes:
            box_pid = processes.processes["box"].pid
            box_before, servers_before = usage(box_pid).cpu_seconds, rest_of_machine()
            result = await load(f"http://127.0.0.1:{port}", readers, args.rate, args.seconds, rng)
            cpu = {"box": usage(box_pid).cpu_seconds - box_before}
            cpu |= {k: v - servers_before[k] for k, v in rest_of_machine().items() if k != "rabbitmq"}
    achieved = result["requests"] / result["elapsed"]
    print(f"\n{result['requests']} requests in {result['elapsed']:.1f} s: {achieved:.0f} requests/s", end="")
    print(f" (asked {args.rate:.0f}), {result['failures']} not 200")
    print(f"{'page':<10}{'requests':>10}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for page, values in result["latencies"].items():
        if values:
            figures = [percentile(values, p) * 1000 for p in (50, 95, 99)]
            print(f"{page:<10}{len(values):>10}" + "".join(f"{f:>10.1f}" for f in figures))
    per_page = ", ".join(f"{k} {v * 1000 / result['requests']:.1f} ms" for k, v in cpu.items())
    print(f"CPU per page: {per_page}")


if __name__ == "__main__":
    asyncio.run(main())
