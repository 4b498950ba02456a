"""The agency registry in MongoDB, read by every service, written by `tools/provisioning.py`."""

import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from pymongo import ASCENDING, IndexModel

from shared.contracts.agencies import Agency
from shared.storage.mongo import Collections, Database, Document, Indexes

INDEXES: Indexes = {
    Collections.AGENCIES: [IndexModel([("broker_user", ASCENDING)], unique=True, name="broker_user_unique")],
}


class AgencyRegistry(Protocol):
    async def by_broker_user(self, broker_user: str) -> Agency | None: ...
    async def get(self, agency_id: str) -> Agency | None: ...


class MongoAgencyRegistry:
    def __init__(self, db: Database) -> None:
        self._agencies = db[Collections.AGENCIES]

    async def by_broker_user(self, broker_user: str) -> Agency | None:
        return _agency(await self._agencies.find_one({"broker_user": broker_user}))

    async def get(self, agency_id: str) -> Agency | None:
        return _agency(await self._agencies.find_one({"_id": agency_id}))

    async def all(self) -> list[Agency]:
        return [a for a in [_agency(d) async for d in self._agencies.find({})] if a is not None]

    async def save(self, agency: Agency) -> None:
        document = agency.model_dump(mode="json")
        await self._agencies.replace_one({"_id": agency.agency_id}, {"_id": agency.agency_id, **document}, upsert=True)


def _agency(document: Document | None) -> Agency | None:
    if document is None:
        return None
    return Agency.model_validate({k: v for k, v in document.items() if k != "_id"})


class CachedAgencyRegistry:
    """The registry changes rarely and is read for every message: keep what was read for
    `ttl_seconds` (a deactivated agency is refused within that time)."""

    def __init__(self, inner: AgencyRegistry, ttl_seconds: float = 30.0) -> None:
        self.inner, self.ttl = inner, ttl_seconds
        self._cache: dict[tuple[str, str], tuple[float, Agency | None]] = {}

    async def _cached(self, key: tuple[str, str], load: Callable[[], Awaitable[Agency | None]]) -> Agency | None:
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        agency = await load()
        self._cache[key] = (now, agency)
        return agency

    async def by_broker_user(self, broker_user: str) -> Agency | None:
        return await self._cached(("user", broker_user), lambda: self.inner.by_broker_user(broker_user))

    async def get(self, agency_id: str) -> Agency | None:
        return await self._cached(("id", agency_id), lambda: self.inner.get(agency_id))
