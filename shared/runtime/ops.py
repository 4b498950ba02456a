"""The operations port of a service: /metrics for Prometheus, /healthz (the process
serves), /readyz (broker and database answer). Off unless BERICHTENBOX_OPS_PORT is set."""

import asyncio
import contextlib

from aio_pika.exceptions import AMQPError
from aiohttp import web
from faststream.exceptions import IncorrectState
from faststream.rabbit import RabbitBroker
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pymongo.errors import PyMongoError

from shared.messaging.topology import Queues
from shared.runtime.metrics import Metrics
from shared.storage.mongo import Database

QUEUE_POLL_SECONDS = 15


class OpsServer:
    def __init__(self, port: int, metrics: Metrics, broker: RabbitBroker, db: Database) -> None:
        self.port, self.metrics, self.broker, self.db = port, metrics, broker, db
        self.runner: web.AppRunner | None = None
        self.poller: asyncio.Task[None] | None = None

    async def metrics_page(self, request: web.Request) -> web.Response:
        return web.Response(body=generate_latest(self.metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def alive(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "service": self.metrics.service})

    async def ready(self, request: web.Request) -> web.Response:
        checks = {"broker": await self.broker.ping(timeout=2), "database": await self._database_answers()}
        return web.json_response(
            {"service": self.metrics.service, **checks}, status=200 if all(checks.values()) else 503
        )

    async def _database_answers(self) -> bool:
        try:
            await asyncio.wait_for(self.db.command("ping"), 2)
        except (PyMongoError, TimeoutError):
            return False
        return True

    async def _poll_queue_depths(self) -> None:
        """Queue lag for autoscaling dashboards: a passive declare returns the message count."""
        while True:
            for queue in Queues.WORK:
                # IncorrectState: the broker is not connected yet (the box starts this before it)
                with contextlib.suppress(AMQPError, RuntimeError, IncorrectState):
                    declared = await self.broker.declare_queue(queue)
                    self.metrics.queue_depth.labels(queue.name).set(declared.declaration_result.message_count or 0)
            await asyncio.sleep(QUEUE_POLL_SECONDS)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/metrics", self.metrics_page)
        app.router.add_get("/healthz", self.alive)
        app.router.add_get("/readyz", self.ready)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "0.0.0.0", self.port).start()  # noqa: S104 (a container's port)
        self.poller = asyncio.create_task(self._poll_queue_depths())

    async def stop(self) -> None:
        if self.poller is not None:
            self.poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.poller
        if self.runner is not None:
            await self.runner.cleanup()
