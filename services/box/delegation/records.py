"""A machtiging and what it leaves in the logbooks, as typed records. Documents stay in
repository.py."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from services.box.delegation.rules import Access, Kind, Period, Scope


@dataclass(frozen=True)
class Grant:
    """One person's access to another's box: a voluntary helper's or a representative's."""

    grant_id: str
    kind: Kind
    owner_id: str
    """The account whose box it is."""
    owner_name: str
    helper_id: str | None
    """The account that helps; None until an invitation is accepted."""
    helper_name: str | None
    scope: Scope
    senders: frozenset[str] | None
    last_day: date
    created_at: datetime
    accepted_at: datetime | None = None
    ended_at: datetime | None = None
    ended_by: str | None = None
    """Who ended it: "owner", "helper", "representation" (a court's representative came) or
    "register" (the registry no longer lists it)."""
    notify: bool = False
    """The helper wants to hear of new messages in scope (content-free)."""
    representation: str | None = None
    """The registry's kind of representation: bewind, curatele or mentorschap."""

    @property
    def access(self) -> Access:
        return Access(self.scope, self.senders)

    @property
    def period(self) -> Period:
        return Period(self.accepted_at, self.last_day, self.ended_at)


@dataclass(frozen=True)
class Invitation:
    handle: str
    owner_id: str
    secret_hash: str
    scope: Scope
    senders: frozenset[str] | None
    last_day: date
    expires_at: datetime
    tries_left: int


class Happening(StrEnum):
    INVITED = "invited"
    ACCEPTED = "accepted"
    ENDED = "ended"
    EXPIRED = "expired"
    RENEWED = "renewed"
    OPENED = "opened"
    DOWNLOADED = "downloaded"
    MOVED = "moved"
    CHOSE_DIGITAL = "chose_digital"
    CHOSE_PAPER = "chose_paper"


@dataclass(frozen=True)
class Activity:
    """One line in both logbooks: the owner's and the helper's."""

    grant_id: str
    owner_id: str
    helper_id: str | None
    owner_name: str
    helper_name: str | None
    what: Happening
    at: datetime
    message_id: str | None = None
    detail: str | None = None
