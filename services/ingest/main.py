"""ingest: the front door. Agencies publish to the submissions exchange; every submission is
authenticated by its broker user, validated, stored once, announced to the router and receipted.

Run: faststream run --factory services.ingest.main:create_app
"""

from faststream import FastStream

from services.ingest.admission import ByteBudget
from services.ingest.announcements import GroupedAnnouncements
from services.ingest.intake import Envelope, SubmissionIntake
from services.ingest.repository import MongoMessageStore
from services.ingest.settings import IngestSettings
from shared.contracts.ids import derived_id
from shared.contracts.messages import MessagesAccepted, Receipt, ReceiptStatus
from shared.messaging.broker import consumer, declare_receipt_queues, delivery, persistent_publisher
from shared.messaging.receipts import ReceiptPublisher
from shared.messaging.topology import Exchanges, Queues, RoutingKeys
from shared.runtime.service import create_service_app, wire
from shared.storage.agencies import CachedAgencyRegistry, MongoAgencyRegistry


def create_app(settings: IngestSettings | None = None) -> FastStream:
    settings = settings or IngestSettings()
    wiring = wire(settings)
    broker, db, metrics = wiring.broker, wiring.db, wiring.metrics
    registry = MongoAgencyRegistry(db)
    accepted = persistent_publisher(
        broker, Exchanges.EVENTS, RoutingKeys.MESSAGES_ACCEPTED, MessagesAccepted, "A submission was stored."
    )
    receipts = ReceiptPublisher(broker, "Receipts of a submission")

    async def announce(event: MessagesAccepted, correlation_id: str) -> None:
        event_id = derived_id("messages-accepted", *event.message_ids)
        await accepted.publish(event, message_id=event_id, correlation_id=correlation_id)

    announcements = GroupedAnnouncements(announce)

    class Outbox:
        async def messages_accepted(self, event: MessagesAccepted, correlation_id: str) -> None:
            await announcements.messages_accepted(event, correlation_id)

        async def receipts(self, agency_id: str, receipts_: list[Receipt]) -> None:
            await receipts.send(agency_id, receipts_)

    intake = SubmissionIntake(
        CachedAgencyRegistry(registry),
        MongoMessageStore(db),
        Outbox(),
        max_batch=settings.max_batch_size,
        payload_cap=settings.rejected_payload_cap,
    )

    budget = ByteBudget(settings.submission_bytes_in_work)

    @consumer(broker, Queues.INGEST_SUBMISSIONS, raw=True, prefetch=settings.submission_prefetch_count)
    async def on_submission(body: bytes) -> None:
        """Agency submissions: one JSON object, or {"submissions": [...]} of up to 1,000."""
        raw = delivery(broker).raw_message
        async with budget.admit(len(body)):
            receipts = await intake.handle(
                Envelope(body, raw.user_id, raw.message_id, raw.correlation_id, bool(raw.redelivered))
            )
        count(receipts, raw.user_id)

    def count(receipts: list[Receipt], broker_user: str | None) -> None:
        if not receipts:  # only an unauthenticated sender gets no receipt
            metrics.rejected.labels("unauthenticated").inc()
        for receipt in receipts:
            if receipt.status is ReceiptStatus.REJECTED:
                metrics.rejected.labels(receipt.reasons[0].code).inc()
            else:
                counter = metrics.accepted if receipt.status is ReceiptStatus.ACCEPTED else metrics.duplicates
                counter.labels(broker_user or "").inc()

    async def declare_agency_receipt_queues() -> None:
        await declare_receipt_queues(broker, [agency.agency_id for agency in await registry.all()])

    return create_service_app(
        wiring,
        description="Accepts agency submissions and answers with receipts.",
        after_connect=declare_agency_receipt_queues,
    )
