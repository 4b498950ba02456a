"""What a machtiging allows and when it holds: tables of the pure rules."""

from datetime import UTC, date, datetime, timedelta

import pytest

from services.box.delegation import codes
from services.box.delegation.register import RegisterError, parse
from services.box.delegation.rules import (
    Access,
    Act,
    Period,
    Scope,
    active,
    end_date_refusal,
    end_of,
    expired,
    mask_bsn,
    senders_from,
)

pytestmark = pytest.mark.unit
UWV, RDW = "uwv", "rdw"

# (what, access, act, agency, allowed)
SCOPES = [
    ("reading lists", Access(Scope.READ), Act.LIST, None, True),
    ("reading opens", Access(Scope.READ), Act.OPEN, UWV, True),
    ("reading downloads", Access(Scope.READ), Act.DOWNLOAD, UWV, True),
    ("reading never moves", Access(Scope.READ), Act.MOVE, UWV, False),
    ("ordering moves", Access(Scope.ORDER), Act.MOVE, UWV, True),
    ("one sender opens that sender", Access(Scope.READ, frozenset({UWV})), Act.OPEN, UWV, True),
    ("one sender, another sender's message", Access(Scope.READ, frozenset({UWV})), Act.OPEN, RDW, False),
    ("ordering one sender, another sender's move", Access(Scope.ORDER, frozenset({UWV})), Act.MOVE, RDW, False),
    ("ordering one sender moves it", Access(Scope.ORDER, frozenset({UWV})), Act.MOVE, UWV, True),
]


@pytest.mark.parametrize(("what", "access", "act", "agency", "allowed"), SCOPES, ids=[s[0] for s in SCOPES])
def test_what_a_scope_allows(what: str, access: Access, act: Act, agency: str | None, allowed: bool) -> None:
    assert access.allows(act, agency) is allowed


NOW = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
TODAY = date(2026, 12, 3)
# (what, period, active, expired)
PERIODS = [
    ("invited, not accepted", Period(None, TODAY + timedelta(days=30)), False, False),
    ("accepted, running", Period(NOW - timedelta(days=1), TODAY + timedelta(days=30)), True, False),
    ("last day is today", Period(NOW - timedelta(days=1), TODAY), True, False),
    ("last day was yesterday", Period(NOW - timedelta(days=9), TODAY - timedelta(days=1)), False, True),
    ("ended by a person", Period(NOW - timedelta(days=1), TODAY + timedelta(days=30), NOW), False, False),
    (
        "a representation that starts tomorrow",
        Period(NOW + timedelta(days=1), TODAY + timedelta(days=30)),
        False,
        False,
    ),
]


@pytest.mark.parametrize(("what", "period", "is_active", "is_expired"), PERIODS, ids=[p[0] for p in PERIODS])
def test_when_a_grant_holds(what: str, period: Period, is_active: bool, is_expired: bool) -> None:
    assert active(period, NOW) is is_active
    assert expired(period, NOW) is is_expired


def test_a_grant_ends_at_midnight_dutch_time_on_its_last_day() -> None:
    period = Period(NOW - timedelta(days=1), TODAY)
    midnight = end_of(TODAY)
    assert midnight == datetime(2026, 12, 3, 23, 0, tzinfo=UTC)  # CET is UTC+1 in December
    assert active(period, midnight - timedelta(seconds=1))
    assert not active(period, midnight)


@pytest.mark.parametrize(
    ("last_day", "refused"),
    [
        (None, True),
        (TODAY - timedelta(days=1), True),
        (TODAY, False),
        (TODAY + timedelta(days=365), False),
        (TODAY + timedelta(days=366), True),
    ],
)
def test_an_end_date_is_at_most_a_year_ahead(last_day: date | None, refused: bool) -> None:
    assert (end_date_refusal(last_day, NOW) is not None) is refused


def test_senders_chosen_are_the_known_ones_ticked_or_all() -> None:
    assert senders_from(["uwv", "made-up"], False, ["uwv", "rdw"]) == frozenset({"uwv"})
    assert senders_from(["uwv"], True, ["uwv", "rdw"]) is None


def test_a_code_reads_back_however_it_is_typed_and_its_secret_is_only_hashed() -> None:
    code = codes.new_code()
    assert codes.typed(codes.shown(code).lower()) == code
    assert codes.typed(" " + code[:8] + " " + code[8:]) == code
    assert codes.typed(code[:-1]) is None
    assert codes.typed(code[:-1] + "0") is None  # 0 is not in the alphabet
    stored = codes.secret_hash(code)
    assert code[6:] not in stored
    assert codes.matches(code, stored)
    assert not codes.matches(code[:6] + "A" * 10, stored) or code[6:] == "A" * 10


def test_a_masked_bsn_shows_only_its_last_four_digits() -> None:
    assert mask_bsn("999990019") == "*****0019"


def test_the_register_is_read_row_by_row_and_names_the_line_of_an_error() -> None:
    rows = parse("persoon,vertegenwoordiger,soort,begin,einde\n999990019,999990020,curatele,2026-01-05,\n")
    assert [(r.kind, r.start, r.end) for r in rows] == [("curatele", date(2026, 1, 5), None)]
    with pytest.raises(RegisterError, match="line 2: persoon is not a valid BSN"):
        parse("persoon,vertegenwoordiger,soort,begin,einde\n123,999990020,curatele,2026-01-05,\n")
    with pytest.raises(RegisterError, match="line 2: soort"):
        parse("persoon,vertegenwoordiger,soort,begin,einde\n999990019,999990020,voogdij,2026-01-05,\n")
    with pytest.raises(RegisterError, match="line 1"):
        parse("bsn,wie\n")
