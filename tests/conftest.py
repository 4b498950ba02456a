"""Fixtures shared by all test folders. Unit tests use none of the servers; integration and
e2e tests get a fresh RabbitMQ vhost and a fresh database each, so they never see each
other's messages or documents."""

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from pymongo import AsyncMongoClient, MongoClient

from shared.runtime.settings import ServiceSettings
from shared.storage.mongo import Database, Document
from tests.infrastructure import InfrastructureMissing, Servers, servers
from tools.rabbitmq_admin import ManagementApi
from tools.throwaway import new_throwaway, sweep

S = TypeVar("S", bound=ServiceSettings)


@pytest.fixture(scope="session")
def infrastructure() -> Iterator[Servers]:
    try:
        with servers() as found:
            sweep(ManagementApi(found.management_url), found.mongodb_url)
            yield found
    except InfrastructureMissing as missing:
        pytest.fail(str(missing), pytrace=False)


@dataclass(frozen=True)
class Sandbox:
    """One test's own vhost and database on the shared servers."""

    servers: Servers
    vhost: str
    database_name: str

    @property
    def rabbitmq_url(self) -> str:
        return self.amqp_url("guest", "guest")

    def amqp_url(self, user: str, password: str) -> str:
        host = self.servers.rabbitmq_url.split("@")[-1].rstrip("/")
        return f"amqp://{user}:{password}@{host}/{self.vhost}"

    @property
    def management(self) -> ManagementApi:
        return ManagementApi(self.servers.management_url)

    def settings(self, settings_class: type[S], **overrides: Any) -> S:
        return settings_class(
            rabbitmq_url=self.rabbitmq_url,
            mongodb_url=self.servers.mongodb_url,
            mongodb_database=self.database_name,
            **overrides,
        )

    def environment(self) -> dict[str, str]:
        return {
            "BERICHTENBOX_RABBITMQ_URL": self.rabbitmq_url,
            "BERICHTENBOX_MONGODB_URL": self.servers.mongodb_url,
            "BERICHTENBOX_MONGODB_DATABASE": self.database_name,
            "BERICHTENBOX_RABBITMQ_MANAGEMENT_URL": self.servers.management_url,
        }


@pytest.fixture
def sandbox(infrastructure: Servers) -> Iterator[Sandbox]:
    throwaway = new_throwaway("test")
    box = Sandbox(infrastructure, vhost=throwaway.vhost, database_name=throwaway.database_name)
    api = box.management
    api.put_vhost(box.vhost)
    api.set_permissions(box.vhost, "guest", configure=".*", write=".*", read=".*")
    yield box
    api.delete_vhost(box.vhost)
    with MongoClient[Document](infrastructure.mongodb_url) as client:  # services under test may have made it too
        client.drop_database(box.database_name)


@pytest.fixture
async def db(sandbox: Sandbox) -> AsyncIterator[Database]:
    client: AsyncMongoClient[Document] = AsyncMongoClient(sandbox.servers.mongodb_url, tz_aware=True)
    yield client[sandbox.database_name]
    await client.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test folder is its marker: tests/unit -> unit, and so on, unless a module names
    its own (the short fault run in tests/chaos is e2e, so `make test` runs it)."""
    kinds = ("unit", "integration", "e2e", "chaos")
    for item in items:
        folder = item.path.parent.name
        if folder in kinds and not any(item.get_closest_marker(kind) for kind in kinds):
            item.add_marker(getattr(pytest.mark, folder))
