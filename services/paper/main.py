"""paper: turns `PrintLetter` (and `PrintRecoveryLetter`) into a PDF/A print-mail letter in the spool and collects the
letters into print batches with manifests a print street can reconcile.

Run: faststream run --factory services.paper.main:create_app
"""

import asyncio
import logging

from faststream import FastStream

from services.paper import handlers, repository
from services.paper.batching import BatchCloser
from services.paper.printing import LetterPrinter
from services.paper.publishers import BrokerPaperPublisher
from services.paper.recovery import RecoveryLetterPrinter
from services.paper.render_pool import RenderPool
from services.paper.repository import MongoLetterStore, MongoPrintSources
from services.paper.settings import PaperSettings
from services.paper.spool import Spool
from shared.runtime.periodic import Periodic
from shared.runtime.service import create_service_app, wire
from shared.storage.agencies import CachedAgencyRegistry, MongoAgencyRegistry

logger = logging.getLogger(__name__)

STAGED_LETTERS_KEPT_SECONDS = 3600.0
"""A staged letter is committed within seconds; one an hour old was left by a crash."""


def create_app(settings: PaperSettings | None = None) -> FastStream:
    settings = settings or PaperSettings()
    wiring = wire(settings)
    spool = Spool(settings.spool_dir, settings.gather_seconds)
    letters = MongoLetterStore(wiring.db, settings.gather_seconds)
    pool = RenderPool(settings.render_processes, settings.service_name, settings.log_level)
    sources, agencies = (
        MongoPrintSources(wiring.db, settings.gather_seconds),
        CachedAgencyRegistry(MongoAgencyRegistry(wiring.db)),
    )
    printer = LetterPrinter(sources, agencies, letters, spool, pool.render, BrokerPaperPublisher(wiring.broker))
    recovery = RecoveryLetterPrinter(
        sources, agencies, letters, spool, pool.render, settings.letterhead, settings.box_login_url
    )
    paper_handlers = handlers.PaperHandlers(printer, recovery, wiring.metrics)
    handlers.subscribe(wiring.broker, paper_handlers, settings.prefetch_count)
    batches = BatchCloser(letters, spool, size=settings.batch_size, max_age_seconds=settings.batch_max_age_seconds)

    async def close_batches() -> None:
        for batch_id in await batches.close_due():
            logger.info("print batch %s closed", batch_id)

    async def sweep_staged() -> None:
        if swept := await asyncio.to_thread(spool.sweep_staged, STAGED_LETTERS_KEPT_SECONDS):
            wiring.metrics.swept.labels("staged-letters").inc(swept)
            logger.warning("removed %d staged letters that a crash left behind", swept)

    # the staged sweep runs once before the first letter, then every quarter of the age it removes
    periodic = [
        Periodic("print batches", close_batches, settings.batch_check_seconds),
        Periodic("staged letters sweep", sweep_staged, STAGED_LETTERS_KEPT_SECONDS / 4),
    ]

    async def start() -> None:
        await pool.start()
        await sweep_staged()  # before the first letter is written
        for job in periodic:
            job.start()

    async def stop() -> None:
        for job in periodic:
            await job.stop()
        pool.stop()

    return create_service_app(
        wiring,
        description="Renders print-mail letters and builds print batches.",
        indexes=repository.INDEXES,
        before_consuming=start,
        before_close=stop,
    )
