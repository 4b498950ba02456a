"""Bad input from agencies through the real broker and database: every submission and every
batch item gets exactly one true answer, and one bad document never fails another."""

import asyncio
import json
import logging
import time
from typing import Any

import aio_pika
import pytest

from scripts.replay_dead_letters import replay
from services.ingest.main import create_app
from services.ingest.repository import MongoMessageStore
from services.ingest.settings import IngestSettings
from services.router.main import create_app as router_app
from services.router.settings import RouterSettings
from shared.contracts.ids import message_id_for
from shared.contracts.messages import ReceiptStatus
from shared.messaging.dead_letter import PermanentError
from shared.messaging.topology import Exchanges, Queues, RoutingKeys, dead_letter_queue
from shared.runtime.logs import JsonFormatter
from shared.storage.mongo import Collections, Database
from tests.conftest import Sandbox
from tests.support.samples import attachment, submission
from tests.support.wire import AgencyAccess, bodies, eventually, running, take


def announced_ids(events: list[dict[str, object]]) -> set[str]:
    return {str(i) for e in events for i in e["message_ids"]}  # type: ignore[attr-defined]


async def test_a_nul_character_is_rejected_and_loses_no_other_agencys_message(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]
) -> None:
    uwv_refs = [f"uwv-{i}" for i in range(60)]
    async with (
        running(create_app(sandbox.settings(IngestSettings))),
        agencies["uwv"].client() as uwv,
        agencies["belastingdienst"].client() as bd,
    ):
        sends = []
        for i, reference in enumerate(uwv_refs):
            sends.append(uwv.submit(submission(message_type="jaaropgave"), reference=reference))
            if i % 10 == 0:
                sends.append(bd.submit(submission(subject="Aanslag\u0000verborgen"), reference=f"bd-nul-{i}"))
        sends.append(bd.submit(submission(**{"sur\u0000prise": 1}), reference="bd-nul-key"))
        sends.append(bd.submit(submission(recipient_bsn="123456789"), reference="bd-\u0000-rejected"))
        await asyncio.gather(*sends)
        uwv_receipts = await uwv.receipts(len(uwv_refs))
        bd_receipts = await bd.receipts(8)
    assert sorted(r.agency_reference or "" for r in uwv_receipts) == sorted(uwv_refs)
    assert {r.status for r in uwv_receipts} == {ReceiptStatus.ACCEPTED}
    assert {r.status for r in bd_receipts} == {ReceiptStatus.REJECTED}
    by_reference = {r.agency_reference: r.reasons for r in bd_receipts}
    assert (by_reference["bd-nul-0"][0].code, by_reference["bd-nul-0"][0].field) == ("control_character", "subject")
    assert by_reference["bd-nul-key"][0].code == "control_character"
    assert "control_character" in {reason.code for reason in by_reference["bd-\u0000-rejected"]}
    assert await db[Collections.REJECTIONS].count_documents({}) == 8
    events = bodies(await take(sandbox.rabbitmq_url, Queues.ROUTER_MESSAGES.name, 100, timeout=2))
    assert announced_ids(events) == {message_id_for("uwv", r) for r in uwv_refs}
    assert await take(sandbox.rabbitmq_url, dead_letter_queue(Queues.INGEST_SUBMISSIONS).name, 1, timeout=0.3) == []


async def test_a_replayed_dead_letter_is_handled_as_the_agency_that_sent_it(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(self: MongoMessageStore, messages: object) -> object:
        raise PermanentError("database refused the message")

    settings = sandbox.settings(IngestSettings)
    async with agencies["svb"].client() as svb:
        with monkeypatch.context() as patch:
            patch.setattr(MongoMessageStore, "add_many", broken)
            async with running(create_app(settings)):
                await svb.submit(submission(message_type="aow-besluit"), reference="aow-1")
                dead = dead_letter_queue(Queues.INGEST_SUBMISSIONS).name
                await eventually(lambda: queue_depth(sandbox, dead), lambda n: n == 1)
        assert await replay(sandbox.rabbitmq_url, Queues.INGEST_SUBMISSIONS.name, 10) == 1
        async with running(create_app(settings)):
            [receipt] = await svb.receipts(1)
    assert (receipt.status, receipt.agency_reference) == (ReceiptStatus.ACCEPTED, "aow-1")
    assert await db[Collections.REJECTIONS].count_documents({}) == 0


async def test_an_agency_cannot_claim_to_be_a_replayed_dead_letter_of_another(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]
) -> None:
    connection = await aio_pika.connect(agencies["rdw"].amqp_url)
    async with running(create_app(sandbox.settings(IngestSettings))), agencies["rdw"].client() as rdw, connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(Exchanges.SUBMISSIONS.name, ensure=False)
        body = json.dumps(submission(reference="forged", message_type="aanslag")).encode()
        forged: aio_pika.abc.HeadersType = {"x-berichtenbox-sender": agencies["belastingdienst"].agency.broker_user}
        for user_id in (None, agencies["rdw"].agency.broker_user):
            await exchange.publish(
                aio_pika.Message(body, headers=forged, user_id=user_id), routing_key=RoutingKeys.SUBMISSION
            )
        [own] = await rdw.receipts(1)  # the other one, without user_id, is unauthenticated
        await eventually(lambda: db[Collections.REJECTIONS].count_documents({}), lambda n: n == 2)
    assert own.status is ReceiptStatus.REJECTED and own.reasons[0].code == "message_type_not_allowed"
    assert await db[Collections.MESSAGES].count_documents({}) == 0


async def test_a_reference_repeated_inside_a_batch_is_rejected_and_the_first_is_delivered(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]
) -> None:
    batch = {"submissions": [submission(reference="same"), submission(reference="same"), submission(reference="b")]}
    async with running(create_app(sandbox.settings(IngestSettings))), agencies["belastingdienst"].client() as bd:
        await bd.submit(batch, reference="batch-1")
        receipts = await bd.receipts(3)
    assert sorted((r.agency_reference, r.status) for r in receipts) == [
        ("b", ReceiptStatus.ACCEPTED),
        ("same", ReceiptStatus.ACCEPTED),
        ("same", ReceiptStatus.REJECTED),
    ]
    [rejected] = [r for r in receipts if r.status is ReceiptStatus.REJECTED]
    assert (rejected.reasons[0].code, rejected.reasons[0].field) == ("duplicate_reference", "submissions.1.reference")
    [event] = bodies(await take(sandbox.rabbitmq_url, Queues.ROUTER_MESSAGES.name, 2, timeout=2))
    assert set(event["message_ids"]) == {message_id_for("belastingdienst", r) for r in ("same", "b")}


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"body": "Uw aanslag 🎉"}, "unprintable_character", "body"),
        ({"subject": "税务通知"}, "unprintable_character", "subject"),
        ({"body": "Bel\u0007hier"}, "control_character", "body"),
        ({"attachments": [attachment(b"%PDF-1.7 but nothing after it")]}, "attachment_not_pdf", "attachments.0"),
    ],
)
async def test_what_a_letter_cannot_print_is_rejected_at_ingest(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess], fields: dict[str, object], code: str, field: str
) -> None:
    async with running(create_app(sandbox.settings(IngestSettings))), agencies["belastingdienst"].client() as bd:
        await bd.submit(submission(**fields), reference="unprintable")
        [receipt] = await bd.receipts(1)
    assert receipt.status is ReceiptStatus.REJECTED
    assert (receipt.reasons[0].code, (receipt.reasons[0].field or "").split(".content_base64")[0]) == (code, field)
    assert await db[Collections.MESSAGES].count_documents({}) == 0


async def test_the_same_bad_body_sent_twice_gets_two_answers_with_their_own_receipt_ids(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]
) -> None:
    async with running(create_app(sandbox.settings(IngestSettings))), agencies["uwv"].client() as uwv:
        for message_id in ("first-try", "second-try"):
            await uwv.submit(b"{not json", reference=message_id)
        receipts = await uwv.receipts(2)
    assert len({r.receipt_id for r in receipts}) == 2
    assert await db[Collections.REJECTIONS].count_documents({}) == 2


async def test_reasons_are_capped_and_a_huge_bad_submission_holds_up_no_other_agency(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]
) -> None:
    huge = json.dumps(submission(reference="huge", **{f"extra_{i}": i for i in range(300_000)})).encode()
    latencies: list[float] = []
    async with (
        running(create_app(sandbox.settings(IngestSettings))),
        agencies["belastingdienst"].client() as bd,
        agencies["uwv"].client() as uwv,
    ):
        await bd.submit(huge, reference="huge")
        for i in range(5):
            started = time.monotonic()
            await uwv.submit(submission(message_type="jaaropgave"), reference=f"beside-{i}")
            await uwv.receipts(1)
            latencies.append(time.monotonic() - started)
        [receipt] = await bd.receipts(1)
    assert len(receipt.reasons) == 51 and receipt.reasons[-1].code == "too_many_errors"
    assert len(receipt.model_dump_json()) < 20_000
    print(f"UWV receipt latency beside a {len(huge) / 1e6:.1f} MB bad submission: max {max(latencies):.3f} s")


async def queue_depth(sandbox: Sandbox, queue: str) -> int:
    return int(sandbox.management.queue(sandbox.vhost, queue).get("messages", 0))


async def test_what_an_agency_puts_in_its_correlation_and_message_id_is_never_logged(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]
) -> None:
    secret = "BSN-999993653"
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(JsonFormatter("test").format(record))

    async with (
        running(create_app(sandbox.settings(IngestSettings))),
        running(router_app(sandbox.settings(RouterSettings))),
        agencies["uwv"].client() as uwv,
    ):
        handler = Collect()
        logging.getLogger().addHandler(handler)
        try:
            for body in (submission(message_type="jaaropgave", reference="r-1"), b"{broken"):
                await uwv.submit(body, reference=secret, correlation_id=secret)
            receipts = await uwv.receipts(2)
            await eventually(lambda: db[Collections.ROUTES].count_documents({}), lambda n: n == 1)
            await asyncio.sleep(0.2)  # the router logs after it stored the route
        finally:
            logging.getLogger().removeHandler(handler)
    assert {r.correlation_id for r in receipts} == {secret}  # the agency gets its own value back
    assert any('"correlation_id"' in line for line in lines)
    assert [line for line in lines if secret in line] == []


async def test_a_submission_retried_after_a_database_failure_is_still_its_agencys(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The retry is a copy the service publishes (with its own user_id) to a wait queue: the
    sender goes along in the header only a service can vouch for."""
    store_for_real, failures = MongoMessageStore.add_many, [ConnectionError("database unreachable")]

    async def fails_once(self: MongoMessageStore, messages: Any) -> Any:
        if failures:
            raise failures.pop()
        return await store_for_real(self, messages)

    monkeypatch.setattr(MongoMessageStore, "add_many", fails_once)
    settings = sandbox.settings(IngestSettings, retry_delays=(0.3,))
    async with running(create_app(settings)), agencies["svb"].client() as svb:
        started = time.monotonic()
        await svb.submit(submission(message_type="aow-besluit"), reference="aow-retry")
        [receipt] = await svb.receipts(1)
    assert (receipt.status, receipt.agency_reference) == (ReceiptStatus.ACCEPTED, "aow-retry")
    assert time.monotonic() - started >= 0.3  # it waited before its second attempt
    assert await db[Collections.REJECTIONS].count_documents({}) == 0


async def test_a_submission_stored_before_its_attempt_failed_is_answered_accepted_with_its_own_ids(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database stored it but the answer was lost (the database died on the way back): the
    retry is the same AMQP message, so it is `accepted`, not a `duplicate` of itself, and the
    receipt correlates by what the agency sent (here its message id: it sent no correlation id)."""
    store_for_real, failures = MongoMessageStore.add_many, [ConnectionError("connection closed")]

    async def stores_then_fails_once(self: MongoMessageStore, messages: Any) -> Any:
        stored = await store_for_real(self, messages)
        if failures:
            raise failures.pop()
        return stored

    monkeypatch.setattr(MongoMessageStore, "add_many", stores_then_fails_once)
    settings = sandbox.settings(IngestSettings, retry_delays=(0.2,))
    async with running(create_app(settings)), agencies["svb"].client() as svb:
        await svb.submit(submission(message_type="aow-besluit"), reference="aow-stored-then-lost")
        [receipt] = await svb.receipts(1)
    assert (receipt.status, receipt.message_id) == (
        ReceiptStatus.ACCEPTED,
        message_id_for("svb", "aow-stored-then-lost"),
    )
    assert receipt.correlation_id == "aow-stored-then-lost"


async def test_a_fresh_resubmission_of_a_stored_but_dead_lettered_submission_announces_it(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess], monkeypatch: pytest.MonkeyPatch
) -> None:
    store_for_real = MongoMessageStore.add_many

    async def store_then_fail(self: MongoMessageStore, messages: Any) -> Any:
        await store_for_real(self, messages)
        raise PermanentError("died after storing")

    settings = sandbox.settings(IngestSettings)
    async with agencies["svb"].client() as svb:
        with monkeypatch.context() as patch:
            patch.setattr(MongoMessageStore, "add_many", store_then_fail)
            async with running(create_app(settings)):
                await svb.submit(submission(message_type="aow-besluit"), reference="aow-9")
                dead = dead_letter_queue(Queues.INGEST_SUBMISSIONS).name
                await eventually(lambda: queue_depth(sandbox, dead), lambda n: n == 1)
        assert await take(sandbox.rabbitmq_url, Queues.ROUTER_MESSAGES.name, 1, timeout=0.3) == []
        async with running(create_app(settings)):
            resent = submission(message_type="aow-besluit", reference="aow-9")
            await svb.submit(resent, reference="aow-9-resent")  # the same reference, a new AMQP message id
            [receipt] = await svb.receipts(1)
    assert receipt.status is ReceiptStatus.DUPLICATE
    [event] = bodies(await take(sandbox.rabbitmq_url, Queues.ROUTER_MESSAGES.name, 2, timeout=2))
    assert event["message_ids"] == [message_id_for("svb", "aow-9")]


async def test_a_forged_sender_header_is_not_trusted_on_a_retry_either(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess], monkeypatch: pytest.MonkeyPatch
) -> None:
    failures = [ConnectionError("database unreachable")]
    store_for_real = MongoMessageStore.add_many

    async def fails_once(self: MongoMessageStore, messages: Any) -> Any:
        if failures:
            raise failures.pop()
        return await store_for_real(self, messages)

    monkeypatch.setattr(MongoMessageStore, "add_many", fails_once)
    connection = await aio_pika.connect(agencies["rdw"].amqp_url)
    settings = sandbox.settings(IngestSettings, retry_delays=(0.2,))
    async with running(create_app(settings)), agencies["rdw"].client() as rdw, connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(Exchanges.SUBMISSIONS.name, ensure=False)
        body = json.dumps(submission(reference="forged-retry", message_type="aanslag")).encode()
        forged: aio_pika.abc.HeadersType = {"x-berichtenbox-sender": agencies["belastingdienst"].agency.broker_user}
        await exchange.publish(
            aio_pika.Message(body, headers=forged, user_id=agencies["rdw"].agency.broker_user),
            routing_key=RoutingKeys.SUBMISSION,
        )
        [own] = await rdw.receipts(1)
    assert (own.status, own.reasons[0].code) == (ReceiptStatus.REJECTED, "message_type_not_allowed")
    assert await db[Collections.MESSAGES].count_documents({}) == 0
