"""Read-only views that notifier and paper share: a message, and the account it was routed
to (its id travels in the command, so neither reads the route). Each service names the
fields it reads: the notifier has no use for a message's body and attachments (megabytes,
for some) nor for an account's BSN."""

from collections.abc import Mapping

from shared.finds import GroupedFinder
from shared.mongo import Collections, Database, Document

Fields = Mapping[str, int]
"""A projection: {field: 1, ...}; `_id` always comes with it."""


class MongoMessageSources:
    """Look-ups of concurrent deliveries go to the server together."""

    def __init__(
        self, db: Database, *, message_fields: Fields, account_fields: Fields, gather_seconds: float = 0.0
    ) -> None:
        self._messages = GroupedFinder(
            db[Collections.MESSAGES], projection=message_fields, gather_seconds=gather_seconds
        )
        self._accounts = GroupedFinder(
            db[Collections.ACCOUNTS], projection=account_fields, gather_seconds=gather_seconds
        )

    async def message(self, message_id: str) -> Document | None:
        return await self._messages.get(message_id)

    async def account(self, account_id: str) -> Document | None:
        return await self._accounts.get(account_id)
