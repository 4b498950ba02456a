"""The box's pure rules as tables: where a message may move, what a preferences form
becomes, what every page warns about for each account state, and how the box sees an account
it changed."""

import pytest

from services.box.account.records import Citizen, OwnChange
from services.box.account.rules import MANDATORY_REASON, as_changed, choices, paper_now, preferences_from, warnings
from services.box.messages.records import Folder
from services.box.messages.rules import Move, moved
from shared.contracts.bsn import Bsn
from tests.support.samples import AGENCIES, VALID_BSN

AGENCY_LIST = list(AGENCIES.values())


@pytest.mark.parametrize(
    ("folder", "move", "to"),
    [
        (Folder.INBOX, Move.ARCHIVE, Folder.ARCHIVE),
        (Folder.INBOX, Move.TRASH, Folder.TRASH),
        (Folder.INBOX, Move.RESTORE, None),
        (Folder.ARCHIVE, Move.ARCHIVE, None),
        (Folder.ARCHIVE, Move.TRASH, Folder.TRASH),
        (Folder.ARCHIVE, Move.RESTORE, Folder.INBOX),
        (Folder.TRASH, Move.RESTORE, Folder.INBOX),
        (Folder.TRASH, Move.ARCHIVE, None),
        (Folder.TRASH, Move.TRASH, None),
    ],
)
def test_moves(folder: Folder, move: Move, to: Folder | None) -> None:
    assert moved(folder, move) == to


def citizen(state: str = "activated", email: str | None = "a@example.nl", **more: object) -> Citizen:
    return Citizen("acc-1", Bsn(VALID_BSN), state, email, **more)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("digital", "paper", "opted_in", "copies"),
    [
        (set(), set(), ["belastingdienst"], []),  # the mandatory sender cannot be unticked
        ({"uwv", "rdw"}, set(), ["belastingdienst", "rdw", "uwv"], []),
        ({"uwv"}, {"uwv", "rdw"}, ["belastingdienst", "uwv"], ["uwv"]),  # RDW allows no paper copies
        ({"no-such-agency"}, {"no-such-agency"}, ["belastingdienst"], []),
    ],
)
def test_a_preferences_form_becomes_what_the_law_and_the_agencies_allow(
    digital: set[str], paper: set[str], opted_in: list[str], copies: list[str]
) -> None:
    chosen = preferences_from(digital, paper, True, AGENCY_LIST)
    assert (chosen.opted_in_agencies, chosen.paper_copy_agencies, chosen.reminder_opt_in) == (opted_in, copies, True)


def test_the_mandatory_sender_is_shown_on_and_locked_with_its_reason() -> None:
    rows = {row.agency_id: row for row in choices(citizen(opted_in_agencies=["uwv"]), AGENCY_LIST)}
    assert rows["belastingdienst"].digital and rows["belastingdienst"].locked_reason == MANDATORY_REASON
    assert rows["uwv"].digital and rows["uwv"].locked_reason is None
    assert not rows["rdw"].digital and not rows["rdw"].paper_copy_allowed


@pytest.mark.parametrize(
    ("state", "email", "warned"),
    [("activated", None, True), ("activated", "a@example.nl", False), ("ready", None, False)],
)
def test_an_activated_citizen_without_an_address_is_warned_on_every_page(
    state: str, email: str | None, warned: bool
) -> None:
    assert bool(warnings(citizen(state, email))) is warned
    assert warnings(None) == []


PHONE: dict[str, object] = {"endpoint": "https://push.example/phone", "keys": {"p256dh": "k", "auth": "a"}}
TABLET: dict[str, object] = {"endpoint": "https://push.example/tablet", "keys": {"p256dh": "k", "auth": "a"}}
ROUTERS = Citizen("acc-1", Bsn(VALID_BSN), "activated", email="oud@example.nl", push_subscriptions=[PHONE])


@pytest.mark.parametrize(
    ("applied", "own", "email", "devices"),
    [
        ({}, [], "oud@example.nl", [PHONE]),  # nothing changed in the box
        ({"email": 3}, [OwnChange("email", 4, {"email": "nieuw@example.nl"})], "nieuw@example.nl", [PHONE]),
        ({"email": 4}, [OwnChange("email", 4, {"email": "nieuw@example.nl"})], "oud@example.nl", [PHONE]),  # applied
        # the router applied the device change, then dropped a device its push service no longer knows
        ({"push": 5}, [OwnChange("push", 5, {"push_subscriptions": [PHONE, TABLET]})], "oud@example.nl", [PHONE]),
        (
            {"push": 2},
            [OwnChange("push", 6, {"push_subscriptions": [PHONE, TABLET]}), OwnChange("email", 5, {"email": None})],
            None,
            [PHONE, TABLET],
        ),
    ],
)
def test_the_box_sees_its_own_changes_until_the_router_has_applied_them(
    applied: dict[str, int], own: list[OwnChange], email: str | None, devices: list[dict[str, object]]
) -> None:
    seen = as_changed(ROUTERS, applied, own)
    assert (seen.email, seen.push_subscriptions) == (email, devices)


def test_an_address_mail_does_not_reach_is_warned_of_on_every_page() -> None:
    [warning] = warnings(citizen("activated", "oud@example.nl", email_not_working=True))
    assert "komt niet aan" in warning


def test_turning_digital_post_off_for_an_agency_names_it_for_the_catch_up() -> None:
    before = citizen(opted_in_agencies=["uwv", "rdw"])
    after = preferences_from({"rdw"}, set(), False, AGENCY_LIST)
    assert paper_now(before, after) == {"uwv"}
    assert paper_now(citizen(opted_in_agencies=[]), after) == set()
