"""The router's records, and the only module that knows their documents: a message is read
from ingest's collection; its route is inserted once under the message's id in `routes` (the
first decision stored wins); accounts are kept up to date from the citizen side's events.

Account events are applied in order per citizen: each aspect (activation, e-mail,
preferences, push, guardianship, representation) keeps the sequence number of the event that last set it,
and an update only lands when its sequence is newer. Redelivered or stale events change nothing."""

import hashlib
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from pydantic import ValidationError
from pymongo import ASCENDING, IndexModel

from services.router.policy import AccountFacts, AccountState
from services.router.records import Decision, MessageToRoute, Recipient, StoredRoute, Unreadable
from shared.contracts.messages import (
    AccountActivated,
    AccountEvent,
    EmailLinked,
    GuardianshipChanged,
    PreferencesChanged,
    PushSubscriptionsChanged,
    RepresentationDigitalChanged,
)
from shared.messaging.dead_letter import PermanentError
from shared.storage.grouped import GroupedFinder, GroupedInserter
from shared.storage.mongo import Collections, Database, Document, Indexes

INDEXES: Indexes = {Collections.ACCOUNTS: [IndexModel([("bsn", ASCENDING)], unique=True, name="bsn_unique")]}
ASPECTS = ("activation", "email", "preferences", "push", "guardianship")
MESSAGE_FIELDS = dict.fromkeys(
    [
        "agency_id",
        "agency_reference",
        "recipient_bsn",
        "paper_copy_requested",
        "call_to_action",
        "correlation_id",
        "trace_id",
    ],
    1,
)


class RoutedMessageStore(Protocol):
    async def get(self, message_id: str) -> MessageToRoute | Unreadable | None: ...
    async def store_routes(self, decisions: list[Decision]) -> list[Decision]:
        """Insert the routes at once; where one was stored before (a redelivery), it wins."""
        ...


class AccountStore(Protocol):
    async def by_bsn(self, bsn: str) -> Recipient | Unreadable | None: ...
    async def apply(self, event: AccountEvent) -> bool:
        """True when the event changed the account; False when it was stale or repeated."""
        ...

    async def remove_push_subscription(self, account_id: str, endpoint: str) -> None: ...
    async def mark_email_not_working(self, account_id: str, address_sha256: str) -> bool: ...


class MongoRoutedMessageStore:
    def __init__(self, db: Database) -> None:
        self._routes = db[Collections.ROUTES]
        self._new_routes = GroupedInserter(self._routes)
        self._messages = GroupedFinder(db[Collections.MESSAGES], projection=MESSAGE_FIELDS)

    async def get(self, message_id: str) -> MessageToRoute | Unreadable | None:
        """The fields of the message the router needs (read with other look-ups in flight)."""
        document = await self._messages.get(message_id)
        return None if document is None else message_to_route(document)

    async def store_routes(self, decisions: list[Decision]) -> list[Decision]:
        decisions = [_as_stored(d) for d in decisions]
        routed_before = await self._new_routes.insert([route_document(d) for d in decisions])
        return [await self._stored(d) if d.message_id in routed_before else d for d in decisions]

    async def _stored(self, decision: Decision) -> Decision:
        stored = await self._routes.find_one({"_id": decision.message_id})
        return replace(decision, route=StoredRoute.model_validate(stored))


def message_to_route(document: Document) -> MessageToRoute | Unreadable:
    try:
        return MessageToRoute.model_validate(document)
    except ValidationError as error:  # its text would quote the document: only the count
        return Unreadable(f"stored message is invalid ({error.error_count()} fields)")


def route_document(decision: Decision) -> Document:
    return {
        "_id": decision.message_id,
        **decision.route.model_dump(mode="json"),
        "agency_id": decision.message.agency_id,
        "agency_reference": decision.message.agency_reference,
        "routed_at": decision.route.routed_at,  # a BSON date, not the JSON dump's string
    }


def _as_stored(decision: Decision) -> Decision:
    """With `routed_at` as a BSON date keeps it (milliseconds), so what is dispatched now
    equals what a redelivery reads back."""
    moment = decision.route.routed_at
    return replace(decision, route=decision.route.model_copy(update={"routed_at": _milliseconds(moment)}))


def _milliseconds(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class MongoAccountStore:
    def __init__(self, db: Database) -> None:
        self._accounts = db[Collections.ACCOUNTS]
        self._by_number = GroupedFinder(self._accounts, field="bsn")

    async def by_bsn(self, bsn: str) -> Recipient | Unreadable | None:
        """Through the unique BSN index, with other look-ups in flight."""
        return recipient(await self._by_number.get(bsn))

    async def apply(self, event: AccountEvent) -> bool:
        aspect, fields = change_of(event)
        version = f"versions.{aspect}"
        newer: Document = {version: {"$lt": event.sequence}}
        if aspect not in ASPECTS:  # an aspect added later: accounts loaded before have no version of it
            newer = {"$or": [{version: {"$exists": False}}, newer]}
        result = await self._accounts.update_one(
            {"bsn": event.bsn.value, **newer},
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

    async def mark_email_not_working(self, account_id: str, address_sha256: str) -> bool:
        """Only while that address is still the account's: a new one may have come since."""
        account = await self._accounts.find_one({"_id": account_id}, {"email": 1})
        email = (account or {}).get("email")
        if not isinstance(email, str) or hashlib.sha256(email.strip().lower().encode()).hexdigest() != address_sha256:
            return False
        await self._accounts.update_one({"_id": account_id, "email": email}, {"$set": {"email_not_working": True}})
        return True

    async def insert_many(self, documents: list[Document]) -> None:
        """For tools that load a population (tools/population.py)."""
        await self._accounts.insert_many(documents, ordered=False)


def recipient(document: Document | None) -> Recipient | Unreadable | None:
    """An account document that cannot be read fails only the message routed to it."""
    if document is None:
        return None
    try:
        return _recipient(document)
    except (KeyError, ValueError, TypeError) as error:  # names the field, never its value
        what = f"no {error}" if isinstance(error, KeyError) else type(error).__name__
        return Unreadable(f"stored account is invalid ({what})")


def _recipient(document: Document) -> Recipient:
    facts = AccountFacts(
        state=AccountState(document["state"]),
        opted_in_agencies=frozenset(document.get("opted_in_agencies", ())),
        paper_copy_agencies=frozenset(document.get("paper_copy_agencies", ())),
        under_guardianship=document.get("guardianship") is not None,
        represented_digitally=bool(document.get("represented_digitally")),
        has_email=bool(document.get("email")) and not document.get("email_not_working"),
        has_push=bool(document.get("push_subscriptions")),
    )
    return Recipient(document["_id"], facts)


def change_of(event: AccountEvent) -> tuple[str, dict[str, Any]]:
    """The aspect an event sets, and the fields it sets."""
    match event:
        case AccountActivated():
            return "activation", {"state": AccountState.ACTIVATED.value}
        case EmailLinked(email=email):
            return "email", {"email": email, "email_not_working": False}
        case PreferencesChanged():
            return "preferences", event.model_dump(
                include={
                    "opted_in_agencies",
                    "paper_copy_agencies",
                    "reminder_opt_in",
                    "deadline_reminders",
                    "safety_net_days",
                }
            )
        case PushSubscriptionsChanged(subscriptions=subscriptions):
            return "push", {"push_subscriptions": subscriptions}
        case GuardianshipChanged(guardianship=guardianship):
            return "guardianship", {"guardianship": guardianship}
        case RepresentationDigitalChanged(digital=digital):
            return "representation", {"represented_digitally": digital}
    raise PermanentError(f"no handling for account event {type(event).__name__}")
