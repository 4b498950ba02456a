"""The lifecycle every service shares: indexes before the broker starts, the whole topology
once it is connected, the MongoDB client closed after shutdown, and its AsyncAPI document."""

from collections.abc import Awaitable, Callable

from faststream import FastStream
from faststream.rabbit import RabbitBroker
from faststream.specification import AsyncAPI
from pymongo import AsyncMongoClient

from shared.broker import declare_topology
from shared.logs import configure_logging
from shared.metrics import Metrics
from shared.mongo import Document, database, ensure_indexes
from shared.ops import OpsServer
from shared.settings import ServiceSettings

API_VERSION = "1"


def create_service_app(
    settings: ServiceSettings,
    broker: RabbitBroker,
    client: AsyncMongoClient[Document],
    *,
    description: str,
    metrics: Metrics,
    after_connect: Callable[[], Awaitable[None]] | None = None,
    before_close: Callable[[], Awaitable[None]] | None = None,
) -> FastStream:
    db = database(client, settings)
    ops = OpsServer(settings.ops_port, metrics, broker, db) if settings.ops_port is not None else None

    async def prepare_database() -> None:
        configure_logging(settings)
        await ensure_indexes(db)

    async def declare_queues() -> None:
        await declare_topology(broker)
        if after_connect is not None:
            await after_connect()
        if ops is not None:
            await ops.start()

    async def close() -> None:
        if ops is not None:
            await ops.stop()
        if before_close is not None:
            await before_close()
        await client.close()

    return FastStream(
        broker,
        on_startup=[prepare_database],
        after_startup=[declare_queues],
        after_shutdown=[close],
        specification=AsyncAPI(
            title=f"Berichtenbox {settings.service_name}",
            version=API_VERSION,
            description=description,
        ),
    )
