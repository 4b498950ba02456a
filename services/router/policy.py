"""Where the law lives: from (message, agency, account) to a Route, and why. No I/O.

The legal defaults (the Wet Elektronisch Berichtenverkeer and the citizen's choices):
| recipient                          | mandatory sender        | any other agency |
| no account                         | paper                   | paper            |
| ready, never activated             | box                     | paper            |
| activated, opted in to the agency  | box                     | box              |
| activated, not opted in            | box                     | paper            |
| asked the agency for paper copies  | box and paper copy      | box and paper copy (where the agency allows copies) |
People under guardianship (bewind, curatele, mentorschap) are exempt from the mandatory
sender's digital delivery: paper; unless their registered legal representative chose digital
post for them, when every sender's messages go to the box (the representative reads them there
and is notified by the box, if they asked).
"""

from dataclasses import dataclass
from enum import StrEnum

from shared.contracts.messages import Channel


class AccountState(StrEnum):
    NONE = "none"
    READY = "ready"
    ACTIVATED = "activated"


class Rule(StrEnum):
    NO_ACCOUNT = "no_account"
    GUARDIANSHIP_EXEMPT = "guardianship_exempt"
    REPRESENTATIVE_CHOSE_DIGITAL = "representative_chose_digital"
    MANDATORY_SENDER_READY_ACCOUNT = "mandatory_sender_ready_account"
    NOT_ACTIVATED = "not_activated"
    OPTED_IN = "opted_in"
    MANDATORY_SENDER_NOT_OPTED_IN = "mandatory_sender_not_opted_in"
    NOT_OPTED_IN = "not_opted_in"
    PAPER_COPY_REQUESTED_BY_CITIZEN = "paper_copy_requested_by_citizen"
    PAPER_COPY_REQUESTED_BY_AGENCY = "paper_copy_requested_by_agency"
    NO_NOTIFICATION_CHANNEL = "no_notification_channel"


@dataclass(frozen=True)
class AgencyFacts:
    agency_id: str
    mandatory_sender: bool
    paper_copy_allowed: bool


@dataclass(frozen=True)
class AccountFacts:
    state: AccountState
    opted_in_agencies: frozenset[str] = frozenset()
    paper_copy_agencies: frozenset[str] = frozenset()
    under_guardianship: bool = False
    represented_digitally: bool = False
    """The registered legal representative chose digital post (only counts under guardianship)."""
    has_email: bool = False
    has_push: bool = False


@dataclass(frozen=True)
class MessageFacts:
    paper_copy_requested: bool = False


@dataclass(frozen=True)
class Route:
    box: bool
    paper: bool
    channels: tuple[Channel, ...]
    rules: tuple[Rule, ...]

    def __post_init__(self) -> None:
        if not (self.box or self.paper):
            raise ValueError("a message always goes somewhere: box, paper or both")
        if self.channels and not self.box:
            raise ValueError("notifications announce a box message; paper-only has none")


def decide(message: MessageFacts, agency: AgencyFacts, account: AccountFacts | None) -> Route:
    """Box, paper or both, the notification channels, and the rules that fired."""
    if account is None or account.state is AccountState.NONE:
        return Route(box=False, paper=True, channels=(), rules=(Rule.NO_ACCOUNT,))
    if account.under_guardianship and account.represented_digitally:
        box, rule = True, Rule.REPRESENTATIVE_CHOSE_DIGITAL
    elif account.under_guardianship and agency.mandatory_sender:
        return Route(box=False, paper=True, channels=(), rules=(Rule.GUARDIANSHIP_EXEMPT,))
    else:
        box, rule = _digital_delivery(agency, account)
    if not box:
        return Route(box=False, paper=True, channels=(), rules=(rule,))
    copy_rules = _paper_copy_rules(message, agency, account)
    channels = _channels(account)
    # a representative's choice: the representative is told (by the box), not the person
    silent = () if channels or rule is Rule.REPRESENTATIVE_CHOSE_DIGITAL else (Rule.NO_NOTIFICATION_CHANNEL,)
    return Route(box=True, paper=bool(copy_rules), channels=channels, rules=(rule, *copy_rules, *silent))


def _digital_delivery(agency: AgencyFacts, account: AccountFacts) -> tuple[bool, Rule]:
    if account.state is AccountState.READY:
        if agency.mandatory_sender:
            return True, Rule.MANDATORY_SENDER_READY_ACCOUNT
        return False, Rule.NOT_ACTIVATED
    if agency.agency_id in account.opted_in_agencies:
        return True, Rule.OPTED_IN
    if agency.mandatory_sender:
        return True, Rule.MANDATORY_SENDER_NOT_OPTED_IN
    return False, Rule.NOT_OPTED_IN


def _paper_copy_rules(message: MessageFacts, agency: AgencyFacts, account: AccountFacts) -> list[Rule]:
    rules = []
    if agency.paper_copy_allowed and agency.agency_id in account.paper_copy_agencies:
        rules.append(Rule.PAPER_COPY_REQUESTED_BY_CITIZEN)
    if message.paper_copy_requested and agency.paper_copy_allowed:  # the registry wins; ingest refuses it too
        rules.append(Rule.PAPER_COPY_REQUESTED_BY_AGENCY)
    return rules


def _channels(account: AccountFacts) -> tuple[Channel, ...]:
    """Only activated accounts are notified: a ready account has no address to notify."""
    if account.state is not AccountState.ACTIVATED:
        return ()
    return tuple(c for c, on in ((Channel.EMAIL, account.has_email), (Channel.PUSH, account.has_push)) if on)
