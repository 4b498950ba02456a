"""Read-only views the notifier and paper share: the account a message was routed to (its
id travels in the command, so neither reads the route) and, for paper, the message. Each
service names the fields it reads: the notifier has no use for an account's BSN, and reads
no message at all (its command carries what a notification tells)."""

from collections.abc import Mapping

from shared.storage.finds import GroupedFinder
from shared.storage.mongo import Collections, Database, Document

Fields = Mapping[str, int]
"""A projection: {field: 1, ...}; `_id` always comes with it."""


class MongoAccountSource:
    """Look-ups of concurrent deliveries go to the server together."""

    def __init__(self, db: Database, *, account_fields: Fields, gather_seconds: float = 0.0) -> None:
        self._accounts = GroupedFinder(
            db[Collections.ACCOUNTS], projection=account_fields, gather_seconds=gather_seconds
        )

    async def account(self, account_id: str) -> Document | None:
        return await self._accounts.get(account_id)


class MongoMessageSources(MongoAccountSource):
    def __init__(
        self, db: Database, *, message_fields: Fields, account_fields: Fields, gather_seconds: float = 0.0
    ) -> None:
        super().__init__(db, account_fields=account_fields, gather_seconds=gather_seconds)
        self._messages = GroupedFinder(
            db[Collections.MESSAGES], projection=message_fields, gather_seconds=gather_seconds
        )

    async def message(self, message_id: str) -> Document | None:
        return await self._messages.get(message_id)
