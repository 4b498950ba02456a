"""The router's records: a message is read from ingest's collection; its Route is inserted
once under the message's id in `routes` (the first decision stored wins)."""

from pymongo.errors import DuplicateKeyError

from services.router.routing import StoredRoute
from shared.mongo import Collections, Database, Document

MESSAGE_FIELDS = {"agency_id": 1, "agency_reference": 1, "recipient_bsn": 1, "paper_copy_requested": 1}


def route_document(message_id: str, route: StoredRoute, message: Document) -> Document:
    return {
        "_id": message_id,
        **route.model_dump(mode="json"),
        "agency_id": message["agency_id"],
        "agency_reference": message["agency_reference"],
        "routed_at": route.routed_at,  # a BSON date, not the JSON dump's string
    }


class MongoRoutedMessageStore:
    def __init__(self, db: Database) -> None:
        self._messages = db[Collections.MESSAGES]
        self._routes = db[Collections.ROUTES]

    async def get(self, message_id: str) -> Document | None:
        """The fields of the message the router needs."""
        return await self._messages.find_one({"_id": message_id}, MESSAGE_FIELDS)

    async def store_route(self, message_id: str, message: Document, route: StoredRoute) -> StoredRoute:
        try:
            await self._routes.insert_one(route_document(message_id, route, message))
        except DuplicateKeyError:
            stored = await self._routes.find_one({"_id": message_id})
            return StoredRoute.model_validate(stored)
        return route


class InMemoryRoutedMessageStore:
    def __init__(self, documents: list[Document]) -> None:
        self.documents = {d["_id"]: d for d in documents}
        self.routes: dict[str, Document] = {}

    async def get(self, message_id: str) -> Document | None:
        return self.documents.get(message_id)

    async def store_route(self, message_id: str, message: Document, route: StoredRoute) -> StoredRoute:
        self.routes.setdefault(message_id, route_document(message_id, route, message))
        return StoredRoute.model_validate(self.routes[message_id])
