"""A first opening is announced whatever the broker does at that moment: the box's outbox holds
it until the broker confirms, and the sweep announces what was left held."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from services.box.messages.openings import SETTLED_AFTER, HeldOpening, Openings
from shared.contracts.messages import MessageOpened

pytestmark = pytest.mark.unit
START = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


class FakeHeldOpenings:
    def __init__(self) -> None:
        self.held: dict[str, HeldOpening] = {}

    async def hold(self, opening: HeldOpening) -> None:
        self.held.setdefault(opening.message_id, opening)

    async def release(self, message_id: str) -> None:
        self.held.pop(message_id, None)

    async def held_since(self, before: datetime, limit: int) -> list[HeldOpening]:
        return sorted((h for h in self.held.values() if h.opened_at < before), key=lambda h: h.opened_at)[:limit]


class FakeEntries:
    """Stands in for the Box repository's first opening."""

    def __init__(self, failing: bool = False) -> None:
        self.opened: dict[str, tuple[datetime, str | None]] = {}
        self.failing = failing

    async def first_opening(self, account_id: str, message_id: str, now: datetime, by: str | None = None) -> bool:
        if self.failing:
            raise ConnectionError("the database went away")
        if message_id in self.opened:
            return False
        self.opened[message_id] = (now, by)
        return True


class Broker:
    def __init__(self, mode: str = "up") -> None:
        self.mode, self.published = mode, list[MessageOpened]()

    async def opened(self, event: MessageOpened) -> None:
        if self.mode == "down":
            raise ConnectionError("no active transport")
        if self.mode == "slow":
            await asyncio.sleep(60)
        self.published.append(event)


class World:
    def __init__(self, broker: str = "up", failing: bool = False) -> None:
        self.now = START
        self.held, self.entries, self.broker = FakeHeldOpenings(), FakeEntries(failing), Broker(broker)
        self.openings = Openings(
            self.held,
            self.entries,
            self.broker,
            lambda: self.now,
            publish_wait=0.05,
        )


async def test_an_opening_is_announced_at_once_and_nothing_stays_held() -> None:
    world = World()
    await world.openings.first("anna", "m-1", None)
    assert [e.message_id for e in world.broker.published] == ["m-1"]
    assert world.entries.opened == {"m-1": (START, None)} and world.held.held == {}


@pytest.mark.parametrize("broker", ["down", "slow"])
async def test_with_the_broker_away_the_citizen_reads_on_and_the_sweep_announces_it_later(broker: str) -> None:
    world = World(broker)
    await world.openings.first("anna", "m-1", "Bram Jansen")  # does not raise, does not wait long
    assert world.entries.opened == {"m-1": (START, "Bram Jansen")}
    assert list(world.held.held) == ["m-1"] and world.broker.published == []
    assert await world.openings.run_once() == 0  # too young: its own request may still be announcing it
    world.now = START + SETTLED_AFTER + timedelta(seconds=1)
    assert await world.openings.run_once() == 0  # still away: still held
    world.broker.mode = "up"
    assert await world.openings.run_once() == 1
    assert [(e.message_id, e.opened_at) for e in world.broker.published] == [("m-1", START)]
    assert world.held.held == {}
    assert await world.openings.run_once() == 0


async def test_a_crash_between_holding_and_marking_is_finished_by_the_sweep() -> None:
    world = World()
    await world.held.hold(HeldOpening("m-1", "anna", START, None))  # the request died here
    world.now = START + SETTLED_AFTER + timedelta(seconds=1)
    assert await world.openings.run_once() == 1
    assert world.entries.opened == {"m-1": (START, None)} and world.held.held == {}


async def test_a_second_opening_announces_nothing_more() -> None:
    world = World()
    await world.openings.first("anna", "m-1")
    await world.openings.first("anna", "m-1")
    assert len(world.broker.published) == 1


async def test_when_marking_fails_nothing_is_held_that_would_say_it_was_opened() -> None:
    world = World(failing=True)
    with pytest.raises(ConnectionError):
        await world.openings.first("anna", "m-1")
    assert world.held.held == {} and world.broker.published == []
