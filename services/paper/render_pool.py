"""The render processes: rendering is CPU-bound, so it runs in a pool of processes sized by
`BERICHTENBOX_RENDER_PROCESSES` and the consumer's event loop stays responsive."""

import asyncio
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from services.paper.render import LetterContent, RenderedFile, render_letter_into, warm_up
from shared.runtime.logs import json_lines_on_stderr


class RenderPool:
    def __init__(self, processes: int, service: str = "paper", log_level: str = "INFO") -> None:
        self.processes, self.service, self.log_level = processes, service, log_level
        self._pool: ProcessPoolExecutor | None = None

    async def start(self) -> None:
        """Started, with typst's fonts loaded, before the first letter comes in (a letter
        delivered before would fail and wait out a retry). Spawn, not fork: a forked child of
        a process with threads (pymongo's) can deadlock."""
        self._pool = ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=get_context("spawn"),
            initializer=json_lines_on_stderr,
            initargs=(f"{self.service}.render", self.log_level),
        )
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(self._pool, warm_up) for _ in range(self.processes)))

    async def render(self, content: LetterContent, attachments: list[bytes], path: str) -> RenderedFile:
        assert self._pool is not None, "start the pool first"
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, render_letter_into, content, attachments, path
        )

    def stop(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
