"""The notification use case: claim, send, record, for each channel of a `NotifyCitizen`.

Transient failures come back through a delay queue (bounded by the retry delays) and end in
`technical-failure`; permanent ones end in `permanent-failure` at once. A push subscription
the push service no longer knows is reported to the router's account store."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Protocol

from services.notifier.bounces import BounceAddresses
from services.notifier.contact import AddressFailures
from services.notifier.content import NotificationFacts, email_content, message_link, push_payload
from services.notifier.email import OutgoingEmail, build_email
from services.notifier.failures import AddressRefused, PermanentFailure, SubscriptionGone, TransientFailure
from services.notifier.ladder import Choices, LadderFacts, next_reminder
from services.notifier.publishers import NotifierPublisher
from services.notifier.records import Outcome, Recipient, Status, UnreadableRecipient
from services.notifier.repository import AddressHealth, NotificationLog, Recipients, Reminders
from services.notifier.settings import NotifierSettings
from shared.contracts.messages import Channel, NotifyCitizen, PushSubscriptionGone
from shared.messaging.dead_letter import PermanentError, describe
from shared.storage.agencies import AgencyRegistry

Outcomes = dict[Channel, Status | None]
"""Per channel: the outcome, or None when another delivery owns the send."""


class EmailPort(Protocol):
    async def send(self, email: OutgoingEmail) -> None: ...


class PushPort(Protocol):
    async def send(self, subscription: dict[str, object], payload: dict[str, str], topic: str) -> None: ...


class Notifier:
    def __init__(
        self,
        settings: NotifierSettings,
        recipients: Recipients,
        agencies: AgencyRegistry,
        log: NotificationLog,
        reminders: Reminders,
        email: EmailPort,
        push: PushPort,
        publisher: NotifierPublisher,
        addresses: AddressHealth,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        bounce_addresses: BounceAddresses | None = None,
    ) -> None:
        self.settings, self.recipients, self.agencies = settings, recipients, agencies
        self.log, self.reminders, self.email, self.push = log, reminders, email, push
        self.publisher, self.clock = publisher, clock
        self.address_failures = AddressFailures(addresses, publisher, clock)
        self.bounce_addresses = bounce_addresses

    async def handle(self, command: NotifyCitizen) -> Outcomes:
        recipient = await self.recipients.get(command.account_id)
        if recipient is None:
            raise PermanentError("message has no routed account to notify")
        if isinstance(recipient, UnreadableRecipient):
            raise PermanentError(recipient.reason)
        if command.kind == "reminder" and await self.reminders.cancelled(command.message_id):
            return dict.fromkeys(command.channels)
        facts = await self._facts(command)
        # each channel on its own: a slow SMTP server holds up no push, nor the other way round
        sent = await asyncio.gather(*(self._notify(command, c, facts, recipient) for c in command.channels))
        outcomes: Outcomes = dict(zip(command.channels, sent, strict=True))
        if command.kind == "new_message" and Status.SENT in outcomes.values():
            await self._ladder(command, recipient)
        return outcomes

    async def _ladder(self, command: NotifyCitizen, recipient: Recipient) -> None:
        """The reminders this message may get, from its first rung (ladder.py); none if none applies."""
        deadline = command.call_to_action.deadline if command.call_to_action else None
        choices = Choices(recipient.deadline_reminders, recipient.reminder_opt_in)
        first = next_reminder(LadderFacts(command.delivered_at, deadline), choices, self.clock())
        if first is not None:
            await self.reminders.schedule(command, first)

    async def _facts(self, command: NotifyCitizen) -> NotificationFacts:
        agency = await self.agencies.get(command.agency_id)
        if agency is None:
            raise PermanentError("message from an agency that is not in the registry")
        action = command.call_to_action
        return NotificationFacts(
            kind=command.kind,
            agency_name=agency.display_name,
            call_to_action=action.text if action else None,
            deadline=action.deadline if action else None,
            box_url=self.settings.box_url,
        )

    async def _notify(
        self, command: NotifyCitizen, channel: Channel, facts: NotificationFacts, recipient: Recipient
    ) -> Status | None:
        if not await self.log.claim(command, channel, self.clock()):
            return None
        try:
            if channel is Channel.EMAIL:
                await self._email(command, facts, recipient)
            else:
                await self._push(command, facts, recipient)
            status, detail = Status.SENT, ""
        except TransientFailure as failure:
            status, detail = await self._retry_or_give_up(command, channel), str(failure)
        except AddressRefused as failure:
            status, detail = Status.PERMANENT_FAILURE, str(failure)
            assert recipient.email is not None
            await self.address_failures.failed(recipient.account_id, recipient.email, command.notification_id)
        except PermanentFailure as failure:
            status, detail = Status.PERMANENT_FAILURE, str(failure)
        except Exception as error:  # claimed, so it ends here with an outcome, never silently
            status, detail = Status.PERMANENT_FAILURE, describe(error)
        outcome = Outcome(status, command.attempt, detail)
        await self.log.record(command.message_id, channel, command.logged_as, outcome, self.clock())
        return status

    async def _email(self, command: NotifyCitizen, facts: NotificationFacts, recipient: Recipient) -> None:
        if not recipient.email:
            raise PermanentFailure("the citizen has no e-mail address")
        link = message_link(facts.box_url, command.message_id, command.grant_id)
        bounces = self.bounce_addresses
        message = build_email(
            email_content(facts),
            sender=self.settings.mail_from,
            envelope_sender=bounces.envelope_sender(recipient.account_id, recipient.email) if bounces else None,
            recipient=recipient.email,
            notification_id=command.notification_id,
            domain=self.settings.mail_domain,
            box_url=facts.box_url,
            link=link,
        )
        await self.email.send(message)

    async def _push(self, command: NotifyCitizen, facts: NotificationFacts, recipient: Recipient) -> None:
        """Sent when any device got it; transient when none did and one may later."""
        link = message_link(facts.box_url, command.message_id, command.grant_id)
        payload, delivered, transient, refused = push_payload(facts, link), 0, False, "no registered device"
        topic = command.notification_id.replace("-", "")  # at most 32 URL-safe characters
        for subscription in recipient.push_subscriptions:
            try:
                await self.push.send(subscription, payload, topic)
                delivered += 1
            except SubscriptionGone:
                gone = PushSubscriptionGone(account_id=recipient.account_id, endpoint=str(subscription["endpoint"]))
                await self.publisher.subscription_gone(gone)
            except TransientFailure:
                transient = True
            except PermanentFailure as failure:
                refused = str(failure)
            except Exception as error:  # one bad registration (a key that does not decode) fails alone
                refused = describe(error)
        if delivered:
            return
        if transient:
            raise TransientFailure("no device reached; a push service failed temporarily")
        raise PermanentFailure(f"no device could be reached: {refused}")

    async def give_up(self, notifications: list[NotifyCitizen], reason: str) -> None:
        """A delivery whose last attempt failed goes to the dead letters (`end_unsent`)."""
        await end_unsent(self.log, notifications, reason, self.clock())

    async def _retry_or_give_up(self, command: NotifyCitizen, channel: Channel) -> Status:
        delays = self.settings.provider_retry_delays
        if command.attempt > len(delays):
            return Status.TECHNICAL_FAILURE
        again = command.model_copy(update={"channels": [channel], "attempt": command.attempt + 1})
        await self.publisher.retry(again, delays[command.attempt - 1])
        return Status.RETRYING


async def end_unsent(log: NotificationLog, notifications: list[NotifyCitizen], reason: str, now: datetime) -> None:
    """Each notification of a delivery that is given up ends with a final outcome, unless it
    has one: otherwise its status would stay `retrying` from the attempt before, with nothing
    left to send it. An outcome is kept once, so one already recorded (sent) stands."""
    detail = f"gave up after the delivery's last attempt: {reason}"
    for command in notifications:
        for channel in command.channels:
            outcome = Outcome(Status.TECHNICAL_FAILURE, command.attempt, detail)
            await log.record(command.message_id, channel, command.logged_as, outcome, now)
