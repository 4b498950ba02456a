"""Messages stored but never routed (their delivery died between storing and announcing) are
announced again by a sweep, once; routed ones and fresh ones are left alone."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from services.ingest.intake import Envelope, SubmissionIntake
from services.ingest.unannounced import UnannouncedSweep
from shared.contracts.ids import message_id_for
from shared.contracts.messages import MessagesAccepted, Receipt
from tests.fakes.agencies import InMemoryAgencyRegistry
from tests.fakes.ingest import InMemoryMessageStore
from tests.support.samples import AGENCIES, BELASTINGDIENST, submission

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class Publisher:
    def __init__(self, down: bool = False) -> None:
        self.down = down
        self.accepted: list[MessagesAccepted] = []

    async def messages_accepted(self, event: MessagesAccepted, correlation_id: str) -> None:
        if self.down:
            raise ConnectionError("broker connection lost")
        self.accepted.append(event)

    async def receipts(self, agency_id: str, receipts: list[Receipt]) -> None:
        pass


async def store(messages: InMemoryMessageStore, reference: str, at: datetime, announce: bool) -> None:
    intake = SubmissionIntake(
        InMemoryAgencyRegistry(list(AGENCIES.values())),
        messages,
        Publisher(down=not announce),
        max_batch=1000,
        payload_cap=64,
        clock=lambda: at,
    )
    body = json.dumps(submission(reference=reference)).encode()
    envelope = Envelope(body, BELASTINGDIENST.broker_user, reference, None)
    if announce:
        await intake.handle(envelope)
    else:
        with pytest.raises(ConnectionError):  # stored, then the announcement failed for good
            await intake.handle(envelope)


async def test_a_stored_message_never_routed_is_announced_again_once() -> None:
    messages, clock = InMemoryMessageStore(), [START]
    publisher = Publisher()
    sweep = UnannouncedSweep(
        messages,
        publisher,
        stale_after=timedelta(minutes=10),
        look_back=timedelta(hours=1),
        batch=2,
        clock=lambda: clock[0],
    )
    for i, (reference, announced) in enumerate((("lost-1", False), ("routed", True), ("lost-2", False))):
        await store(messages, reference, START + timedelta(seconds=i), announced)
    messages.routed.add(message_id_for("belastingdienst", "routed"))
    await store(messages, "fresh", START + timedelta(minutes=9), False)
    clock[0] = START + timedelta(minutes=15)
    assert await sweep.run_once() == 2
    assert await sweep.run_once() == 0
    assert [set(e.message_ids) for e in publisher.accepted] == [
        {message_id_for("belastingdienst", "lost-1")},
        {message_id_for("belastingdienst", "lost-2")},
    ]
