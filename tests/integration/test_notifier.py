"""notifier against real RabbitMQ, FerretDB and an SMTP server on loopback: the exact e-mail,
at most one per (message, channel, kind), retries through delay queues, the reminder."""

import asyncio
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any, Literal

import pytest
from faststream.rabbit import RabbitBroker

from scripts.smtp_sink import SmtpSink, smtp_sink
from services.notifier.bounces import BounceAddresses
from services.notifier.email import OutgoingEmail, SmtpSender
from services.notifier.ladder import Next, Rung
from services.notifier.main import create_app
from services.notifier.records import Outcome, Status
from services.notifier.reminders import ReminderSweep
from services.notifier.repository import MongoBoxReadings, MongoNotificationLog, MongoRecipients, MongoReminders
from services.notifier.settings import DEVELOPMENT_BOUNCE_KEY, NotifierSettings
from shared.contracts.ids import derived_id
from shared.contracts.messages import CallToAction, Channel, MessageOpened, NotifyCitizen, NotifyCitizens
from shared.messaging.dead_letter import REASON_HEADER
from shared.messaging.topology import Exchanges, Queues, RoutingKeys, dead_letter_queue
from shared.storage.mongo import Collections, Database, Document
from tests.conftest import Sandbox
from tests.support.wire import AgencyAccess, broker_of, eventually, running, take
from tools.population import population

CITIZEN = next(a for a in population(200, seed=4) if a["email"] and a["state"] == "activated")
SUBJECT, BODY = "Besluit over uw WW-uitkering", "U krijgt vanaf 1 januari een uitkering van 1.234 euro."
NONE = Outcome(Status.RETRYING, 0, "no outcome recorded")
ROUTED_AT = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
ACTION = CallToAction(text="Controleer het bedrag en reageer als het niet klopt", deadline=date(2027, 1, 15))


async def message_for(db: Database, n: int, citizen: Document = CITIZEN, **overrides: Any) -> str:
    await db[Collections.ACCOUNTS].update_one({"_id": citizen["_id"]}, {"$setOnInsert": citizen}, upsert=True)
    message_id = derived_id("notify-test", str(n))
    await db[Collections.MESSAGES].insert_one(
        {
            "_id": message_id,
            "agency_id": "uwv",
            "agency_reference": f"UWV-{n}",
            "recipient_bsn": citizen["bsn"],
            "subject": SUBJECT,
            "body": BODY,
            "call_to_action": ACTION.model_dump(mode="json"),
            **overrides,
        }
    )
    return message_id


def notify(
    message_id: str, kind: Literal["new_message", "reminder"] = "new_message", citizen: Document = CITIZEN
) -> NotifyCitizen:
    return NotifyCitizen(
        notification_id=derived_id("n", message_id, kind),
        message_id=message_id,
        account_id=citizen["_id"],
        agency_id="uwv",
        call_to_action=ACTION,
        delivered_at=ROUTED_AT,
        channels=[Channel.EMAIL],
        kind=kind,
    )


def settings(sandbox: Sandbox, sink: SmtpSink, **overrides: Any) -> NotifierSettings:
    return sandbox.settings(
        NotifierSettings, smtp_port=sink.port, box_url="https://mijn.berichtenbox.example/berichten", **overrides
    )


async def publish(broker: RabbitBroker, *commands: NotifyCitizen) -> None:
    await broker.publish(
        NotifyCitizens(notifications=list(commands)),
        exchange=Exchanges.COMMANDS,
        routing_key=RoutingKeys.NOTIFY_CITIZEN,
        persist=True,
    )


def text_of(mail: EmailMessage) -> str:
    return "\n".join(part.get_content() for part in mail.walk() if part.get_content_maintype() == "text")


async def status_of(db: Database, message_id: str, kind: str = "new_message") -> Outcome | None:
    return await MongoNotificationLog(db).latest(message_id, Channel.EMAIL, kind)


async def test_the_exact_e_mail(sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]) -> None:
    message_id = await message_for(db, 1)
    with smtp_sink() as sink:
        app = create_app(settings(sandbox, sink))
        async with running(app):
            await publish(broker_of(app), notify(message_id))
            await eventually(lambda: asyncio.sleep(0, len(sink.received)), lambda n: n == 1)
    [mail] = sink.received
    [(envelope_sender, recipients)] = sink.envelopes
    bounces = BounceAddresses(DEVELOPMENT_BOUNCE_KEY.encode(), "berichtenbox.example")
    assert recipients == [CITIZEN["email"]] and bounces.genuine(envelope_sender, CITIZEN["email"])  # VERP
    assert mail["From"] == "Berichtenbox <noreply@berichtenbox.example>"
    assert mail["To"] == CITIZEN["email"]
    assert mail["Subject"] == "Nieuw bericht van UWV in uw Berichtenbox"
    text = text_of(mail)
    assert "Er staat een nieuw bericht van UWV voor u klaar in uw Berichtenbox." in text
    assert "UWV vraagt u: Controleer het bedrag en reageer als het niet klopt" in text
    assert "Doe dit uiterlijk 15 januari 2027." in text
    assert "https://mijn.berichtenbox.example/berichten" in text
    raw = mail.as_string()
    for secret in (CITIZEN["bsn"], SUBJECT, BODY, "1.234 euro", "WW-uitkering"):
        assert secret not in raw
    assert (await status_of(db, message_id) or NONE).status == Status.SENT


async def test_a_notification_that_can_never_be_sent_holds_up_none_of_its_batch(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]
) -> None:
    sent = [await message_for(db, n) for n in (11, 12)]
    with smtp_sink() as sink:
        app = create_app(settings(sandbox, sink))
        async with running(app):
            nobody = notify("m-nobody", citizen={"_id": "no-such-account"})
            await publish(broker_of(app), notify(sent[0]), nobody, notify(sent[1]))
            [dead] = await take(sandbox.rabbitmq_url, dead_letter_queue(Queues.NOTIFIER_COMMANDS).name, 1)
    assert sorted(m["X-Berichtenbox-Notification"] for m in sink.received) == sorted(
        notify(m).notification_id for m in sent
    )
    reason = str((dead.headers or {})[REASON_HEADER])
    assert reason.startswith("PermanentError: 1 of 3 notifications failed: ")
    assert f"{nobody.notification_id}: message has no routed account to notify" in reason


async def test_a_duplicate_command_sends_one_e_mail(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]
) -> None:
    message_id = await message_for(db, 2)
    with smtp_sink() as sink:
        app = create_app(settings(sandbox, sink))
        async with running(app):
            for _ in range(3):
                await publish(broker_of(app), notify(message_id))
            await eventually(lambda: asyncio.sleep(0, len(sink.received)), lambda n: n >= 1)
            await asyncio.sleep(0.5)
    assert len(sink.received) == 1


async def test_killed_between_claim_and_send_sends_at_most_once(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess], monkeypatch: pytest.MonkeyPatch
) -> None:
    message_id = await message_for(db, 3)
    died = asyncio.Event()

    async def die(self: SmtpSender, email: OutgoingEmail) -> None:
        died.set()
        raise asyncio.CancelledError  # the process ends here: claimed, not sent, not acked

    with smtp_sink() as sink:
        with monkeypatch.context() as patch:
            patch.setattr(SmtpSender, "send", die)
            app = create_app(settings(sandbox, sink))
            async with running(app):
                await publish(broker_of(app), notify(message_id))
                await asyncio.wait_for(died.wait(), 10)
        async with running(create_app(settings(sandbox, sink))):  # the command is redelivered here
            await asyncio.sleep(1.0)
    assert sink.received == []
    assert await db[Collections.NOTIFICATIONS].count_documents({"message_id": message_id}) == 1  # claimed
    assert await status_of(db, message_id) is None  # never sent, never recorded


async def test_transient_failure_is_retried_through_a_delay_queue(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]
) -> None:
    message_id = await message_for(db, 4)
    with smtp_sink() as sink:
        sink.next_answers = ["451 4.3.0 mailbox busy, try again later"]
        app = create_app(settings(sandbox, sink, provider_retry_delays=(1, 2)))
        async with running(app):
            await publish(broker_of(app), notify(message_id))
            await eventually(lambda: asyncio.sleep(0, len(sink.received)), lambda n: n == 1, timeout=10)
            record = await eventually(
                lambda: status_of(db, message_id), lambda d: d is not None and d.status == Status.SENT
            )
    assert len(sink.received) == 1
    assert record is not None
    assert (record.status, record.attempt) == (Status.SENT, 2)


async def test_permanent_and_exhausted_failures_are_final(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]
) -> None:
    refused, flaky = await message_for(db, 5), await message_for(db, 6)
    with smtp_sink() as sink:
        app = create_app(settings(sandbox, sink, provider_retry_delays=(1,)))
        async with running(app):
            sink.next_answers = ["550 5.1.1 no such user"]
            await publish(broker_of(app), notify(refused))
            await eventually(
                lambda: status_of(db, refused), lambda d: d is not None and d.status == Status.PERMANENT_FAILURE
            )
            sink.next_answers = ["421 4.7.0 too busy"] * 2
            await publish(broker_of(app), notify(flaky))
            await eventually(
                lambda: status_of(db, flaky),
                lambda d: d is not None and d.status == Status.TECHNICAL_FAILURE,
                timeout=10,
            )
    assert sink.received == []
    assert (await status_of(db, refused) or NONE).detail == "SMTP 550"
    assert (await status_of(db, flaky) or NONE).attempt == 2


async def in_a_box(db: Database, message_id: str) -> None:
    """The box's entry of a message (the sweep reads whether it was opened or trashed)."""
    await db[Collections.BOX_ENTRIES].insert_one({"_id": message_id, "folder": "inbox", "opened_at": None})


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def test_reminder_after_three_weeks_once_and_never_when_opened_or_not_opted_in(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]
) -> None:
    opted_in = {**CITIZEN, "reminder_opt_in": True}
    other = next(a for a in population(400, seed=8) if a["email"] and a["state"] == "activated")
    not_opted_in = {**other, "reminder_opt_in": False}
    unopened, opened, quiet = (
        await message_for(db, 7, opted_in),
        await message_for(db, 8, opted_in),
        await message_for(db, 9, not_opted_in),
    )
    for message_id in (unopened, opened, quiet):
        await in_a_box(db, message_id)
    with smtp_sink() as sink:
        app = create_app(settings(sandbox, sink))
        broker = broker_of(app)
        async with running(app):
            for message_id, citizen in ((unopened, opted_in), (opened, opted_in), (quiet, not_opted_in)):
                await publish(broker, notify(message_id, citizen=citizen))
            await eventually(lambda: asyncio.sleep(0, len(sink.received)), lambda n: n == 3)
            # an e-mail reaches the sink before the notifier records it and schedules its reminder
            reminders_collection = db[Collections.REMINDERS]
            await eventually(lambda: reminders_collection.find_one({"_id": unopened}), lambda r: r is not None)
            await broker.publish(
                MessageOpened(message_id=opened, opened_at=ROUTED_AT + timedelta(days=2)),
                exchange=Exchanges.EVENTS,
                routing_key=RoutingKeys.MESSAGE_OPENED,
                persist=True,
            )
            await eventually(lambda: MongoReminders(db).cancelled(opened), lambda cancelled: cancelled)

            queued: list[NotifyCitizen] = []

            async def collect(command: NotifyCitizen) -> None:
                queued.append(command)
                await publish(broker, command)

            clock = Clock(ROUTED_AT + timedelta(days=20, hours=23))
            readings = MongoBoxReadings(db)
            sweep = ReminderSweep(MongoReminders(db), MongoRecipients(db), readings, collect, batch=100, clock=clock)
            assert await sweep.run_once() == 0
            clock.now = ROUTED_AT + timedelta(days=21, minutes=1)
            assert await sweep.run_once() == 1
            assert await sweep.run_once() == 0  # already reminded
            await eventually(lambda: asyncio.sleep(0, len(sink.received)), lambda n: n == 4)
            reminded = await eventually(
                lambda: status_of(db, unopened, "reminder:three_weeks"), lambda s: s is not None
            )
            await asyncio.sleep(0.3)  # nothing more comes
    assert [c.message_id for c in queued] == [unopened]
    reminders = [m for m in sink.received if m["Subject"].startswith("Herinnering")]
    assert len(reminders) == 1
    assert reminders[0]["To"] == opted_in["email"]
    assert "UWV vraagt u: Controleer het bedrag en reageer als het niet klopt" in text_of(reminders[0])
    assert (reminded or NONE).status == Status.SENT


async def test_a_reminder_that_cannot_become_a_command_ends_invalid_and_holds_up_no_other(db: Database) -> None:
    reminders = MongoReminders(db)
    due = {"account_id": CITIZEN["_id"], "status": "scheduled", "delivered_at": ROUTED_AT}
    due |= {"due_at": ROUTED_AT + timedelta(days=21)}
    await db[Collections.REMINDERS].insert_many(
        [
            {"_id": "m-broken", **due},  # no sender: cannot be told
            {"_id": "m-empty-action", **due, "agency_id": "uwv", "call_to_action": {"text": ""}},
        ]
    )
    assert await reminders.schedule(notify("m-fine"), Next(Rung.THREE_WEEKS, ROUTED_AT + timedelta(days=21)))
    await in_a_box(db, "m-fine")
    await db[Collections.ACCOUNTS].insert_one(CITIZEN)  # whom to remind
    queued: list[NotifyCitizen] = []

    async def collect(command: NotifyCitizen) -> None:
        queued.append(command)

    sweep = ReminderSweep(
        reminders,
        MongoRecipients(db),
        MongoBoxReadings(db),
        collect,
        batch=100,
        clock=Clock(ROUTED_AT + timedelta(days=22)),
    )
    assert await sweep.run_once() == 1
    assert await sweep.run_once() == 0  # the broken one is not due again
    assert [(c.message_id, c.agency_id, c.call_to_action) for c in queued] == [("m-fine", "uwv", ACTION)]
    broken = await db[Collections.REMINDERS].find_one({"_id": "m-broken"})
    assert broken is not None
    assert (broken["status"], broken["reason"]) == ("invalid", "missing 'agency_id'")
    empty = await db[Collections.REMINDERS].find_one({"_id": "m-empty-action"})
    assert empty is not None
    assert (empty["status"], empty["reason"]) == ("invalid", "invalid contract (call_to_action.text: string_too_short)")


async def test_claims_without_an_outcome_are_found_through_the_claimed_at_window(db: Database) -> None:
    from services.notifier.records import Outcome
    from services.notifier.repository import INDEXES
    from shared.storage.mongo import ensure_indexes

    await ensure_indexes(db, INDEXES)
    log = MongoNotificationLog(db)
    for i, message_id in enumerate(("died", "sent", "too-new")):
        await log.claim(notify(message_id), Channel.EMAIL, ROUTED_AT + timedelta(seconds=i))
    await log.record("sent", Channel.EMAIL, "new_message", Outcome(Status.SENT, 1), ROUTED_AT)
    page = await log.unsettled(ROUTED_AT, ROUTED_AT + timedelta(seconds=2), limit=10)
    assert [(u.message_id, u.attempt, u.command is not None) for u in page.found] == [("died", 1, True)]
    assert page.found[0].command is not None and page.found[0].command.channels == [Channel.EMAIL]
    assert (page.last_claimed_at, page.full) == (ROUTED_AT + timedelta(seconds=1), False)
