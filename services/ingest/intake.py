"""The intake use case: authenticate, validate, store once, announce, receipt.

Order of effects: store (status `accepted`); then at once announce the new messages of the
submission in one `MessagesAccepted` (a batch stays a batch; the publisher may carry
concurrent submissions' messages in the same event) and send the receipts; the consumer acks when both
are confirmed. Redelivered after a crash anywhere in between (or after its ack was lost), the
same AMQP message resumes with the same ids: announced again (routing is idempotent) and
answered `accepted` again under the same receipt id. Any other submission with a stored
(agency, reference) is a `duplicate`.
"""

import asyncio
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from services.ingest.checks import Codes, Rejected, Valid, check_items, parse_payload, reject
from services.ingest.publishers import IntakePublisher
from services.ingest.records import NewMessage, Rejection, Stored
from services.ingest.repository import MessageStore
from shared.contracts.agencies import Agency
from shared.contracts.ids import derived_id, message_id_for, receipt_id_for
from shared.contracts.messages import MessagesAccepted, Reason, Receipt, ReceiptStatus
from shared.storage.agencies import AgencyRegistry

CHECKED_IN_A_THREAD = 256 * 1024
"""Bytes above which a body is parsed and checked off the event loop."""


@dataclass(frozen=True)
class Envelope:
    """One AMQP message as ingest sees it."""

    body: bytes
    user_id: str | None
    message_id: str | None
    correlation_id: str | None
    redelivered: bool = False
    trace_id: str = ""
    """Ours, for logs (see `CorrelationMiddleware`): the agency's correlation id is never logged."""

    @functools.cached_property
    def digest(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @functools.cached_property
    def key(self) -> str:
        """What identifies this AMQP message: a redelivery has the same key, the same body sent
        again as a new message another."""
        return derived_id("sent", self.user_id or "", self.message_id or "", self.digest)


class SubmissionIntake:
    def __init__(
        self,
        agencies: AgencyRegistry,
        store: MessageStore,
        publisher: IntakePublisher,
        *,
        max_batch: int,
        payload_cap: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.agencies, self.store, self.publisher = agencies, store, publisher
        self.max_batch, self.payload_cap, self.clock = max_batch, payload_cap, clock

    async def handle(self, envelope: Envelope) -> list[Receipt]:
        now = self.clock()
        agency = await self._authenticate(envelope.user_id)
        if agency is None:
            detail = "no user_id property" if envelope.user_id is None else "user_id is not an active agency"
            await self._keep_rejections(envelope, None, [reject(Codes.UNAUTHENTICATED, detail, "user_id")], now)
            return []
        if len(envelope.body) > CHECKED_IN_A_THREAD:  # the event loop keeps serving the others
            rejected, valid = await asyncio.to_thread(self._check, envelope, agency, now)
        else:
            rejected, valid = self._check(envelope, agency, now)
        rejection_ids = await self._keep_rejections(envelope, agency, rejected, now)
        correlation_id = envelope.correlation_id or envelope.message_id
        receipts = [
            _receipt(
                ReceiptStatus.REJECTED, rejection_id, now, correlation_id, reference=r.reference, reasons=r.reasons
            )
            for rejection_id, r in zip(rejection_ids, rejected, strict=True)
        ]
        stored = await self.store.add_many([_new_message(agency, v, now, envelope) for v in valid])
        new = [s.message.message_id for s in stored if s.is_new(envelope.redelivered)]
        repeated = [s.message.message_id for s in stored if not s.is_new(envelope.redelivered)]
        if repeated:  # stored before but perhaps never announced (its delivery died): announce it now
            unannounced = await self.store.unrouted(repeated)
            new += [m for m in repeated if m in unannounced]
        receipts += [_stored_receipt(item, envelope, now, correlation_id) for item in stored]
        announced = [MessagesAccepted(agency_id=agency.agency_id, message_ids=new)] if new else []
        await asyncio.gather(
            *(self.publisher.messages_accepted(event, envelope.trace_id) for event in announced),
            self.publisher.receipts(agency.agency_id, receipts),  # a batch's in one AMQP message
        )
        return receipts

    async def _authenticate(self, user_id: str | None) -> Agency | None:
        agency = await self.agencies.by_broker_user(user_id) if user_id else None
        return agency if agency is not None and agency.active else None

    def _check(self, envelope: Envelope, agency: Agency, now: datetime) -> tuple[list[Rejected], list[Valid]]:
        payload = parse_payload(envelope.body, max_batch=self.max_batch)
        if isinstance(payload, Rejected):
            return [Rejected(payload.reasons, envelope.message_id)], []
        outcomes = check_items(payload, agency, now.date())
        return [o for o in outcomes if isinstance(o, Rejected)], [o for o in outcomes if isinstance(o, Valid)]

    async def _keep_rejections(
        self, envelope: Envelope, agency: Agency | None, rejected: list[Rejected], now: datetime
    ) -> list[str]:
        """Rejections are kept for audit: the reasons and the raw payload up to a cap. Their ids
        are derived from the AMQP message as well as its body: a redelivery keeps its ids, the
        same bad body sent again as a new message gets its own."""
        ids = [derived_id("rejection", envelope.key, str(i)) for i in range(len(rejected))]
        await self.store.add_rejections(
            [
                Rejection(
                    rejection_id=rejection_id,
                    agency_id=agency.agency_id if agency else None,
                    broker_user=envelope.user_id,
                    reference=r.reference,
                    reasons=r.reasons,
                    payload=envelope.body[: self.payload_cap],
                    payload_size=len(envelope.body),
                    payload_sha256=envelope.digest,
                    received_at=now,
                )
                for rejection_id, r in zip(ids, rejected, strict=True)
            ]
        )
        return ids


def _new_message(agency: Agency, valid: Valid, now: datetime, envelope: Envelope) -> NewMessage:
    return NewMessage(
        message_id=message_id_for(agency.agency_id, valid.reference),
        agency_id=agency.agency_id,
        reference=valid.reference,
        submission=valid.submission,
        accepted_at=now,
        correlation_id=envelope.correlation_id or envelope.message_id,
        trace_id=envelope.trace_id,
    )


def _stored_receipt(item: Stored, envelope: Envelope, now: datetime, correlation_id: str | None) -> Receipt:
    """`accepted` once per message (a redelivery resumes under the same id); `duplicate` once
    per AMQP message that repeats it."""
    message_id, reference = item.message.message_id, item.message.reference
    if item.is_new(envelope.redelivered):
        return _receipt(
            ReceiptStatus.ACCEPTED, message_id, now, correlation_id, reference=reference, message_id=message_id
        )
    key = derived_id(message_id, envelope.key)
    return _receipt(ReceiptStatus.DUPLICATE, key, now, correlation_id, reference=reference, original=message_id)


def _receipt(
    status: ReceiptStatus,
    key: str,
    now: datetime,
    correlation_id: str | None,
    *,
    reference: str | None,
    message_id: str | None = None,
    original: str | None = None,
    reasons: tuple[Reason, ...] = (),
) -> Receipt:
    return Receipt(
        receipt_id=receipt_id_for(key, status.value),
        status=status,
        agency_reference=reference,
        message_id=message_id,
        original_message_id=original,
        reasons=list(reasons),
        issued_at=now,
        correlation_id=correlation_id,
    )
