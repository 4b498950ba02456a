"""The reminder sweep through an in-memory store: due reminders become commands once; one that
cannot be read ends invalid and holds up none after it."""

from datetime import UTC, datetime, timedelta

from services.notifier.records import UnreadableReminder
from services.notifier.reminders import ReminderSweep
from shared.contracts.messages import Channel, NotifyCitizen
from tests.fakes.notifier import InMemoryReminders

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def notified(message_id: str) -> NotifyCitizen:
    return NotifyCitizen(
        notification_id=f"n-{message_id}",
        message_id=message_id,
        account_id="a-1",
        agency_id="uwv",
        delivered_at=NOW,
        channels=[Channel.EMAIL, Channel.PUSH],
    )


async def test_due_reminders_are_queued_once_by_email_and_an_unreadable_one_ends_invalid() -> None:
    reminders = InMemoryReminders()
    for message_id in ("m-1", "m-2"):
        await reminders.schedule(notified(message_id), timedelta(days=21))
    reminders.unreadable.append(UnreadableReminder("m-old", "missing 'agency_id'"))
    queued: list[NotifyCitizen] = []

    async def collect(command: NotifyCitizen) -> None:
        queued.append(command)

    clock = [NOW + timedelta(days=20)]
    sweep = ReminderSweep(reminders, collect, batch=10, clock=lambda: clock[0])
    assert await sweep.run_once() == 0
    assert reminders.states["m-old"] == "invalid: missing 'agency_id'"
    clock[0] = NOW + timedelta(days=21)
    assert await sweep.run_once() == 2
    assert await sweep.run_once() == 0
    assert [(c.message_id, c.kind, c.channels) for c in queued] == [
        ("m-1", "reminder", [Channel.EMAIL]),
        ("m-2", "reminder", [Channel.EMAIL]),
    ]
