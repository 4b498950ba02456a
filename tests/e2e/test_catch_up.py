"""Catch-up on paper end to end: a citizen turns digital post off for an agency; the unopened
message of that agency in their box is printed with its cover note, the one they opened is
not, and the agency's receipts queue gets nothing for either, no metric series naming it moves,
and no log line names the message printed."""

import re

from scripts.identity_provider import subject_of
from shared.contracts.ids import derived_id
from shared.contracts.messages import ReceiptStatus
from shared.storage.mongo import Collections, Database
from tests.e2e.agency_view import agency_view, log_lines_since
from tests.e2e.box_world import BoxWorld
from tests.e2e.delegation_world import OWNER
from tests.e2e.test_box import entry, send
from tests.support.identity import log_in
from tests.support.wire import AgencyAccess, eventually

JAAROPGAVE = {"message_type": "jaaropgave", "subject": "Uw jaaropgave"}


async def test_turning_paper_on_prints_the_unopened_messages_and_tells_the_agency_nothing(
    db: Database, delegation_agencies: dict[str, AgencyAccess], delegation_world: BoxWorld
) -> None:
    uwv = delegation_agencies["uwv"]
    unopened = await send(uwv, OWNER, "catch-up-1", **JAAROPGAVE)
    opened = await send(uwv, OWNER, "catch-up-2", **JAAROPGAVE)
    for message_id in (unopened, opened):
        assert await entry(db, message_id) is not None
    async with uwv.client() as client:
        before = await client.receipts_until_quiet(quiet=2.0)  # accepted and delivered, to the box
    assert ReceiptStatus.SENT_ON_PAPER not in {r.status for r in before}

    async with delegation_world.browser_client() as browser:
        page = await log_in(browser, subject_of(OWNER), "/voorkeuren")
        assert "afgelopen zes maanden" in page.text  # said before the citizen confirms
        assert (await browser.get(f"/berichten/{opened}")).status_code == 200
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        view = await agency_view(delegation_world, "uwv")
        saved = await browser.post("/voorkeuren", data={"csrf": csrf[1], "uiterste_datum": "aan"})  # UWV off
        assert saved.status_code == 303
        notice = await browser.get(saved.headers["location"])
        assert "1 bericht(en) die u nog niet had geopend, sturen wij u op papier" in notice.text

    letter = await eventually(
        lambda: db[Collections.LETTERS].find_one({"_id": derived_id("catch-up", unopened)}),
        lambda d: d is not None and d.get("status") == "rendered",
    )
    assert letter is not None and letter["message_id"] == unopened
    assert await db[Collections.LETTERS].count_documents({"message_id": opened}) == 0
    async with uwv.client() as client:
        after = await client.receipts_until_quiet(quiet=3.0)
    assert [r for r in after if r.message_id in (unopened, opened)] == []  # the agency learns nothing
    assert (await agency_view(delegation_world, "uwv")).metrics == view.metrics  # no series naming it moved
    assert log_lines_since(delegation_world, view, [unopened, "catch-up-1"]) == []
