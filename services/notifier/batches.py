"""A `NotifyCitizens` delivery: its notifications handled together, 100 at a time (their
look-ups and inserts grouped), each under its own submission's correlation id.

One that can never be sent (no message, no account) holds up none of the others: the rest
are handled, then the delivery is dead-lettered with the reasons. Any other error (the
database, the broker) is raised after the whole chunk was handled, so the delivery comes
back; the claims keep what went out from going out again."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from services.notifier.notifying import Outcomes
from shared.contracts.messages import NotifyCitizen
from shared.messaging.dead_letter import PermanentError
from shared.runtime.logs import correlation_id

CONCURRENT_NOTIFICATIONS = 100

Notify = Callable[[NotifyCitizen], Awaitable[Outcomes]]


@dataclass
class Failures:
    """Notification id -> why it can never be sent (ids and reasons only, never content)."""

    permanent: dict[str, str] = field(default_factory=dict)

    def reason(self, total: int, shown: int = 10) -> str:
        why = "; ".join(f"{n}: {r}" for n, r in list(self.permanent.items())[:shown])
        return f"{len(self.permanent)} of {total} notifications failed: {why}"


async def notify_all(
    notify: Notify,
    notifications: list[NotifyCitizen],
    handled: Callable[[NotifyCitizen, Outcomes], None],
) -> Failures:
    failures = Failures()
    for start in range(0, len(notifications), CONCURRENT_NOTIFICATIONS):
        chunk = notifications[start : start + CONCURRENT_NOTIFICATIONS]
        results = await asyncio.gather(*(_notify(notify, n) for n in chunk), return_exceptions=True)
        errors = []
        for notification, result in zip(chunk, results, strict=True):
            if isinstance(result, PermanentError):
                failures.permanent[notification.notification_id] = str(result)
            elif isinstance(result, BaseException):
                errors.append(result)
            else:
                handled(notification, result)
        if errors:
            raise errors[0]
    return failures


async def _notify(notify: Notify, notification: NotifyCitizen) -> Outcomes:
    """In a task of its own, so the correlation id it sets is its own."""
    if notification.correlation_id:
        correlation_id.set(notification.correlation_id)
    return await notify(notification)
