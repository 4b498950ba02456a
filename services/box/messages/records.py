"""What a citizen's box holds and shows, as typed records. Documents stay in repository.py."""

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from services.box.messages.recovery_rules import Reach


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
    opened_by: str | None = None
    """Who opened it first, if not the citizen: a helper's name, for the citizen's logboek."""
    safety_net_due: datetime | None = None
    """When it is printed if still unopened (the citizen's vangnet); None: not."""
    recovery_due: datetime | None = None
    """When it asks for a recovery letter if still unopened (recovery_rules.py); None: not."""


@dataclass(frozen=True)
class FiledFor:
    """Of the account a message is filed for: the vangnet's days (None: off), and its reach."""

    safety_net_days: int | None
    reach: Reach


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
class Page:
    entries: list[Entry]
    page: int
    more: bool
