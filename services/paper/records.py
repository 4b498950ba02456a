"""What the paper service reads and keeps, as its use cases speak of it. Only
`repository.py` knows how these look as stored documents."""

from dataclasses import dataclass, field
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.contracts.messages import CallToAction


class MessageToPrint(BaseModel):
    """The fields of a stored message a letter prints."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    agency_id: str
    agency_reference: str
    subject: str
    body: str
    call_to_action: CallToAction | None = None
    attachments: list[bytes] = []
    """The agency's PDF attachments, decoded."""
    accepted_at: datetime
    correlation_id: str | None = None
    """Its submission's, which the agency's receipts name."""


@dataclass(frozen=True)
class Addressee:
    """Whom a letter goes to (never the BSN)."""

    name: str | None = None
    address_lines: list[str] = field(default_factory=list)
    country: str = "NL"


@dataclass(frozen=True)
class PrintedLetter:
    """A letter rendered into the spool, waiting for or in a print batch."""

    letter_id: str
    message_id: str | None
    """None for a letter that prints no message (recovery.py)."""
    copy_of_box_message: bool
    file: str
    sha256: str
    pages: int
    sheets: int
    postage: str
    rendered_at: datetime


@dataclass(frozen=True)
class UndeliverableLetter:
    """A letter that cannot be made, and why."""

    letter_id: str
    message_id: str | None
    copy_of_box_message: bool
    reason: str
    decided_at: datetime


Letter = PrintedLetter | UndeliverableLetter


@dataclass(frozen=True)
class PrintBatch:
    batch_id: str
    header: dict[str, object]
    """What the manifest says of the batch as a whole (counts, pages, sheets, postage)."""
    path: str
    letter_ids: list[str]


@dataclass(frozen=True)
class ClosingBatch:
    """A batch begun and not yet finished: its letters were chosen, perhaps claimed, perhaps
    written to the spool. Finishing it again is safe: every step is idempotent."""

    batch_id: str
    letter_ids: list[str]
    reason: str
    closed_at: datetime
