"""The router's records: a message is read from ingest's collection; its Route is inserted
once under the message's id in `routes` (the first decision stored wins), the Routes of one
submission with one insert."""

from dataclasses import replace

from services.router.decisions import Decision, StoredRoute
from shared.storage.finds import GroupedFinder
from shared.storage.inserts import GroupedInserter
from shared.storage.mongo import Collections, Database, Document

MESSAGE_FIELDS = {
    "agency_id": 1,
    "agency_reference": 1,
    "recipient_bsn": 1,
    "paper_copy_requested": 1,
    "call_to_action": 1,
    "correlation_id": 1,
}


def route_document(decision: Decision) -> Document:
    return {
        "_id": decision.message_id,
        **decision.route.model_dump(mode="json"),
        "agency_id": decision.message.agency_id,
        "agency_reference": decision.message.agency_reference,
        "routed_at": decision.route.routed_at,  # a BSON date, not the JSON dump's string
    }


class MongoRoutedMessageStore:
    def __init__(self, db: Database) -> None:
        self._messages = db[Collections.MESSAGES]
        self._routes = db[Collections.ROUTES]
        self._new_routes = GroupedInserter(self._routes)
        self._message_fields = GroupedFinder(self._messages, projection=MESSAGE_FIELDS)

    async def get(self, message_id: str) -> Document | None:
        """The fields of the message the router needs (read with other look-ups in flight)."""
        return await self._message_fields.get(message_id)

    async def store_routes(self, decisions: list[Decision]) -> list[Decision]:
        routed_before = await self._new_routes.insert([route_document(d) for d in decisions])
        return [await self._stored(d) if d.message_id in routed_before else d for d in decisions]

    async def _stored(self, decision: Decision) -> Decision:
        stored = await self._routes.find_one({"_id": decision.message_id})
        return replace(decision, route=StoredRoute.model_validate(stored))


class InMemoryRoutedMessageStore:
    def __init__(self, documents: list[Document]) -> None:
        self.documents = {d["_id"]: d for d in documents}
        self.routes: dict[str, Document] = {}

    async def get(self, message_id: str) -> Document | None:
        return self.documents.get(message_id)

    async def store_routes(self, decisions: list[Decision]) -> list[Decision]:
        for d in decisions:
            self.routes.setdefault(d.message_id, route_document(d))
        return [replace(d, route=StoredRoute.model_validate(self.routes[d.message_id])) for d in decisions]
