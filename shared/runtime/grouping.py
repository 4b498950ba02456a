"""Group commit: the requests of concurrent callers go to the server as one. While one group
is in flight the next callers gather, so an idle server sees no delay and a busy one sees one
round trip for many messages. `GroupedInserter` and `GroupedFinder` are built on it.

Where callers arrive one at a time (a stage fed at the pace of a slower one, like letters at
the render's pace), every group would hold one caller. There `gather_seconds` lets each
group wait that long for company before it goes (unless it is full already): latency
traded for round trips, for work that is not urgent."""

import asyncio
from abc import ABC, abstractmethod
from collections import deque
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class Request(Generic[Item, Result]):
    """One caller's items and the future its answer goes to."""

    __slots__ = ("future", "items")

    def __init__(self, items: list[Item]) -> None:
        self.items = items
        self.future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()

    def answer(self, result: Result) -> None:
        if not self.future.done():  # not when its caller was cancelled
            self.future.set_result(result)

    def fail(self, error: BaseException) -> None:
        if not self.future.done():
            self.future.set_exception(error)


class GroupCommit(ABC, Generic[Item, Result]):
    def __init__(self, max_items: int, gather_seconds: float = 0.0) -> None:
        self._max_items, self._gather_seconds = max_items, gather_seconds
        self._waiting: deque[Request[Item, Result]] = deque()
        self._worker: asyncio.Task[None] | None = None

    async def _submit(self, items: list[Item]) -> Result:
        request: Request[Item, Result] = Request(items)
        self._waiting.append(request)
        if self._worker is None or self._worker.done():
            self._worker = asyncio.create_task(self._run_while_waiting())
        return await request.future

    async def _run_while_waiting(self) -> None:
        while self._waiting:
            if self._gather_seconds and sum(len(r.items) for r in self._waiting) < self._max_items:
                await asyncio.sleep(self._gather_seconds)
            group = [self._waiting.popleft()]
            size = len(group[0].items)
            while self._waiting and size + len(self._waiting[0].items) <= self._max_items:
                group.append(self._waiting.popleft())
                size += len(group[-1].items)
            try:
                await self._run(group)
            except Exception as error:  # every caller of the group gets it
                for request in group:
                    request.fail(error)

    @abstractmethod
    async def _run(self, group: list[Request[Item, Result]]) -> None:
        """Send the group's items as one request and answer every caller."""
