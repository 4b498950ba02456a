"""ingest against real RabbitMQ and FerretDB: accept, duplicate, rejections, the broker's own
sender checks, batches, and a consumer that dies between storing and acking."""

import asyncio
import json

import aio_pika
import aiormq
import pytest

from services.ingest.main import create_app
from services.ingest.records import NewMessage, Stored
from services.ingest.repository import MongoMessageStore
from services.ingest.settings import IngestSettings
from shared.contracts.ids import message_id_for
from shared.contracts.messages import ReceiptStatus
from shared.messaging.topology import Exchanges, Queues, RoutingKeys
from shared.storage.mongo import Collections, Database
from tests.conftest import Sandbox
from tests.support.samples import attachment, submission
from tests.support.wire import AgencyAccess, bodies, running, take


async def test_accepts_stores_announces_and_receipts(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]
) -> None:
    async with running(create_app(sandbox.settings(IngestSettings))), agencies["belastingdienst"].client() as client:
        await client.submit(submission(), reference="aanslag-2025-001")
        [receipt] = await client.receipts(1)
    message_id = message_id_for("belastingdienst", "aanslag-2025-001")
    assert (receipt.status, receipt.message_id, receipt.agency_reference) == (
        ReceiptStatus.ACCEPTED,
        message_id,
        "aanslag-2025-001",
    )
    stored = await db[Collections.MESSAGES].find_one({"_id": message_id})
    assert stored is not None
    assert (stored["status"], stored["recipient_bsn"]) == ("accepted", "111222333")
    [event] = bodies(await take(sandbox.rabbitmq_url, Queues.ROUTER_MESSAGES.name, 1))
    assert event == {"schema_version": 1, "agency_id": "belastingdienst", "message_ids": [message_id]}


async def test_repeat_is_a_duplicate_and_is_not_routed_again(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]
) -> None:
    async with running(create_app(sandbox.settings(IngestSettings))), agencies["uwv"].client() as client:
        await client.submit(submission(message_type="jaaropgave"), reference="j-1")
        await client.receipts(1)
        await db[Collections.ROUTES].insert_one({"_id": message_id_for("uwv", "j-1")})  # as the router would
        await client.submit(submission(message_type="jaaropgave", subject="anders"), reference="j-1")
        [duplicate] = await client.receipts(1)
    assert duplicate.status is ReceiptStatus.DUPLICATE
    assert duplicate.original_message_id == message_id_for("uwv", "j-1")
    assert await db[Collections.MESSAGES].count_documents({}) == 1
    assert len(await take(sandbox.rabbitmq_url, Queues.ROUTER_MESSAGES.name, 2, timeout=2)) == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "malformed_json"),
        ("Ĳsselmeer".encode("utf-16"), "wrong_encoding"),
        (json.dumps(submission(reference="bad-1", recipient_bsn="123456789")).encode(), "invalid_bsn"),
        (json.dumps(submission(reference="bad-1", agency="uwv")).encode(), "impersonation"),
        (json.dumps(submission(reference="bad-1", message_type="kinderbijslag")).encode(), "message_type_not_allowed"),
        (json.dumps(submission(reference="bad-1", surprise=True)).encode(), "unknown_field"),
        (json.dumps({"submissions": [submission()] * 4}).encode(), "batch_too_large"),
        (json.dumps(submission(reference="bad-1", subject=None)).encode(), "missing_field"),
        (json.dumps(submission(reference="bad-1", subject="x" * 201)).encode(), "too_long"),
        (
            json.dumps(
                submission(reference="bad-1", call_to_action={"text": "Reageer", "deadline": "2020-01-01"})
            ).encode(),
            "deadline_in_past",
        ),
        (
            json.dumps(submission(reference="bad-1", attachments=[attachment(b"GIF89a not a pdf")])).encode(),
            "attachment_not_pdf",
        ),
        (json.dumps(submission(reference="bad-1", attachments=[attachment()] * 11)).encode(), "too_many_attachments"),
    ],
)
async def test_rejections_answer_the_agency_and_are_kept(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess], body: bytes, code: str
) -> None:
    async with (
        running(create_app(sandbox.settings(IngestSettings, max_batch_size=3))),
        agencies["belastingdienst"].client() as client,
    ):
        await client.submit(body, reference="bad-1")
        [receipt] = await client.receipts(1)
    assert receipt.status is ReceiptStatus.REJECTED
    assert receipt.reasons[0].code == code
    [kept] = await db[Collections.REJECTIONS].find({}).to_list()
    assert (kept["agency_id"], kept["reasons"][0]["code"], bytes(kept["payload"])) == ("belastingdienst", code, body)
    assert await db[Collections.MESSAGES].count_documents({}) == 0


async def test_a_submission_without_user_id_is_kept_as_unauthenticated(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]
) -> None:
    from tools.agency_client import AgencyClient

    async with (
        running(create_app(sandbox.settings(IngestSettings))),
        AgencyClient(sandbox.rabbitmq_url, "none", "guest") as anonymous,
    ):
        await anonymous.submit(submission(), reference="anon-1", user_id=None)
        for _ in range(100):
            if await db[Collections.REJECTIONS].count_documents({}):
                break
            await asyncio.sleep(0.05)
    [kept] = await db[Collections.REJECTIONS].find({}).to_list()
    assert (kept["agency_id"], kept["reasons"][0]["code"]) == (None, "unauthenticated")


async def test_the_broker_refuses_a_user_id_of_another_agency(
    sandbox: Sandbox, agencies: dict[str, AgencyAccess]
) -> None:
    async with agencies["rdw"].client() as rdw:
        with pytest.raises(aiormq.exceptions.ChannelPreconditionFailed, match="user_id property set to"):
            await rdw.submit(submission(), reference="x", user_id=agencies["belastingdienst"].agency.broker_user)


async def test_an_agency_reads_only_its_own_receipts_and_writes_only_submissions(
    sandbox: Sandbox, agencies: dict[str, AgencyAccess]
) -> None:
    rdw_url = agencies["rdw"].amqp_url
    own, other = agencies["rdw"].agency.receipts_queue, agencies["belastingdienst"].agency.receipts_queue
    assert own and other
    assert await take(rdw_url, own, 1, timeout=0.2) == []  # its own: allowed, empty
    with pytest.raises(aiormq.exceptions.ChannelAccessRefused, match=r"access to queue 'receipts\.belastingdienst\."):
        await take(rdw_url, other, 1, timeout=0.2)
    connection = await aio_pika.connect(rdw_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        events = await channel.get_exchange(Exchanges.EVENTS.name, ensure=False)
        with pytest.raises(aiormq.exceptions.ChannelAccessRefused, match=r"access to exchange 'berichtenbox\.events'"):
            await events.publish(aio_pika.Message(b"{}"), routing_key=RoutingKeys.MESSAGES_ACCEPTED)


async def test_batch_with_valid_and_invalid_entries(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]
) -> None:
    batch = {
        "submissions": [submission(reference=f"ok-{i}") for i in range(5)]
        + [
            submission(reference="bad-bsn", recipient_bsn="111222334"),
            submission(reference="bad-type", message_type="x"),
        ]
    }
    async with running(create_app(sandbox.settings(IngestSettings))), agencies["belastingdienst"].client() as client:
        await client.submit(batch, reference="batch-1")
        receipts = await client.receipts(7)
    by_reference = {r.agency_reference: r.status for r in receipts}
    assert by_reference == {
        **{f"ok-{i}": ReceiptStatus.ACCEPTED for i in range(5)},
        "bad-bsn": ReceiptStatus.REJECTED,
        "bad-type": ReceiptStatus.REJECTED,
    }
    assert await db[Collections.MESSAGES].count_documents({}) == 5
    assert await db[Collections.REJECTIONS].count_documents({}) == 2
    events = bodies(await take(sandbox.rabbitmq_url, Queues.ROUTER_MESSAGES.name, 2, timeout=2))
    assert [len(e["message_ids"]) for e in events] == [5]  # the batch stays a batch


async def test_consumer_dies_after_storing_before_acking(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first consumer stores the message and dies (no publish, no receipt, no ack); its
    connection closes, RabbitMQ redelivers, and a fresh consumer finishes the job: one stored
    message, one MessagesAccepted, one accepted receipt."""
    stored_then_died = asyncio.Event()
    store_for_real = MongoMessageStore.add_many

    async def store_then_die(self: MongoMessageStore, messages: list[NewMessage]) -> list[Stored]:
        await store_for_real(self, messages)
        stored_then_died.set()
        raise asyncio.CancelledError  # like a process killed mid-handler: nothing after this runs

    settings = sandbox.settings(IngestSettings)
    async with agencies["svb"].client() as client:
        with monkeypatch.context() as patch:
            patch.setattr(MongoMessageStore, "add_many", store_then_die)
            async with running(create_app(settings)):
                await client.submit(submission(message_type="aow-besluit"), reference="aow-7")
                await asyncio.wait_for(stored_then_died.wait(), 10)
        assert await db[Collections.MESSAGES].count_documents({}) == 1
        assert await take(sandbox.rabbitmq_url, Queues.ROUTER_MESSAGES.name, 1, timeout=0.5) == []
        async with running(create_app(settings)):
            receipts = await client.receipts(1)
    assert [(r.status, r.agency_reference) for r in receipts] == [(ReceiptStatus.ACCEPTED, "aow-7")]
    assert await db[Collections.MESSAGES].count_documents({}) == 1
    routed = await take(sandbox.rabbitmq_url, Queues.ROUTER_MESSAGES.name, 2, timeout=2)
    assert [e["message_ids"] for e in bodies(routed)] == [[message_id_for("svb", "aow-7")]]


async def test_an_agency_cannot_learn_the_depth_of_another_agencys_receipts_queue(
    sandbox: Sandbox, agencies: dict[str, AgencyAccess]
) -> None:
    """RabbitMQ answers a passive declare of any queue with its depth, whatever the user may
    read: so the queue's name has a secret part, and the guessable name leads nowhere."""
    async with running(create_app(sandbox.settings(IngestSettings))), agencies["belastingdienst"].client() as bd:
        await bd.submit(b"{not json", reference="leaves-a-receipt-waiting")
        connection = await aio_pika.connect(agencies["rdw"].amqp_url)
        async with connection:
            channel = await connection.channel()
            with pytest.raises(aiormq.exceptions.ChannelNotFoundEntity):
                await channel.declare_queue("receipts.belastingdienst", passive=True)
        [receipt] = await bd.receipts(1)
    assert receipt.status is ReceiptStatus.REJECTED


async def test_the_sweep_announces_stored_messages_without_a_route(db: Database) -> None:
    from datetime import UTC, datetime, timedelta

    from services.ingest.repository import INDEXES
    from services.ingest.unannounced import UnannouncedSweep
    from shared.contracts.messages import MessagesAccepted, Receipt
    from shared.storage.mongo import ensure_indexes

    class Recording:
        def __init__(self) -> None:
            self.accepted: list[MessagesAccepted] = []

        async def messages_accepted(self, event: MessagesAccepted, correlation_id: str) -> None:
            self.accepted.append(event)

        async def receipts(self, agency_id: str, receipts: list[Receipt]) -> None:
            pass

    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    await ensure_indexes(db, INDEXES)
    await db[Collections.MESSAGES].insert_many(
        [{"_id": f"m-{i}", "agency_id": "uwv", "accepted_at": start + timedelta(seconds=i)} for i in range(5)]
    )
    await db[Collections.ROUTES].insert_many([{"_id": "m-1"}, {"_id": "m-3"}])
    publisher = Recording()
    sweep = UnannouncedSweep(
        MongoMessageStore(db),
        publisher,
        stale_after=timedelta(minutes=10),
        look_back=timedelta(hours=1),
        batch=2,
        clock=lambda: start + timedelta(minutes=30),
    )
    assert await sweep.run_once() == 3
    assert sorted(i for e in publisher.accepted for i in e.message_ids) == ["m-0", "m-2", "m-4"]
