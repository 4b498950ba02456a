"""The short fault run of #20, in `make test`: the four services as processes, a stream of
submissions, and kill -9 of the router, the notifier and paper in the middle of it. Then the
ledger: every accepted message has one route, its receipts, at most one e-mail per message
at the SMTP sink, and every paper route one letter in the spool; nothing is stuck."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from scripts.harness import ServiceProcesses
from scripts.smtp_sink import smtp_sink
from services.router.repository import MongoAccountStore
from shared.contracts.ids import message_id_for
from shared.contracts.messages import ReceiptStatus
from shared.storage.mongo import Collections, Database, Document
from tests.conftest import Sandbox
from tests.support.samples import submission
from tests.support.wire import AgencyAccess, eventually, register_agencies, remove_agency_users
from tools.population import population

ACCOUNTS = [a for a in population(400, seed=11) if a["state"] != "none"][:150]
MESSAGES = 150


@pytest.fixture
async def agencies(sandbox: Sandbox, db: Database) -> AsyncIterator[dict[str, AgencyAccess]]:
    access = await register_agencies(sandbox, db)
    await MongoAccountStore(db).insert_many(ACCOUNTS)
    yield access
    remove_agency_users(sandbox, access)


async def test_killing_services_mid_stream_loses_and_doubles_nothing(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess], tmp_path: Path
) -> None:
    with smtp_sink() as sink:
        env = {
            **sandbox.environment(),
            "BERICHTENBOX_SPOOL_DIR": str(tmp_path / "spool"),
            "BERICHTENBOX_SMTP_PORT": str(sink.port),
            "BERICHTENBOX_RETRY_DELAYS": "[0.5, 1, 2, 4]",
            "BERICHTENBOX_UNSETTLED_AFTER_SECONDS": "3",
            "BERICHTENBOX_UNSETTLED_SWEEP_SECONDS": "1",
            "BERICHTENBOX_PROVIDER_RETRY_DELAYS": "[1, 2]",
        }
        with ServiceProcesses(env, tmp_path / "logs") as services:
            async with agencies["belastingdienst"].client() as bd, agencies["uwv"].client() as uwv:
                for i, account in enumerate(ACCOUNTS[:MESSAGES]):
                    sender, fields = (bd, {}) if i % 2 else (uwv, {"message_type": "jaaropgave"})
                    await sender.submit(submission(recipient_bsn=account["bsn"], **fields), reference=f"crash-{i}")
                    if i in (40, 80, 120):
                        victim = ("router", "notifier", "paper")[(i // 40) - 1]
                        services.kill(victim)
                        await asyncio.sleep(0.3)
                        services.start_one(victim)
                        await asyncio.to_thread(services.wait_started, victim)
                receipts = await bd.receipts_until_quiet(5.0) + await uwv.receipts_until_quiet(1.0)
            ids = [message_id_for("uwv" if i % 2 == 0 else "belastingdienst", f"crash-{i}") for i in range(MESSAGES)]
            routes = await eventually(
                lambda: db[Collections.ROUTES].find({"_id": {"$in": ids}}).to_list(),
                lambda found: len(found) == MESSAGES,
                timeout=60,
            )
            paper_routes = {r["_id"] for r in routes if r["paper"]}
            letters = await eventually(
                lambda: db[Collections.LETTERS].find({"message_id": {"$in": ids}}).to_list(),
                lambda found: {letter["message_id"] for letter in found} >= paper_routes,
                timeout=60,
            )
            claims: Document = {"message_id": {"$in": ids}}
            await eventually(  # every claim ends with an outcome: sent, failed, or offered again by the sweep
                lambda: unsettled(db, claims), lambda n: n == 0, timeout=90
            )
        mails = Counter(m["X-Berichtenbox-Notification"] for m in sink.received)
        message_ids = {
            n: {m["Message-ID"] for m in sink.received if m["X-Berichtenbox-Notification"] == n} for n in mails
        }
    by_status = Counter(
        (r.message_id if r.status is not ReceiptStatus.ACCEPTED else r.agency_reference, r.status) for r in receipts
    )
    assert sum(1 for (_, s) in by_status if s is ReceiptStatus.ACCEPTED) == MESSAGES
    assert {letter["message_id"] for letter in letters} == paper_routes  # one letter per paper route
    assert len(letters) == len(paper_routes)
    assert all(len(ids) == 1 for ids in message_ids.values())  # a resend is recognisable: one Message-ID
    resent = sum(count - 1 for count in mails.values())
    delivered = {r.message_id for r in receipts if r.status is ReceiptStatus.DELIVERED_TO_BOX}
    assert delivered == {r["_id"] for r in routes if r["box"]}
    print(f"crash run: {MESSAGES} messages, {len(paper_routes)} letters, {len(mails)} e-mails ({resent} resent)")


async def unsettled(db: Database, claims: Document) -> int:
    claimed = {d["_id"] async for d in db[Collections.NOTIFICATIONS].find(claims, {"_id": 1})}
    settled = {d["_id"] async for d in db[Collections.NOTIFICATION_OUTCOMES].find(claims, {"_id": 1})}
    return len(claimed - settled)
