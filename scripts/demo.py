"""`make demo`: provisions the agencies, seeds a small population, starts the five services
as real processes (and a development identity provider), publishes sample messages from
several agencies (one rejected, one repeated) and prints where each went and why; then one
citizen logs in to the box in headless Chromium and opens their message (screenshots in
var/demo/). Leaves the services stopped.

Uses its own RabbitMQ vhost and database (`berichtenbox-demo`), fresh on every run.
"""

import asyncio
import shutil
import sys
import urllib.error
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from scripts.demo_box import show_the_box
from scripts.harness import WITH_BOX, ServiceProcesses
from scripts.identity_provider import identity_provider
from scripts.ports import free_port
from scripts.smtp_sink import smtp_sink
from shared.contracts.agencies import Agency, read_agency_file
from shared.contracts.bsn import Bsn
from shared.contracts.messages import Receipt
from shared.storage.mongo import Collections, Database, Document
from tools.agency_client import AgencyClient
from tools.population import population, seed
from tools.provisioning import ProvisioningSettings, load_registry, passwords_for, provision, with_receipts_queues
from tools.rabbitmq_admin import ManagementApi

VHOST = DATABASE = "berichtenbox-demo"
POPULATION = 2000
LOGS = Path("var/demo/logs")
SPOOL = Path("var/demo/spool")


@dataclass(frozen=True)
class Sample:
    agency: str
    reference: str
    situation: str
    recipient: Callable[[Document], bool] | str
    fields: dict[str, Any]


def activated(**facts: Any) -> Callable[[Document], bool]:
    def matches(a: Document) -> bool:
        base = a["state"] == "activated" and not a["guardianship"] and not a["paper_copy_agencies"]
        return base and all(check(a) for check in facts.values())

    return matches


SAMPLES = [
    Sample(
        "belastingdienst",
        "BD-2025-0001",
        "activated, e-mail, not opted in",
        activated(email=lambda a: a["email"], out=lambda a: not a["opted_in_agencies"]),
        {"message_type": "aanslag"},
    ),
    Sample(
        "belastingdienst",
        "BD-2025-0002",
        "account ready, never activated",
        lambda a: a["state"] == "ready" and not a["guardianship"],
        {"message_type": "aanslag"},
    ),
    Sample(
        "belastingdienst",
        "BD-2025-0003",
        "under guardianship (curatele etc.)",
        lambda a: a["state"] == "activated" and a["guardianship"] is not None,
        {"message_type": "aanslag"},
    ),
    Sample(
        "belastingdienst",
        "BD-2025-0004",
        "asked for paper copies",
        lambda a: (
            a["state"] == "activated" and a["paper_copy_agencies"] == ["belastingdienst"] and not a["guardianship"]
        ),
        {"message_type": "voorlopige-aanslag"},
    ),
    Sample(
        "uwv",
        "UWV-77-001",
        "activated, opted in to UWV",
        activated(uwv=lambda a: "uwv" in a["opted_in_agencies"], email=lambda a: a["email"]),
        {"message_type": "uitkering-besluit"},
    ),
    Sample(
        "uwv",
        "UWV-77-002",
        "activated, not opted in to UWV",
        activated(uwv=lambda a: "uwv" not in a["opted_in_agencies"]),
        {"message_type": "jaaropgave"},
    ),
    Sample(
        "uwv",
        "UWV-77-003",
        "opted in, UWV asks for a paper copy",
        activated(uwv=lambda a: "uwv" in a["opted_in_agencies"]),
        {"message_type": "jaaropgave", "paper_copy_requested": True},
    ),
    Sample(
        "rdw",
        "RDW-APK-19",
        "opted in to RDW, no e-mail or app",
        activated(
            rdw=lambda a: "rdw" in a["opted_in_agencies"],
            quiet=lambda a: not a["email"] and not a["push_subscriptions"],
        ),
        {"message_type": "apk-herinnering"},
    ),
    Sample(
        "gemeente-utrecht",
        "UTR-PAS-5",
        "no account (under 14)",
        lambda a: a["state"] == "none",
        {"message_type": "paspoort-verloopt"},
    ),
    Sample("svb", "SVB-AOW-12", "not in the population at all", "111222333", {"message_type": "aow-besluit"}),
    Sample(
        "gemeente-utrecht",
        "UTR-BAD-1",
        "a BSN that fails the 11-check",
        "123456789",
        {"message_type": "parkeervergunning"},
    ),
    Sample("rdw", "RDW-BAD-2", "a message type RDW may not send", activated(), {"message_type": "aanslag"}),
]
REPEATED = "BD-2025-0001"


def fresh_infrastructure(settings: ProvisioningSettings) -> None:
    api = ManagementApi(settings.rabbitmq_management_url)
    try:
        api.delete_vhost(VHOST)
    except urllib.error.HTTPError as error:
        if error.code != 404:
            raise
    api.put_vhost(VHOST)
    api.set_permissions(VHOST, "guest", configure=".*", write=".*", read=".*")


def recipient_of(sample: Sample, accounts: list[Document]) -> str:
    matches = sample.recipient
    if isinstance(matches, str):
        return matches
    return str(next(a["bsn"] for a in accounts if matches(a)))


def body(sample: Sample, bsn: str) -> dict[str, Any]:
    return {
        "recipient_bsn": bsn,
        "subject": "Een bericht voor u",
        "body": "Geachte heer, mevrouw,\n\nIn de bijlage vindt u ons besluit.",
        "call_to_action": {"text": "Reageer vóór 1 februari", "deadline": "2027-02-01"},
        **sample.fields,
    }


def client_of(agency: Agency, passwords: dict[str, str]) -> AgencyClient:
    url = f"amqp://{agency.broker_user}:{passwords[agency.agency_id]}@127.0.0.1:5672/{VHOST}"
    return AgencyClient(url, agency.agency_id, agency.broker_user, agency.receipts_queue)


async def publish_samples(agencies: dict[str, Agency], passwords: dict[str, str], accounts: list[Document]) -> None:
    for sample in SAMPLES:
        agency = agencies[sample.agency]
        async with client_of(agency, passwords) as client:
            await client.submit(body(sample, recipient_of(sample, accounts)), reference=sample.reference)
            if sample.reference == REPEATED:
                await client.submit(body(sample, recipient_of(sample, accounts)), reference=sample.reference)


async def wait_until_routed(db: Database, timeout: float = 30.0) -> dict[str, Document]:
    """All stored messages routed (each with its route), and their commands handled downstream."""
    messages, routes = db[Collections.MESSAGES], db[Collections.ROUTES]
    async with asyncio.timeout(timeout):
        while not (stored := await messages.count_documents({})) or await routes.count_documents({}) < stored:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)
    decided = {r["_id"]: r async for r in routes.find({})}
    return {d["agency_reference"]: {**d, "route": decided.get(d["_id"])} async for d in messages.find({})}


async def collect_receipts(agencies: dict[str, Agency], passwords: dict[str, str]) -> dict[str, list[Receipt]]:
    receipts = {}
    for agency_id in dict.fromkeys(s.agency for s in SAMPLES):
        agency = agencies[agency_id]
        async with client_of(agency, passwords) as client:
            receipts[agency_id] = await client.receipts_until_quiet(0.5)
    return receipts


def report(
    messages: dict[str, Document],
    receipts: dict[str, list[Receipt]],
    notifications: list[Document],
    letters: list[Document],
    batches: list[Document],
) -> None:
    print("\nWhere each message went")
    print(f"{'agency':<17}{'reference':<14}{'recipient':<11}{'situation':<38}{'route':<13}{'notify':<12}why")
    for sample in SAMPLES:
        stored = messages.get(sample.reference)
        route = (stored or {}).get("route")
        recipient = str(Bsn(stored["recipient_bsn"])) if stored else "-"
        if route is None:
            where, notify, why = "not accepted", "-", "see receipts"
        else:
            where = {(True, False): "box", (False, True): "paper", (True, True): "box + paper"}[
                (route["box"], route["paper"])
            ]
            notify, why = ",".join(route["channels"]) or "-", ", ".join(route["rules"])
        print(
            f"{sample.agency:<17}{sample.reference:<14}{recipient:<11}{sample.situation:<38}{where:<13}{notify:<12}{why}"
        )
    print("\nReceipts the agencies received (never anything about reading)")
    for agency_id, items in receipts.items():
        for r in sorted(items, key=lambda r: (r.agency_reference or "", r.issued_at)):
            detail = "; ".join(f"{x.code} ({x.field})" for x in r.reasons) or (
                f"original {r.original_message_id}" if r.original_message_id else ""
            )
            print(f"  {agency_id:<17}{r.agency_reference or '-':<14}{r.status.value:<18}{detail}")
    outcomes = Counter(
        f"{n['channel']} {n['status']}" + (f" ({n['detail']})" if n.get("detail") else "") for n in notifications
    )
    print("\nnotifier outcomes: " + "; ".join(f"{count} x {outcome}" for outcome, count in sorted(outcomes.items())))
    rendered = [letter for letter in letters if letter["status"] == "rendered"]
    print(f"paper: {len(rendered)} letters rendered to {SPOOL}/letters, {len(letters) - len(rendered)} undeliverable")
    for batch in batches:
        print(
            f"  print batch {batch['_id']}: {batch['letter_count']} letters, {batch['page_count']} pages, "
            f"{batch['sheet_count']} sheets; manifest in {batch['path']}/manifest.json"
        )


def show_mail(received: list[EmailMessage]) -> None:
    print(f"\nE-mails the local SMTP catcher received ({len(received)}): never the subject, body or BSN")
    for mail in received:
        text = next(p.get_content() for p in mail.walk() if p.get_content_type() == "text/plain")
        lines = [line for line in text.splitlines() if line.strip()][1:4]
        print(f"  To: {mail['To']}\n  Subject: {mail['Subject']}")
        for line in lines:
            print(f"    {line}")


async def run() -> int:
    settings = ProvisioningSettings(
        mongodb_database=DATABASE, rabbitmq_url=f"amqp://guest:guest@127.0.0.1:5672/{VHOST}"
    )
    fresh_infrastructure(settings)
    client: AsyncMongoClient[Document] = AsyncMongoClient(settings.mongodb_url, tz_aware=True)
    await client.drop_database(DATABASE)
    read = read_agency_file(Path("deploy/agencies.json"))
    passwords = passwords_for(read, Path("var/agency-credentials.json"))
    agencies = with_receipts_queues(read, passwords)
    await load_registry(settings, agencies)
    await provision(settings, agencies, passwords)
    await seed(settings, POPULATION, 7)
    accounts = list(population(POPULATION, 7))
    print(f"provisioned {len(agencies)} agencies, seeded {POPULATION} accounts; starting the five services...")
    reader = next(a for a in accounts if a["bsn"] == recipient_of(SAMPLES[0], accounts))
    provider_context = identity_provider([reader])
    provider = provider_context.__enter__()
    box_url = f"http://127.0.0.1:{free_port()}"
    sink_context = smtp_sink()
    sink = sink_context.__enter__()
    env = {
        "BERICHTENBOX_SMTP_PORT": str(sink.port),
        "BERICHTENBOX_RABBITMQ_URL": settings.rabbitmq_url,
        "BERICHTENBOX_MONGODB_DATABASE": DATABASE,
        "BERICHTENBOX_SPOOL_DIR": str(SPOOL),
        "BERICHTENBOX_BATCH_MAX_AGE_SECONDS": "1",
        "BERICHTENBOX_BATCH_CHECK_SECONDS": "0.5",
        "BERICHTENBOX_OIDC_ISSUER": provider.issuer,
        "BERICHTENBOX_PUBLIC_BASE_URL": box_url,
        "BERICHTENBOX_BOX_URL": f"{box_url}/berichten",
    }
    shutil.rmtree(SPOOL, ignore_errors=True)
    by_id = {a.agency_id: a for a in agencies}
    db = client[DATABASE]
    box_port = {"box": {"BERICHTENBOX_HTTP_PORT": box_url.rsplit(":", 1)[1]}}
    with ServiceProcesses(env, LOGS, services=WITH_BOX, env_of=box_port):
        await publish_samples(by_id, passwords, accounts)
        messages = await wait_until_routed(db)
        receipts = await collect_receipts(by_id, passwords)
        await asyncio.sleep(2)  # the print batch closes after a second
        notifications = await db[Collections.NOTIFICATION_OUTCOMES].find({}).to_list()
        letters = await db[Collections.LETTERS].find({}).to_list()
        batches = await db[Collections.BATCHES].find({}).to_list()
        shots = await show_the_box(box_url, reader)
    await client.close()
    sink_context.__exit__(None, None, None)
    provider_context.__exit__(None, None, None)
    report(messages, receipts, notifications, letters, batches)
    show_mail(sink.received)
    print(f"\nThe box: citizen {Bsn(reader['bsn'])} logged in through the identity provider in Chromium and")
    print(f"opened their message; screenshots: {', '.join(map(str, shots))}")
    print(f"\nservices stopped; their logs are in {LOGS}/")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(run()))
