"""An e-mail address that fails for good, counted: a 5xx while sending, or a bounce that comes
back later (bounce_server.py). Three failures and the router marks the address not working;
no more mail goes there until the citizen confirms an address again."""

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from services.notifier.repository import AddressHealth, address_key
from shared.contracts.messages import EmailNotWorking

FAILURES_UNTIL_NOT_WORKING = 3


class NotWorkingPublisher(Protocol):
    async def email_not_working(self, event: EmailNotWorking) -> None: ...


class AddressFailures:
    def __init__(self, health: AddressHealth, publisher: NotWorkingPublisher, clock: Callable[[], datetime]) -> None:
        self.health, self.publisher, self.clock = health, publisher, clock

    async def failed(self, account_id: str, address: str, failure_id: str) -> None:
        """`failure_id` names the failure (the notification's id): counted once however often it is told."""
        if await self.health.refused(address, failure_id, self.clock()) >= FAILURES_UNTIL_NOT_WORKING:
            event = EmailNotWorking(account_id=account_id, address_sha256=address_key(address))
            await self.publisher.email_not_working(event)
