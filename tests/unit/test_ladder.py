"""The reminder ladder as a table: when each reminder is due, given the deadline, opening, the
folder, what was sent and the citizen's choices."""

from datetime import UTC, date, datetime, timedelta

import pytest

from services.notifier.ladder import Choices, LadderFacts, Next, Rung, next_reminder

pytestmark = pytest.mark.unit
DELIVERED = datetime(2027, 3, 1, 10, 0, tzinfo=UTC)
DEFAULT, BOTH, NONE = Choices(), Choices(True, True), Choices(False, False)
THREE_WEEKS_ONLY = Choices(False, True)


def at(day: int, hour: int = 8) -> datetime:
    """A moment in March 2027 (UTC; 08:00 UTC is 09:00 in Amsterdam in winter time)."""
    return datetime(2027, 3, day, hour, 0, tzinfo=UTC)


# (what, facts, choices, now, expected)
TABLE = [
    ("deadline in a month: a week before, at nine", LadderFacts(DELIVERED, date(2027, 3, 31)), DEFAULT, DELIVERED,
     Next(Rung.DEADLINE, datetime(2027, 3, 24, 8, 0, tzinfo=UTC))),
    ("deadline in three days: at once (its week-before moment is past)", LadderFacts(DELIVERED, date(2027, 3, 4)),
     DEFAULT, DELIVERED, Next(Rung.DEADLINE, DELIVERED)),
    ("deadline passed: nothing", LadderFacts(DELIVERED, date(2027, 3, 4)), DEFAULT, at(5), None),
    ("no deadline, not opted in: nothing", LadderFacts(DELIVERED, None), DEFAULT, DELIVERED, None),
    ("no deadline, opted in: after three weeks", LadderFacts(DELIVERED, None), BOTH, DELIVERED,
     Next(Rung.THREE_WEEKS, DELIVERED + timedelta(days=21))),
    ("deadline reminders off: only the three weeks", LadderFacts(DELIVERED, date(2027, 3, 31)), THREE_WEEKS_ONLY,
     DELIVERED, Next(Rung.THREE_WEEKS, DELIVERED + timedelta(days=21))),
    ("both off: nothing", LadderFacts(DELIVERED, date(2027, 3, 31)), NONE, DELIVERED, None),
    ("opened: nothing", LadderFacts(DELIVERED, date(2027, 3, 31), opened=True), BOTH, DELIVERED, None),
    ("in the trash: nothing", LadderFacts(DELIVERED, date(2027, 3, 31), trashed=True), BOTH, DELIVERED, None),
    ("deadline sent: the three weeks next, a week after it at the earliest",
     LadderFacts(DELIVERED, date(2027, 3, 25), sent=((Rung.DEADLINE, at(18)),)), BOTH, at(18),
     Next(Rung.THREE_WEEKS, at(25))),
    ("three weeks sent two days before the deadline's moment: it waits a week, still before the deadline",
     LadderFacts(DELIVERED, date(2027, 3, 31), sent=((Rung.THREE_WEEKS, at(22)),)), BOTH, at(22),
     Next(Rung.DEADLINE, at(29))),
    ("three weeks sent well before: the deadline reminder waits a week after it",
     LadderFacts(DELIVERED, date(2027, 4, 30), sent=((Rung.THREE_WEEKS, at(22)),)), BOTH, at(22),
     Next(Rung.DEADLINE, datetime(2027, 4, 23, 7, 0, tzinfo=UTC))),
    ("deadline in four days, three weeks sent yesterday: the pause passes the deadline, nothing",
     LadderFacts(DELIVERED, date(2027, 3, 26), sent=((Rung.THREE_WEEKS, at(22)),)), BOTH, at(22), None),
    ("both rungs sent: nothing more", LadderFacts(DELIVERED, date(2027, 3, 31),
     sent=((Rung.DEADLINE, at(24)), (Rung.THREE_WEEKS, at(31)))), BOTH, at(31), None),
]  # fmt: skip


@pytest.mark.parametrize(("what", "facts", "choices", "now", "expected"), TABLE, ids=[r[0] for r in TABLE])
def test_when_the_next_reminder_is_due(
    what: str, facts: LadderFacts, choices: Choices, now: datetime, expected: Next | None
) -> None:
    assert next_reminder(facts, choices, now) == expected


def test_never_two_reminders_within_a_week() -> None:
    facts = LadderFacts(DELIVERED, date(2027, 3, 29), sent=((Rung.DEADLINE, at(22)),))
    found = next_reminder(facts, BOTH, at(22))
    assert found is not None and found.due_at >= at(22) + timedelta(days=7)
