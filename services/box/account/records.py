"""The citizen's account as the box sees it, and the changes the box made to it."""

from dataclasses import dataclass, field
from typing import Any

from shared.contracts.bsn import Bsn


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
    deadline_reminders: bool = True
    email_not_working: bool = False
    """Mail to the address failed permanently three times (the notifier said so); a newly
    confirmed address clears it."""
    safety_net_days: int | None = None
    """Print what is still unopened after this many days (14, 21 or 28); None: off."""
    push_subscriptions: list[dict[str, object]] = field(default_factory=list)
    name: str = ""
    """As the population register has it: a helper sees whose box they open."""
    represented_digitally: bool = False
    """Their legal representative chose digital post for them (see delegation/)."""


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
