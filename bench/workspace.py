"""A throwaway RabbitMQ vhost and database for one benchmark run, on the servers `make up`
starts (or those named by BERICHTENBOX_TEST_* URLs)."""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from pymongo import AsyncMongoClient

from shared.storage.mongo import Database, Document, ensure_indexes
from tools.indexes import EVERY_INDEX
from tools.rabbitmq_admin import ManagementApi
from tools.throwaway import new_throwaway, sweep


@dataclass(frozen=True)
class Workspace:
    vhost: str
    database_name: str
    rabbitmq_url: str
    mongodb_url: str
    management_url: str
    db: Database

    def environment(self) -> dict[str, str]:
        return {
            "BERICHTENBOX_RABBITMQ_URL": self.rabbitmq_url,
            "BERICHTENBOX_MONGODB_URL": self.mongodb_url,
            "BERICHTENBOX_MONGODB_DATABASE": self.database_name,
            "BERICHTENBOX_RABBITMQ_MANAGEMENT_URL": self.management_url,
        }


@asynccontextmanager
async def workspace(name: str) -> AsyncIterator[Workspace]:
    management_url = os.environ.get("BERICHTENBOX_TEST_RABBITMQ_MANAGEMENT_URL", "http://guest:guest@127.0.0.1:15672")
    mongodb_url = os.environ.get("BERICHTENBOX_TEST_MONGODB_URL", "mongodb://127.0.0.1:27017")
    throwaway = new_throwaway(f"bench-{name}")
    vhost, database_name = throwaway.vhost, throwaway.database_name
    api = ManagementApi(management_url)
    sweep(api, mongodb_url)
    api.put_vhost(vhost)
    api.set_permissions(vhost, "guest", configure=".*", write=".*", read=".*")
    client: AsyncMongoClient[Document] = AsyncMongoClient(mongodb_url, tz_aware=True)
    db = client[database_name]
    await ensure_indexes(db, EVERY_INDEX)
    try:
        yield Workspace(
            vhost, database_name, f"amqp://guest:guest@127.0.0.1:5672/{vhost}", mongodb_url, management_url, db
        )
    finally:
        await client.drop_database(database_name)
        await client.close()
        api.delete_vhost(vhost)
