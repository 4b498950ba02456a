"""Rate limits on what costs the box, the identity provider or a mailbox: logins begun per
address, confirmation e-mails per citizen and per address they go to, logbook downloads and
device registrations per citizen. Counted per fixed window in the database, so every replica
of the box shares them; past a limit the caller gets 429 with `Retry-After`."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from shared.storage.mongo import Collections, Database


@dataclass(frozen=True)
class Limit:
    name: str
    count: int
    per: timedelta


LOGINS_PER_ADDRESS = Limit("login", 30, timedelta(minutes=1))
"""Generous: a library's computers share one address."""
MAILS_PER_CITIZEN = Limit("mail-citizen", 5, timedelta(hours=1))
MAILS_PER_ADDRESS = Limit("mail-address", 3, timedelta(hours=1))
DOWNLOADS_PER_CITIZEN = Limit("logbook", 20, timedelta(hours=1))
DEVICES_PER_CITIZEN = Limit("device", 20, timedelta(hours=1))
CODES_PER_CITIZEN = Limit("code", 10, timedelta(hours=1))
"""Invitation codes tried: with five tries per invitation, guessing a handle gains nothing."""
INVITATIONS_PER_CITIZEN = Limit("invitation", 10, timedelta(days=1))


class RateLimited(Exception):
    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


class RateLimits(Protocol):
    async def take(self, limit: Limit, key: str, now: datetime) -> None:
        """Counts one; `RateLimited` once the window holds `limit.count`."""
        ...


class MongoRateLimits:
    def __init__(self, db: Database) -> None:
        self._windows = db[Collections.BOX_RATE_LIMITS]

    async def take(self, limit: Limit, key: str, now: datetime) -> None:
        seconds = int(limit.per.total_seconds())
        start = int(now.timestamp()) // seconds * seconds
        ends = datetime.fromtimestamp(start + seconds, tz=now.tzinfo)
        window = hashlib.sha256(f"{limit.name}\0{key}\0{start}".encode()).hexdigest()
        counted = await self._count(window, ends)
        if counted > limit.count:
            raise RateLimited(max(1, int((ends - now).total_seconds()) + 1))

    async def _count(self, window: str, ends: datetime) -> int:
        for _ in range(2):  # two first takes of one window at once: one inserts, the other counts on
            try:
                found = await self._windows.find_one_and_update(
                    {"_id": window},
                    {"$inc": {"n": 1}, "$setOnInsert": {"expires_at": ends}},
                    upsert=True,
                    return_document=ReturnDocument.AFTER,
                )
            except DuplicateKeyError:
                continue
            return int(found["n"]) if found else 1
        return 1
