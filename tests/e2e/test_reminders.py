"""The reminder ladder end to end: the five services as processes, the SMTP sink, and the
notifier's sweep clock moved by the test (a file it reads), never by sleeping. A message with a
deadline is reminded of a week before it, and after three weeks for a citizen who opted in;
opening a message cancels its ladder."""

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from scripts.identity_provider import subject_of
from shared.storage.mongo import Collections, Database, Document
from tests.conftest import Sandbox
from tests.e2e.box_world import CITIZENS, READER, BoxWorld, box_world
from tests.e2e.sweep_clock import fast_sweeps, set_clock
from tests.e2e.test_box import entry, send
from tests.support.identity import log_in
from tests.support.wire import AgencyAccess, eventually

DEADLINE = date.today() + timedelta(days=10)
DUE = {"call_to_action": {"text": "Betaal de aanslag", "deadline": DEADLINE.isoformat()}}


@pytest.fixture
def ladder_world(
    sandbox: Sandbox, box_agencies: dict[str, AgencyAccess], tmp_path: Path, clock_file: Path
) -> Iterator[BoxWorld]:
    with box_world(sandbox, tmp_path / "logs", citizens=CITIZENS, extra_env=fast_sweeps(clock_file)) as started:
        yield started


def reminders_to(world: BoxWorld, address: str) -> list[str]:
    found = []
    for mail in world.smtp.received:
        body = mail.get_body(("plain",))
        if mail["To"] == address and str(mail["Subject"]).startswith("Herinnering") and body is not None:
            found.append(str(body.get_content()))
    return found


async def test_a_deadline_reminder_arrives_for_the_unopened_message_only(
    db: Database, box_agencies: dict[str, AgencyAccess], ladder_world: BoxWorld, clock_file: Path
) -> None:
    opened = await send(box_agencies["belastingdienst"], READER, "ladder-open", **DUE)
    unopened = await send(box_agencies["belastingdienst"], READER, "ladder-remind", **DUE)
    for message_id in (opened, unopened):
        assert await entry(db, message_id) is not None
        assert (await ladder_of(db, message_id))["rung"] == "deadline"
    async with ladder_world.browser_client() as browser:
        await log_in(browser, subject_of(READER))
        assert (await browser.get(f"/berichten/{opened}")).status_code == 200
    cancelled = await eventually(
        lambda: db[Collections.REMINDERS].find_one({"_id": opened}),
        lambda d: d is not None and d["status"] != "scheduled",
    )
    assert cancelled is not None and cancelled["status"] == "cancelled"

    set_clock(clock_file, days_ahead=4)  # past deadline - 7 days
    texts = await eventually(lambda: _async(reminders_to(ladder_world, READER["email"])), lambda t: len(t) == 1)
    assert "Belastingdienst" in texts[0] and re.search(r"uiterlijk \d+ \w+ \d{4}", texts[0])
    assert f"/berichten/{unopened}" in texts[0] and f"/berichten/{opened}" not in texts[0]

    set_clock(clock_file, days_ahead=22)  # three weeks, opted in
    texts = await eventually(lambda: _async(reminders_to(ladder_world, READER["email"])), lambda t: len(t) == 2)
    ladder = await db[Collections.REMINDERS].find_one({"_id": unopened})
    assert ladder is not None and [s["rung"] for s in ladder["sent"]] == ["deadline", "three_weeks"]
    assert ladder["status"] == "done"
    assert len(reminders_to(ladder_world, READER["email"])) == 2  # nothing for the opened message


async def ladder_of(db: Database, message_id: str) -> Document:
    found = await eventually(lambda: db[Collections.REMINDERS].find_one({"_id": message_id}), lambda d: d is not None)
    assert found is not None
    return found


async def _async(value: list[str]) -> list[str]:
    return value
