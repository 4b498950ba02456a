"""The reminder sweep through in-memory stores: due reminders become commands once per rung,
through every channel the citizen has; an opening, the trash, a message gone or a choice turned
off stops the ladder; one that cannot be read ends invalid and holds up none after it."""

from datetime import UTC, date, datetime, timedelta

from services.notifier.ladder import Next, Rung
from services.notifier.records import Recipient, UnreadableReminder
from services.notifier.reminders import ReminderSweep
from shared.contracts.messages import CallToAction, Channel, NotifyCitizen
from tests.fakes.notifier import InMemoryBoxReadings, InMemoryRecipients, InMemoryReminders

NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
PHONE: dict[str, object] = {"endpoint": "https://push.example/1", "keys": {}}
OPTED_IN = Recipient("a-1", email="burger@example.nl", push_subscriptions=[PHONE], reminder_opt_in=True)


def notified(message_id: str, deadline: date | None = None, account: str = "a-1") -> NotifyCitizen:
    action = CallToAction(text="Betaal", deadline=deadline) if deadline else None
    return NotifyCitizen(
        notification_id=f"n-{message_id}", message_id=message_id, account_id=account, agency_id="uwv",
        delivered_at=NOW, channels=[Channel.EMAIL], call_to_action=action,
    )  # fmt: skip


class Sweep:
    def __init__(self, *recipients: Recipient) -> None:
        self.reminders, self.readings = InMemoryReminders(), InMemoryBoxReadings()
        self.queued: list[NotifyCitizen] = []
        self.now = NOW

        async def collect(command: NotifyCitizen) -> None:
            self.queued.append(command)

        known = InMemoryRecipients(list(recipients or [OPTED_IN]))
        self.sweep = ReminderSweep(self.reminders, known, self.readings, collect, batch=10, clock=lambda: self.now)

    async def at(self, moment: datetime) -> int:
        self.now = moment
        return await self.sweep.run_once()


async def test_three_week_reminders_go_once_by_every_channel_and_an_unreadable_one_ends_invalid() -> None:
    s = Sweep()
    for message_id in ("m-1", "m-2"):
        await s.reminders.schedule(notified(message_id), Next(Rung.THREE_WEEKS, NOW + timedelta(days=21)))
    s.reminders.unreadable.append(UnreadableReminder("m-old", "missing 'agency_id'"))
    assert await s.at(NOW + timedelta(days=20)) == 0
    assert s.reminders.states["m-old"] == "invalid: missing 'agency_id'"
    assert await s.at(NOW + timedelta(days=21)) == 2
    assert await s.at(NOW + timedelta(days=60)) == 0
    assert [(c.message_id, c.kind, c.rung, c.channels) for c in s.queued] == [
        ("m-1", "reminder", "three_weeks", [Channel.EMAIL, Channel.PUSH]),
        ("m-2", "reminder", "three_weeks", [Channel.EMAIL, Channel.PUSH]),
    ]
    assert s.reminders.states["m-1"] == "done"


async def test_a_deadline_reminder_then_the_three_week_one_a_week_later_at_the_earliest() -> None:
    s = Sweep()
    await s.reminders.schedule(notified("m-1", date(2026, 11, 20)), Next(Rung.DEADLINE, NOW + timedelta(days=12)))
    assert await s.at(NOW + timedelta(days=12)) == 1
    assert await s.at(NOW + timedelta(days=21)) == 1  # 13 Nov + 7 days is before 22 Nov
    assert [c.rung for c in s.queued] == ["deadline", "three_weeks"]
    assert len({c.notification_id for c in s.queued}) == 2


async def test_opened_trashed_or_gone_stops_the_ladder_and_so_does_a_choice_turned_off() -> None:
    quiet = Recipient("a-2", email="stil@example.nl", reminder_opt_in=False, deadline_reminders=False)
    s = Sweep(OPTED_IN, quiet)
    for message_id in ("opened", "trashed", "gone"):
        await s.reminders.schedule(notified(message_id), Next(Rung.THREE_WEEKS, NOW + timedelta(days=21)))
    await s.reminders.schedule(notified("off", date(2026, 11, 20), "a-2"), Next(Rung.DEADLINE, NOW))
    s.readings.opened.add("opened")
    s.readings.trashed.add("trashed")
    s.readings.gone.add("gone")
    assert await s.at(NOW + timedelta(days=21)) == 0
    assert s.queued == []
    assert all(s.reminders.states[m] == "done" for m in ("opened", "trashed", "gone", "off"))
