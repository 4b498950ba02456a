"""The intake use case with in-memory fakes: order of effects, idempotency, audit."""

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from services.ingest.checks import Codes
from services.ingest.intake import Envelope, SubmissionIntake
from shared.contracts.ids import message_id_for
from shared.contracts.messages import MessagesAccepted, Receipt, ReceiptStatus
from tests.fakes.agencies import InMemoryAgencyRegistry
from tests.fakes.ingest import InMemoryMessageStore
from tests.support.samples import AGENCIES, BELASTINGDIENST, submission

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


class RecordingPublisher:
    def __init__(self) -> None:
        self.accepted: list[MessagesAccepted] = []
        self.received: list[tuple[str, Receipt]] = []
        self.sent: list[int] = []
        """receipts per call: a submission's go out at once"""

    async def messages_accepted(self, event: MessagesAccepted, correlation_id: str) -> None:
        self.accepted.append(event)

    async def receipts(self, agency_id: str, receipts: list[Receipt]) -> None:
        self.sent.append(len(receipts))
        self.received.extend((agency_id, r) for r in receipts)


def intake(store: InMemoryMessageStore | None = None, outbox: RecordingPublisher | None = None) -> SubmissionIntake:
    return SubmissionIntake(
        InMemoryAgencyRegistry(list(AGENCIES.values())),
        store or InMemoryMessageStore(),
        outbox or RecordingPublisher(),
        max_batch=1000,
        payload_cap=64,
        clock=lambda: NOW,
    )


def envelope(body: Any, user: str | None = BELASTINGDIENST.broker_user, reference: str | None = "ref-1") -> Envelope:
    if isinstance(body, dict) and "submissions" not in body and reference is not None:
        body = {"reference": reference, **body}  # as tools/agency_client.py puts it
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Envelope(raw, user, reference, "corr-1")


async def test_accepts_stores_announces_and_receipts() -> None:
    store, outbox = InMemoryMessageStore(), RecordingPublisher()
    receipts = await intake(store, outbox).handle(envelope(submission()))
    message_id = message_id_for("belastingdienst", "ref-1")
    assert [r.status for r in receipts] == [ReceiptStatus.ACCEPTED]
    assert receipts[0].message_id == message_id
    assert receipts[0].correlation_id == "corr-1"  # names its submission: receipts of several may travel together
    assert outbox.accepted == [MessagesAccepted(agency_id="belastingdienst", message_ids=[message_id])]
    assert store.messages[message_id].accepted_at == NOW


async def test_a_repeat_is_a_duplicate_pointing_at_the_original_and_not_announced() -> None:
    store, outbox = InMemoryMessageStore(), RecordingPublisher()
    service = intake(store, outbox)
    await service.handle(envelope(submission()))
    store.routed.update(store.messages)  # the router took it
    repeat = await service.handle(envelope(submission(subject="changed")))
    assert [r.status for r in repeat] == [ReceiptStatus.DUPLICATE]
    assert repeat[0].original_message_id == message_id_for("belastingdienst", "ref-1")
    assert len(outbox.accepted) == 1 and len(store.messages) == 1


async def test_redelivery_after_a_crash_before_the_receipt_resumes_with_the_same_ids() -> None:
    store, first, second = InMemoryMessageStore(), RecordingPublisher(), RecordingPublisher()
    await intake(store, first).handle(envelope(submission()))  # then crashed before its ack
    receipts = await intake(store, second).handle(replace(envelope(submission()), redelivered=True))
    assert [r.status for r in receipts] == [ReceiptStatus.ACCEPTED]
    assert second.accepted == first.accepted
    assert [r for _, r in second.received] == [r for _, r in first.received]
    assert len(store.messages) == 1


class BrokerDownOnAnnounce(RecordingPublisher):
    async def messages_accepted(self, event: MessagesAccepted, correlation_id: str) -> None:
        raise ConnectionError("broker connection lost")


async def test_a_redelivery_after_a_lost_announcement_announces_after_all() -> None:
    store, broken, second = InMemoryMessageStore(), BrokerDownOnAnnounce(), RecordingPublisher()
    with pytest.raises(ConnectionError):  # the receipt may have gone out; the announcement did not
        await intake(store, broken).handle(envelope(submission()))
    receipts = await intake(store, second).handle(replace(envelope(submission()), redelivered=True))
    assert [r.status for r in receipts] == [ReceiptStatus.ACCEPTED]  # the same receipt id again
    assert [r for _, r in second.received] == [r for _, r in broken.received]
    assert len(second.accepted) == 1  # announced after all


async def test_a_new_submission_while_the_original_is_in_flight_is_a_duplicate() -> None:
    store, outbox = InMemoryMessageStore(), RecordingPublisher()
    await intake(store, outbox).handle(envelope(submission()))
    receipts = await intake(store, outbox).handle(envelope(submission()))
    assert [r.status for r in receipts] == [ReceiptStatus.DUPLICATE]
    # not routed yet, so announced again (the router routes a message once): never a new message
    assert {tuple(e.message_ids) for e in outbox.accepted} == {(message_id_for("belastingdienst", "ref-1"),)}


async def test_a_redelivered_message_that_is_not_the_stored_one_is_a_duplicate() -> None:
    store, outbox = InMemoryMessageStore(), RecordingPublisher()
    await intake(store, outbox).handle(envelope(submission()))
    store.routed.update(store.messages)
    other_content = replace(envelope(submission(subject="changed")), redelivered=True)
    other_message = Envelope(envelope(submission()).body, BELASTINGDIENST.broker_user, "ref-1", "corr-2", True)
    for redelivered in (other_content, other_message):
        receipts = await intake(store, outbox).handle(redelivered)
        assert [r.status for r in receipts] == [ReceiptStatus.DUPLICATE]
    assert len(outbox.accepted) == 1


async def test_unknown_sender_is_kept_for_audit_without_a_receipt() -> None:
    store, outbox = InMemoryMessageStore(), RecordingPublisher()
    receipts = await intake(store, outbox).handle(envelope(submission(), user="someone-else"))
    assert receipts == [] and outbox.received == [] and store.messages == {}
    [rejection] = store.rejections
    assert rejection.reasons[0].code == Codes.UNAUTHENTICATED
    assert rejection.broker_user == "someone-else"


async def test_missing_user_id_is_unauthenticated() -> None:
    store = InMemoryMessageStore()
    await intake(store).handle(envelope(submission(), user=None))
    assert store.rejections[0].reasons[0].detail == "no user_id property"


async def test_rejection_keeps_a_capped_payload_and_answers_the_agency() -> None:
    store, outbox = InMemoryMessageStore(), RecordingPublisher()
    body = submission(recipient_bsn="123456789", body="x" * 500)
    receipts = await intake(store, outbox).handle(envelope(body))
    assert [(r.status, r.reasons[0].code) for r in receipts] == [(ReceiptStatus.REJECTED, Codes.INVALID_BSN)]
    assert outbox.received[0][0] == "belastingdienst"
    [rejection] = store.rejections
    assert len(rejection.payload) == 64 and rejection.payload_size > 500


async def test_a_rejected_message_delivered_twice_is_kept_once() -> None:
    store = InMemoryMessageStore()
    service = intake(store)
    await service.handle(envelope(b"not json"))
    await service.handle(envelope(b"not json"))
    assert len(store.rejections) == 1


async def test_batch_with_valid_invalid_and_repeated_entries() -> None:
    store, outbox = InMemoryMessageStore(), RecordingPublisher()
    batch = {
        "submissions": [
            submission(reference="a"),
            submission(reference="b", recipient_bsn="000000001"),
            submission(reference="c"),
            submission(recipient_bsn="111222333"),  # no reference: a batch needs one per entry
        ]
    }
    receipts = await intake(store, outbox).handle(envelope(batch, reference="batch-1"))
    outcome = {(r.agency_reference, r.status) for r in receipts}
    assert outcome == {
        ("a", ReceiptStatus.ACCEPTED),
        ("c", ReceiptStatus.ACCEPTED),
        ("b", ReceiptStatus.REJECTED),
        (None, ReceiptStatus.REJECTED),
    }
    assert len(store.messages) == 2 and len(store.rejections) == 2
    assert outbox.sent == [4]  # the batch's receipts at once
    [announced] = outbox.accepted  # the batch stays a batch: one event for its accepted messages
    assert announced.message_ids == [message_id_for("belastingdienst", r) for r in ("a", "c")]


async def test_each_repeat_gets_a_duplicate_receipt_of_its_own_and_a_redelivery_the_same_one() -> None:
    service = intake()
    await service.handle(envelope(submission()))
    first, second = (replace(envelope(submission()), message_id=m, correlation_id=m) for m in ("again-1", "again-2"))
    [a], [b] = await service.handle(first), await service.handle(second)
    [a_again] = await service.handle(replace(first, redelivered=True))
    assert a.status is b.status is ReceiptStatus.DUPLICATE
    assert a.receipt_id != b.receipt_id and a_again.receipt_id == a.receipt_id


async def test_a_resubmission_of_a_stored_message_that_was_never_routed_announces_it() -> None:
    store, first, second = InMemoryMessageStore(), BrokerDownOnAnnounce(), RecordingPublisher()
    with pytest.raises(ConnectionError):  # stored, never announced; its delivery then dead-lettered
        await intake(store, first).handle(envelope(submission()))
    receipts = await intake(store, second).handle(replace(envelope(submission()), message_id="resent"))
    assert [r.status for r in receipts] == [ReceiptStatus.DUPLICATE]  # the agency's answer stays true
    assert second.accepted == [
        MessagesAccepted(agency_id="belastingdienst", message_ids=[message_id_for("belastingdienst", "ref-1")])
    ]
    store.routed.add(message_id_for("belastingdienst", "ref-1"))
    third = RecordingPublisher()
    await intake(store, third).handle(replace(envelope(submission()), message_id="resent-again"))
    assert third.accepted == []  # routed by now: nothing to announce
