"""The reminder ladder: when a message still unopened is worth another notification. Pure:
facts in, the next reminder (its rung and when) out.

- A message with a deadline gets a reminder `BEFORE_DEADLINE` before it (at 09:00 Dutch time),
  or at once if that moment has passed and the deadline has not; on by default, the citizen
  may turn it off.
- Besides, after `AFTER` (three weeks), if the citizen opted in (the law keeps it opt-in).
- Never after opening, never for a message in the trash, never two within `APART` of each
  other, each rung once; a deadline reminder the week's pause would push past its deadline is
  not sent at all (it would only say "too late")."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
BEFORE_DEADLINE = timedelta(days=7)
AFTER = timedelta(days=21)
APART = timedelta(days=7)
MORNING = time(9, 0)


class Rung(StrEnum):
    DEADLINE = "deadline"
    THREE_WEEKS = "three_weeks"


@dataclass(frozen=True)
class Choices:
    deadline_reminders: bool = True
    three_week_reminder: bool = False


@dataclass(frozen=True)
class LadderFacts:
    delivered_at: datetime
    deadline: date | None
    opened: bool = False
    trashed: bool = False
    sent: tuple[tuple[Rung, datetime], ...] = ()
    """The rungs reminded of already, and when."""


@dataclass(frozen=True)
class Next:
    rung: Rung
    due_at: datetime


def dutch_moment(day: date, at: time) -> datetime:
    return datetime.combine(day, at, AMSTERDAM).astimezone(UTC)


def deadline_passed(deadline: date, now: datetime) -> bool:
    return now >= dutch_moment(deadline + timedelta(days=1), time())


def next_reminder(facts: LadderFacts, choices: Choices, now: datetime) -> Next | None:
    """The earliest rung still to come, or None: nothing more will ever be sent."""
    if facts.opened or facts.trashed:
        return None
    done = {rung for rung, _ in facts.sent}
    last = max((at for _, at in facts.sent), default=None)
    candidates = []
    if choices.deadline_reminders and facts.deadline and Rung.DEADLINE not in done:
        due = max(dutch_moment(facts.deadline - BEFORE_DEADLINE, MORNING), facts.delivered_at)
        candidates.append(Next(Rung.DEADLINE, due))
    if choices.three_week_reminder and Rung.THREE_WEEKS not in done:
        candidates.append(Next(Rung.THREE_WEEKS, facts.delivered_at + AFTER))
    chosen = []
    for candidate in candidates:
        due = candidate.due_at if last is None else max(candidate.due_at, last + APART)
        if candidate.rung is Rung.DEADLINE and facts.deadline and deadline_passed(facts.deadline, max(due, now)):
            continue
        chosen.append(Next(candidate.rung, due))
    return min(chosen, key=lambda n: n.due_at, default=None)
