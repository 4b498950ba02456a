"""paper: turns `PrintLetter` into a PDF/A print-mail letter in the spool and collects the
letters into print batches with manifests a print street can reconcile.

Rendering is CPU-bound: it runs in a process pool sized by `BERICHTENBOX_RENDER_PROCESSES`,
so the consumer's event loop stays responsive.

Run: faststream run --factory services.paper.main:create_app
"""

import asyncio
import logging
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from faststream import FastStream
from pydantic import Field

from services.paper.batching import BatchCloser
from services.paper.letters import MongoLetterStore
from services.paper.printing import ACCOUNT_FIELDS, MESSAGE_FIELDS, LetterPrinter
from services.paper.render import LetterContent, RenderedFile, render_letter_into, warm_up
from services.paper.spool import Spool
from shared.contracts.messages import PrintLetter, Receipt
from shared.messaging.broker import consumer, persistent_publisher
from shared.messaging.topology import Exchanges, Queues
from shared.runtime.logs import correlation_id
from shared.runtime.periodic import Periodic
from shared.runtime.service import create_service_app, wire
from shared.runtime.settings import ServiceSettings
from shared.sources import MongoMessageSources
from shared.storage.agencies import CachedAgencyRegistry, MongoAgencyRegistry

logger = logging.getLogger(__name__)

STAGED_LETTERS_KEPT_SECONDS = 3600.0
"""A staged letter is committed within seconds; one an hour old was left by a crash."""


class PaperSettings(ServiceSettings):
    service_name: str = "paper"
    spool_dir: Path = Path("var/spool")
    render_processes: int = Field(default=1, ge=1)
    batch_size: int = Field(default=500, ge=1)
    batch_max_age_seconds: float = Field(default=300.0, gt=0)
    batch_check_seconds: float = Field(default=5.0, gt=0)
    gather_seconds: float = Field(
        default=0.05,
        ge=0,
        description="How long a letter's look-ups, fsync and record wait for other letters to go with. "
        "Letters arrive at the render's pace, one at a time: without it every letter costs its own "
        "database round trips and thread hop. Print mail is not urgent.",
    )


def create_app(settings: PaperSettings | None = None) -> FastStream:
    settings = settings or PaperSettings()
    wiring = wire(settings)
    broker, db, metrics = wiring.broker, wiring.db, wiring.metrics
    spool, letters = Spool(settings.spool_dir), MongoLetterStore(db, settings.gather_seconds)
    batches = BatchCloser(letters, spool, size=settings.batch_size, max_age_seconds=settings.batch_max_age_seconds)
    receipts = persistent_publisher(broker, Exchanges.RECEIPTS, "", Receipt, "Undeliverable letter (key: agency id).")
    pool: list[ProcessPoolExecutor] = []

    async def render(content: LetterContent, attachments: list[bytes], path: str) -> RenderedFile:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool[0], render_letter_into, content, attachments, path)

    async def send_receipt(agency_id: str, receipt: Receipt, correlation_id: str) -> None:
        await receipts.publish(
            receipt, routing_key=agency_id, message_id=receipt.receipt_id, correlation_id=correlation_id
        )

    printer = LetterPrinter(
        MongoMessageSources(
            db, message_fields=MESSAGE_FIELDS, account_fields=ACCOUNT_FIELDS, gather_seconds=settings.gather_seconds
        ),
        CachedAgencyRegistry(MongoAgencyRegistry(db)),
        letters,
        spool,
        render,
        send_receipt,
        gather_seconds=settings.gather_seconds,
    )

    @consumer(broker, Queues.PAPER_COMMANDS)
    async def on_print_letter(command: PrintLetter) -> None:
        """Render the letter into the spool, or mark it undeliverable and tell the agency."""
        status = await printer.print(command, correlation_id.get() or "")
        metrics.letters.labels(status).inc()
        logger.info("letter %s for message %s: %s", command.letter_id, command.message_id, status)

    async def close_batches() -> None:
        for batch_id in await batches.close_due():
            logger.info("print batch %s closed", batch_id)

    batcher = Periodic("print batches", close_batches, settings.batch_check_seconds)

    async def start() -> None:
        # spawn, not fork: a forked child of a process with threads (pymongo's) can deadlock
        pool.append(ProcessPoolExecutor(max_workers=settings.render_processes, mp_context=get_context("spawn")))
        # render processes started and typst's fonts loaded before the first letter comes in (a letter
        # delivered before would fail and wait out a retry)
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(pool[0], warm_up) for _ in range(settings.render_processes)))
        if swept := await asyncio.to_thread(spool.sweep_staged, STAGED_LETTERS_KEPT_SECONDS):
            logger.warning("removed %d staged letters that a crash left behind", swept)
        batcher.start()

    async def stop() -> None:
        await batcher.stop()
        for executor in pool:
            executor.shutdown(wait=True, cancel_futures=True)

    return create_service_app(
        wiring,
        description="Renders print-mail letters and builds print batches.",
        before_consuming=start,
        before_close=stop,
    )
