"""What ingest keeps, as the intake use case speaks of it. Only `repository.py` knows how
these look as stored documents."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared.contracts.messages import Reason, Submission


@dataclass(frozen=True)
class NewMessage:
    """An accepted submission, as it is stored once under its derived id."""

    message_id: str
    agency_id: str
    reference: str
    submission: Submission
    accepted_at: datetime
    correlation_id: str | None
    """Its submission's: the AMQP correlation id, else the AMQP message id. For receipts only."""
    trace_id: str = ""
    """Ours, which the services log and pass on instead (see `shared/runtime/logs.py`)."""


class Prior(StrEnum):
    """What was stored under a message's id before this insert."""

    NONE = "none"
    SAME = "same"
    """The same content and correlation id: an earlier delivery of this AMQP message."""
    OTHER = "other"
    """Another submission with the same (agency, reference)."""


@dataclass(frozen=True)
class Stored:
    message: NewMessage
    prior: Prior

    def is_new(self, redelivered: bool) -> bool:
        """Not stored before; or stored by an earlier delivery of this same AMQP message (a
        redelivery whose content and correlation id match the original's), which may have died
        before its announcement and receipt went out: it resumes, with the same ids. A new AMQP
        message under a stored reference is a duplicate, even while the original is still being
        processed."""
        return self.prior is Prior.NONE or (redelivered and self.prior is Prior.SAME)


@dataclass(frozen=True)
class Rejection:
    """A rejected submission (or batch item), kept for audit with the payload up to a cap."""

    rejection_id: str
    agency_id: str | None
    broker_user: str | None
    reference: str | None
    reasons: tuple[Reason, ...]
    payload: bytes
    payload_size: int
    payload_sha256: str
    received_at: datetime


@dataclass(frozen=True)
class AcceptedMessage:
    message_id: str
    agency_id: str
    accepted_at: datetime


@dataclass(frozen=True)
class AcceptedPage:
    messages: list[AcceptedMessage]
    last_accepted_at: datetime | None
    full: bool
    """As many read as asked for: there may be more."""
