"""Who gets a recovery letter, as tables: which filed messages ask for one, and what the
due ones of a box ask for at the sweep."""

from datetime import UTC, datetime, timedelta

import pytest

from services.box.messages.recovery_rules import (
    GRACE,
    INTERVAL,
    LOOK_BACK,
    Later,
    Reach,
    Send,
    Told,
    Waiting,
    asked_when_contact_lost,
    recovery_due,
    recovery_letter,
)

DELIVERED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
NOW = DELIVERED + GRACE
NO_CHANNEL = Reach(activated=True, working_email=False, devices=False)
NEVER_ACTIVATED = Reach(activated=False, working_email=False, devices=False)
EMAIL = Reach(activated=True, working_email=True, devices=False)
APP = Reach(activated=True, working_email=False, devices=True)


@pytest.mark.parametrize(
    ("reach", "sender_wants", "paper_copy", "due"),
    [
        (NO_CHANNEL, False, False, DELIVERED + GRACE),  # activated, nothing reaches them: any sender
        (NO_CHANNEL, True, False, DELIVERED + GRACE),
        (EMAIL, True, False, None),  # notified by e-mail
        (APP, True, False, None),  # notified on a device
        (NEVER_ACTIVATED, True, False, DELIVERED + GRACE),  # the mandatory sender's post, never activated
        (NEVER_ACTIVATED, False, False, None),  # a sender that does not want it
        (NO_CHANNEL, True, True, None),  # a paper copy goes out anyway
        (None, True, False, None),  # no account known
    ],
)
def test_which_filed_messages_ask_for_a_letter(
    reach: Reach | None, sender_wants: bool, paper_copy: bool, due: datetime | None
) -> None:
    assert recovery_due(DELIVERED, reach, sender_wants, paper_copy) == due


def waiting(n: int = 1, agency: str = "belastingdienst", delivered: datetime = DELIVERED, **state: bool) -> Waiting:
    facts = {"opened": False, "trashed": False, "on_paper": False} | state
    return Waiting(f"m-{n}", agency, delivered, **facts)


def send(*senders: str, until: datetime = DELIVERED) -> Send:
    return Send(frozenset(senders), until)


EARLIER = DELIVERED - timedelta(days=5)


@pytest.mark.parametrize(
    ("due", "reach", "last", "decision"),
    [
        ([waiting(1), waiting(2, "uwv")], NO_CHANNEL, None, send("belastingdienst", "uwv")),
        ([waiting()], NEVER_ACTIVATED, None, send("belastingdienst")),
        ([waiting(opened=True)], NO_CHANNEL, None, None),  # read meanwhile
        ([waiting(trashed=True)], NO_CHANNEL, None, None),
        ([waiting(on_paper=True)], NO_CHANNEL, None, None),  # the vangnet printed it
        ([waiting(1, opened=True), waiting(2)], NO_CHANNEL, None, send("belastingdienst")),
        ([waiting(1, delivered=EARLIER), waiting(2)], NO_CHANNEL, None, send("belastingdienst", until=DELIVERED)),
        ([waiting()], EMAIL, None, None),  # an address confirmed meanwhile: notifications reach them
        ([waiting()], None, None, None),
        # at most one letter in thirty days: the next waits, then goes if still unopened
        ([waiting()], NO_CHANNEL, Told(EARLIER, EARLIER), Later(EARLIER + INTERVAL)),
        ([waiting()], NO_CHANNEL, Told(NOW - INTERVAL, EARLIER), send("belastingdienst")),
        # a message the last letter told of asks for none again, however long ago it went
        ([waiting(delivered=EARLIER)], NO_CHANNEL, Told(NOW - INTERVAL, EARLIER), None),
        ([waiting()], NO_CHANNEL, Told(NOW - 2 * INTERVAL, DELIVERED), None),
        # a delivery after the newest one a letter told of is not told, even if it came before the letter
        ([waiting()], NO_CHANNEL, Told(NOW, EARLIER), Later(NOW + INTERVAL)),
    ],
)
def test_what_the_due_messages_of_a_box_ask_for(
    due: list[Waiting], reach: Reach | None, last: Told | None, decision: Send | Later | None
) -> None:
    assert recovery_letter(due, reach, last, NOW) == decision


def test_an_address_found_not_working_asks_for_what_it_may_not_have_told_after_the_grace_days() -> None:
    since, due = asked_when_contact_lost(NOW)
    assert (since, due) == (NOW - LOOK_BACK, NOW + GRACE)
