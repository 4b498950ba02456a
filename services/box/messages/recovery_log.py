"""The recovery letters each box was sent (the box's own collection), and the only module that
knows their documents: the count, which makes the next letter's id, and the last letter."""

import contextlib
from typing import NamedTuple, Protocol

from pymongo.errors import DuplicateKeyError

from services.box.messages.recovery_rules import Told
from shared.storage.mongo import Collections, Database


class Sent(NamedTuple):
    letters: int
    last: Told | None


class RecoveryLog(Protocol):
    async def of(self, account_id: str) -> Sent: ...
    async def sent(self, account_id: str, before: Sent, letter: Told) -> None:
        """One more letter than `before`; nothing if another sweep recorded it first."""
        ...


class MongoRecoveryLog:
    def __init__(self, db: Database) -> None:
        self._letters = db[Collections.BOX_RECOVERY_LETTERS]

    async def of(self, account_id: str) -> Sent:
        found = await self._letters.find_one({"_id": account_id})
        if found is None:
            return Sent(0, None)
        return Sent(int(found["letters"]), Told(found["last_at"], found["told_until"]))

    async def sent(self, account_id: str, before: Sent, letter: Told) -> None:
        with contextlib.suppress(DuplicateKeyError):  # the count moved on: another sweep recorded it
            await self._letters.update_one(
                {"_id": account_id, "letters": before.letters},
                {"$set": {"letters": before.letters + 1, "last_at": letter.at, "told_until": letter.until}},
                upsert=True,
            )
