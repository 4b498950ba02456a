"""Recovery letters end to end: the Belastingdienst (mandatory sender) sends to a citizen who
activated the box without an e-mail address or device, and to one who never activated it.
Once the box's sweep clock (moved by the test, not by sleeping) passes the grace days, each
gets one letter that says post waits and from whom, never the subject; a message arriving in
the next thirty days asks for no second letter until thirty days have passed; the agency's
receipts queue gets nothing for any of it."""

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from shared.contracts.ids import derived_id
from shared.storage.mongo import Collections, Database, Document
from tests.conftest import Sandbox
from tests.e2e.agency_view import agency_view, log_lines_since
from tests.e2e.box_world import OTHER, READER, READY, BoxWorld, box_world
from tests.e2e.sweep_clock import fast_sweeps, set_clock
from tests.e2e.test_box import entry, send
from tests.support.wire import AgencyAccess, eventually

SUBJECT = "Uw aanslag inkomstenbelasting 2025"


@pytest.fixture
def recovery_world(
    sandbox: Sandbox, box_agencies: dict[str, AgencyAccess], tmp_path: Path, clock_file: Path
) -> Iterator[BoxWorld]:
    with box_world(sandbox, tmp_path / "logs", extra_env=fast_sweeps(clock_file)) as started:
        yield started


def letter_id(citizen: Document, nth: int) -> str:
    return derived_id("recovery-letter", citizen["_id"], str(nth))


async def letter(db: Database, letter_id: str) -> Document | None:
    return await db[Collections.LETTERS].find_one({"_id": letter_id})


async def rendered(db: Database, letter_id: str) -> Document:
    found = await eventually(lambda: letter(db, letter_id), lambda d: d is not None and d["status"] == "rendered")
    assert found is not None, f"no recovery letter {letter_id}"
    return found


async def asks_for_a_letter(db: Database, message_id: str) -> bool:
    filed = await entry(db, message_id)
    return filed is not None and filed.get("recovery_due") is not None


async def test_a_citizen_no_notification_reaches_gets_one_letter_in_thirty_days_and_the_agency_hears_nothing(
    db: Database, box_agencies: dict[str, AgencyAccess], recovery_world: BoxWorld, clock_file: Path, tmp_path: Path
) -> None:
    tax = box_agencies["belastingdienst"]
    first, never_activated = await send(tax, OTHER, "rec-1"), await send(tax, READY, "rec-2")
    assert await asks_for_a_letter(db, first) and await asks_for_a_letter(db, never_activated)
    async with tax.client() as client:
        await client.receipts_until_quiet(quiet=2.0)  # accepted and delivered, before any letter

    before = await agency_view(recovery_world, "belastingdienst")
    set_clock(clock_file, days_ahead=3)  # past the grace days
    for citizen in (OTHER, READY):
        found = await rendered(db, letter_id(citizen, 0))
        text = "".join(page.extract_text() for page in PdfReader(tmp_path / "logs" / "spool" / found["file"]).pages)
        assert "Er staat post voor u klaar" in text and "Belastingdienst" in text
        assert SUBJECT not in text and "aanslag" not in text.lower()  # never what the post is about
    assert (await agency_view(recovery_world, "belastingdienst")).metrics == before.metrics
    assert log_lines_since(recovery_world, before, [first, never_activated, "rec-1", "rec-2"]) == []

    later = await send(tax, OTHER, "rec-3")
    assert await asks_for_a_letter(db, later)
    async with tax.client() as client:
        assert {r.status for r in await client.receipts_until_quiet(quiet=2.0)} == {"accepted", "delivered_to_box"}
    before = await agency_view(recovery_world, "belastingdienst")
    set_clock(clock_file, days_ahead=20)
    await asyncio.sleep(1.5)  # the sweep runs every half second: within thirty days it prints nothing
    assert await letter(db, letter_id(OTHER, 1)) is None
    set_clock(clock_file, days_ahead=34)
    await rendered(db, letter_id(OTHER, 1))  # thirty days on, the message still unopened: the next letter
    log = await db[Collections.BOX_RECOVERY_LETTERS].find_one({"_id": OTHER["_id"]})
    assert log is not None and log["letters"] == 2
    async with tax.client() as client:
        assert await client.receipts_until_quiet(quiet=3.0) == []  # nothing tells the agency it was unopened
    assert (await agency_view(recovery_world, "belastingdienst")).metrics == before.metrics
    assert log_lines_since(recovery_world, before, [first, later, "rec-1", "rec-3"]) == []


async def test_an_address_found_not_working_brings_a_letter_for_what_it_did_not_tell(
    db: Database, box_agencies: dict[str, AgencyAccess], recovery_world: BoxWorld, clock_file: Path
) -> None:
    """The reader has only an e-mail address; it bounces three times after the box filed the
    messages (no letter asked then: the address still counted as working)."""
    recovery_world.smtp.bounce = {READER["email"]}
    recovery_world.smtp.hold_bounces()
    sent = [await send(box_agencies["belastingdienst"], READER, f"dead-{n}") for n in range(3)]
    for message_id in sent:
        filed = await entry(db, message_id)
        assert filed is not None and filed.get("recovery_due") is None
    recovery_world.smtp.release_bounces()  # the mail server finds out only after the box filed them
    marked = await eventually(
        lambda: db[Collections.ACCOUNTS].find_one({"_id": READER["_id"]}),
        lambda a: a is not None and a.get("email_not_working") is True,
    )
    assert marked is not None and marked.get("email_not_working") is True
    asking = await eventually(  # the box heard it too, and the messages the address did not tell of ask
        lambda: db[Collections.BOX_ENTRIES].count_documents({"_id": {"$in": sent}, "recovery_due": {"$ne": None}}),
        lambda n: n == 3,
    )
    assert asking == 3
    set_clock(clock_file, days_ahead=3)
    await rendered(db, letter_id(READER, 0))
