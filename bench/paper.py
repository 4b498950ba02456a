"""Letters per second, per render process: the paper service's whole path from a full queue
(PrintLetter from RabbitMQ, message/account/agency from FerretDB, render in its process pool,
spool with fsync, record, receipt, print batches) against bare typst rendering of letters like
them, just before and just after it; and the CPU a letter took of the service, the servers and
the machine, with the rate at which that fills the machine's cores.

Run: make bench-paper [N=300]
"""

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika
from faststream.rabbit import RabbitBroker

from bench.processes import counter_total, cpu_seconds, letters_the_machine_allows
from bench.workspace import workspace
from scripts.harness import ServiceProcesses
from scripts.ports import free_port
from scripts.sample_letter import SAMPLE
from shared.contracts.agencies import Agency, read_agency_file
from shared.contracts.ids import derived_id
from shared.contracts.messages import PrintLetter
from shared.messaging.broker import declare_receipt_queues, declare_topology
from shared.messaging.topology import Exchanges, RoutingKeys
from shared.storage.agencies import MongoAgencyRegistry
from shared.storage.mongo import Collections
from tools.population import population


def bare_typst(count: int) -> float:
    from dataclasses import replace

    from services.paper.render import render_pdf

    render_pdf(SAMPLE)  # warm-up: fonts and template
    started = time.perf_counter()
    for i in range(count):
        render_pdf(replace(SAMPLE, reference=f"BD-{i}", address_lines=[f"Burger {i}", *SAMPLE.address_lines[1:]]))
    return count / (time.perf_counter() - started)


async def service_path(count: int) -> tuple[float, dict[str, Any]]:
    accounts = [a for a in population(count * 3, seed=3) if a["state"] != "none"][:count]
    async with workspace("paper") as ws:
        registry, agencies = MongoAgencyRegistry(ws.db), read_agency_file(Path("deploy/agencies.json"))
        for agency in agencies:
            await registry.save(agency)
        await receipts_queues(ws.rabbitmq_url, agencies)  # where paper's receipts go: ingest declares them
        await ws.db[Collections.ACCOUNTS].insert_many(accounts)
        now = datetime.now(UTC)
        await ws.db[Collections.MESSAGES].insert_many(
            [
                {
                    "_id": derived_id("bench", str(i)),
                    "agency_id": "belastingdienst",
                    "agency_reference": f"BD-{i}",
                    "subject": SAMPLE.subject,
                    "body": "\n\n".join(SAMPLE.paragraphs),
                    "call_to_action": {"text": "Betaal vóór de vervaldatum.", "deadline": "2027-02-01"},
                    "attachments": [],
                    "accepted_at": now,
                }
                for i, account in enumerate(accounts)
            ]
        )
        with tempfile.TemporaryDirectory() as spool:
            port = free_port()
            env = {
                **ws.environment(),
                "BERICHTENBOX_SPOOL_DIR": spool,
                "BERICHTENBOX_RENDER_PROCESSES": "1",
                "BERICHTENBOX_OPS_PORT": str(port),
                "BERICHTENBOX_LOG_LEVEL": "WARNING",  # as in make bench: no line per letter
            }
            await publish(ws.rabbitmq_url, [a["_id"] for a in accounts])  # a full queue, as in make bench's drain
            with ServiceProcesses(env, Path(spool) / "logs", services=("paper",)) as services:
                paper = services.processes["paper"].pid
                started, cpu = time.perf_counter(), cpu_seconds({"paper": paper})
                done = await drained(port, count, Path(spool) / "logs" / "paper.log")
                elapsed = time.perf_counter() - started
                allows = letters_the_machine_allows(done, cpu, cpu_seconds({"paper": paper}))
    return done / elapsed, allows


async def drained(port: int, count: int, log: Path) -> int:
    """How many letters were handled from now until all `count` are: the service starts on the
    full queue before it is timed, so what it handled before is left out of the rate. The
    service's own counter: counting letters in FerretDB is a full scan, which loaded the
    database the service uses."""
    before = await asyncio.to_thread(counter_total, port, "berichtenbox_letters_total")
    if before > count // 2:
        raise RuntimeError(f"paper handled {before} of {count} letters before it was timed: run more letters")
    while await asyncio.to_thread(counter_total, port, "berichtenbox_letters_total") < count:
        await asyncio.sleep(0.25)  # each look renders all of its metrics
        if failed := [
            line for line in (await asyncio.to_thread(log.read_text)).splitlines() if "dead-lettered" in line
        ]:
            raise RuntimeError(f"paper dead-lettered letters, the bench is void: {failed[0]}")
    return count - before


async def publish(amqp_url: str, account_ids: list[str]) -> None:
    """Confirms awaited 100 at a time: one at a time, the quorum queue's fsync per confirm
    held the publisher to about the rate the service was measured at."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(Exchanges.COMMANDS.name)
        window: list[Awaitable[object]] = []
        for i, account_id in enumerate(account_ids):
            command = PrintLetter(
                letter_id=derived_id("bench-letter", str(i)),
                message_id=derived_id("bench", str(i)),
                account_id=account_id,
            )
            body = command.model_dump_json().encode()
            message = aio_pika.Message(
                body, content_type="application/json", delivery_mode=aio_pika.DeliveryMode.PERSISTENT
            )
            window.append(exchange.publish(message, routing_key=RoutingKeys.PRINT_LETTER))
            if len(window) == 100 or i == len(account_ids) - 1:
                await asyncio.gather(*window)
                window.clear()


async def receipts_queues(amqp_url: str, agencies: list[Agency]) -> None:
    """Without them every receipt came back unroutable and each letter was dead-lettered."""
    await declare_topology(amqp_url)
    broker = RabbitBroker(amqp_url)
    await broker.connect()
    try:
        await declare_receipt_queues(broker, agencies)
    finally:
        await broker.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", "--letters", type=int, default=300)
    count = parser.parse_args().letters
    before = bare_typst(count)
    service, allows = asyncio.run(service_path(count))
    after = bare_typst(count)  # the host's speed drifts: the service is compared with the mean of both
    bare = (before + after) / 2
    print(f"letters rendered: {count} (1-page Belastingdienst letter, 1 render process)")
    print(f"bare typst:    {bare:8.1f} letters/s (before the service {before:.1f}, after it {after:.1f})")
    print(f"paper service: {service:8.1f} letters/s per render process ({service / bare:.0%} of bare typst)")
    ceiling = allows["machine_allows_letters_per_second"]
    print(f"CPU ms per letter: {allows['cpu_ms_per_letter']}")
    print(f"the machine's cores at that CPU per letter: {ceiling:8.1f} letters/s ({ceiling / bare:.0%} of bare typst)")


if __name__ == "__main__":
    main()
