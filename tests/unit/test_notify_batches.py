"""A NotifyCitizens delivery: its notifications handled together, failures kept apart."""

import asyncio
from datetime import UTC, datetime

import pytest
from pymongo.errors import AutoReconnect

from services.notifier.batches import notify_all
from services.notifier.notifying import Outcomes
from services.notifier.records import Status
from shared.contracts.messages import Channel, NotifyCitizen
from shared.messaging.dead_letter import PermanentError
from shared.runtime.logs import correlation_id


def notification(n: int) -> NotifyCitizen:
    return NotifyCitizen(
        notification_id=f"n{n}",
        message_id=f"m{n}",
        account_id=f"a{n}",
        agency_id="uwv",
        delivered_at=datetime(2026, 11, 28, tzinfo=UTC),
        channels=[Channel.EMAIL],
        correlation_id=f"submission-{n}",
    )


class FakeNotifier:
    def __init__(self, permanent: frozenset[str] = frozenset(), transient: frozenset[str] = frozenset()) -> None:
        self.permanent, self.transient = permanent, transient
        self.handled: list[tuple[str, str | None]] = []
        self.in_flight = self.most_in_flight = 0

    async def handle(self, command: NotifyCitizen) -> Outcomes:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        await asyncio.sleep(0.001)
        self.in_flight -= 1
        self.handled.append((command.message_id, correlation_id.get()))
        if command.message_id in self.permanent:
            raise PermanentError("no stored message to notify about")
        if command.message_id in self.transient:
            raise AutoReconnect("connection closed")
        return {Channel.EMAIL: Status.SENT}


async def test_all_are_handled_concurrently_each_under_its_own_correlation_id() -> None:
    notifier, done = FakeNotifier(), []
    failures = await notify_all(notifier.handle, [notification(n) for n in range(250)], lambda c, o: done.append(c))
    assert failures.permanent == {}
    assert len(done) == 250
    assert set(notifier.handled) == {(f"m{n}", f"submission-{n}") for n in range(250)}
    assert notifier.most_in_flight == 100
    assert correlation_id.get() is None  # the caller's own context is left alone


async def test_one_that_can_never_be_sent_holds_up_none_of_the_others() -> None:
    notifier, done = FakeNotifier(permanent=frozenset({"m3", "m7"})), []
    failures = await notify_all(notifier.handle, [notification(n) for n in range(10)], lambda c, o: done.append(c))
    assert failures.permanent == {"n3": "no stored message to notify about", "n7": "no stored message to notify about"}
    assert sorted(c.message_id for c in done) == sorted(f"m{n}" for n in range(10) if n not in (3, 7))
    assert failures.reason(10).startswith("2 of 10 notifications failed: n3: no stored message")


async def test_an_error_that_may_pass_comes_back_after_the_whole_chunk_was_handled() -> None:
    notifier, done = FakeNotifier(transient=frozenset({"m2"})), []
    with pytest.raises(AutoReconnect):
        await notify_all(notifier.handle, [notification(n) for n in range(150)], lambda c, o: done.append(c))
    assert len(notifier.handled) == 100  # the first chunk, all of it; the delivery comes back for the rest
    assert len(done) == 99
