"""What a machtiging allows and when it holds: the pure rules, without I/O.

A helper acts with their own login, within the scope the owner chose (reading, or reading and
ordering; all senders or some), from acceptance until the end date. A legal representative
has reading and ordering over the whole box for the registered period. Nothing here ever
reaches the owner's settings, other helpers or the trash's emptying: those are not acts."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CODE_LENGTH = 16
"""An invitation code: a 6-character handle that finds the invitation, then its secret."""
HANDLE_LENGTH = 6
CODE_TRIES = 5
CODE_VALID = timedelta(days=14)
LONGEST = timedelta(days=366)
OPEN_END = date(9999, 12, 30)
"""The last day of a representation the register gives no end."""
HELPERS_PER_OWNER = 5
OWNERS_PER_HELPER = 20


class Scope(StrEnum):
    READ = "lezen"
    ORDER = "lezen-en-ordenen"


class Kind(StrEnum):
    HELPER = "helper"
    REPRESENTATIVE = "representative"


class Act(StrEnum):
    LIST = "list"
    OPEN = "open"
    DOWNLOAD = "download"
    MOVE = "move"


@dataclass(frozen=True)
class Access:
    """What a grant lets its helper do in the owner's box."""

    scope: Scope
    senders: frozenset[str] | None = None
    """None: every sender; else only these agencies' messages exist for the helper."""

    def allows(self, act: Act, agency_id: str | None = None) -> bool:
        if agency_id is not None and not self.allows_sender(agency_id):
            return False
        return act is not Act.MOVE or self.scope is Scope.ORDER

    def allows_sender(self, agency_id: str) -> bool:
        return self.senders is None or agency_id in self.senders


@dataclass(frozen=True)
class Period:
    accepted_at: datetime | None
    last_day: date
    """Access holds through this day, Dutch time."""
    ended_at: datetime | None = None


def end_of(day: date) -> datetime:
    """The first moment after `day` in the Netherlands, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(), AMSTERDAM).astimezone(UTC)


def active(period: Period, now: datetime) -> bool:
    """Accepted, not ended by either side, and not past its last day."""
    started = period.accepted_at is not None and period.accepted_at <= now
    return started and period.ended_at is None and now < end_of(period.last_day)


def expired(period: Period, now: datetime) -> bool:
    """Ran out by itself (not ended by a person)."""
    return period.accepted_at is not None and period.ended_at is None and now >= end_of(period.last_day)


def today(now: datetime) -> date:
    return now.astimezone(AMSTERDAM).date()


def end_date_refusal(last_day: date | None, now: datetime) -> str | None:
    """Why an end date cannot be chosen (Dutch, for the form), or None if it can."""
    if last_day is None:
        return "Kies een einddatum."
    if last_day < today(now):
        return "De einddatum ligt in het verleden."
    if last_day > today(now) + LONGEST - timedelta(days=1):
        return "Een machtiging duurt hoogstens een jaar; u kunt haar later verlengen."
    return None


def senders_from(chosen: Iterable[str], all_senders: bool, known: Iterable[str]) -> frozenset[str] | None:
    """The senders a form chose: None for all, else the known agencies among those ticked."""
    if all_senders:
        return None
    return frozenset(chosen) & frozenset(known)


def mask_bsn(bsn: str) -> str:
    """Enough for a helper to recognise whose box it is, never the whole number."""
    return "*****" + bsn[-4:]
