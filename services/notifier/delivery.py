"""The notification use case: claim, send, record, for each channel of a `NotifyCitizen`.

Transient failures come back through a delay queue (bounded by the retry delays) and end in
`technical-failure`; permanent ones end in `permanent-failure` at once. A push subscription
the push service no longer knows is reported to the router's account store."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from services.notifier.claims import MongoNotificationLog, Status
from services.notifier.content import NotificationFacts, email_content, push_payload
from services.notifier.email import OutgoingEmail, build_email
from services.notifier.failures import PermanentFailure, SubscriptionGone, TransientFailure
from services.notifier.reminders import MongoReminders
from services.notifier.settings import NotifierSettings
from shared.contracts.messages import Channel, NotifyCitizen, PushSubscriptionGone
from shared.messaging.dead_letter import PermanentError
from shared.storage.agencies import AgencyRegistry
from shared.storage.mongo import Document

ACCOUNT_FIELDS = {"email": 1, "push_subscriptions": 1, "reminder_opt_in": 1}
"""What the notifier reads of an account (never its BSN). It reads no message: the command
carries what a notification tells of one, its sender and its call to action."""


class Accounts(Protocol):
    async def account(self, account_id: str) -> Document | None: ...


class EmailPort(Protocol):
    async def send(self, email: OutgoingEmail) -> None: ...


class PushPort(Protocol):
    async def send(self, subscription: dict[str, object], payload: dict[str, str]) -> None: ...


class NotifierOutbox(Protocol):
    async def retry(self, command: NotifyCitizen, delay_seconds: int) -> None: ...
    async def subscription_gone(self, event: PushSubscriptionGone) -> None: ...


class Notifier:
    def __init__(
        self,
        settings: NotifierSettings,
        accounts: Accounts,
        agencies: AgencyRegistry,
        log: MongoNotificationLog,
        reminders: MongoReminders,
        email: EmailPort,
        push: PushPort,
        outbox: NotifierOutbox,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.settings, self.accounts, self.agencies, self.log, self.reminders = (
            settings,
            accounts,
            agencies,
            log,
            reminders,
        )
        self.email, self.push, self.outbox, self.clock = email, push, outbox, clock

    async def handle(self, command: NotifyCitizen) -> dict[Channel, Status | None]:
        """Per channel: the outcome, or None when another delivery owns the send."""
        account = await self.accounts.account(command.account_id)
        if account is None:
            raise PermanentError("message has no routed account to notify")
        if command.kind == "reminder" and await self.reminders.cancelled(command.message_id):
            return dict.fromkeys(command.channels)
        facts = await self._facts(command)
        outcomes: dict[Channel, Status | None] = {}
        for channel in command.channels:
            outcomes[channel] = await self._notify(command, channel, facts, account)
        if (
            command.kind == "new_message"
            and outcomes.get(Channel.EMAIL) is Status.SENT
            and account.get("reminder_opt_in")
        ):
            after = timedelta(days=self.settings.reminder_after_days)
            await self.reminders.schedule(command, after)
        return outcomes

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
        self, command: NotifyCitizen, channel: Channel, facts: NotificationFacts, account: Document
    ) -> Status | None:
        if not await self.log.claim(command.message_id, channel, command.kind, command.attempt, self.clock()):
            return None
        try:
            if channel is Channel.EMAIL:
                await self._email(command, facts, account)
            else:
                await self._push(facts, account)
            status, detail = Status.SENT, ""
        except TransientFailure as failure:
            status, detail = await self._retry_or_give_up(command, channel), str(failure)
        except PermanentFailure as failure:
            status, detail = Status.PERMANENT_FAILURE, str(failure)
        await self.log.record(command.message_id, channel, command.kind, command.attempt, status, self.clock(), detail)
        return status

    async def _email(self, command: NotifyCitizen, facts: NotificationFacts, account: Document) -> None:
        address = account.get("email")
        if not address:
            raise PermanentFailure("the citizen has no e-mail address")
        message = build_email(
            email_content(facts),
            sender=self.settings.mail_from,
            recipient=address,
            notification_id=command.notification_id,
            domain=self.settings.mail_domain,
            box_url=self.settings.box_url,
        )
        await self.email.send(message)

    async def _push(self, facts: NotificationFacts, account: Document) -> None:
        """Sent when any device got it; transient when none did and one may later."""
        subscriptions = account.get("push_subscriptions") or []
        payload, delivered, transient, refused = push_payload(facts), 0, False, "no registered device"
        for subscription in subscriptions:
            try:
                await self.push.send(subscription, payload)
                delivered += 1
            except SubscriptionGone:
                await self.outbox.subscription_gone(
                    PushSubscriptionGone(account_id=account["_id"], endpoint=subscription["endpoint"])
                )
            except TransientFailure:
                transient = True
            except PermanentFailure as failure:
                refused = str(failure)
        if delivered:
            return
        if transient:
            raise TransientFailure("no device reached; a push service failed temporarily")
        raise PermanentFailure(f"no device could be reached: {refused}")

    async def _retry_or_give_up(self, command: NotifyCitizen, channel: Channel) -> Status:
        delays = self.settings.retry_delays
        if command.attempt > len(delays):
            return Status.TECHNICAL_FAILURE
        again = command.model_copy(update={"channels": [channel], "attempt": command.attempt + 1})
        await self.outbox.retry(again, delays[command.attempt - 1])
        return Status.RETRYING
