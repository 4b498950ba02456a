"""The walking skeleton: the four services as real processes (`faststream run`) against real
RabbitMQ and FerretDB. A submission passes ingest -> router -> notifier and paper and leaves
a record in MongoDB at each stage."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from scripts.harness import ServiceProcesses
from services.router.repository import MongoAccountStore
from shared.contracts.ids import message_id_for
from shared.contracts.messages import ReceiptStatus
from shared.storage.mongo import Collections, Database
from tests.conftest import Sandbox
from tests.support.samples import submission
from tests.support.wire import AgencyAccess, eventually, register_agencies, remove_agency_users
from tools.population import population

ACCOUNTS = list(population(300, seed=5))


@pytest.fixture
async def agencies(sandbox: Sandbox, db: Database) -> AsyncIterator[dict[str, AgencyAccess]]:
    access = await register_agencies(sandbox, db)
    await MongoAccountStore(db).insert_many(ACCOUNTS)
    yield access
    remove_agency_users(sandbox, access)


@pytest.fixture
def services(sandbox: Sandbox, agencies: dict[str, AgencyAccess], tmp_path: Path) -> Iterator[ServiceProcesses]:
    env = {**sandbox.environment(), "BERICHTENBOX_SPOOL_DIR": str(tmp_path / "spool")}
    with ServiceProcesses(env, tmp_path / "logs") as processes:
        yield processes


async def test_a_message_passes_every_stage(
    db: Database, agencies: dict[str, AgencyAccess], services: ServiceProcesses
) -> None:
    with_email_and_copy = next(
        a
        for a in ACCOUNTS
        if a["state"] == "activated"
        and a["email"]
        and a["paper_copy_agencies"] == ["belastingdienst"]
        and not a["guardianship"]
    )
    async with agencies["belastingdienst"].client() as client:
        await client.submit(submission(recipient_bsn=with_email_and_copy["bsn"]), reference="e2e-1")
        receipts = await client.receipts(3)
    message_id = message_id_for("belastingdienst", "e2e-1")
    assert [r.status for r in receipts] == [
        ReceiptStatus.ACCEPTED,
        ReceiptStatus.DELIVERED_TO_BOX,
        ReceiptStatus.SENT_ON_PAPER,
    ]
    message = await db[Collections.MESSAGES].find_one({"_id": message_id})
    route = await db[Collections.ROUTES].find_one({"_id": message_id})
    assert message is not None
    assert route is not None
    assert (route["box"], route["paper"], route["channels"]) == (True, True, ["email"])
    notification = await eventually(
        lambda: db[Collections.NOTIFICATIONS].find_one({"message_id": message_id}), lambda d: d is not None
    )
    letter = await eventually(
        lambda: db[Collections.LETTERS].find_one({"message_id": message_id}), lambda d: d is not None
    )
    assert notification is not None
    assert (notification["channel"], notification["kind"]) == ("email", "new_message")
    assert letter is not None
    assert (letter["status"], letter["copy_of_box_message"], letter["pages"]) == ("rendered", True, 1)


async def test_logs_of_every_service_never_contain_a_bsn(
    db: Database, agencies: dict[str, AgencyAccess], services: ServiceProcesses
) -> None:
    recipients = [a for a in ACCOUNTS if a["state"] != "none"][:20]
    async with agencies["uwv"].client() as client:
        for i, account in enumerate(recipients):
            await client.submit(
                submission(recipient_bsn=account["bsn"], message_type="jaaropgave"), reference=f"log-{i}"
            )
        await client.submit(submission(recipient_bsn="123456789", message_type="jaaropgave"), reference="log-bad")
        await client.receipts(len(recipients) + 1)
    await eventually(lambda: db[Collections.ROUTES].count_documents({}), lambda n: n == len(recipients))
    services.stop()
    logs = "".join(services.log_path(s).read_text() for s in services.services)
    assert "routed" in logs
    leaked = [a["bsn"] for a in recipients if a["bsn"] in logs] + (["123456789"] if "123456789" in logs else [])
    assert leaked == []
