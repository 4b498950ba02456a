"""The paper safety net end to end: the citizen chooses "after 14 days" in Voorkeuren; a message
already waiting and one that arrives after are printed, with the cover note, once the box's
sweep clock (moved by the test, not by sleeping) passes 14 days; the one they opened is not;
the agency's receipts queue gets nothing for any of them, no metric series naming it moves, and
no log line names the messages printed."""

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.identity_provider import subject_of
from shared.contracts.ids import derived_id
from shared.storage.mongo import Collections, Database, Document
from tests.conftest import Sandbox
from tests.e2e.agency_view import agency_view, log_lines_since
from tests.e2e.box_world import BoxWorld, box_world
from tests.e2e.delegation_world import OWNER, PEOPLE
from tests.e2e.sweep_clock import fast_sweeps, set_clock
from tests.e2e.test_box import entry, send
from tests.support.identity import log_in
from tests.support.wire import AgencyAccess, eventually

JAAROPGAVE = {"message_type": "jaaropgave", "subject": "Uw jaaropgave"}


@pytest.fixture
def net_world(
    sandbox: Sandbox, delegation_agencies: dict[str, AgencyAccess], tmp_path: Path, clock_file: Path
) -> Iterator[BoxWorld]:
    with box_world(sandbox, tmp_path / "logs", citizens=PEOPLE, extra_env=fast_sweeps(clock_file)) as started:
        yield started


async def printed(db: Database, message_id: str) -> Document | None:
    return await db[Collections.LETTERS].find_one({"_id": derived_id("safety-net", message_id)})


async def rendered(db: Database, message_id: str) -> bool:
    letter = await eventually(lambda: printed(db, message_id), lambda d: d is not None and d["status"] == "rendered")
    return letter is not None


async def due_on_paper(db: Database, message_id: str) -> bool:
    filed = await eventually(
        lambda: db[Collections.BOX_ENTRIES].find_one({"_id": message_id}),
        lambda d: d is not None and d.get("safety_net_due") is not None,
    )
    return filed is not None


async def test_what_stays_unopened_is_printed_after_the_chosen_days_and_the_agency_hears_nothing(
    db: Database, delegation_agencies: dict[str, AgencyAccess], net_world: BoxWorld, clock_file: Path
) -> None:
    uwv = delegation_agencies["uwv"]
    waiting = await send(uwv, OWNER, "net-1", **JAAROPGAVE)
    assert await entry(db, waiting) is not None
    async with net_world.browser_client() as browser:
        page = await log_in(browser, subject_of(OWNER), "/voorkeuren")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        choice = {"csrf": csrf[1], "digitaal": ["uwv"], "uiterste_datum": "aan", "vangnet": "14"}
        assert (await browser.post("/voorkeuren", data=choice)).status_code == 303
        await eventually(
            lambda: db[Collections.ACCOUNTS].find_one({"_id": OWNER["_id"]}),
            lambda a: a is not None and a.get("safety_net_days") == 14,
        )
        arriving, opened = (
            await send(uwv, OWNER, "net-2", **JAAROPGAVE),
            await send(uwv, OWNER, "net-3", **JAAROPGAVE),
        )
        for message_id in (waiting, arriving, opened):
            assert await due_on_paper(db, message_id)
        assert (await browser.get(f"/berichten/{opened}")).status_code == 200
    async with uwv.client() as client:
        await client.receipts_until_quiet(quiet=2.0)  # accepted and delivered, before the safety net

    before = await agency_view(net_world, "uwv")
    set_clock(clock_file, days_ahead=13)
    await asyncio.sleep(1.5)  # the sweep runs every half second; at 13 days nothing is due yet
    assert await printed(db, waiting) is None
    set_clock(clock_file, days_ahead=15)
    for message_id in (waiting, arriving):
        assert await rendered(db, message_id)
    assert await printed(db, opened) is None
    async with uwv.client() as client:
        assert await client.receipts_until_quiet(quiet=3.0) == []  # nothing tells the agency it was unopened
    assert (await agency_view(net_world, "uwv")).metrics == before.metrics  # no series naming it moved
    assert log_lines_since(net_world, before, [waiting, arriving, "net-1", "net-2"]) == []
