"""Read-only views that notifier and paper share: a message with the route the router
stored for it, and the account it was routed to."""

from shared.mongo import Collections, Database, Document


class MongoMessageSources:
    def __init__(self, db: Database) -> None:
        self._messages, self._routes, self._accounts = (
            db[c] for c in (Collections.MESSAGES, Collections.ROUTES, Collections.ACCOUNTS)
        )

    async def message(self, message_id: str) -> Document | None:
        """The message with its route under `route` (None until routed)."""
        message = await self._messages.find_one({"_id": message_id})
        if message is None:
            return None
        route = await self._routes.find_one({"_id": message_id})
        return {**message, "route": route, "routed_at": route and route["routed_at"]}

    async def account(self, account_id: str) -> Document | None:
        return await self._accounts.find_one({"_id": account_id})
