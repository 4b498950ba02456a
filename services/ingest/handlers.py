"""ingest's subscriber: parse the AMQP envelope, admit it by size, call the intake use case,
count what it answered."""

from faststream.rabbit import RabbitBroker

from services.ingest.admission import ByteBudget
from services.ingest.intake import Envelope, SubmissionIntake
from services.ingest.senders import sender_of
from services.ingest.settings import IngestSettings
from shared.contracts.messages import Receipt, ReceiptStatus
from shared.messaging.broker import consumer, delivery
from shared.messaging.topology import Queues
from shared.runtime.logs import correlation_id
from shared.runtime.metrics import Metrics


class IngestHandlers:
    def __init__(
        self, broker: RabbitBroker, intake: SubmissionIntake, budget: ByteBudget, metrics: Metrics, service_user: str
    ) -> None:
        self.broker, self.intake, self.budget, self.metrics = broker, intake, budget, metrics
        self.service_user = service_user

    async def on_submission(self, body: bytes) -> None:
        """Agency submissions: one JSON object, or {"submissions": [...]} of up to 1,000."""
        raw = delivery(self.broker).raw_message
        sender = sender_of(raw.user_id, raw.headers, self.service_user)
        redelivered = bool(raw.redelivered) or sender.replayed
        trace_id = correlation_id.get() or ""
        envelope = Envelope(body, sender.broker_user, raw.message_id, raw.correlation_id, redelivered, trace_id)
        async with self.budget.admit(len(body)):
            receipts = await self.intake.handle(envelope)
        self._count(receipts, sender.broker_user)

    def _count(self, receipts: list[Receipt], broker_user: str | None) -> None:
        if not receipts:  # only an unauthenticated sender gets no receipt
            self.metrics.rejected.labels("unauthenticated").inc()
        for receipt in receipts:
            if receipt.status is ReceiptStatus.REJECTED:
                self.metrics.rejected.labels(receipt.reasons[0].code).inc()
            else:
                counter = self.metrics.accepted if receipt.status is ReceiptStatus.ACCEPTED else self.metrics.duplicates
                counter.labels(broker_user or "").inc()


def subscribe(broker: RabbitBroker, handlers: IngestHandlers, settings: IngestSettings) -> None:
    consumer(broker, Queues.INGEST_SUBMISSIONS, raw=True, prefetch=settings.submission_prefetch_count)(
        handlers.on_submission
    )
