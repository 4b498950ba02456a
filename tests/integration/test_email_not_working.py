"""The router's mark of an address that does not work, on the real database: it lands only
while the address reported is still the account's, routing drops e-mail then, and a confirmed
address clears it; the notifier's count of failures that leads to it."""

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

from services.notifier.repository import FAILURE_WINDOW, MongoAddressHealth
from services.router.accounts import Applied, apply_account_event
from services.router.records import Recipient
from services.router.repository import MongoAccountStore
from shared.contracts.messages import EmailLinked, EmailNotWorking
from shared.storage.mongo import Database
from tools.population import population

CITIZEN = next(a for a in population(50, seed=3) if a["state"] == "activated")


def not_working(address: str) -> EmailNotWorking:
    digest = hashlib.sha256(address.encode()).hexdigest()
    return EmailNotWorking(account_id=CITIZEN["_id"], address_sha256=digest)


async def has_email(store: MongoAccountStore) -> bool:
    found = await store.by_bsn(CITIZEN["bsn"])
    assert isinstance(found, Recipient)
    return found.facts.has_email


async def test_only_the_current_address_is_marked_and_a_confirmed_one_clears_it(db: Database) -> None:
    store = MongoAccountStore(db)
    await store.insert_many([{**CITIZEN, "email": "oud@example.nl"}])
    assert await apply_account_event(store, not_working("ander@example.nl"), ()) is Applied.EMAIL_CHANGED_SINCE
    assert await has_email(store)
    assert await apply_account_event(store, not_working("oud@example.nl"), ()) is Applied.EMAIL_MARKED
    assert not await has_email(store)  # routed without e-mail from now on
    await store.apply(EmailLinked(bsn=CITIZEN["bsn"], sequence=99, email="nieuw@example.nl"))
    assert await has_email(store)
    assert await apply_account_event(store, not_working("oud@example.nl"), ()) is Applied.EMAIL_CHANGED_SINCE
    assert await has_email(store)


async def test_the_notifier_counts_each_failure_of_an_address_once_and_forgets_old_ones(db: Database) -> None:
    health, now = MongoAddressHealth(db), datetime(2026, 12, 3, tzinfo=UTC)
    assert await health.refused("A@example.nl", "n-1", now) == 1
    assert await health.refused("a@example.nl", "n-1", now) == 1  # the same bounce delivered twice
    counts = await asyncio.gather(*(health.refused("a@example.nl", f"n-{n}", now) for n in range(2, 6)))
    assert sorted(counts) == [2, 3, 4, 5]  # at once too, on FerretDB as on MongoDB
    assert await health.refused("a@example.nl", "n-9", now + FAILURE_WINDOW + timedelta(days=1)) == 1


async def test_failures_of_a_new_address_at_once_are_all_counted(db: Database) -> None:
    """Three bounces of one address may arrive at once, before it has a document: each upsert
    but one then meets the others' insert, and must still count."""
    health, now = MongoAddressHealth(db), datetime(2026, 12, 3, tzinfo=UTC)
    counts = await asyncio.gather(*(health.refused("nieuw@example.nl", f"b-{n}", now) for n in range(3)))
    assert sorted(counts) == [1, 2, 3]
