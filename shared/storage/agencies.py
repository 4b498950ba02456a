"""The agency registry: who may send, as which broker user, and with which legal standing.
"Mandatory sender" and "paper copy allowed" are data here, never hard-coded names."""

import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from shared.storage.mongo import Collections, Database


class Letterhead(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    return_address: str = Field(description="one line, printed above the window address")
    contact_lines: list[str] = Field(default_factory=list)


class Agency(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    agency_id: str = Field(pattern=r"^[a-z0-9-]{2,40}$")
    display_name: str
    broker_user: str
    allowed_message_types: frozenset[str]
    mandatory_sender: bool = False
    paper_copy_allowed: bool = False
    active: bool = True
    letterhead: Letterhead


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


def _agency(document: dict[str, object] | None) -> Agency | None:
    if document is None:
        return None
    document = {k: v for k, v in document.items() if k != "_id"}
    return Agency.model_validate(document)


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


class InMemoryAgencyRegistry:
    def __init__(self, agencies: list[Agency]) -> None:
        self._by_id = {a.agency_id: a for a in agencies}

    async def by_broker_user(self, broker_user: str) -> Agency | None:
        return next((a for a in self._by_id.values() if a.broker_user == broker_user), None)

    async def get(self, agency_id: str) -> Agency | None:
        return self._by_id.get(agency_id)


def read_agency_file(path: Path) -> list[Agency]:
    """The versioned registry file in deploy/."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Agency.model_validate(entry) for entry in data["agencies"]]
