"""The notifier's bookkeeping after a send: outcomes and reminders recorded one after another
within `gather_seconds` go to the database together; claims, before the send, never wait."""

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from services.notifier.ladder import Next, Rung
from services.notifier.records import Outcome, Status
from services.notifier.repository import MongoNotificationLog, MongoReminders
from shared.contracts.messages import Channel, NotifyCitizen
from shared.storage.mongo import Collections, Database
from tests.unit.test_inserts import FakeCollection

NOW = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def database(**collections: FakeCollection) -> Database:
    return cast(Database, {getattr(Collections, name.upper()): c for name, c in collections.items()})


async def one_after_another(count: int, call: Any) -> None:
    async def later(i: int) -> None:
        await asyncio.sleep(0.02 * i)
        await call(i)

    await asyncio.gather(*(later(i) for i in range(count)))


async def test_outcomes_recorded_one_after_another_go_as_one_insert_and_claims_at_once() -> None:
    claims, outcomes = FakeCollection(), FakeCollection()
    log = MongoNotificationLog(database(notifications=claims, notification_outcomes=outcomes), gather_seconds=0.3)

    async def claim_and_record(i: int) -> None:
        notified = NotifyCitizen(
            notification_id=f"n{i}",
            message_id=f"m{i}",
            account_id="a",
            agency_id="uwv",
            delivered_at=NOW,
            channels=[Channel.EMAIL],
        )
        assert await log.claim(notified, Channel.EMAIL, NOW)
        await log.record(f"m{i}", Channel.EMAIL, "new_message", Outcome(Status.SENT, 1), NOW)

    await one_after_another(3, claim_and_record)
    assert [len(call) for call in outcomes.calls] == [3]
    assert [len(call) for call in claims.calls] == [1, 1, 1]


async def test_reminders_scheduled_one_after_another_go_as_one_insert() -> None:
    reminders = FakeCollection()
    store = MongoReminders(database(reminders=reminders), gather_seconds=0.3)

    async def schedule(i: int) -> None:
        notified = NotifyCitizen(
            notification_id=f"n{i}",
            message_id=f"m{i}",
            account_id=f"a{i}",
            agency_id="uwv",
            delivered_at=NOW,
            channels=[Channel.EMAIL],
        )
        assert await store.schedule(notified, Next(Rung.THREE_WEEKS, NOW + timedelta(days=21)))

    await one_after_another(3, schedule)
    assert reminders.calls == [["m0", "m1", "m2"]]
