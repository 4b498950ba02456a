"""Rate limits in the database, shared by every replica of the box: concurrent takes from two
"replicas" count once each, the limit holds exactly, and the answer says when to come back."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient

from services.box.identity.limits import Limit, MongoRateLimits, RateLimited
from shared.storage.mongo import Database, Document
from tests.conftest import Sandbox

LIMIT = Limit("test", 5, timedelta(minutes=1))
NOW = datetime(2026, 12, 2, 10, 0, 20, tzinfo=UTC)


async def test_two_replicas_share_one_count_and_the_limit_holds_exactly(sandbox: Sandbox, db: Database) -> None:
    other: AsyncMongoClient[Document] = AsyncMongoClient(sandbox.servers.mongodb_url, tz_aware=True)
    try:
        replicas = [MongoRateLimits(db), MongoRateLimits(other[sandbox.database_name])]
        takes = [replicas[n % 2].take(LIMIT, "citizen-1", NOW) for n in range(12)]
        results = await asyncio.gather(*takes, return_exceptions=True)
    finally:
        await other.close()
    refused = [r for r in results if isinstance(r, RateLimited)]
    assert (len(results) - len(refused), len(refused)) == (5, 7)
    assert {r.retry_after for r in refused} == {41}  # the window of a minute ends at 10:01:00
    await MongoRateLimits(db).take(LIMIT, "citizen-2", NOW)  # another key counts apart
    await MongoRateLimits(db).take(LIMIT, "citizen-1", NOW + timedelta(minutes=1))  # a new window


async def test_keys_are_stored_only_as_hashes(db: Database) -> None:
    await MongoRateLimits(db).take(LIMIT, "192.0.2.7", NOW)
    [stored] = await db["box_rate_limits"].find().to_list()
    assert "192.0.2.7" not in str(stored)
    for _ in range(LIMIT.count - 1):
        await MongoRateLimits(db).take(LIMIT, "192.0.2.7", NOW)
    with pytest.raises(RateLimited):
        await MongoRateLimits(db).take(LIMIT, "192.0.2.7", NOW)
