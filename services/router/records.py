"""What the router reads and decides, as its use cases speak of it. Only `repository.py`
knows how these look as stored documents."""

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from services.router.policy import AccountFacts, Rule
from shared.contracts.messages import CallToAction, Channel


class MessageToRoute(BaseModel):
    """The fields of a stored message the router reads; a corrupt document fails validation."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    agency_id: str
    agency_reference: str
    recipient_bsn: str
    paper_copy_requested: bool = False
    call_to_action: CallToAction | None = None
    """Told in the notification, with the sender."""
    correlation_id: str | None = None
    """Its submission's, for its receipts: one event may carry the messages of several submissions."""
    trace_id: str | None = None
    """Ours, for logs: on the commands that follow, never the agency's correlation id."""


@dataclass(frozen=True)
class Unreadable:
    """A stored record that cannot be read; `reason` names no stored value."""

    reason: str


@dataclass(frozen=True)
class Recipient:
    """The account a message is routed to, as the policy sees it."""

    account_id: str
    facts: AccountFacts


class StoredRoute(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    box: bool
    paper: bool
    channels: list[Channel]
    rules: list[Rule]
    account_id: str | None
    routed_at: datetime

    @property
    def destination(self) -> str:
        return "box_and_paper" if self.box and self.paper else "box" if self.box else "paper"


@dataclass(frozen=True)
class Decision:
    message_id: str
    message: MessageToRoute
    route: StoredRoute
