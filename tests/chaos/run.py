"""One fault run: the five-ish moving parts of a day (agencies submitting at a steady rate, the
four services, an SMTP server and a push service), a fault done in the middle of it, and the
ledger read until it is whole or the run gives up."""

import asyncio
import contextlib
import os
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from pathlib import Path

from py_vapid import Vapid02

from scripts.harness import ServiceProcesses
from scripts.push_sink import PushService, push_service
from scripts.smtp_sink import SmtpSink, smtp_sink
from services.router.repository import MongoAccountStore
from shared.contracts.ids import message_id_for
from shared.contracts.messages import Receipt
from shared.storage.mongo import Database, Document
from tests.chaos.infra import ChaosInfra
from tests.conftest import Sandbox
from tests.support.ledger import Ledger, read_ledger
from tests.support.samples import submission
from tests.support.wire import AgencyAccess
from tools.agency_client import AgencyClient
from tools.population import population

MESSAGES = int(os.environ.get("CHAOS_MESSAGES", "600"))
RATE = float(os.environ.get("CHAOS_RATE", "40"))
GIVE_UP_AFTER = float(os.environ.get("CHAOS_GIVE_UP_SECONDS", "240"))

MESSAGE_TYPES = {"belastingdienst": "aanslag", "uwv": "jaaropgave", "rdw": "apk-herinnering", "svb": "aow-besluit"}
SERVICE_ENV = {
    # claims are offered again after 40 s: longer than the slow SMTP server's 20 s answer
    "BERICHTENBOX_UNSETTLED_AFTER_SECONDS": "40",
    "BERICHTENBOX_UNSETTLED_SWEEP_SECONDS": "5",
    "BERICHTENBOX_BATCH_MAX_AGE_SECONDS": "5",
    "BERICHTENBOX_BATCH_CHECK_SECONDS": "1",
    # a provider down for 20 s is ridden out (the last try comes after 50 s), and quicker than in production
    "BERICHTENBOX_PROVIDER_RETRY_DELAYS": "[5, 15, 30, 60]",
}


@dataclass
class Run:
    """What a fault may act on."""

    infra: ChaosInfra
    services: ServiceProcesses
    smtp: SmtpSink
    pushes: PushService
    db: Database
    amqp_url: str
    """the run's own vhost, as guest"""
    clients: dict[str, AgencyClient]
    total: int
    sent: int = 0
    message_ids: list[str] = field(default_factory=list)
    receipts: list[Receipt] = field(default_factory=list)

    progress: asyncio.Condition = field(default_factory=asyncio.Condition)

    async def after_sent(self, count: int) -> None:
        """Once `count` submissions went out (or all of them did)."""
        async with self.progress:
            await self.progress.wait_for(lambda: self.sent >= min(count, self.total))

    async def count_sent(self, message_id: str) -> None:
        async with self.progress:
            self.message_ids.append(message_id)
            self.sent += 1
            self.progress.notify_all()

    async def restart(self, service: str, kill: bool) -> None:
        await asyncio.to_thread(self.services.kill if kill else self.services.stop_one, service)
        await asyncio.sleep(0.5)
        self.services.start_one(service)
        await asyncio.to_thread(self.services.wait_started, service, 120)


Fault = Callable[[Run], Awaitable[None]]


@dataclass(frozen=True)
class Outcome:
    fault: str
    ledger: Ledger
    recovered_after: float | None
    """seconds from the fault's end until the ledger was whole; None if it never was"""


def service_environment(run_dir: Path, smtp: SmtpSink, vapid: Vapid02) -> dict[str, str]:
    return {
        **SERVICE_ENV,
        "BERICHTENBOX_SPOOL_DIR": str(run_dir / "spool"),
        "BERICHTENBOX_SMTP_PORT": str(smtp.port),
        "BERICHTENBOX_VAPID_PRIVATE_KEY": vapid.private_pem().decode(),
    }


def with_devices(accounts: list[Document], pushes: PushService) -> list[Document]:
    """Accounts whose devices are real subscriptions at the local push service."""
    return [
        {**a, "push_subscriptions": [pushes.device(a["_id"]).subscription()]} if a["push_subscriptions"] else a
        for a in accounts
    ]


async def stream(run: Run, accounts: list[Document], rate: float, tag: str) -> None:
    """One submission per citizen, round the four agencies, at `rate` per second. A publish
    that fails (broker down, channel closed) is tried again with the same reference, as an
    agency would: the second one is answered `duplicate` if the first got through."""
    agencies = list(MESSAGE_TYPES)
    started = time.monotonic()
    for i, account in enumerate(accounts):
        agency = agencies[i % len(agencies)]
        reference = f"{tag}-{i}"
        body = submission(recipient_bsn=account["bsn"], message_type=MESSAGE_TYPES[agency])
        while True:
            try:
                async with asyncio.timeout(10):
                    await run.clients[agency].submit(body, reference=reference)
                break
            except Exception:
                await asyncio.sleep(0.5)
        await run.count_sent(message_id_for(agency, reference))
        await asyncio.sleep(max(0.0, started + (i + 1) / rate - time.monotonic()))


async def settle(run: Run, fault_ended: float, give_up_after: float) -> tuple[Ledger, float | None]:
    """Read the ledger every two seconds until it is whole (or `give_up_after` seconds)."""
    while True:
        for client in run.clients.values():
            with contextlib.suppress(Exception):  # the broker may still be coming back: next round
                run.receipts += await client.receipts_until_quiet(0.2)
        ledger = await read_ledger(run.db, run.message_ids, run.receipts, run.smtp, run.pushes)
        waited = time.monotonic() - fault_ended
        if ledger.whole:
            return ledger, waited
        if waited > give_up_after:
            return ledger, None
        await asyncio.sleep(2)


def clients_of(access: dict[str, AgencyAccess]) -> dict[str, AgencyClient]:
    return {agency: access[agency].client() for agency in MESSAGE_TYPES}


async def run_with_fault(
    name: str,
    fault: Fault,
    infra: ChaosInfra,
    sandbox: Sandbox,
    db: Database,
    agencies: dict[str, AgencyAccess],
    run_dir: Path,
    seed: int,
    messages: int = MESSAGES,
    rate: float = RATE,
) -> Outcome:
    """The stream, with `fault` once a third of it is sent; then the ledger until whole."""
    vapid = Vapid02()
    vapid.generate_keys()
    accounts = [a for a in population(messages * 2, seed=seed) if a["state"] != "none"][:messages]
    async with AsyncExitStack() as stack:
        smtp = stack.enter_context(smtp_sink())
        pushes = await stack.enter_async_context(push_service())
        await MongoAccountStore(db).insert_many(with_devices(accounts, pushes))
        env = {**sandbox.environment(), **service_environment(run_dir, smtp, vapid)}
        # started and stopped off the event loop, which serves the cluster test's TCP front
        services = ServiceProcesses(env, run_dir / "logs")
        await asyncio.to_thread(services.start)
        stack.push_async_callback(asyncio.to_thread, services.stop)
        clients = clients_of(agencies)
        for client in clients.values():
            await stack.enter_async_context(client)
        run = Run(infra, services, smtp, pushes, db, sandbox.rabbitmq_url, clients, total=len(accounts))

        async def fault_after_a_third() -> None:
            await run.after_sent(messages // 3)
            await fault(run)

        await asyncio.gather(stream(run, accounts, rate, tag=f"chaos-{seed}"), fault_after_a_third())
        ledger, recovered_after = await settle(run, time.monotonic(), GIVE_UP_AFTER)
    return Outcome(f"{name} ({len(accounts)} at {rate:.0f}/s)", ledger, recovered_after)
