"""The printing use case and the batch closer through in-memory fakes and a real spool folder."""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from services.paper.batching import BatchCloser
from services.paper.printing import LetterPrinter
from services.paper.records import Addressee, MessageToPrint, PrintedLetter, UndeliverableLetter
from services.paper.spool import Spool
from shared.contracts.messages import CallToAction, PrintLetter, ReceiptStatus
from shared.messaging.dead_letter import PermanentError
from tests.fakes.agencies import InMemoryAgencyRegistry
from tests.fakes.paper import FakeRenderer, InMemoryLetterStore, InMemoryPrintSources, RecordingPaperPublisher
from tests.support.samples import AGENCIES, PDF

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
HOME = Addressee("J. de Vries", ["Kerkstraat 1", "3511 AB  UTRECHT"])
ABROAD = Addressee("J. de Vries", ["Rue de la Paix 1", "75002 Paris", "FRANKRIJK"], country="FR")
NO_POSTCODE = Addressee("J. de Vries", ["Kerkstraat 1", "3511AB Utrecht"])


def message(reference: str, **fields: object) -> MessageToPrint:
    values: dict[str, object] = {
        "agency_id": "uwv",
        "agency_reference": reference,
        "subject": "Uw jaaropgave",
        "body": "Geachte heer, mevrouw,\n\nIn deze brief vindt u uw jaaropgave.",
        "call_to_action": CallToAction(text="Controleer het bedrag", deadline=date(2027, 1, 15)),
        "accepted_at": NOW,
    }
    return MessageToPrint.model_validate(values | fields)


class Paper:
    def __init__(self, spool_dir: Path) -> None:
        self.sources = InMemoryPrintSources({}, {"home": HOME, "abroad": ABROAD, "no-postcode": NO_POSTCODE})
        self.letters, self.publisher, self.render = InMemoryLetterStore(), RecordingPaperPublisher(), FakeRenderer()
        self.clock = [NOW]
        self.spool = Spool(spool_dir)
        self.printer = LetterPrinter(
            self.sources,
            InMemoryAgencyRegistry(list(AGENCIES.values())),
            self.letters,
            self.spool,
            self.render,
            self.publisher,
            clock=lambda: self.clock[0],
        )

    async def print(
        self, reference: str, account_id: str | None = "home", purpose: str = "route", **fields: object
    ) -> str:
        self.sources.messages[reference] = message(reference, **fields)
        command = PrintLetter.model_validate(
            {"letter_id": f"l-{reference}", "message_id": reference, "account_id": account_id, "purpose": purpose}
        )
        return await self.printer.print(command, "c")


async def test_a_letter_is_rendered_into_the_spool_and_recorded_with_its_print_facts(tmp_path: Path) -> None:
    paper = Paper(tmp_path)
    assert await paper.print("r-1", attachments=[PDF]) == "rendered"
    letter = paper.letters.letters["l-r-1"]
    assert isinstance(letter, PrintedLetter)
    assert (letter.file, letter.pages, letter.sheets, letter.postage) == ("letters/l-r-1.pdf", 3, 2, "standaard")
    assert (tmp_path / letter.file).read_bytes() == b"%PDF-1.7 r-1"
    [(content, attachments)] = paper.render.rendered
    assert content.address_lines == ["J. de Vries", "Kerkstraat 1", "3511 AB  UTRECHT"]
    assert content.call_to_action == {"text": "Controleer het bedrag", "deadline": "15 januari 2027"}
    assert content.paragraphs == ["Geachte heer, mevrouw,", "In deze brief vindt u uw jaaropgave."]
    assert attachments == [PDF]
    assert [r.status for _, r in paper.publisher.receipts] == [ReceiptStatus.SENT_ON_PAPER]


@pytest.mark.parametrize("account_id", ["home", "no-postcode"])
@pytest.mark.parametrize(("purpose", "says"), [("catch_up", "nog ongeopend"), ("safety_net", "nog niet had geopend")])
async def test_a_copy_the_citizen_chose_has_its_cover_note_and_tells_the_agency_nothing(
    tmp_path: Path, account_id: str, purpose: str, says: str
) -> None:
    paper = Paper(tmp_path)
    assert await paper.print("r-1", account_id=account_id, purpose=purpose) in ("rendered", "undeliverable")
    assert paper.publisher.receipts == []  # a receipt now would say the message had not been opened
    for content, _ in paper.render.rendered:
        assert content.cover_note is not None and says in content.cover_note


async def test_a_letter_abroad_goes_at_the_international_rate(tmp_path: Path) -> None:
    paper = Paper(tmp_path)
    await paper.print("r-1", account_id="abroad")
    letter = paper.letters.letters["l-r-1"]
    assert isinstance(letter, PrintedLetter) and letter.postage == "internationaal"


async def test_a_repeated_command_renders_nothing_again(tmp_path: Path) -> None:
    paper = Paper(tmp_path)
    await paper.print("r-1")
    assert await paper.print("r-1") == "rendered"
    assert len(paper.render.rendered) == 1


@pytest.mark.parametrize("account_id", ["no-postcode", None])
async def test_an_unprintable_address_is_undeliverable_and_the_agency_is_told(
    tmp_path: Path, account_id: str | None
) -> None:
    paper = Paper(tmp_path)
    assert await paper.print("r-1", account_id=account_id) == "undeliverable"
    letter = paper.letters.letters["l-r-1"]
    assert isinstance(letter, UndeliverableLetter)
    [(agency_id, receipt)] = paper.publisher.receipts
    assert (agency_id, receipt.status, receipt.agency_reference) == ("uwv", ReceiptStatus.UNDELIVERABLE, "r-1")
    assert receipt.reasons[0].detail == letter.reason
    assert paper.render.rendered == [] and not (tmp_path / "letters").exists()


async def test_a_letter_without_a_stored_message_is_a_permanent_error(tmp_path: Path) -> None:
    paper = Paper(tmp_path)
    with pytest.raises(PermanentError):
        await paper.printer.print(PrintLetter(letter_id="l-x", message_id="gone", account_id="home"), "c")
    assert paper.letters.letters == {}


async def test_batches_close_by_size_then_by_age_with_manifests_of_their_letters(tmp_path: Path) -> None:
    paper = Paper(tmp_path)
    closer = BatchCloser(paper.letters, paper.spool, size=2, max_age_seconds=600, clock=lambda: paper.clock[0])
    for n in range(3):
        await paper.print(f"r-{n}")
        paper.clock[0] += timedelta(seconds=1)
    [by_size] = await closer.close_due()
    assert paper.letters.batches[by_size].letter_ids == ["l-r-0", "l-r-1"]
    assert await closer.close_due() == []  # one letter waits, not long enough
    paper.clock[0] += timedelta(minutes=11)
    [by_age] = await closer.close_due()
    manifest = json.loads((tmp_path / "batches" / by_age / "manifest.json").read_text())
    assert (manifest["closed_because"], manifest["letter_count"], manifest["sheet_count"]) == ("age", 1, 2)
    assert [entry["letter_id"] for entry in manifest["letters"]] == ["l-r-2"]


async def test_sent_on_paper_is_told_once_the_letter_is_in_the_spool(tmp_path: Path) -> None:
    paper = Paper(tmp_path)
    await paper.print("r-1")
    [(agency_id, receipt)] = paper.publisher.receipts
    assert (agency_id, receipt.status, receipt.agency_reference) == ("uwv", ReceiptStatus.SENT_ON_PAPER, "r-1")
    assert (tmp_path / "letters" / "l-r-1.pdf").exists()


async def test_a_letter_that_cannot_be_rendered_ends_undeliverable_with_its_reason(tmp_path: Path) -> None:
    paper = Paper(tmp_path)
    paper.render.refuse = "the letter template cannot lay out this text"
    assert await paper.print("r-1") == "undeliverable"
    letter = paper.letters.letters["l-r-1"]
    assert isinstance(letter, UndeliverableLetter) and letter.reason == paper.render.refuse
    [(_, receipt)] = paper.publisher.receipts
    assert (receipt.status, receipt.reasons[0].code) == (ReceiptStatus.UNDELIVERABLE, "letter_unrenderable")
    assert list((tmp_path / "letters").iterdir()) == []


async def test_a_batch_a_crash_left_half_made_is_finished_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paper = Paper(tmp_path)
    closer = BatchCloser(paper.letters, paper.spool, size=2, max_age_seconds=600, clock=lambda: paper.clock[0])
    for n in range(2):
        await paper.print(f"r-{n}")
    write_for_real = paper.spool.write_batch

    def crash(*args: object) -> Path:
        raise OSError("the paper process died while writing the batch")

    monkeypatch.setattr(paper.spool, "write_batch", crash)
    with pytest.raises(OSError, match="died"):
        await closer.close_due()  # claimed, never written nor recorded
    monkeypatch.setattr(paper.spool, "write_batch", write_for_real)
    [batch_id] = await closer.close_due()
    manifest = json.loads((tmp_path / "batches" / batch_id / "manifest.json").read_text())
    assert [entry["letter_id"] for entry in manifest["letters"]] == ["l-r-0", "l-r-1"]
    assert paper.letters.batches[batch_id].letter_ids == ["l-r-0", "l-r-1"]
    assert await closer.close_due() == []  # finished once
