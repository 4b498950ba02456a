"""ingest: the front door. Agencies publish to the submissions exchange; every submission is
authenticated by its broker user, validated, stored once, announced to the router and receipted.

Run: faststream run --factory services.ingest.main:create_app
"""

from datetime import timedelta

from faststream import FastStream

from services.ingest import handlers, repository
from services.ingest.admission import ByteBudget
from services.ingest.intake import SubmissionIntake
from services.ingest.publishers import BrokerIntakePublisher
from services.ingest.repository import MongoMessageStore
from services.ingest.settings import IngestSettings
from services.ingest.unannounced import UnannouncedSweep
from shared.messaging.broker import declare_receipt_queues
from shared.runtime.periodic import Periodic
from shared.runtime.service import create_service_app, wire
from shared.storage.agencies import CachedAgencyRegistry, MongoAgencyRegistry


def create_app(settings: IngestSettings | None = None) -> FastStream:
    settings = settings or IngestSettings()
    wiring = wire(settings, trusted_correlation=False)
    registry = MongoAgencyRegistry(wiring.db)
    store, publisher = MongoMessageStore(wiring.db), BrokerIntakePublisher(wiring.broker)
    intake = SubmissionIntake(
        CachedAgencyRegistry(registry),
        store,
        publisher,
        max_batch=settings.max_batch_size,
        payload_cap=settings.rejected_payload_cap,
    )
    budget = ByteBudget(settings.submission_bytes_in_work)
    service_user = settings.broker_user
    subscribers = handlers.IngestHandlers(wiring.broker, intake, budget, wiring.metrics, service_user)
    handlers.subscribe(wiring.broker, subscribers, settings)

    unannounced = UnannouncedSweep(
        store,
        publisher,
        stale_after=timedelta(seconds=settings.unannounced_after_seconds),
        look_back=timedelta(seconds=settings.unannounced_look_back_seconds),
    )

    async def announce_unrouted() -> None:
        if found := await unannounced.run_once():
            wiring.metrics.swept.labels("unannounced-messages").inc(found)

    sweeper = Periodic("unannounced messages sweep", announce_unrouted, settings.unannounced_sweep_seconds)

    async def start() -> None:
        await declare_receipt_queues(wiring.broker, await registry.all())
        sweeper.start()

    return create_service_app(
        wiring,
        description="Accepts agency submissions and answers with receipts.",
        indexes=repository.INDEXES,
        after_connect=start,
        before_close=sweeper.stop,
    )
