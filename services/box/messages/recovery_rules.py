"""Who gets a recovery letter (contact recovery), as pure rules. A message that reaches a box
no notification can reach (no confirmed e-mail address that works, no registered device; or a
box never activated, for the senders that want it) asks for a letter saying that post waits.
At most one such letter in `INTERVAL`; a message a letter already told of asks for none again.

Chosen: the letter waits `GRACE` after delivery, so that a mass mailing's messages, and a
citizen who logs in meanwhile, need one letter or none; a message the citizen gets on paper
anyway (a paper copy, the vangnet, catch-up) asks for none."""

from dataclasses import dataclass
from datetime import datetime, timedelta

GRACE = timedelta(days=2)
INTERVAL = timedelta(days=30)
LOOK_BACK = timedelta(days=90)
"""When an address is found not working, the unopened messages of this long ago ask for a
letter: what its notifications may not have reached (the notifier's failure window)."""


@dataclass(frozen=True)
class Reach:
    """How the box's citizen can be told of new post, as the accounts say now."""

    activated: bool
    working_email: bool
    """A confirmed address the notifier has not found not working."""
    devices: bool

    @property
    def notifiable(self) -> bool:
        return self.working_email or self.devices


@dataclass(frozen=True)
class Waiting:
    """A box entry that asked for a recovery letter, as it stands now."""

    message_id: str
    agency_id: str
    delivered_at: datetime
    opened: bool
    trashed: bool
    on_paper: bool
    """Printed by the vangnet or at catch-up since it arrived."""


@dataclass(frozen=True)
class Send:
    senders: frozenset[str]
    told_until: datetime
    """The newest delivery the letter tells of: later ones may ask for the next letter."""


@dataclass(frozen=True)
class Told:
    """The last recovery letter of a box: when it went, and the newest delivery it told of."""

    at: datetime
    until: datetime


@dataclass(frozen=True)
class Later:
    until: datetime


def recovery_due(delivered_at: datetime, reach: Reach | None, sender_wants: bool, paper_copy: bool) -> datetime | None:
    """When a message just filed asks for a recovery letter (None: it does not). `sender_wants`:
    the registry's choice for never-activated boxes."""
    if reach is None or paper_copy or reach.notifiable:
        return None
    if not reach.activated and not sender_wants:
        return None
    return delivered_at + GRACE


def asked_when_contact_lost(now: datetime) -> tuple[datetime, datetime]:
    """The deliveries since when ask for a letter, and when it is due, once the citizen's
    e-mail address is found not working (the sweep then checks the citizen has no other channel)."""
    return now - LOOK_BACK, now + GRACE


def recovery_letter(due: list[Waiting], reach: Reach | None, last: Told | None, now: datetime) -> Send | Later | None:
    """What the due entries of one box ask for now: a letter, the same question later, or
    nothing (they are done)."""
    pending = [
        w for w in due if not (w.opened or w.trashed or w.on_paper) and (last is None or w.delivered_at > last.until)
    ]
    if not pending or reach is None or reach.notifiable:
        return None
    if last is not None and now < last.at + INTERVAL:
        return Later(last.at + INTERVAL)
    return Send(frozenset(w.agency_id for w in pending), max(w.delivered_at for w in pending))
