"""The floor: what the pipeline's hops cost with no logic in them. One message takes the same
path as a single submission does through ingest, the router, the box and the notifier: four
consumers in four processes, each on a quorum queue with publisher confirms, and the same
database work (the message stored; the message and the account read and the route inserted;
the box entry filed; the notification claimed and its outcome written), grouped across
concurrent deliveries as the services group theirs, but plain `json` for bodies, no
pydantic, no FastStream, no rules. The pipeline against the floor is what is ours; the
floor against the relay is what the infrastructure asks.

Run as a hop: python -m bench.floor HOP AMQP_URL MONGODB_URL DATABASE
"""

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

import aio_pika
from pymongo import AsyncMongoClient

from shared.storage.grouped import GroupedFinder, GroupedInserter
from tools.rabbitmq_admin import ManagementApi

QUEUES = ("floor.submissions", "floor.accepted", "floor.box", "floor.notify", "floor.receipts")
COLLECTIONS = ("floor_messages", "floor_routes", "floor_entries", "floor_claims", "floor_outcomes")
PREFETCH = 64
GIVE_UP_SECONDS = 600.0
Handler = Callable[[dict[str, Any]], Awaitable[list[tuple[str, dict[str, Any]]]]]


def hops(db: Any) -> dict[str, tuple[str, Handler]]:
    """Each hop: the queue it takes from, and what it does with a body (what it publishes on).
    Reads and inserts of concurrent deliveries share a round trip, as the services' own do
    (`shared/storage/grouped.py`): that is infrastructure, not logic."""
    messages, routes, entries = (
        GroupedInserter(db.floor_messages),
        GroupedInserter(db.floor_routes),
        GroupedInserter(db.floor_entries),
    )
    claims, outcomes = GroupedInserter(db.floor_claims), GroupedInserter(db.floor_outcomes)
    stored, accounts = (
        GroupedFinder(db.floor_messages, projection={"recipient_bsn": 1}),
        GroupedFinder(db.accounts, field="bsn", projection={"_id": 1}),
    )

    async def ingest(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        await messages.insert([{"_id": body["reference"], **body}])
        return [("floor.accepted", {"id": body["reference"]}),
                ("floor.receipts", {"id": body["reference"], "status": "accepted"})]  # fmt: skip

    async def route(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        message = await stored.get(body["id"])
        account = None if message is None else await accounts.get(message["recipient_bsn"])
        account_id = None if account is None else account["_id"]
        await routes.insert([{"_id": body["id"], "account_id": account_id}])
        return [("floor.box", {"id": body["id"], "account_id": account_id}), ("floor.notify", {"id": body["id"]})]

    async def file(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        await entries.insert([{"_id": body["id"], "account_id": body["account_id"]}])
        return []

    async def notify(body: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        await claims.insert([{"_id": body["id"], "channel": "email"}])
        await outcomes.insert([{"_id": body["id"], "outcome": "sent"}])
        return []

    return {
        "ingest": ("floor.submissions", ingest),
        "router": ("floor.accepted", route),
        "box": ("floor.box", file),
        "notifier": ("floor.notify", notify),
    }


async def run_hop(name: str, amqp_url: str, mongodb_url: str, database: str) -> None:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
    queue_name, handle = hops(client[database])[name]
    connection = await aio_pika.connect_robust(amqp_url)
    channel = await connection.channel(publisher_confirms=True)
    await channel.set_qos(prefetch_count=PREFETCH)
    queue = await channel.get_queue(queue_name, ensure=False)

    async def consume(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        for target, body in await handle(json.loads(message.body)):
            copy = aio_pika.Message(json.dumps(body).encode(), delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
            await channel.default_exchange.publish(copy, routing_key=target)
        await message.ack()

    await queue.consume(consume)
    print("floor hop ready", flush=True)
    await asyncio.Future()


async def floor_rate(
    amqp_url: str, management_url: str, vhost: str, mongodb_url: str, database: str, bodies: list[bytes]
) -> float:
    """Messages per second through the four hops, from the first publish until every message's
    claim has its outcome (queues read as the pipeline's scenarios read them, once a second)."""
    connection = await aio_pika.connect(amqp_url)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
    db = client[database]
    async with connection:
        setup = await connection.channel()
        for name in QUEUES:
            await setup.declare_queue(name, durable=True, arguments={"x-queue-type": "quorum"})
        processes = [
            subprocess.Popen(  # noqa: ASYNC220 (started once, before the clock runs)
                [sys.executable, "-m", "bench.floor", hop, amqp_url, mongodb_url, database], stdout=subprocess.PIPE
            )
            for hop in hops(db)
        ]
        try:
            for process in processes:
                assert process.stdout is not None
                await asyncio.to_thread(process.stdout.readline)
            publisher = await connection.channel(publisher_confirms=True)
            started = time.perf_counter()
            window: list[asyncio.Future[Any]] = []
            for body in bodies:
                message = aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
                window.append(asyncio.ensure_future(publisher.default_exchange.publish(message, "floor.submissions")))
                if len(window) >= 500:
                    await asyncio.gather(*window)
                    window.clear()
            await asyncio.gather(*window)
            await _until_done(ManagementApi(management_url), vhost, db, len(bodies), processes)
            elapsed = time.perf_counter() - started
        finally:
            for process in processes:
                process.terminate()
                process.wait()
            for name in QUEUES:
                await setup.queue_delete(name)
            for collection in COLLECTIONS:
                await db.drop_collection(collection)
            await client.close()
    return len(bodies) / elapsed


async def _until_done(
    api: ManagementApi, vhost: str, db: Any, count: int, hops: list["subprocess.Popen[bytes]"]
) -> None:
    """Until every message has its outcome; a hop that died, or a wait past `GIVE_UP_SECONDS`
    (a database that stopped answering), ends the run with an error instead of a hang."""
    deadline = time.monotonic() + GIVE_UP_SECONDS
    while True:
        await asyncio.sleep(1.0)
        if any(hop.poll() is not None for hop in hops) or time.monotonic() > deadline:
            raise RuntimeError(f"the floor did not finish {count} messages (a hop died or it took too long)")
        found = await asyncio.to_thread(api.call, "GET", f"/queues/{quote(vhost, safe='')}")
        busy = sum(q.get("messages", 0) for q in found if q["name"] in QUEUES and q["name"] != "floor.receipts")
        if busy == 0 and await db.floor_outcomes.count_documents({}) >= count:
            return


if __name__ == "__main__":
    asyncio.run(run_hop(*sys.argv[1:5]))
