"""A job a service runs every few seconds next to its consumers (print batches, reminder
sweeps). A failing run is logged and the next run still comes: one bad run never stops it."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


class Periodic:
    def __init__(self, name: str, job: Callable[[], Awaitable[object]], seconds: float) -> None:
        self.name, self.job, self.seconds = name, job, seconds
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def _loop(self) -> None:
        while True:
            try:
                await self.job()
            except Exception:
                logger.exception("%s failed; next run in %.0f s", self.name, self.seconds)
            await asyncio.sleep(self.seconds)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
