"""The routing table of ../shared/domain.md, row by row, with the reason codes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.router.policy import AccountFacts, AccountState, AgencyFacts, MessageFacts, Route, Rule, decide
from shared.contracts.messages import Channel

BELASTINGDIENST = AgencyFacts("belastingdienst", mandatory_sender=True, paper_copy_allowed=True)
UWV = AgencyFacts("uwv", mandatory_sender=False, paper_copy_allowed=True)
RDW = AgencyFacts("rdw", mandatory_sender=False, paper_copy_allowed=False)
PLAIN = MessageFacts()

READY = AccountFacts(AccountState.READY)
ACTIVATED = AccountFacts(AccountState.ACTIVATED, has_email=True)
OPTED_IN_UWV = AccountFacts(AccountState.ACTIVATED, opted_in_agencies=frozenset({"uwv"}), has_email=True)
COPY_FROM_BOTH = AccountFacts(
    AccountState.ACTIVATED,
    opted_in_agencies=frozenset({"uwv", "rdw"}),
    paper_copy_agencies=frozenset({"belastingdienst", "uwv", "rdw"}),
    has_email=True,
)

# (situation, agency, account, box, paper, rules)
TABLE = [
    ("no account", BELASTINGDIENST, None, False, True, [Rule.NO_ACCOUNT]),
    ("no account", UWV, None, False, True, [Rule.NO_ACCOUNT]),
    ("account state none", BELASTINGDIENST, AccountFacts(AccountState.NONE), False, True, [Rule.NO_ACCOUNT]),
    ("ready, never activated", BELASTINGDIENST, READY, True, False, [Rule.MANDATORY_SENDER_READY_ACCOUNT, Rule.NO_NOTIFICATION_CHANNEL]),
    ("ready, never activated", UWV, READY, False, True, [Rule.NOT_ACTIVATED]),
    ("activated, opted in", BELASTINGDIENST, AccountFacts(AccountState.ACTIVATED, frozenset({"belastingdienst"}), has_email=True), True, False, [Rule.OPTED_IN]),
    ("activated, opted in", UWV, OPTED_IN_UWV, True, False, [Rule.OPTED_IN]),
    ("activated, not opted in", BELASTINGDIENST, ACTIVATED, True, False, [Rule.MANDATORY_SENDER_NOT_OPTED_IN]),
    ("activated, not opted in", UWV, ACTIVATED, False, True, [Rule.NOT_OPTED_IN]),
    ("asked for paper copies", BELASTINGDIENST, COPY_FROM_BOTH, True, True, [Rule.MANDATORY_SENDER_NOT_OPTED_IN, Rule.PAPER_COPY_REQUESTED_BY_CITIZEN]),
    ("asked for paper copies", UWV, COPY_FROM_BOTH, True, True, [Rule.OPTED_IN, Rule.PAPER_COPY_REQUESTED_BY_CITIZEN]),
    ("asked for copies, agency allows none", RDW, COPY_FROM_BOTH, True, False, [Rule.OPTED_IN]),
    ("under guardianship", BELASTINGDIENST, AccountFacts(AccountState.ACTIVATED, under_guardianship=True, has_email=True), False, True, [Rule.GUARDIANSHIP_EXEMPT]),
    ("under guardianship, ready", BELASTINGDIENST, AccountFacts(AccountState.READY, under_guardianship=True), False, True, [Rule.GUARDIANSHIP_EXEMPT]),
    ("under guardianship, representative chose digital", BELASTINGDIENST, AccountFacts(AccountState.READY, under_guardianship=True, represented_digitally=True), True, False, [Rule.REPRESENTATIVE_CHOSE_DIGITAL]),
    ("under guardianship, representative chose digital", UWV, AccountFacts(AccountState.ACTIVATED, under_guardianship=True, represented_digitally=True), True, False, [Rule.REPRESENTATIVE_CHOSE_DIGITAL]),
    ("under guardianship, representative chose digital, copies", UWV, AccountFacts(AccountState.ACTIVATED, paper_copy_agencies=frozenset({"uwv"}), under_guardianship=True, represented_digitally=True), True, True, [Rule.REPRESENTATIVE_CHOSE_DIGITAL, Rule.PAPER_COPY_REQUESTED_BY_CITIZEN]),
    ("representative's choice without guardianship counts for nothing", UWV, AccountFacts(AccountState.ACTIVATED, represented_digitally=True), False, True, [Rule.NOT_OPTED_IN]),
    ("under guardianship, opted in elsewhere", UWV, AccountFacts(AccountState.ACTIVATED, frozenset({"uwv"}), under_guardianship=True, has_email=True), True, False, [Rule.OPTED_IN]),
]  # fmt: skip


@pytest.mark.parametrize(("situation", "agency", "account", "box", "paper", "rules"), TABLE)
def test_routing_table(
    situation: str, agency: AgencyFacts, account: AccountFacts | None, box: bool, paper: bool, rules: list[Rule]
) -> None:
    route = decide(PLAIN, agency, account)
    assert (route.box, route.paper, list(route.rules)) == (box, paper, rules), situation


def test_agency_asks_for_paper_copy() -> None:
    route = decide(MessageFacts(paper_copy_requested=True), UWV, OPTED_IN_UWV)
    assert (route.box, route.paper) == (True, True)
    assert Rule.PAPER_COPY_REQUESTED_BY_AGENCY in route.rules


def test_agency_paper_copy_for_a_paper_route_is_just_paper() -> None:
    route = decide(MessageFacts(paper_copy_requested=True), UWV, ACTIVATED)
    assert (route.box, route.paper, route.rules) == (False, True, (Rule.NOT_OPTED_IN,))


@pytest.mark.parametrize(
    ("account", "channels", "silent"),
    [
        (AccountFacts(AccountState.ACTIVATED, has_email=True, has_push=True), (Channel.EMAIL, Channel.PUSH), False),
        (AccountFacts(AccountState.ACTIVATED, has_push=True), (Channel.PUSH,), False),
        (AccountFacts(AccountState.ACTIVATED), (), True),
        (READY, (), True),
    ],
)
def test_notification_channels(account: AccountFacts, channels: tuple[Channel, ...], silent: bool) -> None:
    route = decide(PLAIN, BELASTINGDIENST, account)
    assert route.channels == channels
    assert (Rule.NO_NOTIFICATION_CHANNEL in route.rules) is silent


def test_a_route_to_nowhere_cannot_exist() -> None:
    with pytest.raises(ValueError, match="always goes somewhere"):
        Route(box=False, paper=False, channels=(), rules=())


agencies = st.builds(AgencyFacts, st.sampled_from(["belastingdienst", "uwv", "rdw"]), st.booleans(), st.booleans())
accounts = st.none() | st.builds(
    AccountFacts,
    st.sampled_from(AccountState),
    st.frozensets(st.sampled_from(["belastingdienst", "uwv", "rdw"])),
    st.frozensets(st.sampled_from(["belastingdienst", "uwv", "rdw"])),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
messages = st.builds(MessageFacts, st.booleans())


@given(messages, agencies, accounts)
def test_every_route_goes_somewhere_and_says_why(
    message: MessageFacts, agency: AgencyFacts, account: AccountFacts | None
) -> None:
    route = decide(message, agency, account)
    assert route.box or route.paper
    assert route.rules
    assert not route.channels or route.box


@given(messages, agencies, accounts)
def test_mandatory_sender_reaches_the_box_of_every_account_unless_exempt(
    message: MessageFacts, agency: AgencyFacts, account: AccountFacts | None
) -> None:
    route = decide(message, agency, account)
    has_account = account is not None and account.state in (AccountState.READY, AccountState.ACTIVATED)
    if agency.mandatory_sender and has_account and not account.under_guardianship:  # type: ignore[union-attr]
        assert route.box


def test_an_agency_the_registry_allows_no_paper_copies_gets_none_even_when_it_asks() -> None:
    route = decide(MessageFacts(paper_copy_requested=True), RDW, COPY_FROM_BOTH)
    assert (route.box, route.paper) == (True, False)
    assert Rule.PAPER_COPY_REQUESTED_BY_AGENCY not in route.rules
