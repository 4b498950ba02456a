"""paper against real RabbitMQ and FerretDB: letters in the spool exactly once, undeliverable
addresses answered with a receipt, and print batches whose manifests match the spool."""

import csv
import hashlib
import io
import json
import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from faststream.rabbit import RabbitBroker

from services.paper.batching import BatchCloser
from services.paper.main import create_app
from services.paper.printing import LetterPrinter
from services.paper.render import LetterContent, RenderedFile, render_letter_into
from services.paper.repository import MongoLetterStore, MongoPrintSources
from services.paper.settings import PaperSettings
from services.paper.spool import Spool
from shared.contracts.ids import derived_id
from shared.contracts.messages import PrintLetter, ReceiptStatus
from shared.messaging.topology import Exchanges, RoutingKeys
from shared.storage.agencies import MongoAgencyRegistry
from shared.storage.mongo import Collections, Database, Document
from tests.conftest import Sandbox
from tests.fakes.paper import RecordingPaperPublisher
from tests.support.wire import AgencyAccess, eventually, running
from tools.population import population

ACCOUNTS = [a for a in population(100, seed=9) if a["state"] == "activated"]
ACCEPTED_AT = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)


async def stored_message(db: Database, account: Document, n: int, agency_id: str = "uwv") -> str:
    await db[Collections.ACCOUNTS].update_one({"_id": account["_id"]}, {"$setOnInsert": account}, upsert=True)
    message_id = derived_id("test-message", str(n))
    await db[Collections.MESSAGES].insert_one(
        {
            "_id": message_id,
            "agency_id": agency_id,
            "agency_reference": f"UWV-{n}",
            "recipient_bsn": account["bsn"],
            "message_type": "jaaropgave",
            "subject": "Uw jaaropgave 2025",
            "body": "Geachte heer, mevrouw,\n\nIn deze brief vindt u uw jaaropgave.",
            "call_to_action": None,
            "attachments": [],
            "accepted_at": ACCEPTED_AT,
        }
    )
    return message_id


def command(message_id: str, account: Document = ACCOUNTS[0]) -> PrintLetter:
    return PrintLetter(letter_id=derived_id("letter", message_id), message_id=message_id, account_id=account["_id"])


async def test_a_repeated_print_letter_makes_one_letter(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess], tmp_path: Path
) -> None:
    message_id = await stored_message(db, ACCOUNTS[0], 1)
    app = create_app(sandbox.settings(PaperSettings, spool_dir=tmp_path))
    [broker] = app.brokers
    assert isinstance(broker, RabbitBroker)
    async with running(app):
        for _ in range(3):
            await broker.publish(
                command(message_id), exchange=Exchanges.COMMANDS, routing_key=RoutingKeys.PRINT_LETTER, persist=True
            )
        letters = await eventually(lambda: db[Collections.LETTERS].find({}).to_list(), lambda found: len(found) == 1)
    [letter] = letters
    assert letter["status"] == "rendered"
    files = sorted(p.name for p in (tmp_path / "letters").iterdir())
    assert files == [f"{command(message_id).letter_id}.pdf"]
    assert hashlib.sha256((tmp_path / letter["file"]).read_bytes()).hexdigest() == letter["sha256"]
    assert (letter["pages"], letter["sheets"], letter["postage"]) == (1, 1, "standaard")


class KeptRecords(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def test_letters_waiting_when_paper_starts_are_rendered_at_the_first_attempt(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess], tmp_path: Path
) -> None:
    """The render processes start before the consumer does (a letter delivered before used to fail and be retried)."""
    message_ids = [await stored_message(db, ACCOUNTS[0], n) for n in range(30, 34)]
    async with running(create_app(sandbox.settings(PaperSettings, spool_dir=tmp_path))):
        pass  # its queues exist
    async with RabbitBroker(sandbox.rabbitmq_url) as publisher:
        for message_id in message_ids:
            await publisher.publish(
                command(message_id), exchange=Exchanges.COMMANDS, routing_key=RoutingKeys.PRINT_LETTER, persist=True
            )
    failures, failures_logger = KeptRecords(), logging.getLogger("shared.messaging.dead_letter")
    failures_logger.addHandler(failures)
    try:
        async with running(create_app(sandbox.settings(PaperSettings, spool_dir=tmp_path))):
            letters = await eventually(
                lambda: db[Collections.LETTERS].find({}).to_list(), lambda found: len(found) == len(message_ids)
            )
    finally:
        failures_logger.removeHandler(failures)
    assert {letter["status"] for letter in letters} == {"rendered"}
    assert [r.getMessage() for r in failures.records] == []


async def test_paper_sweeps_the_staged_letters_a_crash_left_behind_when_it_starts(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    left_behind = Spool(tmp_path).staging_path("crashed")
    left_behind.write_bytes(b"%PDF-1.7")
    os.utime(left_behind, (0, 0))
    async with running(create_app(sandbox.settings(PaperSettings, spool_dir=tmp_path))):
        assert not left_behind.exists()


async def test_an_unprintable_address_is_undeliverable_and_the_agency_is_told(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess], tmp_path: Path
) -> None:
    account = {**ACCOUNTS[1], "address_lines": ["Kerkstraat 1", "3511AB Utrecht"]}
    message_id = await stored_message(db, account, 2)
    app = create_app(sandbox.settings(PaperSettings, spool_dir=tmp_path))
    [broker] = app.brokers
    assert isinstance(broker, RabbitBroker)
    async with running(app), agencies["uwv"].client() as uwv:
        await broker.publish(
            command(message_id, account),
            exchange=Exchanges.COMMANDS,
            routing_key=RoutingKeys.PRINT_LETTER,
            persist=True,
        )
        [receipt] = await uwv.receipts(1)
    assert (receipt.status, receipt.message_id, receipt.reasons[0].code) == (
        ReceiptStatus.UNDELIVERABLE,
        message_id,
        "address_unprintable",
    )
    letter = await db[Collections.LETTERS].find_one({"message_id": message_id})
    assert letter is not None
    assert (letter["status"], letter["reason"]) == ("undeliverable", "the last line is not `1234 AB  PLAATS`")
    assert not (tmp_path / "letters").exists()


def paper_sources(db: Database) -> MongoPrintSources:
    return MongoPrintSources(db)


async def render_inline(content: LetterContent, attachments: list[bytes], path: str) -> RenderedFile:
    return render_letter_into(content, attachments, path)


async def test_a_render_that_fails_leaves_no_staged_file_and_no_letter(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess], tmp_path: Path
) -> None:
    """The error goes to the consumer (retried, then dead-lettered); the spool keeps nothing."""

    async def render_then_fail(content: LetterContent, attachments: list[bytes], path: str) -> RenderedFile:
        await render_inline(content, attachments, path)  # the render process had written its file
        raise RuntimeError("render process died")

    letters = MongoLetterStore(db)
    printer = LetterPrinter(
        paper_sources(db), MongoAgencyRegistry(db), letters, Spool(tmp_path), render_then_fail, no_receipts
    )
    message_id = await stored_message(db, ACCOUNTS[0], 40)
    with pytest.raises(RuntimeError, match="render process died"):
        await printer.print(command(message_id), "c")
    assert list((tmp_path / "letters").iterdir()) == []
    assert await letters.status(command(message_id).letter_id) is None


no_receipts = RecordingPaperPublisher()


async def test_batches_close_by_size_then_by_age_and_manifests_match_the_spool(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess], tmp_path: Path
) -> None:
    now = [datetime(2026, 11, 28, 12, 0, tzinfo=UTC)]
    spool, letters = Spool(tmp_path), MongoLetterStore(db)
    printer = LetterPrinter(
        paper_sources(db),
        MongoAgencyRegistry(db),
        letters,
        spool,
        render_inline,
        no_receipts,
        clock=lambda: now[0],
    )
    closer = BatchCloser(letters, spool, size=3, max_age_seconds=600, clock=lambda: now[0])
    for n in range(7):
        account = ACCOUNTS[n % len(ACCOUNTS)]
        await printer.print(command(await stored_message(db, account, 10 + n), account), "c")
        now[0] += timedelta(seconds=1)
    by_size = await closer.close_due()
    assert len(by_size) == 2
    assert await closer.close_due() == []  # one letter waits, not long enough
    now[0] += timedelta(minutes=11)
    by_age = await closer.close_due()
    assert len(by_age) == 1

    seen: list[str] = []
    for batch_id in by_size + by_age:
        folder = tmp_path / "batches" / batch_id
        manifest: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
        rows = list(csv.DictReader(io.StringIO((folder / "manifest.csv").read_text())))
        assert [r["letter_id"] for r in rows] == [entry["letter_id"] for entry in manifest["letters"]]
        assert manifest["letter_count"] == len(rows) == len(list(folder.glob("*.pdf")))
        assert manifest["page_count"] == sum(e["pages"] for e in manifest["letters"])
        assert manifest["sheet_count"] == sum(e["sheets"] for e in manifest["letters"])
        for entry in manifest["letters"]:
            assert hashlib.sha256((folder / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]
        seen += [entry["letter_id"] for entry in manifest["letters"]]
    assert [
        json.loads((tmp_path / "batches" / b / "manifest.json").read_text())["closed_because"] for b in by_size + by_age
    ] == ["size", "size", "age"]
    assert sorted(seen) == sorted([d["_id"] async for d in db[Collections.LETTERS].find({})])
    assert not list((tmp_path / "batches").glob(".*"))  # no staging folders left behind


async def test_a_letter_another_batch_claimed_first_is_left_out_of_this_one(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess], tmp_path: Path
) -> None:
    spool, letters = Spool(tmp_path), MongoLetterStore(db)
    printer = LetterPrinter(paper_sources(db), MongoAgencyRegistry(db), letters, spool, render_inline, no_receipts)
    for n in range(3):
        account = ACCOUNTS[n % len(ACCOUNTS)]
        await printer.print(command(await stored_message(db, account, 30 + n), account), "c")
    taken, *kept = [d["_id"] async for d in db[Collections.LETTERS].find({}).sort("rendered_at", 1)]
    await db[Collections.BATCH_MEMBERS].insert_one({"_id": taken, "batch_id": "another-batch"})
    [batch_id] = await BatchCloser(letters, spool, size=3, max_age_seconds=600).close_due()
    manifest = json.loads((tmp_path / "batches" / batch_id / "manifest.json").read_text())
    assert [entry["letter_id"] for entry in manifest["letters"]] == kept
    batch = await letters.batch(batch_id)
    assert batch is not None and batch.letter_ids == kept


async def test_a_batch_half_made_when_paper_died_is_finished_with_all_its_letters(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spool, letters = Spool(tmp_path), MongoLetterStore(db)
    printer = LetterPrinter(paper_sources(db), MongoAgencyRegistry(db), letters, spool, render_inline, no_receipts)
    for n in range(3):
        account = ACCOUNTS[n % len(ACCOUNTS)]
        await printer.print(command(await stored_message(db, account, 50 + n), account), "c")
    closer = BatchCloser(letters, spool, size=3, max_age_seconds=600)
    write_for_real = spool.write_batch

    def died(*args: object) -> Path:
        raise OSError("paper died while writing the batch")

    monkeypatch.setattr(spool, "write_batch", died)
    with pytest.raises(OSError, match="paper died"):
        await closer.close_due()
    monkeypatch.setattr(spool, "write_batch", write_for_real)
    [batch_id] = await closer.close_due()
    batch = await letters.batch(batch_id)
    assert batch is not None and len(batch.letter_ids) == 3
    assert await db[Collections.LETTERS].count_documents({"batched": False}) == 0
    assert await closer.close_due() == []
