"""Account events apply in order per citizen; stale and repeated events change nothing."""

import pytest

from services.router.policy import AccountState
from services.router.records import Recipient
from shared.contracts.messages import AccountActivated, EmailLinked, GuardianshipChanged, PreferencesChanged
from shared.messaging.dead_letter import PermanentError
from tests.fakes.router import InMemoryAccountStore
from tools.population import population

READY = next(a for a in population(50, seed=1) if a["state"] == "ready")
BSN = READY["bsn"]


async def test_events_in_order_build_the_account() -> None:
    store = InMemoryAccountStore([READY])
    assert await store.apply(AccountActivated(bsn=BSN, sequence=1))
    assert await store.apply(EmailLinked(bsn=BSN, sequence=2, email="a@example.nl"))
    assert await store.apply(
        PreferencesChanged(bsn=BSN, sequence=3, opted_in_agencies=["uwv"], paper_copy_agencies=[], reminder_opt_in=True)
    )
    account = await store.by_bsn(BSN)
    assert isinstance(account, Recipient)
    facts = account.facts
    assert (facts.state, facts.has_email, facts.opted_in_agencies) == (AccountState.ACTIVATED, True, frozenset({"uwv"}))


async def test_a_stale_event_never_overwrites_a_newer_state() -> None:
    store = InMemoryAccountStore([READY])
    await store.apply(EmailLinked(bsn=BSN, sequence=5, email="new@example.nl"))
    assert not await store.apply(EmailLinked(bsn=BSN, sequence=4, email="old@example.nl"))
    assert not await store.apply(EmailLinked(bsn=BSN, sequence=5, email="new@example.nl"))
    assert store.by_number[BSN]["email"] == "new@example.nl"


async def test_aspects_are_ordered_independently() -> None:
    store = InMemoryAccountStore([READY])
    await store.apply(GuardianshipChanged(bsn=BSN, sequence=9, guardianship="curatele"))
    assert await store.apply(EmailLinked(bsn=BSN, sequence=3, email="a@example.nl"))


async def test_event_for_an_unknown_citizen_is_permanent() -> None:
    with pytest.raises(PermanentError):
        await InMemoryAccountStore([]).apply(AccountActivated(bsn="111222333", sequence=1))
