from datetime import datetime

from services.notifier.email import OutgoingEmail
from services.notifier.failures import PermanentFailure, SubscriptionGone, TransientFailure
from services.notifier.ladder import Next, Rung
from services.notifier.records import (
    DueReminder,
    Outcome,
    Recipient,
    UnreadableRecipient,
    UnreadableReminder,
    Unsettled,
    UnsettledPage,
)
from shared.contracts.messages import Channel, EmailNotWorking, NotifyCitizen, PushSubscriptionGone

Attempt = tuple[str, Channel, str, int]
"""(message id, channel, kind, attempt)"""


class InMemoryRecipients:
    def __init__(self, recipients: list[Recipient | UnreadableRecipient]) -> None:
        self.by_id = {r.account_id: r for r in recipients}

    async def get(self, account_id: str) -> Recipient | UnreadableRecipient | None:
        return self.by_id.get(account_id)


class InMemoryNotificationLog:
    def __init__(self) -> None:
        self.claims: set[Attempt] = set()
        self.claimed: dict[Attempt, tuple[datetime, NotifyCitizen]] = {}
        self.outcomes: dict[Attempt, Outcome] = {}

    async def claim(self, command: NotifyCitizen, channel: Channel, now: datetime) -> bool:
        key = (command.message_id, channel, command.logged_as, command.attempt)
        if key in self.claims:
            return False
        self.claims.add(key)
        self.claimed[key] = (now, command.model_copy(update={"channels": [channel]}))
        return True

    async def unsettled(self, claimed_from: datetime, claimed_until: datetime, limit: int) -> UnsettledPage:
        window = sorted(
            ((at, key, c) for key, (at, c) in self.claimed.items() if claimed_from <= at < claimed_until),
            key=lambda claim: claim[0],
        )[:limit]
        found = [Unsettled(*key, at, c) for at, key, c in window if key not in self.outcomes]
        return UnsettledPage(found, window[-1][0] if window else None, len(window) == limit)

    async def record(self, message_id: str, channel: Channel, kind: str, outcome: Outcome, now: datetime) -> None:
        self.outcomes.setdefault((message_id, channel, kind, outcome.attempt), outcome)


class InMemoryReminders:
    def __init__(self) -> None:
        self.scheduled: dict[str, tuple[NotifyCitizen, datetime]] = {}
        self.states: dict[str, str] = {}
        self.sent: dict[str, tuple[tuple[Rung, datetime], ...]] = {}
        self.unreadable: list[UnreadableReminder] = []

    async def schedule(self, notified: NotifyCitizen, first: Next) -> bool:
        if notified.message_id in self.states:
            return False
        self.scheduled[notified.message_id] = (notified, first.due_at)
        self.states[notified.message_id], self.sent[notified.message_id] = "scheduled", ()
        return True

    async def cancelled(self, message_id: str) -> bool:
        return self.states.get(message_id) == "cancelled"

    async def opened(self, message_id: str, opened_at: datetime) -> None:
        if self.states.get(message_id, "scheduled") == "scheduled":
            self.states[message_id] = "cancelled"

    async def due(self, now: datetime, limit: int) -> list[DueReminder | UnreadableReminder]:
        due: list[DueReminder | UnreadableReminder] = [r for r in self.unreadable if r.message_id not in self.states]
        for message_id, (notified, at) in sorted(self.scheduled.items(), key=lambda item: item[1][1]):
            if at <= now and self.states[message_id] == "scheduled":
                due.append(
                    DueReminder(
                        message_id=message_id,
                        account_id=notified.account_id,
                        agency_id=notified.agency_id,
                        call_to_action=notified.call_to_action,
                        delivered_at=notified.delivered_at,
                        sent=self.sent[message_id],
                    )
                )
        return due[:limit]

    async def advance(self, message_id: str, sent: tuple[Rung, datetime] | None, following: Next | None) -> None:
        if self.states.get(message_id) != "scheduled":
            return
        if sent is not None:
            self.sent[message_id] = (*self.sent[message_id], sent)
        if following is None:
            self.states[message_id] = "done"
        else:
            self.scheduled[message_id] = (self.scheduled[message_id][0], following.due_at)

    async def invalid(self, message_id: str, reason: str, now: datetime) -> None:
        self.states[message_id] = f"invalid: {reason}"


class RecordingEmail:
    """Sends succeed, unless a failure is queued for the next send."""

    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []
        self.failures: list[TransientFailure | PermanentFailure] = []

    async def send(self, email: OutgoingEmail) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(email)


class RecordingPush:
    """Pushes to endpoints named in `gone` or `busy` fail as a push service would; to those in
    `broken`, as a registration whose keys do not decode does (pywebpush raises ValueError)."""

    def __init__(
        self,
        gone: frozenset[str] = frozenset(),
        busy: frozenset[str] = frozenset(),
        broken: frozenset[str] = frozenset(),
    ) -> None:
        self.gone, self.busy, self.broken = gone, busy, broken
        self.sent: list[tuple[str, dict[str, str]]] = []
        self.topics: list[str] = []

    async def send(self, subscription: dict[str, object], payload: dict[str, str], topic: str) -> None:
        self.topics.append(topic)
        endpoint = str(subscription["endpoint"])
        if endpoint in self.gone:
            raise SubscriptionGone("push service answered 410")
        if endpoint in self.busy:
            raise TransientFailure("push service answered 503")
        if endpoint in self.broken:
            raise ValueError("Could not deserialize key data")
        self.sent.append((endpoint, payload))


class RecordingNotifierPublisher:
    def __init__(self) -> None:
        self.retries: list[tuple[NotifyCitizen, int]] = []
        self.gone: list[PushSubscriptionGone] = []
        self.not_working: list[EmailNotWorking] = []

    async def retry(self, command: NotifyCitizen, delay_seconds: int) -> None:
        self.retries.append((command, delay_seconds))

    async def subscription_gone(self, event: PushSubscriptionGone) -> None:
        self.gone.append(event)

    async def email_not_working(self, event: EmailNotWorking) -> None:
        self.not_working.append(event)


class InMemoryAddressHealth:
    def __init__(self) -> None:
        self.failures: dict[str, set[str]] = {}

    async def refused(self, address: str, failure_id: str, now: datetime) -> int:
        self.failures.setdefault(address, set()).add(failure_id)
        return len(self.failures[address])


class InMemoryBoxReadings:
    """Every message is in an inbox, unopened, unless told otherwise."""

    def __init__(self) -> None:
        self.opened: set[str] = set()
        self.trashed: set[str] = set()
        self.gone: set[str] = set()

    async def states(self, message_ids: list[str]) -> dict[str, tuple[bool, bool]]:
        return {m: (m in self.opened, m in self.trashed) for m in message_ids if m not in self.gone}
