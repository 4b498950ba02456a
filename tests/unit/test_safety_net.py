"""The paper safety net: an entry is due its chosen days after delivery; the sweep prints the
due ones once each (derived letter ids, marked printed), and nothing else."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from services.box.messages.filing import net_due
from services.box.messages.records import Entry, Folder
from services.box.messages.safety_net import SafetyNet
from shared.contracts.messages import PrintLetter

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)


class Entries:
    """The part of the box's store the sweep uses: due entries are unopened and not in the trash."""

    def __init__(self, *entries: Entry) -> None:
        self.entries = {e.message_id: e for e in entries}

    async def safety_net_due(self, now: datetime, limit: int) -> list[Entry]:
        due = [e for e in self.entries.values() if e.safety_net_due and e.safety_net_due <= now]
        return [e for e in due if e.opened_at is None and e.folder is not Folder.TRASH][:limit]

    async def safety_net_printed(self, message_id: str, now: datetime) -> None:
        self.entries[message_id] = replace(self.entries[message_id], safety_net_due=None)


class Letters:
    def __init__(self) -> None:
        self.printed: list[PrintLetter] = []

    async def print_letter(self, command: PrintLetter) -> None:
        self.printed.append(command)


def entry(message_id: str, days: int | None, **more: object) -> Entry:
    return Entry(message_id, "a-1", "uwv", "Onderwerp", NOW, safety_net_due=net_due(NOW, days), **more)  # type: ignore[arg-type]


async def test_what_is_unopened_when_due_is_printed_once_and_nothing_else() -> None:
    store = Entries(
        entry("due", 14), entry("later", 28), entry("off", None),
        entry("opened", 14, opened_at=NOW + timedelta(days=1)), entry("trashed", 14, folder=Folder.TRASH),
    )  # fmt: skip
    letters = Letters()
    clock = [NOW + timedelta(days=14)]
    net = SafetyNet(store, letters, lambda: clock[0])  # type: ignore[arg-type]
    assert await net.run_once() == 1
    assert await net.run_once() == 0  # printed once
    [letter] = letters.printed
    assert (letter.message_id, letter.purpose, letter.copy_of_box_message) == ("due", "safety_net", True)
    clock[0] = NOW + timedelta(days=28)
    assert await net.run_once() == 1 and letters.printed[-1].message_id == "later"


async def test_a_sweep_killed_between_print_and_mark_prints_the_same_letter_again_and_paper_keeps_one() -> None:
    """The letter id is derived: the paper service renders one letter per id (a repeated
    command renders nothing again, tests/unit/test_printing.py), so nothing is printed twice
    and nothing is skipped."""

    class Killed(Exception):
        pass

    store = Entries(entry("due", 14))
    marks = store.safety_net_printed

    async def killed(message_id: str, now: datetime) -> None:
        raise Killed

    store.safety_net_printed = killed  # type: ignore[method-assign]
    letters = Letters()
    net = SafetyNet(store, letters, lambda: NOW + timedelta(days=15))  # type: ignore[arg-type]
    with pytest.raises(Killed):
        await net.run_once()
    store.safety_net_printed = marks  # type: ignore[method-assign]
    assert await net.run_once() == 1 and await net.run_once() == 0
    assert len({letter.letter_id for letter in letters.printed}) == 1 and len(letters.printed) == 2
