"""A NotifyCitizens delivery: its notifications handled together, failures kept apart."""

import asyncio
from datetime import UTC, datetime

import pytest
from pymongo.errors import AutoReconnect

from services.notifier.batches import notify_all
from services.notifier.handlers import NotifierHandlers
from services.notifier.notifying import Outcomes, end_unsent
from services.notifier.records import Outcome, Status
from shared.contracts.messages import Channel, NotifyCitizen, NotifyCitizens
from shared.messaging.dead_letter import PermanentError
from shared.runtime.logs import correlation_id
from shared.runtime.metrics import Metrics
from tests.fakes.notifier import InMemoryNotificationLog, InMemoryReminders


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


async def test_a_delivery_given_up_ends_each_notification_it_could_not_send_with_a_final_outcome() -> None:
    """Its last attempt failing (the database away, after kills had used up attempts), the
    delivery goes to the dead letters: each notification it carried must end there with a
    reason, not stay `retrying` from the attempt before with nothing left to send it."""

    log = InMemoryNotificationLog()
    sent_before = notification(0)
    await log.record("m0", Channel.EMAIL, "new_message", Outcome(Status.SENT, 1, ""), datetime.now(UTC))
    notifier = FakeNotifier(transient=frozenset({"m0", "m1", "m2"}))
    last = NotifierHandlers(GivingUp(notifier, log), InMemoryReminders(), Metrics("test"), last_attempt=lambda: True)
    with pytest.raises(PermanentError, match="gave up"):
        await last.on_notify_citizens(NotifyCitizens(notifications=[sent_before, notification(1), notification(2)]))
    ended = {key[0]: outcome.status for key, outcome in log.outcomes.items()}
    assert ended == {"m0": Status.SENT, "m1": Status.TECHNICAL_FAILURE, "m2": Status.TECHNICAL_FAILURE}
    assert all("AutoReconnect" in o.detail for k, o in log.outcomes.items() if k[0] != "m0")


async def test_a_delivery_with_attempts_left_is_retried_and_ends_nothing() -> None:

    log = InMemoryNotificationLog()
    notifier = FakeNotifier(transient=frozenset({"m1"}))
    again = NotifierHandlers(GivingUp(notifier, log), InMemoryReminders(), Metrics("test"), last_attempt=lambda: False)
    with pytest.raises(AutoReconnect):
        await again.on_notify_citizens(NotifyCitizens(notifications=[notification(1)]))
    assert log.outcomes == {}


class GivingUp:
    """The fake notifier's sends, and the real way of giving up, on the in-memory log."""

    def __init__(self, fake: FakeNotifier, log: InMemoryNotificationLog) -> None:
        self.handle, self.log = fake.handle, log

    async def give_up(self, notifications: list[NotifyCitizen], reason: str) -> None:
        await end_unsent(self.log, notifications, reason, datetime.now(UTC))
