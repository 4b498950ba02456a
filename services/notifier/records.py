"""What the notifier reads and keeps, as its use cases speak of it. Only `repository.py`
knows how these look as stored documents."""

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from services.notifier.ladder import Rung
from shared.contracts.messages import CallToAction, Channel, NotifyCitizen


class Status(StrEnum):
    SENT = "sent"
    RETRYING = "retrying"
    PERMANENT_FAILURE = "permanent-failure"
    TECHNICAL_FAILURE = "technical-failure"


@dataclass(frozen=True)
class Recipient:
    """What the notifier reads of an account: where to notify, never the BSN."""

    account_id: str
    email: str | None = None
    push_subscriptions: list[dict[str, object]] = field(default_factory=list)
    reminder_opt_in: bool = False
    deadline_reminders: bool = True


@dataclass(frozen=True)
class UnreadableRecipient:
    """An account document the notifier cannot read; `reason` names a field, not a value."""

    account_id: str
    reason: str


@dataclass(frozen=True)
class Outcome:
    """How one attempt on one channel ended."""

    status: Status
    attempt: int
    detail: str = ""


class DueReminder(BaseModel):
    """A reminder whose time has come, with what its notification told (sender, call to action)."""

    model_config = ConfigDict(frozen=True)

    message_id: str
    account_id: str
    agency_id: str
    call_to_action: CallToAction | None = None
    delivered_at: datetime
    sent: tuple[tuple[Rung, datetime], ...] = ()
    """The rungs of the ladder reminded of already, and when."""

    @property
    def deadline(self) -> date | None:
        return self.call_to_action.deadline if self.call_to_action else None


@dataclass(frozen=True)
class UnreadableReminder:
    message_id: str
    reason: str
    """Names no stored value."""


@dataclass(frozen=True)
class Unsettled:
    """A claim with no outcome: its notifier may have died between claim and send."""

    message_id: str
    channel: Channel
    kind: str
    attempt: int
    claimed_at: datetime
    command: NotifyCitizen | None
    """What was being sent, for that channel; None for a claim from before claims kept it."""


@dataclass(frozen=True)
class UnsettledPage:
    found: list[Unsettled]
    """The claims of the page without an outcome."""
    last_claimed_at: datetime | None
    """Of the last claim read, settled or not; None: the window is empty."""
    full: bool
    """As many claims read as asked for: there may be more."""
