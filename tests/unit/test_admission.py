"""Ingest works on a bounded number of bytes of submissions at once, first come, first served."""

import asyncio

from services.ingest.admission import ByteBudget


class Submissions:
    """Submissions of some size, each holding its admission until its release is set."""

    def __init__(self, budget: ByteBudget) -> None:
        self.budget, self.admitted = budget, list[str]()

    async def arrive(self, size: int, name: str, release: asyncio.Event) -> "asyncio.Task[None]":
        task = asyncio.create_task(self._hold(size, name, release))
        await asyncio.sleep(0.01)  # admitted by now, or waiting
        return task

    async def _hold(self, size: int, name: str, release: asyncio.Event) -> None:
        async with self.budget.admit(size):
            self.admitted.append(name)
            await release.wait()


async def test_small_submissions_share_the_budget_and_a_large_one_waits_for_room() -> None:
    budget, release = ByteBudget(100), asyncio.Event()
    submissions = Submissions(budget)
    tasks = [await submissions.arrive(40, name, release) for name in ("a", "b", "c")]
    assert submissions.admitted == ["a", "b"] and budget.in_work == 80
    release.set()
    await asyncio.gather(*tasks)
    assert submissions.admitted == ["a", "b", "c"] and budget.in_work == 0


async def test_a_submission_larger_than_the_budget_is_worked_on_alone() -> None:
    budget, release = ByteBudget(100), asyncio.Event()
    submissions = Submissions(budget)
    tasks = [await submissions.arrive(10, "small", release), await submissions.arrive(5_000, "large", release)]
    assert submissions.admitted == ["small"]
    release.set()
    await asyncio.gather(*tasks)
    assert submissions.admitted == ["small", "large"] and budget.in_work == 0


async def test_a_waiting_batch_is_not_overtaken_by_the_small_submissions_behind_it() -> None:
    budget, first, rest = ByteBudget(100), asyncio.Event(), asyncio.Event()
    submissions = Submissions(budget)
    tasks = [
        await submissions.arrive(60, "first", first),
        await submissions.arrive(90, "batch", rest),
        await submissions.arrive(10, "single", rest),
    ]
    assert submissions.admitted == ["first"]  # 10 bytes would fit, but the batch came first
    first.set()
    rest.set()
    await asyncio.gather(*tasks)
    assert submissions.admitted == ["first", "batch", "single"]


async def test_a_cancelled_waiter_lets_the_ones_behind_it_in_at_once() -> None:
    budget, holding, rest = ByteBudget(100), asyncio.Event(), asyncio.Event()
    submissions = Submissions(budget)
    holder = await submissions.arrive(60, "holder", holding)
    batch = await submissions.arrive(90, "batch", rest)
    single = await submissions.arrive(10, "single", rest)
    batch.cancel()
    await asyncio.sleep(0.01)
    assert submissions.admitted == ["holder", "single"] and budget.in_work == 70  # the holder still holds
    holding.set()
    rest.set()
    await asyncio.gather(holder, single)
    assert budget.in_work == 0


def test_only_a_copy_a_service_published_may_name_another_sender() -> None:
    from services.ingest.senders import sender_of
    from shared.messaging.dead_letter import SENDER_HEADER

    vouched = {SENDER_HEADER: "belastingdienst-user"}
    assert sender_of("berichtenbox", vouched, "berichtenbox").broker_user == "belastingdienst-user"
    assert sender_of("berichtenbox", vouched, "berichtenbox").replayed
    assert sender_of("rdw-user", vouched, "berichtenbox").broker_user == "rdw-user"  # an agency's own claim: ignored
    assert sender_of(None, vouched, "berichtenbox").broker_user is None
    assert not sender_of("rdw-user", {}, "berichtenbox").replayed
