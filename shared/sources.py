"""Read-only views that notifier and paper share: a message, and the account it was routed
to (its id travels in the command, so neither reads the route)."""

from shared.mongo import Collections, Database, Document


class MongoMessageSources:
    def __init__(self, db: Database) -> None:
        self._messages, self._accounts = db[Collections.MESSAGES], db[Collections.ACCOUNTS]

    async def message(self, message_id: str) -> Document | None:
        return await self._messages.find_one({"_id": message_id})

    async def account(self, account_id: str) -> Document | None:
        return await self._accounts.find_one({"_id": account_id})
