"""The router's records: a message is read from ingest's collection; its Route is inserted
once under the message's id in `routes` (the first decision stored wins)."""

from datetime import datetime

from pymongo.errors import DuplicateKeyError

from services.router.routing import StoredRoute
from shared.dead_letter import PermanentError
from shared.mongo import Collections, Database, Document


def route_document(message_id: str, route: StoredRoute, message: Document, now: datetime) -> Document:
    return {
        "_id": message_id,
        **route.model_dump(mode="json"),
        "agency_id": message["agency_id"],
        "agency_reference": message["agency_reference"],
        "routed_at": now,
    }


class MongoRoutedMessageStore:
    def __init__(self, db: Database) -> None:
        self._messages = db[Collections.MESSAGES]
        self._routes = db[Collections.ROUTES]

    async def get(self, message_id: str) -> Document | None:
        """The message, with its stored route under `route` if it has one."""
        message = await self._messages.find_one({"_id": message_id})
        if message is None:
            return None
        route = await self._routes.find_one({"_id": message_id})
        return {**message, "route": route}

    async def store_route(self, message_id: str, route: StoredRoute, now: datetime) -> StoredRoute:
        message = await self._messages.find_one({"_id": message_id}, {"agency_id": 1, "agency_reference": 1})
        if message is None:
            raise PermanentError("no stored message with this id")
        try:
            await self._routes.insert_one(route_document(message_id, route, message, now))
        except DuplicateKeyError:
            stored = await self._routes.find_one({"_id": message_id})
            return StoredRoute.model_validate(stored)
        return route


class InMemoryRoutedMessageStore:
    def __init__(self, documents: list[Document]) -> None:
        self.documents = {d["_id"]: d for d in documents}
        self.routes: dict[str, Document] = {}

    async def get(self, message_id: str) -> Document | None:
        message = self.documents.get(message_id)
        return None if message is None else {**message, "route": self.routes.get(message_id)}

    async def store_route(self, message_id: str, route: StoredRoute, now: datetime) -> StoredRoute:
        if message_id not in self.routes:
            self.routes[message_id] = route_document(message_id, route, self.documents[message_id], now)
        return StoredRoute.model_validate(self.routes[message_id])
