"""Ingest works on a bounded number of bytes of submissions at once, first come, first served."""

import asyncio

from services.ingest.admission import ByteBudget


async def hold(budget: ByteBudget, size: int, name: str, log: list[str], release: asyncio.Event) -> None:
    async with budget.admit(size):
        log.append(name)
        await release.wait()


async def test_small_submissions_share_the_budget_and_a_large_one_waits_for_room() -> None:
    budget, log, release = ByteBudget(100), list[str](), asyncio.Event()
    tasks = [asyncio.create_task(hold(budget, size, name, log, release)) for size, name in ((40, "a"), (40, "b"))]
    tasks.append(asyncio.create_task(hold(budget, 40, "c", log, release)))
    await asyncio.sleep(0.01)
    assert log == ["a", "b"] and budget.in_work == 80
    release.set()
    await asyncio.gather(*tasks)
    assert log == ["a", "b", "c"] and budget.in_work == 0


async def test_a_submission_larger_than_the_budget_is_worked_on_alone() -> None:
    budget, log, release = ByteBudget(100), list[str](), asyncio.Event()
    small = asyncio.create_task(hold(budget, 10, "small", log, release))
    await asyncio.sleep(0.01)
    large = asyncio.create_task(hold(budget, 5_000, "large", log, release))
    await asyncio.sleep(0.01)
    assert log == ["small"]
    release.set()
    await asyncio.gather(small, large)
    assert log == ["small", "large"] and budget.in_work == 0


async def test_a_waiting_batch_is_not_overtaken_by_the_small_submissions_behind_it() -> None:
    budget, log = ByteBudget(100), list[str]()
    first, rest = asyncio.Event(), asyncio.Event()
    tasks = [asyncio.create_task(hold(budget, 60, "first", log, first))]
    await asyncio.sleep(0.01)
    tasks.append(asyncio.create_task(hold(budget, 90, "batch", log, rest)))
    await asyncio.sleep(0.01)
    tasks.append(asyncio.create_task(hold(budget, 10, "single", log, rest)))
    await asyncio.sleep(0.01)
    assert log == ["first"]  # 10 bytes would fit, but the batch came first
    first.set()
    rest.set()
    await asyncio.gather(*tasks)
    assert log == ["first", "batch", "single"]


async def test_a_cancelled_waiter_gives_its_place_back() -> None:
    budget, log, release = ByteBudget(100), list[str](), asyncio.Event()
    holder = asyncio.create_task(hold(budget, 100, "holder", log, release))
    await asyncio.sleep(0.01)
    waiter = asyncio.create_task(hold(budget, 50, "cancelled", log, release))
    await asyncio.sleep(0.01)
    waiter.cancel()
    await asyncio.sleep(0.01)
    release.set()
    await holder
    async with budget.admit(100):
        assert budget.in_work == 100
    assert log == ["holder"] and budget.in_work == 0
