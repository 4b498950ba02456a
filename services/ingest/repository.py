"""Where ingest keeps messages and rejections: the only module that knows their documents.
Messages are inserted, never updated."""

from datetime import datetime
from typing import Protocol

from bson import Binary
from pymongo import ASCENDING, IndexModel

from services.ingest.records import AcceptedMessage, AcceptedPage, NewMessage, Prior, Rejection, Stored
from shared.contracts.messages import Reason
from shared.contracts.printable import shown
from shared.storage.grouped import GroupedInserter
from shared.storage.mongo import Collections, Database, Document, Indexes

INDEXES: Indexes = {
    # Unique per (agency, reference) through _id = uuid5(agency, reference); this index serves look-ups.
    Collections.MESSAGES: [
        IndexModel([("agency_id", ASCENDING), ("agency_reference", ASCENDING)], name="agency_reference"),
        IndexModel([("accepted_at", ASCENDING)], name="accepted_at"),  # the sweep of unannounced messages
    ],
    Collections.REJECTIONS: [IndexModel([("received_at", ASCENDING)], name="received_at")],
}

STAMPED = frozenset({"accepted_at", "status", "trace_id"})
"""Fields ingest stamps on a message when it stores it; a redelivery stamps them anew."""


class MessageStore(Protocol):
    async def add_many(self, messages: list[NewMessage]) -> list[Stored]:
        """Insert at once; each message with what was stored under its id before."""
        ...

    async def add_rejections(self, rejections: list[Rejection]) -> None:
        """Idempotent: a rejection kept by an earlier delivery is not kept twice."""
        ...

    async def unrouted(self, message_ids: list[str]) -> set[str]:
        """Those of the stored messages the router has no route for (yet)."""
        ...

    async def accepted_between(self, accepted_from: datetime, accepted_until: datetime, limit: int) -> AcceptedPage:
        """The first `limit` messages accepted in that window, oldest first."""
        ...


class MongoMessageStore:
    def __init__(self, db: Database) -> None:
        self._messages = db[Collections.MESSAGES]
        self._routes = db[Collections.ROUTES]
        self._new_messages = GroupedInserter(self._messages)
        self._new_rejections = GroupedInserter(db[Collections.REJECTIONS])

    async def add_many(self, messages: list[NewMessage]) -> list[Stored]:
        """One unordered insert (grouped with concurrent submissions'); ids already present
        are compared with their original."""
        documents = [message_document(m) for m in messages]
        taken = await self._new_messages.insert(documents)
        if not taken:
            return [Stored(m, Prior.NONE) for m in messages]
        originals = {d["_id"]: d async for d in self._messages.find({"_id": {"$in": sorted(taken)}})}
        return [Stored(m, _prior(d, originals.get(d["_id"]))) for m, d in zip(messages, documents, strict=True)]

    async def add_rejections(self, rejections: list[Rejection]) -> None:
        await self._new_rejections.insert([_rejection_document(r) for r in rejections])

    async def accepted_between(self, accepted_from: datetime, accepted_until: datetime, limit: int) -> AcceptedPage:
        window = {"accepted_at": {"$gte": accepted_from, "$lt": accepted_until}}
        fields = {"agency_id": 1, "accepted_at": 1}
        found = await self._messages.find(window, fields).sort("accepted_at", ASCENDING).limit(limit).to_list()
        messages = [AcceptedMessage(d["_id"], d["agency_id"], d["accepted_at"]) for d in found]
        return AcceptedPage(messages, messages[-1].accepted_at if messages else None, len(messages) == limit)

    async def unrouted(self, message_ids: list[str]) -> set[str]:
        """Read from the router's `routes` (read only)."""
        routed = {d["_id"] async for d in self._routes.find({"_id": {"$in": message_ids}}, {"_id": 1})}
        return set(message_ids) - routed


def message_document(message: NewMessage) -> Document:
    content = message.submission.model_dump(mode="json", exclude={"reference", "agency", "schema_version"})
    return {
        "_id": message.message_id,
        "agency_id": message.agency_id,
        "agency_reference": message.reference,
        **content,
        "status": "accepted",
        "accepted_at": message.accepted_at,
        "correlation_id": message.correlation_id,
        "trace_id": message.trace_id,
    }


def _prior(document: Document, original: Document | None) -> Prior:
    if original is None:
        return Prior.NONE
    same = all(original.get(k) == v for k, v in document.items() if k not in STAMPED)
    return Prior.SAME if same else Prior.OTHER


def _stored_reason(reason: Reason) -> Document:
    return {"code": reason.code, "field": reason.field and shown(reason.field), "detail": shown(reason.detail)}


def _rejection_document(rejection: Rejection) -> Document:
    return {
        "_id": rejection.rejection_id,
        "agency_id": rejection.agency_id,
        "broker_user": rejection.broker_user,
        # what the agency sent is kept as bytes; its text here may hold a NUL, which cannot be stored
        "agency_reference": None if rejection.reference is None else shown(rejection.reference),
        "reasons": [_stored_reason(reason) for reason in rejection.reasons],
        "payload": Binary(rejection.payload),
        "payload_size": rejection.payload_size,
        "payload_sha256": rejection.payload_sha256,
        "received_at": rejection.received_at,
    }
