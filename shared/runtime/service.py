"""The lifecycle every service shares: its own indexes and what handlers need before the broker
starts consuming, the whole topology once it is connected, the MongoDB client closed after
shutdown, and its AsyncAPI document."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from faststream import FastStream
from faststream.rabbit import RabbitBroker
from faststream.specification import AsyncAPI
from pymongo import AsyncMongoClient

from shared.messaging.broker import create_broker, declare_topology
from shared.runtime.logs import configure_logging
from shared.runtime.metrics import Metrics
from shared.runtime.ops import OpsServer
from shared.runtime.settings import ServiceSettings
from shared.storage.mongo import Database, Document, Indexes, create_client, database, ensure_indexes

API_VERSION = "1"


@dataclass(frozen=True)
class Wiring:
    """What every service is built from; nothing here connects until the app starts."""

    settings: ServiceSettings
    broker: RabbitBroker
    client: AsyncMongoClient[Document]
    db: Database
    metrics: Metrics


def wire(settings: ServiceSettings, *, trusted_correlation: bool = True) -> Wiring:
    """`trusted_correlation=False` where senders are agencies (see `CorrelationMiddleware`)."""
    broker = create_broker(settings, trusted_correlation=trusted_correlation)
    metrics = Metrics(settings.service_name)
    metrics.instrument(broker)
    client = create_client(settings)
    return Wiring(settings, broker, client, database(client, settings), metrics)


def create_service_app(
    wiring: Wiring,
    *,
    description: str,
    indexes: Indexes,
    before_consuming: Callable[[], Awaitable[None]] | None = None,
    after_connect: Callable[[], Awaitable[None]] | None = None,
    before_close: Callable[[], Awaitable[None]] | None = None,
) -> FastStream:
    settings, broker, client, db, metrics = wiring.settings, wiring.broker, wiring.client, wiring.db, wiring.metrics
    ops = OpsServer(settings.ops_port, metrics, broker, db) if settings.ops_port is not None else None

    async def prepare() -> None:
        configure_logging(settings)
        await ensure_indexes(db, indexes)  # of the collections this service owns
        if before_consuming is not None:  # what a handler needs (paper's render processes)
            await before_consuming()
        # the whole topology before the first delivery: a retry needs its wait queue to exist
        await broker.connect()
        await declare_topology(settings.rabbitmq_url, settings.retry_delays)

    async def declare_queues() -> None:
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
        on_startup=[prepare],
        after_startup=[declare_queues],
        after_shutdown=[close],
        specification=AsyncAPI(
            title=f"Berichtenbox {settings.service_name}",
            version=API_VERSION,
            description=description,
        ),
    )
