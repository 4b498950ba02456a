"""The box's typed records: what a citizen's box holds and shows. Documents stay in
repository.py."""

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from shared.contracts.bsn import Bsn


class Folder(StrEnum):
    INBOX = "inbox"
    ARCHIVE = "archive"
    TRASH = "trash"


@dataclass(frozen=True)
class Entry:
    """One delivered message in one citizen's box."""

    message_id: str
    account_id: str
    agency_id: str
    subject: str
    delivered_at: datetime
    folder: Folder = Folder.INBOX
    opened_at: datetime | None = None
    action_text: str | None = None
    deadline: date | None = None
    paper_copy: bool = False


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Content:
    """What an agency sent, as stored by ingest."""

    subject: str
    body: str
    reference: str
    attachments: list[Attachment] = field(default_factory=list)


@dataclass(frozen=True)
class Citizen:
    """The logged-in citizen's account, as the router keeps it (read only here)."""

    account_id: str
    bsn: Bsn
    state: str
    email: str | None = None
    opted_in_agencies: list[str] = field(default_factory=list)
    paper_copy_agencies: list[str] = field(default_factory=list)
    reminder_opt_in: bool = False
    push_subscriptions: list[dict[str, object]] = field(default_factory=list)


@dataclass(frozen=True)
class OwnChange:
    """An account change the box published, kept by the box: until the router has applied
    it, the box answers from it (a citizen sees what they just set) and builds the next
    change on it (a second device added in that moment keeps the first)."""

    aspect: str
    """What the router versions it under: activation, email, preferences or push."""
    sequence: int
    fields: dict[str, Any]
    """The `Citizen` fields it sets, each of that field's type."""


@dataclass(frozen=True)
class Session:
    session_id: str
    bsn: Bsn
    csrf_token: str
    created_at: datetime
    seen_at: datetime


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    page: int
    more: bool
