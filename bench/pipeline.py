"""`make bench`: a mass mailing through the whole pipeline (ingest -> router -> box,
notifier to a local SMTP sink and a local push endpoint, paper), the five services as real
processes on RabbitMQ and FerretDB (the box files every delivery: part of what a message costs), measured against the raw limits of this machine in the
same run: an aio-pika one-hop relay and bare typst rendering, sampled before the first
scenario and after each (`bench.baselines`).

Run: make bench [ACCOUNTS=100000]   Writes var/bench/report.{json,md} and throughput.png.
"""

import argparse
import asyncio
import json
import random
import subprocess
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import aio_pika
from py_vapid import Vapid02

from bench.baselines import Bracketing, measure
from bench.floor import floor_rate
from bench.processes import counter_total, cpu_seconds, letters_the_machine_allows, usage
from bench.report import build_report, print_key_figures, write_report
from bench.wakeups import wakeup_cost
from bench.workspace import Workspace, workspace
from scripts.harness import WITH_BOX, ServiceProcesses
from scripts.ports import free_port
from scripts.push_sink import push_service
from scripts.smtp_sink import smtp_sink
from services.router.repository import MongoAccountStore
from shared.contracts.agencies import Agency, read_agency_file
from shared.contracts.ids import message_id_for
from shared.messaging.topology import Exchanges, Queues, RoutingKeys
from shared.storage.agencies import MongoAgencyRegistry
from shared.storage.mongo import Collections, Document
from tools.population import population
from tools.provisioning import ProvisioningSettings, passwords_for, provision
from tools.rabbitmq_admin import ManagementApi

OUT = Path("var/bench")
BATCH = 1000
WINDOW = 500
TYPST_LETTERS = 300
"""Letters of each bare typst sample (about two seconds)."""
POLL_SECONDS = 1.0
STATISTICS_INTERVAL_MS = 1000
COUNTERS = {
    "router": "berichtenbox_routes_total",
    "notifier": "berichtenbox_notifications_total",
    "paper": "berichtenbox_letters_total",
}
"""The counter by which the bench sees each service's progress (from its /metrics)."""
SERVICES = WITH_BOX
"""Every service: each work queue has its consumer here (tests/unit/test_bench_services.py),
so no scenario waits for a queue nobody empties."""


def submission(bsn: str, message_type: str, reference: str) -> dict[str, Any]:
    return {
        "reference": reference,
        "recipient_bsn": bsn,
        "message_type": message_type,
        "subject": "Uw aanslag inkomstenbelasting 2025",
        "body": "Geachte heer, mevrouw,\n\nHierbij ontvangt u uw aanslag inkomstenbelasting over 2025.",
        "call_to_action": {"text": "Betaal vóór de vervaldatum", "deadline": "2027-03-01"},
    }


async def publish(
    url: str, agency: Agency, bodies: list[dict[str, Any]], *, batch: bool, rate: float | None = None
) -> dict[str, float]:
    """Publish as the agency (confirmed, in windows); when each reference went out."""
    groups = [bodies[i : i + BATCH] for i in range(0, len(bodies), BATCH)] if batch else [[b] for b in bodies]
    sent: dict[str, float] = {}
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(Exchanges.SUBMISSIONS.name, ensure=False)
        window: list[asyncio.Future[Any]] = []
        started = time.perf_counter()
        for n, group in enumerate(groups):
            if rate:
                await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
            payload = {"submissions": group} if batch else group[0]
            message = aio_pika.Message(
                json.dumps(payload).encode(),
                content_type="application/json",
                user_id=agency.broker_user,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=group[0]["reference"],
            )
            moment = time.time()
            sent.update((b["reference"], moment) for b in group)
            window.append(asyncio.ensure_future(exchange.publish(message, routing_key=RoutingKeys.SUBMISSION)))
            if len(window) >= (8 if rate else WINDOW):
                await asyncio.gather(*window)
                window.clear()
        await asyncio.gather(*window)
    return sent


class Run:
    """Progress is read from the services' own counters (`COUNTERS`) and RabbitMQ's queue
    statistics (cheap); the routes are read once per scenario, when every message is routed:
    on FerretDB every count is a full scan."""

    def __init__(self, ws: Workspace, services: ServiceProcesses, ops_ports: dict[str, int]) -> None:
        self.ws, self.services = ws, services
        self.api = ManagementApi(ws.management_url)
        self.ops_ports = ops_ports

    def queues(self) -> dict[str, int]:
        """Messages in each queue, ready or in work."""
        found = self.api.call("GET", f"/queues/{quote(self.ws.vhost, safe='')}")
        return {q["name"]: q.get("messages", 0) for q in found}

    def counted(self, service: str) -> int:
        """What a running service finished so far, by its own counter: messages routed,
        notifications handled (per channel, whatever the outcome), letters handled."""
        if service not in self.services.processes:
            return 0
        return counter_total(self.ops_ports[service], COUNTERS[service])

    def cpu_seconds(self) -> dict[str, float]:
        """CPU seconds so far of each running service (with its render processes) and of the rest
        of the machine (`rest_of_machine`)."""
        return cpu_seconds({s: p.pid for s, p in self.services.processes.items()})

    def progress(self) -> dict[str, int]:
        return {service: self.counted(service) for service in COUNTERS}

    async def paper_drain(self, letters: int, timeout: float) -> dict[str, Any]:
        """Start the paper service on a full queue of letters and time it until it handled them
        all: its letters per second with one render process, the rest of the pipeline idle."""
        await asyncio.to_thread(self.services.start_one, "paper")
        await asyncio.to_thread(self.services.wait_started, "paper")
        started, deadline, cpu = time.perf_counter(), time.monotonic() + timeout, self.cpu_seconds()
        while await asyncio.to_thread(self.counted, "paper") < letters:
            if time.monotonic() > deadline:
                raise TimeoutError(f"paper did not handle {letters} letters in {timeout:.0f} s")
            await asyncio.sleep(0.1)
        seconds = time.perf_counter() - started
        allows = letters_the_machine_allows(letters, cpu, self.cpu_seconds())
        print(
            f"  paper, from a full queue: {letters} letters in {seconds:.1f} s = {letters / seconds:.1f}/s;"
            f" CPU ms per letter {allows['cpu_ms_per_letter']}",
            flush=True,
        )
        return {
            "letters": letters,
            "seconds": round(seconds, 2),
            "letters_per_second": round(letters / seconds, 1),
            **allows,
        }

    async def routes_of(self, agency_id: str, references: set[str]) -> list[Document]:
        """The scenario's routes, once every message is routed, each with `accepted_at`, when
        ingest stored its message. Read by id, 1,000 at a time (a message's id follows from its
        reference): reading all routes was a scan that grew with every scenario."""
        ids = sorted(message_id_for(agency_id, reference) for reference in references)
        routes: list[Document] = []
        for i in range(0, len(ids), 1000):
            chunk = {"_id": {"$in": ids[i : i + 1000]}}
            projection = {"agency_reference": 1, "routed_at": 1, "paper": 1, "channels": 1}
            found = {r["_id"]: r async for r in self.ws.db[Collections.ROUTES].find(chunk, projection)}
            messages = self.ws.db[Collections.MESSAGES].find({"_id": {"$in": list(found)}}, {"accepted_at": 1})
            routes += [{**found[m["_id"]], "accepted_at": m["accepted_at"]} async for m in messages]
        return routes

    async def scenario(
        self, name: str, send: Any, agency_id: str, references: set[str], timeout: float, parked: str | None = None
    ) -> dict[str, Any]:
        """Publish, then wait until the router routed every message and every queue is empty
        (but `parked`, a queue whose consumer is stopped on purpose)."""
        base = await asyncio.to_thread(self.progress)
        cpu0 = self.cpu_seconds()
        started = time.perf_counter()
        task = asyncio.ensure_future(send)
        timeline: list[tuple[float, int]] = []
        finished: list[tuple[float, dict[str, int], dict[str, float]]] = []
        """(when, what each service finished, CPU seconds so far) at each poll where every message
        was routed and all was quiet: the CPU of the moment it was done, not of the routes read"""
        reading: asyncio.Task[list[Document]] | None = None
        done_at, routes = None, []
        deadline = time.monotonic() + timeout
        while done_at is None and time.monotonic() < deadline:
            await asyncio.sleep(POLL_SECONDS)
            queues = await asyncio.to_thread(self.queues)
            now = await asyncio.to_thread(self.progress)
            done = {k: now[k] - base[k] for k in now}
            moment = time.perf_counter()
            timeline.append((round(moment - started, 2), done["router"]))
            busy = sum(
                depth
                for n, depth in queues.items()
                if not n.startswith("receipts.") and not n.endswith(".dead-letter") and n != parked
            )
            if task.done() and done["router"] >= len(references) and busy == 0:
                finished.append((moment, done, await asyncio.to_thread(self.cpu_seconds)))
                # what must follow is known once every message is routed; read while polling goes on
                reading = reading or asyncio.ensure_future(self.routes_of(agency_id, references))
            if reading is None or not reading.done():
                continue
            routes = reading.result()
            notifications, letters = sum(len(r["channels"]) for r in routes), sum(bool(r["paper"]) for r in routes)
            done_at, cpu1 = next(
                (
                    (t, cpu)
                    for t, d, cpu in finished
                    if d["notifier"] >= notifications and (parked or d["paper"] >= letters)
                ),
                (None, cpu0),
            )
        if done_at is None:
            raise TimeoutError(f"{name} not done in {timeout:.0f} s ({timeline[-1:]})")
        sent = await task
        seconds = done_at - started
        letters = sum(bool(r["paper"]) for r in routes)
        machine = cpu1["machine busy"] - cpu0["machine busy"]
        services = sum(cpu1[s] - cpu0[s] for s in self.services.processes)
        result = {
            "name": name,
            "messages": len(references),
            "routed": len(routes),
            "seconds": round(seconds, 2),
            "throughput": round(len(references) / seconds, 1),
            "notifications": sum(len(r["channels"]) for r in routes),
            "letters": letters,
            "letters_per_second": round(letters / seconds, 1),
            "cpu_seconds": {s: round(cpu1[s] - cpu0[s], 1) for s in self.services.processes},
            "other_cpu_seconds": {k: round(cpu1[k] - cpu0[k], 1) for k in cpu1 if k not in self.services.processes},
            "machine_cpu_ms_per_message": round(machine * 1000 / len(references), 1),
            # what the broker, the database, the bench's stand-ins and the kernel spent
            "outside_services_cpu_ms_per_message": round((machine - services) * 1000 / len(references), 1),
            "latency_ms": percentiles(
                [(r["routed_at"].timestamp() - sent[r["agency_reference"]]) * 1000 for r in routes]
            ),
            "latency_to_stored_ms": percentiles(
                [(r["accepted_at"].timestamp() - sent[r["agency_reference"]]) * 1000 for r in routes]
            ),
            "latency_stored_to_route_ms": percentiles(
                [(r["routed_at"] - r["accepted_at"]).total_seconds() * 1000 for r in routes]
            ),
            "timeline": timeline,
        }
        print(
            f"  {name}: {len(references)} messages in {seconds:.1f} s = {result['throughput']}/s; latency {result['latency_ms']}"
            f" (to stored {result['latency_to_stored_ms']}, stored to route {result['latency_stored_to_route_ms']});"
            f" CPU s {result['cpu_seconds']}, rest {result['other_cpu_seconds']}",
            flush=True,
        )
        return result


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {}
    return {f"p{q}": round(ordered[min(len(ordered) - 1, len(ordered) * q // 100)], 1) for q in (50, 95, 99)}


async def main(args: argparse.Namespace) -> None:
    accounts = list(population(args.accounts, seed=42))
    registry = {a.agency_id: a for a in read_agency_file(Path("deploy/agencies.json"))}
    vapid = Vapid02()
    vapid.generate_keys()
    # queue statistics every second instead of every five (applies to queues created after this)
    subprocess.run(  # noqa: ASYNC221 (once, before anything runs)
        [
            "rabbitmqctl",
            "-q",
            "eval",
            f"application:set_env(rabbit, collect_statistics_interval, {STATISTICS_INTERVAL_MS}).",
        ],
        check=False,
    )
    async with workspace("pipeline") as ws, push_service() as pushes:
        device = pushes.device("app")
        for account in accounts:
            if account["push_subscriptions"]:
                account["push_subscriptions"] = [device.subscription()]
        print(f"seeding {len(accounts)} accounts...", flush=True)
        for agency in registry.values():
            await MongoAgencyRegistry(ws.db).save(agency)
        for i in range(0, len(accounts), 5000):
            await MongoAccountStore(ws.db).insert_many(accounts[i : i + 5000])
        passwords = passwords_for(list(registry.values()), OUT / "agency-credentials.json")
        await provision(
            ProvisioningSettings(rabbitmq_url=ws.rabbitmq_url, rabbitmq_management_url=ws.management_url),
            list(registry.values()),
            passwords,
        )

        def url(agency_id: str) -> str:
            return f"amqp://{registry[agency_id].broker_user}:{passwords[agency_id]}@127.0.0.1:5672/{ws.vhost}"

        size = len(json.dumps(submission(accounts[0]["bsn"], "aanslag", "BD-S-000000")).encode())
        wakeups = await asyncio.to_thread(wakeup_cost)
        print(f"wakeup round trip, CPU µs: {wakeups}", flush=True)
        print(
            f"baselines, before the first scenario and after each: raw one-hop relay of {args.relay} messages"
            f" of {size} bytes, bare typst of {TYPST_LETTERS} letters, the floor (bench/floor.py) of {args.relay}"
            " single messages",
            flush=True,
        )
        floor_bodies = [
            json.dumps(submission(a["bsn"], "aanslag", f"FLOOR-{i:06}")).encode()
            for i, a in enumerate(accounts[: args.relay])
        ]

        def floor() -> Awaitable[float]:
            return floor_rate(
                ws.rabbitmq_url, ws.management_url, ws.vhost, ws.mongodb_url, ws.database_name, floor_bodies
            )

        bracketing = Bracketing(lambda: measure(ws.rabbitmq_url, args.relay, b"x" * size, TYPST_LETTERS, floor))

        citizens = [a for a in accounts if a["state"] != "none"] if args.skip_no_account else accounts
        with smtp_sink() as sink, tempfile.TemporaryDirectory() as spool:
            env = {
                **ws.environment(),
                "BERICHTENBOX_SMTP_PORT": str(sink.port),
                "BERICHTENBOX_VAPID_PRIVATE_KEY": vapid.private_pem().decode(),
                "BERICHTENBOX_SPOOL_DIR": spool,
                "BERICHTENBOX_LOG_LEVEL": "WARNING",
            }
            ops_ports = {service: free_port() for service in SERVICES}
            env_of = {service: {"BERICHTENBOX_OPS_PORT": str(port)} for service, port in ops_ports.items()}
            # INFO: the harness knows the box started by uvicorn's "Application startup complete"
            env_of["box"] |= {"BERICHTENBOX_HTTP_PORT": str(free_port()), "BERICHTENBOX_LOG_LEVEL": "INFO"}
            with ServiceProcesses(env, OUT / "logs", services=SERVICES, env_of=env_of) as services:
                run = Run(ws, services, ops_ports)
                bd, utrecht = registry["belastingdienst"], registry["gemeente-utrecht"]

                async def mailing(
                    name: str, agency: Agency, bodies: list[dict[str, Any]], **how: Any
                ) -> dict[str, Any]:
                    batch, parked = how.pop("batch", False), how.pop("parked", None)
                    sending = publish(url(agency.agency_id), agency, bodies, batch=batch, **how)
                    references = {b["reference"] for b in bodies}
                    scenario = run.scenario(name, sending, agency.agency_id, references, args.timeout, parked)
                    return await bracketing.phase(name, scenario)

                def to_citizens(prefix: str, message_type: str, recipients: list[Document]) -> list[dict[str, Any]]:
                    return [submission(a["bsn"], message_type, f"{prefix}-{i:06}") for i, a in enumerate(recipients)]

                municipal = random.Random(1).sample(accounts, min(args.municipal, len(accounts)))
                scenarios = [
                    await mailing("belastingdienst, single submissions", bd, to_citizens("BD-S", "aanslag", citizens)),
                    await mailing(
                        "belastingdienst, batches of 1,000", bd, to_citizens("BD-B", "aanslag", citizens), batch=True
                    ),
                ]
                # the municipality's letters wait for the paper service, which then drains them alone
                peak = {"paper": usage(services.processes["paper"].pid).peak_rss_mb}
                await asyncio.to_thread(services.stop_one, "paper")
                scenarios.append(
                    await mailing(
                        "municipality (opt-in agency), single, letters held for paper",
                        utrecht,
                        to_citizens("UTR", "paspoort-verloopt", municipal),
                        parked=Queues.PAPER_COMMANDS.name,
                    )
                )
                drain = await bracketing.phase(
                    "the paper drain", run.paper_drain(scenarios[-1]["letters"], args.timeout)
                )
                rate = args.paced_rate or scenarios[0]["throughput"] / 2
                paced = to_citizens("BD-P", "aanslag", citizens[: max(200, int(rate * args.paced_seconds))])
                scenarios.append(
                    await mailing(f"belastingdienst, paced at {rate:.0f}/s ({pace_of(args)})", bd, paced, rate=rate)
                )
                peak = {
                    s: round(max(usage(p.pid).peak_rss_mb, peak.get(s, 0)), 1) for s, p in services.processes.items()
                }
        print(
            f"  SMTP sink received {len(sink.raw)} e-mails; push endpoint {len(pushes.delivered)} pushes",
            flush=True,
        )

    baselines = {"samples": bracketing.samples, "wakeup_round_trip_cpu_us": wakeups}
    scale = {"accounts": args.accounts, "municipal_messages": args.municipal}
    report = build_report(scale, pace_of(args), baselines, scenarios, drain, peak, len(sink.raw), len(pushes.delivered))
    write_report(OUT, report, {s["name"]: s["timeline"] for s in scenarios})
    print_key_figures(OUT, report)


def pace_of(args: argparse.Namespace) -> str:
    return "the rate set by --paced-rate" if args.paced_rate else "half the maximum"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--accounts", type=int, default=100_000, help="population size; the mass mailing goes to every citizen"
    )
    parser.add_argument("--municipal", type=int, default=5000, help="messages of the municipality scenario")
    parser.add_argument("--relay", type=int, default=5000, help="messages through the raw relay in each of its samples")
    parser.add_argument(
        "--paced-seconds",
        type=float,
        default=60.0,
        help="length of the half-rate latency run (its p99 is the slowest 1%% of the messages it paces)",
    )
    parser.add_argument(
        "--paced-rate", type=float, default=None, help="messages/s of the latency run (default: half the single rate)"
    )
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds one scenario may take")
    parser.add_argument("--skip-no-account", action="store_true", help="mail only citizens with an account")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(arguments()))
