"""`make serve` may be run again: after an earlier run (or `make demo`) it starts anew."""

import contextlib
import urllib.error
import uuid

from pymongo import AsyncMongoClient

from scripts.serve import prepare
from shared.storage.mongo import Collections, Document
from tests.infrastructure import Servers
from tools.rabbitmq_admin import ManagementApi


async def test_serve_prepares_its_world_a_second_time(infrastructure: Servers) -> None:
    name = f"serve-test-{uuid.uuid4().hex[:8]}"
    client: AsyncMongoClient[Document] = AsyncMongoClient(infrastructure.mongodb_url)
    try:
        await prepare(name)
        await prepare(name)  # failed on E11000 in accounts: the first run's population was kept
        assert await client[name][Collections.ACCOUNTS].count_documents({}) == 2000
    finally:
        await client.drop_database(name)
        await client.close()
        with contextlib.suppress(urllib.error.HTTPError):
            ManagementApi(infrastructure.management_url).delete_vhost(name)
