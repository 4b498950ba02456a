"""Read-only views that notifier and paper share: a message, and the account it was routed
to (its id travels in the command, so neither reads the route)."""

from shared.finds import GroupedFinder
from shared.mongo import Collections, Database, Document


class MongoMessageSources:
    """Look-ups of concurrent deliveries go to the server together."""

    def __init__(self, db: Database, gather_seconds: float = 0.0) -> None:
        self._messages = GroupedFinder(db[Collections.MESSAGES], gather_seconds=gather_seconds)
        self._accounts = GroupedFinder(db[Collections.ACCOUNTS], gather_seconds=gather_seconds)

    async def message(self, message_id: str) -> Document | None:
        return await self._messages.get(message_id)

    async def account(self, account_id: str) -> Document | None:
        return await self._accounts.get(account_id)
