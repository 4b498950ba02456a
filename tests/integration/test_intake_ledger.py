"""Property: whatever agencies send, through the real broker to the running ingest, every AMQP
submission and every batch item gets exactly one answer with a receipt id of its own, and
every accepted message is stored and announced, while another agency's good submissions
flow beside it untouched. Bounded: a few examples of a few dozen messages each."""

import asyncio
import itertools
import json
import uuid
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymongo import AsyncMongoClient

from services.ingest.main import create_app
from services.ingest.settings import IngestSettings
from shared.contracts.messages import Receipt, ReceiptStatus
from shared.messaging.topology import Queues
from shared.storage.mongo import Collections, Document
from tests.conftest import Sandbox
from tests.support.samples import attachment, submission
from tests.support.wire import AgencyAccess, bodies, running, take

EXAMPLES = itertools.count()
REFERENCES = st.sampled_from(["ref-a", "ref-b", "ref-c", "ref-d"])  # few, so batches repeat them
TEXT = st.text(alphabet="abcdefghijklmnopqrstuvwxyz ĳéëü€–\n", min_size=1, max_size=40)
BAD_TEXT = st.sampled_from(["Aanslag\u0000verborgen", "Feest 🎉", "税务", "Bel\u0007", "\r\n"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=12,
)


@st.composite
def good_item(draw: st.DrawFn) -> dict[str, Any]:
    return submission(reference=draw(REFERENCES), subject=draw(TEXT), body=draw(TEXT))


@st.composite
def bad_item(draw: st.DrawFn) -> Any:
    return draw(
        st.one_of(
            st.builds(lambda r, t: submission(reference=r, subject=t), REFERENCES, BAD_TEXT),
            st.builds(lambda r: submission(reference=r, recipient_bsn="123456789"), REFERENCES),
            st.builds(lambda r: submission(reference=r, attachments=[attachment(b"%PDF-1.7 broken")]), REFERENCES),
            st.builds(lambda: submission(paper_copy_requested="yes")),
            st.dictionaries(st.text(max_size=8), json_values, max_size=4),
            json_values,
        )
    )


@dataclass(frozen=True)
class Sent:
    body: bytes
    answers: int | None
    """How many receipts it must get; None: at least one (arbitrary JSON may look like a batch)."""
    good: bool = False


sends = st.one_of(
    st.builds(lambda item: Sent(json.dumps(item).encode(), 1, good=True), good_item()),
    st.builds(
        lambda item: Sent(json.dumps(item, default=str).encode(), 1),
        bad_item().filter(lambda i: not (isinstance(i, dict) and "submissions" in i)),
    ),
    st.builds(lambda b: Sent(b, None), st.binary(max_size=80)),
    st.builds(
        lambda items: Sent(json.dumps({"submissions": items}, default=str).encode(), len(items)),
        st.lists(st.one_of(good_item(), bad_item()), min_size=1, max_size=6),
    ),
)


@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(sends, min_size=1, max_size=20))
def test_every_submission_is_answered_once_and_nothing_is_stuck(
    sandbox: Sandbox, agencies: dict[str, AgencyAccess], batch: list[Sent]
) -> None:
    asyncio.run(_ledger(sandbox, agencies, batch, next(EXAMPLES)))


async def _ledger(sandbox: Sandbox, agencies: dict[str, AgencyAccess], sent: list[Sent], example: int) -> None:
    client: AsyncMongoClient[Document] = AsyncMongoClient(sandbox.servers.mongodb_url, tz_aware=True)
    db = client[sandbox.database_name]
    rejections_before = await db[Collections.REJECTIONS].count_documents({})
    uwv_refs = [f"uwv-{example}-{i}" for i in range(10)]
    try:
        async with (
            running(create_app(sandbox.settings(IngestSettings))),
            agencies["belastingdienst"].client() as bd,
            agencies["uwv"].client() as uwv,
        ):
            ids = [f"{example}-{i}-{uuid.uuid4().hex[:6]}" for i in range(len(sent))]
            await asyncio.gather(
                *(bd.submit(s.body, reference=i, correlation_id=i) for s, i in zip(sent, ids, strict=True)),
                *(uwv.submit(submission(message_type="jaaropgave"), reference=r) for r in uwv_refs),
            )
            uwv_receipts = await uwv.receipts(len(uwv_refs), timeout=60)
            bd_receipts = await bd.receipts_until_quiet(1.5)
            events = bodies(await take(sandbox.rabbitmq_url, Queues.ROUTER_MESSAGES.name, 10_000, timeout=1))
        announced = {i for e in events for i in e["message_ids"]}
        by_submission: dict[str | None, list[Receipt]] = {}
        for receipt in bd_receipts:
            by_submission.setdefault(receipt.correlation_id, []).append(receipt)
        for s, i in zip(sent, ids, strict=True):
            answers = by_submission.get(i, [])
            assert answers if s.answers is None else len(answers) == s.answers, (s.body[:200], answers)
            if s.good:
                assert answers[0].status in (ReceiptStatus.ACCEPTED, ReceiptStatus.DUPLICATE), answers
        assert set(by_submission) <= set(ids)
        assert len({r.receipt_id for r in bd_receipts}) == len(bd_receipts)
        accepted = [r.message_id for r in bd_receipts + uwv_receipts if r.status is ReceiptStatus.ACCEPTED]
        assert set(accepted) <= announced  # nothing stored as accepted and left unannounced
        assert await db[Collections.MESSAGES].count_documents({"_id": {"$in": accepted}}) == len(set(accepted))
        assert {r.agency_reference for r in uwv_receipts if r.status is ReceiptStatus.ACCEPTED} == set(uwv_refs)
        rejected = sum(r.status is ReceiptStatus.REJECTED for r in bd_receipts)
        assert await db[Collections.REJECTIONS].count_documents({}) - rejections_before == rejected
    finally:
        await client.close()
