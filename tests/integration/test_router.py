"""router against real RabbitMQ and FerretDB: a route per account state, account events in
order, and redelivery that sends the same commands, which downstream deduplicates."""

import asyncio
from collections.abc import Callable
from typing import Any

from faststream.rabbit import RabbitBroker

from services.ingest.main import create_app as ingest_app
from services.ingest.settings import IngestSettings
from services.notifier.main import create_app as notifier_app
from services.notifier.settings import NotifierSettings
from services.paper.main import create_app as paper_app
from services.paper.settings import PaperSettings
from services.router.main import create_app as router_app
from services.router.repository import MongoAccountStore
from services.router.settings import RouterSettings
from shared.contracts.ids import message_id_for
from shared.contracts.messages import AccountActivated, EmailLinked, MessagesAccepted, PreferencesChanged, ReceiptStatus
from shared.messaging.topology import Exchanges, Queues, RoutingKeys, account_event_key
from shared.storage.mongo import Collections, Database, Document
from tests.conftest import Sandbox
from tests.support.samples import submission
from tests.support.wire import AgencyAccess, bodies, eventually, replay, running, take
from tools.population import population

ACCOUNTS = list(population(400, seed=21))


def first(**facts: Any) -> Document:
    return next(a for a in ACCOUNTS if all(a[k] == v for k, v in facts.items()))


def where(predicate: Callable[[Document], bool]) -> Document:
    return next(a for a in ACCOUNTS if predicate(a))


async def routed(db: Database, count: int) -> list[Document]:
    """The routes stored so far, once there are `count` of them."""
    routes = db[Collections.ROUTES]
    return await eventually(lambda: routes.find({}).to_list(), lambda found: len(found) >= count)


async def test_routes_for_each_account_state(sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]) -> None:
    await MongoAccountStore(db).insert_many(ACCOUNTS)
    ready = first(state="ready", guardianship=None)
    none = first(state="none", guardianship=None)
    opted_in = where(
        lambda a: (
            a["state"] == "activated"
            and "uwv" in a["opted_in_agencies"]
            and not a["guardianship"]
            and not a["paper_copy_agencies"]
        )
    )
    not_opted = where(
        lambda a: (
            a["state"] == "activated"
            and "uwv" not in a["opted_in_agencies"]
            and not a["guardianship"]
            and not a["paper_copy_agencies"]
        )
    )
    guarded = where(lambda a: a["state"] == "activated" and a["guardianship"] is not None)
    cases = [
        ("belastingdienst", "aanslag", ready, "mandatory_sender_ready_account", True, False),
        ("uwv", "jaaropgave", ready, "not_activated", False, True),
        ("uwv", "jaaropgave", none, "no_account", False, True),
        ("uwv", "jaaropgave", opted_in, "opted_in", True, False),
        ("uwv", "jaaropgave", not_opted, "not_opted_in", False, True),
        ("belastingdienst", "aanslag", not_opted, "mandatory_sender_not_opted_in", True, False),
        ("belastingdienst", "aanslag", guarded, "guardianship_exempt", False, True),
    ]
    async with (
        running(ingest_app(sandbox.settings(IngestSettings))),
        running(router_app(sandbox.settings(RouterSettings))),
    ):
        for i, (agency, message_type, account, *_) in enumerate(cases):
            async with agencies[agency].client() as client:
                await client.submit(
                    submission(recipient_bsn=account["bsn"], message_type=message_type), reference=f"case-{i}"
                )
        documents = {d["agency_reference"]: d for d in await routed(db, len(cases))}
    for i, (agency, _, account, rule, box, paper) in enumerate(cases):
        route = documents[f"case-{i}"]
        assert (route["rules"][0], route["box"], route["paper"]) == (rule, box, paper), (agency, account["state"])
        assert route["account_id"] == (account["_id"])
    letters = bodies(await take(sandbox.rabbitmq_url, Queues.PAPER_COMMANDS.name, 4))
    assert {letter["message_id"] for letter in letters} == {documents[f"case-{i}"]["_id"] for i in (1, 2, 4, 6)}


async def test_receipts_say_box_or_paper_and_nothing_about_reading(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]
) -> None:
    copy = where(
        lambda a: (
            a["state"] == "activated" and a["paper_copy_agencies"] == ["belastingdienst"] and not a["guardianship"]
        )
    )
    await MongoAccountStore(db).insert_many([copy])
    async with (
        running(ingest_app(sandbox.settings(IngestSettings))),
        running(router_app(sandbox.settings(RouterSettings))),
        agencies["belastingdienst"].client() as client,
    ):
        await client.submit(submission(recipient_bsn=copy["bsn"]), reference="with-copy")
        receipts = await client.receipts(2)
        later = await client.receipts_until_quiet(0.5)
    # sent_on_paper comes from paper, once the letter is in the spool: a route to paper promises nothing
    assert [r.status for r in receipts + later] == [ReceiptStatus.ACCEPTED, ReceiptStatus.DELIVERED_TO_BOX]
    assert all(set(r.model_dump()) == set(receipts[0].model_dump()) for r in receipts)
    assert not any("open" in field or "read" in field for field in receipts[0].model_dump())


async def publish_account_event(broker: RabbitBroker, event: Any) -> None:
    await broker.publish(event, exchange=Exchanges.EVENTS, routing_key=account_event_key(event.event), persist=True)


async def test_account_events_apply_in_order_and_ignore_stale_ones(sandbox: Sandbox, db: Database) -> None:
    citizen = first(state="ready", guardianship=None)
    await MongoAccountStore(db).insert_many([citizen])
    bsn = citizen["bsn"]
    app = router_app(sandbox.settings(RouterSettings))
    [broker] = app.brokers
    assert isinstance(broker, RabbitBroker)
    accounts = db[Collections.ACCOUNTS]
    async with running(app):
        await publish_account_event(broker, AccountActivated(bsn=bsn, sequence=1))
        await publish_account_event(broker, EmailLinked(bsn=bsn, sequence=3, email="nieuw@example.nl"))
        await publish_account_event(broker, EmailLinked(bsn=bsn, sequence=2, email="oud@example.nl"))  # late, stale
        await publish_account_event(
            broker,
            PreferencesChanged(
                bsn=bsn, sequence=4, opted_in_agencies=["rdw"], paper_copy_agencies=[], reminder_opt_in=True
            ),
        )
        await publish_account_event(
            broker,
            PreferencesChanged(
                bsn=bsn, sequence=4, opted_in_agencies=["rdw"], paper_copy_agencies=[], reminder_opt_in=True
            ),
        )
        account = await eventually(
            lambda: accounts.find_one({"bsn": bsn}), lambda a: a is not None and a["versions"]["preferences"] == 4
        )
        await asyncio.sleep(0.3)  # let the stale event be consumed too
        account = await accounts.find_one({"bsn": bsn})
    assert account is not None
    assert (account["state"], account["email"], account["opted_in_agencies"], account["reminder_opt_in"]) == (
        "activated",
        "nieuw@example.nl",
        ["rdw"],
        True,
    )
    assert account["versions"] == {"activation": 1, "email": 3, "preferences": 4, "push": 0, "guardianship": 0}
    assert await take(sandbox.rabbitmq_url, f"{Queues.ROUTER_ACCOUNT_EVENTS.name}.dead-letter", 1, timeout=0.3) == []


async def test_redelivery_sends_the_same_commands_and_downstream_keeps_one(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]
) -> None:
    citizen = where(
        lambda a: (
            a["state"] == "activated"
            and a["email"]
            and a["paper_copy_agencies"] == ["belastingdienst"]
            and not a["guardianship"]
        )
    )
    await MongoAccountStore(db).insert_many([citizen])
    router = router_app(sandbox.settings(RouterSettings))
    [broker] = router.brokers
    assert isinstance(broker, RabbitBroker)
    async with running(ingest_app(sandbox.settings(IngestSettings))), running(router):
        async with agencies["belastingdienst"].client() as client:
            await client.submit(submission(recipient_bsn=citizen["bsn"]), reference="twice")
        [document] = await routed(db, 1)
        again = MessagesAccepted(agency_id="belastingdienst", message_ids=[message_id_for("belastingdienst", "twice")])
        await broker.publish(again, exchange=Exchanges.EVENTS, routing_key=RoutingKeys.MESSAGES_ACCEPTED, persist=True)
        notify = await take(sandbox.rabbitmq_url, Queues.NOTIFIER_COMMANDS.name, 2)
        letters = await take(sandbox.rabbitmq_url, Queues.PAPER_COMMANDS.name, 2)
    assert len(notify) == 2 and notify[0].body == notify[1].body and notify[0].message_id == notify[1].message_id
    assert len(letters) == 2 and letters[0].body == letters[1].body
    async with (
        running(notifier_app(sandbox.settings(NotifierSettings))),
        running(paper_app(sandbox.settings(PaperSettings))),
    ):
        await replay(sandbox.rabbitmq_url, Exchanges.COMMANDS.name, [*notify, *letters])
        await eventually(lambda: db[Collections.LETTERS].count_documents({}), lambda n: n >= 1)
        await asyncio.sleep(0.5)
    assert await db[Collections.NOTIFICATIONS].count_documents({"message_id": document["_id"]}) == 1
    assert await db[Collections.LETTERS].count_documents({"message_id": document["_id"]}) == 1
