"""How much submission data ingest works on at once. The broker's prefetch counts deliveries,
not bytes, and a delivery may be one small submission or a batch of 1,000 with attachments:
so ingest prefetches many deliveries (single submissions then gather into large groups of
inserts, events and receipts) and admits them to work by their size. A delivery larger than
the whole budget is worked on alone. First come, first served: a waiting batch is not
overtaken by the small submissions behind it."""

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class ByteBudget:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._free = capacity
        self._waiting: deque[tuple[int, asyncio.Future[None]]] = deque()

    @property
    def in_work(self) -> int:
        return self.capacity - self._free

    @asynccontextmanager
    async def admit(self, size: int) -> AsyncIterator[None]:
        need = min(size, self.capacity)
        await self._acquire(need)
        try:
            yield
        finally:
            self._free += need
            self._wake()

    async def _acquire(self, need: int) -> None:
        if not self._waiting and need <= self._free:
            self._free -= need
            return
        turn = asyncio.get_running_loop().create_future()
        self._waiting.append((need, turn))
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # admitted, then cancelled: give it back
                self._free += need
            elif (need, turn) in self._waiting:
                self._waiting.remove((need, turn))
            self._wake()
            raise

    def _wake(self) -> None:
        while self._waiting and self._waiting[0][0] <= self._free:
            need, turn = self._waiting.popleft()
            if not turn.cancelled():
                self._free -= need
                turn.set_result(None)
