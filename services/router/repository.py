"""The router's view of stored messages: read one, store its Route exactly once."""

from datetime import datetime

from services.router.routing import StoredRoute
from shared.dead_letter import PermanentError
from shared.mongo import Collections, Database, Document


class MongoRoutedMessageStore:
    def __init__(self, db: Database) -> None:
        self._messages = db[Collections.MESSAGES]

    async def get(self, message_id: str) -> Document | None:
        return await self._messages.find_one({"_id": message_id})

    async def store_route(self, message_id: str, route: StoredRoute, now: datetime) -> StoredRoute:
        """Only an `accepted` message takes a route; if another attempt stored one first, that one wins."""
        result = await self._messages.update_one(
            {"_id": message_id, "status": "accepted"},
            {"$set": {"status": "routed", "route": route.model_dump(mode="json"), "routed_at": now}},
        )
        if result.modified_count:
            return route
        document = await self._messages.find_one({"_id": message_id}, {"route": 1})
        if document is None or document.get("route") is None:
            raise PermanentError("message is neither accepted nor routed")
        return StoredRoute.model_validate(document["route"])


class InMemoryRoutedMessageStore:
    def __init__(self, documents: list[Document]) -> None:
        self.documents = {d["_id"]: d for d in documents}

    async def get(self, message_id: str) -> Document | None:
        return self.documents.get(message_id)

    async def store_route(self, message_id: str, route: StoredRoute, now: datetime) -> StoredRoute:
        document = self.documents[message_id]
        if document.get("route") is None:
            document.update(status="routed", route=route.model_dump(mode="json"), routed_at=now)
        return StoredRoute.model_validate(document["route"])
