"""The notification use case through in-memory fakes: claim, send, record per channel;
retries that wait, permanent failures, gone devices, the reminder it schedules."""

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from services.notifier.bounces import BounceAddresses
from services.notifier.email import OutgoingEmail
from services.notifier.failures import AddressRefused, PermanentFailure, TransientFailure
from services.notifier.notifying import Notifier
from services.notifier.records import Recipient, Status
from services.notifier.settings import NotifierSettings
from shared.contracts.messages import CallToAction, Channel, NotifyCitizen
from shared.messaging.dead_letter import PermanentError
from tests.fakes.agencies import InMemoryAgencyRegistry
from tests.fakes.notifier import (
    InMemoryAddressHealth,
    InMemoryNotificationLog,
    InMemoryRecipients,
    InMemoryReminders,
    RecordingEmail,
    RecordingNotifierPublisher,
    RecordingPush,
)
from tests.support.samples import AGENCIES

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PHONE_ENDPOINT, OLD_TABLET_ENDPOINT = "https://push.example/phone", "https://push.example/old-tablet"
PHONE: dict[str, object] = {"endpoint": PHONE_ENDPOINT}
OLD_TABLET: dict[str, object] = {"endpoint": OLD_TABLET_ENDPOINT}
CITIZEN = Recipient("a-1", email="burger@example.nl", push_subscriptions=[PHONE], reminder_opt_in=True)
SETTINGS = NotifierSettings(provider_retry_delays=(30, 120), box_url="https://box.example/berichten")


class Wiring:
    def __init__(
        self, recipient: Recipient = CITIZEN, push: RecordingPush | None = None, bounces: BounceAddresses | None = None
    ) -> None:
        self.log, self.reminders, self.email = InMemoryNotificationLog(), InMemoryReminders(), RecordingEmail()
        self.push, self.publisher = push or RecordingPush(), RecordingNotifierPublisher()
        self.addresses = InMemoryAddressHealth()
        self.notifier = Notifier(
            SETTINGS,
            InMemoryRecipients([recipient]),
            InMemoryAgencyRegistry(list(AGENCIES.values())),
            self.log,
            self.reminders,
            self.email,
            self.push,
            self.publisher,
            self.addresses,
            clock=lambda: NOW,
            bounce_addresses=bounces,
        )


def command(channels: tuple[Channel, ...] = (Channel.EMAIL, Channel.PUSH), /, **fields: object) -> NotifyCitizen:
    values: dict[str, object] = {
        "notification_id": "n-1",
        "message_id": "m-1",
        "account_id": CITIZEN.account_id,
        "agency_id": "uwv",
        "call_to_action": CallToAction(text="Reageer binnen twee weken"),
        "delivered_at": NOW,
        "channels": list(channels),
    }
    return NotifyCitizen.model_validate(values | fields)


async def test_both_channels_are_claimed_sent_recorded_and_a_reminder_is_scheduled() -> None:
    wiring = Wiring()
    outcomes = await wiring.notifier.handle(command())
    assert outcomes == {Channel.EMAIL: Status.SENT, Channel.PUSH: Status.SENT}
    [email] = wiring.email.sent
    assert email.recipient == CITIZEN.email and b"Nieuw bericht van UWV" in email.data
    [(endpoint, payload)] = wiring.push.sent
    link = f"{SETTINGS.box_url}/m-1"  # the message in the box, by its opaque id and nothing else
    assert endpoint == PHONE_ENDPOINT and payload["url"] == link
    assert link.encode() in email.data.replace(b"=\r\n", b"")  # (quoted-printable may fold the line)
    assert wiring.push.topics == ["n1"]  # the notification id: a resend replaces, never doubles
    assert {k[1]: o.status for k, o in wiring.log.outcomes.items()} == {Channel.EMAIL: "sent", Channel.PUSH: "sent"}
    notified, due_at = wiring.reminders.scheduled["m-1"]
    assert notified.message_id == "m-1" and due_at == NOW + timedelta(days=21)  # opted in, no deadline


async def test_a_second_delivery_of_the_same_command_sends_nothing() -> None:
    wiring = Wiring()
    await wiring.notifier.handle(command())
    again = await wiring.notifier.handle(command())
    assert again == {Channel.EMAIL: None, Channel.PUSH: None}
    assert len(wiring.email.sent) == 1 and len(wiring.push.sent) == 1


async def test_each_helper_is_told_once_through_the_machtiging_and_no_reminder_follows() -> None:
    other = Recipient("h-2", email="tweede@example.nl", push_subscriptions=[], reminder_opt_in=True)
    wiring = Wiring()
    wiring.notifier.recipients = InMemoryRecipients([CITIZEN, other])
    notices = [
        command((Channel.EMAIL,), notification_id=f"n-{who}", account_id=who, kind="helper_new_message",
                grant_id=f"g-{who}", call_to_action=None)
        for who in (CITIZEN.account_id, "h-2")
    ]  # fmt: skip
    assert [await wiring.notifier.handle(n) for n in notices] == [{Channel.EMAIL: Status.SENT}] * 2
    assert await wiring.notifier.handle(notices[0]) == {Channel.EMAIL: None}  # a redelivery: told once
    first, second = wiring.email.sent
    assert (first.recipient, second.recipient) == (CITIZEN.email, "tweede@example.nl")
    assert b"waarbij u helpt" in first.data and b"/hulp/g-a-1/berichten/m-1" in first.data.replace(b"=\r\n", b"")
    assert wiring.reminders.scheduled == {}


async def test_a_transient_failure_waits_in_a_delay_queue_for_the_next_attempt_then_gives_up() -> None:
    wiring = Wiring()
    wiring.email.failures = [TransientFailure("SMTP 451")] * 3
    assert await wiring.notifier.handle(command((Channel.EMAIL,))) == {Channel.EMAIL: Status.RETRYING}
    [(retry, delay)] = wiring.publisher.retries
    assert (retry.attempt, retry.channels, delay) == (2, [Channel.EMAIL], 30)
    assert await wiring.notifier.handle(retry) == {Channel.EMAIL: Status.RETRYING}
    last, delay = wiring.publisher.retries[-1]
    assert (last.attempt, delay) == (3, 120)
    assert await wiring.notifier.handle(last) == {Channel.EMAIL: Status.TECHNICAL_FAILURE}
    assert len(wiring.publisher.retries) == 2 and wiring.email.sent == []
    assert wiring.reminders.scheduled == {}  # nothing reached the citizen: nothing to remind of


async def test_a_permanent_failure_is_final_with_its_reason() -> None:
    wiring = Wiring()
    wiring.email.failures = [PermanentFailure("SMTP 550")]
    assert await wiring.notifier.handle(command((Channel.EMAIL,))) == {Channel.EMAIL: Status.PERMANENT_FAILURE}
    [outcome] = wiring.log.outcomes.values()
    assert (outcome.status, outcome.detail) == (Status.PERMANENT_FAILURE, "SMTP 550")
    assert wiring.publisher.retries == []


async def test_a_gone_device_is_reported_and_the_others_still_get_the_push() -> None:
    citizen = Recipient("a-1", push_subscriptions=[OLD_TABLET, PHONE])
    wiring = Wiring(citizen, RecordingPush(gone=frozenset({OLD_TABLET_ENDPOINT})))
    assert await wiring.notifier.handle(command((Channel.PUSH,))) == {Channel.PUSH: Status.SENT}
    assert [(g.account_id, g.endpoint) for g in wiring.publisher.gone] == [("a-1", OLD_TABLET_ENDPOINT)]
    assert [endpoint for endpoint, _ in wiring.push.sent] == [PHONE_ENDPOINT]


async def test_a_device_whose_keys_do_not_decode_blocks_none_of_the_others() -> None:
    """A registration stored before the box checked keys raised in the push library and ended
    the whole channel: the citizen's other devices got nothing."""
    citizen = Recipient("a-1", push_subscriptions=[OLD_TABLET, PHONE])
    wiring = Wiring(citizen, RecordingPush(broken=frozenset({OLD_TABLET_ENDPOINT})))
    assert await wiring.notifier.handle(command((Channel.PUSH,))) == {Channel.PUSH: Status.SENT}
    assert [endpoint for endpoint, _ in wiring.push.sent] == [PHONE_ENDPOINT]


async def test_push_with_every_device_busy_is_retried() -> None:
    wiring = Wiring(push=RecordingPush(busy=frozenset({PHONE_ENDPOINT})))
    assert await wiring.notifier.handle(command((Channel.PUSH,))) == {Channel.PUSH: Status.RETRYING}
    assert [c.channels for c, _ in wiring.publisher.retries] == [[Channel.PUSH]]


async def test_no_address_is_a_permanent_failure_of_that_channel_only() -> None:
    wiring = Wiring(Recipient("a-1", push_subscriptions=[PHONE]))
    outcomes = await wiring.notifier.handle(command())
    assert outcomes == {Channel.EMAIL: Status.PERMANENT_FAILURE, Channel.PUSH: Status.SENT}


async def test_a_reminder_for_an_opened_message_sends_nothing() -> None:
    wiring = Wiring()
    await wiring.reminders.opened("m-1", NOW)
    reminder = command((Channel.EMAIL,), kind="reminder", notification_id="n-r")
    assert await wiring.notifier.handle(reminder) == {Channel.EMAIL: None}
    assert wiring.email.sent == [] and wiring.log.claims == set()


@pytest.mark.parametrize(
    ("fields", "reason"),
    [({"account_id": "nobody"}, "no routed account"), ({"agency_id": "unknown"}, "not in the registry")],
)
async def test_what_can_never_be_sent_is_a_permanent_error(fields: dict[str, object], reason: str) -> None:
    wiring = Wiring()
    with pytest.raises(PermanentError, match=reason):
        await wiring.notifier.handle(command(**fields))
    assert wiring.email.sent == [] and wiring.log.claims == set()


def test_an_account_whose_address_is_not_text_is_unreadable_not_a_crash_after_the_claim() -> None:
    from services.notifier.records import UnreadableRecipient
    from services.notifier.repository import recipient_from

    assert isinstance(recipient_from({"_id": "a-1", "email": 31612345678}), UnreadableRecipient)
    assert isinstance(recipient_from({"_id": "a-1", "push_subscriptions": "not a list"}), UnreadableRecipient)
    assert recipient_from({"_id": "a-1", "email": "a@example.nl"}) == Recipient("a-1", email="a@example.nl")


async def test_an_unreadable_account_is_a_permanent_error_before_anything_is_claimed() -> None:
    from services.notifier.records import UnreadableRecipient

    wiring = Wiring()
    wiring.notifier.recipients = InMemoryRecipients([UnreadableRecipient("a-1", "email is not text")])
    with pytest.raises(PermanentError, match="email is not text"):
        await wiring.notifier.handle(command())
    assert wiring.log.claims == set()


async def test_an_unexpected_error_after_the_claim_ends_the_notification_with_an_outcome() -> None:
    wiring = Wiring()

    async def broken(email: object) -> None:
        raise TypeError("expected str")

    wiring.email.send = broken  # type: ignore[method-assign]
    assert await wiring.notifier.handle(command((Channel.EMAIL,))) == {Channel.EMAIL: Status.PERMANENT_FAILURE}
    [outcome] = wiring.log.outcomes.values()
    assert outcome.detail == "TypeError: expected str"


async def test_a_slow_e_mail_does_not_hold_up_the_push_of_the_same_notification() -> None:
    wiring = Wiring()
    pushed = asyncio.Event()
    send_email = wiring.email.send

    async def slow_until_pushed(email: OutgoingEmail) -> None:
        await asyncio.wait_for(pushed.wait(), 2)  # a slow SMTP server: done only after the push went
        await send_email(email)

    async def push_then_tell(subscription: dict[str, object], payload: dict[str, str], topic: str) -> None:
        pushed.set()

    wiring.email.send = slow_until_pushed  # type: ignore[method-assign]
    wiring.push.send = push_then_tell  # type: ignore[method-assign]
    assert await wiring.notifier.handle(command()) == {Channel.EMAIL: Status.SENT, Channel.PUSH: Status.SENT}


async def test_three_refusals_of_an_address_mark_it_not_working_once_counted() -> None:
    wiring = Wiring()
    wiring.email.failures = [AddressRefused("recipient refused: [550]")] * 3
    for n in range(3):
        await wiring.notifier.handle(command((Channel.EMAIL,), notification_id=f"n-{n}", message_id=f"m-{n}"))
    [event] = wiring.publisher.not_working
    address = str(CITIZEN.email)
    assert event.account_id == CITIZEN.account_id and address not in event.model_dump_json()
    assert event.address_sha256 == hashlib.sha256(address.encode()).hexdigest()


async def test_an_e_mail_goes_out_from_a_bounce_address_made_for_its_account_and_recipient() -> None:
    bounces = BounceAddresses(b"key", "berichtenbox.example")
    citizen = Recipient("00000000-0000-4000-8000-000000000001", "burger@example.nl", [], reminder_opt_in=False)
    wiring = Wiring(citizen, bounces=bounces)
    await wiring.notifier.handle(command((Channel.EMAIL,), account_id=citizen.account_id))
    [email] = wiring.email.sent
    assert bounces.account_of(email.envelope_from) == citizen.account_id
    assert bounces.genuine(email.envelope_from, "burger@example.nl")
