"""Citizens' accounts and preferences: a Protocol, MongoDB, and an in-memory fake.

Account events are applied in order per citizen: each aspect (activation, e-mail,
preferences, push, guardianship) keeps the sequence number of the event that last set it,
and an update only lands when its sequence is newer. Redelivered or stale events change nothing.
"""

import copy
from collections.abc import Iterable
from typing import Any, Protocol

from services.router.policy import AccountFacts, AccountState
from shared.contracts.messages import (
    AccountActivated,
    AccountEvent,
    EmailLinked,
    GuardianshipChanged,
    PreferencesChanged,
    PushSubscriptionsChanged,
)
from shared.messaging.dead_letter import PermanentError
from shared.storage.finds import GroupedFinder
from shared.storage.mongo import Collections, Database, Document

ASPECTS = ("activation", "email", "preferences", "push", "guardianship")


def account_facts(document: Document | None) -> AccountFacts | None:
    if document is None:
        return None
    return AccountFacts(
        state=AccountState(document["state"]),
        opted_in_agencies=frozenset(document.get("opted_in_agencies", ())),
        paper_copy_agencies=frozenset(document.get("paper_copy_agencies", ())),
        under_guardianship=document.get("guardianship") is not None,
        has_email=bool(document.get("email")),
        has_push=bool(document.get("push_subscriptions")),
    )


def change_of(event: AccountEvent) -> tuple[str, dict[str, Any]]:
    """The aspect an event sets, and the fields it sets."""
    match event:
        case AccountActivated():
            return "activation", {"state": AccountState.ACTIVATED.value}
        case EmailLinked(email=email):
            return "email", {"email": email}
        case PreferencesChanged():
            return "preferences", event.model_dump(
                include={"opted_in_agencies", "paper_copy_agencies", "reminder_opt_in"}
            )
        case PushSubscriptionsChanged(subscriptions=subscriptions):
            return "push", {"push_subscriptions": subscriptions}
        case GuardianshipChanged(guardianship=guardianship):
            return "guardianship", {"guardianship": guardianship}
    raise PermanentError(f"no handling for account event {type(event).__name__}")


class AccountStore(Protocol):
    async def by_bsn(self, bsn: str) -> Document | None: ...
    async def apply(self, event: AccountEvent) -> bool: ...


class MongoAccountStore:
    def __init__(self, db: Database) -> None:
        self._accounts = db[Collections.ACCOUNTS]
        self._by_number = GroupedFinder(self._accounts, field="bsn")

    async def by_bsn(self, bsn: str) -> Document | None:
        """Through the unique BSN index, with other look-ups in flight."""
        return await self._by_number.get(bsn)

    async def apply(self, event: AccountEvent) -> bool:
        """True when the event changed the account; False when it was stale or repeated."""
        aspect, fields = change_of(event)
        version = f"versions.{aspect}"
        result = await self._accounts.update_one(
            {"bsn": event.bsn.value, version: {"$lt": event.sequence}},
            {"$set": {**fields, version: event.sequence}},
        )
        if result.matched_count:
            return True
        if await self._accounts.count_documents({"bsn": event.bsn.value}, limit=1) == 0:
            raise PermanentError("account event for a citizen without an account record")
        return False

    async def remove_push_subscription(self, account_id: str, endpoint: str) -> None:
        """Idempotent: the notifier reports an app registration the push service no longer knows.
        Read, filter, write: safe because account events are applied one at a time (the queue
        has a single active consumer), and FerretDB's `$pull` ignores a condition on a field."""
        account = await self._accounts.find_one({"_id": account_id}, {"push_subscriptions": 1})
        subscriptions = (account or {}).get("push_subscriptions") or []
        kept = [s for s in subscriptions if s.get("endpoint") != endpoint]
        if len(kept) != len(subscriptions):
            await self._accounts.update_one({"_id": account_id}, {"$set": {"push_subscriptions": kept}})

    async def insert_many(self, documents: list[Document]) -> None:
        await self._accounts.insert_many(documents, ordered=False)


class InMemoryAccountStore:
    def __init__(self, documents: Iterable[Document] = ()) -> None:
        self.by_number = {d["bsn"]: copy.deepcopy(d) for d in documents}

    async def by_bsn(self, bsn: str) -> Document | None:
        return self.by_number.get(bsn)

    async def apply(self, event: AccountEvent) -> bool:
        aspect, fields = change_of(event)
        account = self.by_number.get(event.bsn.value)
        if account is None:
            raise PermanentError("account event for a citizen without an account record")
        if account["versions"][aspect] >= event.sequence:
            return False
        account.update(fields)
        account["versions"][aspect] = event.sequence
        return True
