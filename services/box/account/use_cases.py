"""The citizen's account changes, each one account event for the router (which owns the
account and applies events in `sequence` order): activation at first login, preferences,
a confirmed e-mail address, devices."""

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from services.box.account.mail import Mailer
from services.box.account.records import Citizen, OwnChange
from services.box.account.repository import Citizens
from services.box.account.rules import Preferences
from services.box.identity.limits import DEVICES_PER_CITIZEN, MAILS_PER_ADDRESS, MAILS_PER_CITIZEN, RateLimits
from services.box.identity.sessions import Confirmations
from services.box.publishers import BoxAccountEvent, BoxPublisher
from shared.contracts.bsn import Bsn
from shared.contracts.ids import derived_id
from shared.contracts.messages import (
    AccountActivated,
    EmailLinked,
    PreferencesChanged,
    PushSubscriptionsChanged,
    RepresentationDigitalChanged,
)
from shared.contracts.push import MAX_DEVICES, checked_subscription

EventOf = Callable[[int], BoxAccountEvent]
"""The event of a change, given its sequence."""
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a phone and typed


def device_id(subscription: dict[str, object]) -> str:
    """A device's name in URLs and pages: derived from its endpoint, never the endpoint."""
    return derived_id("device", str(subscription.get("endpoint", "")))


class TooManyDevices(Exception):
    """A citizen has `MAX_DEVICES` already: one must go before another comes."""


class AccountChanges:
    def __init__(
        self,
        citizens: Citizens,
        confirmations: Confirmations,
        publisher: BoxPublisher,
        mailer: Mailer,
        clock: Callable[[], datetime],
        confirmation_valid: timedelta,
        push_services: tuple[str, ...],
        limits: RateLimits,
    ) -> None:
        self.citizens, self.confirmations, self.publisher, self.mailer = citizens, confirmations, publisher, mailer
        self.clock, self.confirmation_valid, self.push_services = clock, confirmation_valid, push_services
        self.limits = limits

    async def _change(self, bsn: Bsn, aspect: str, fields: dict[str, object], event: EventOf) -> None:
        """Published first, then kept: a change the box shows has always gone to the router."""
        sequence = await self.citizens.next_sequence(bsn)
        await self.publisher.account_event(event(sequence))
        await self.citizens.remember(bsn, OwnChange(aspect, sequence, fields))

    async def logged_in(self, citizen: Citizen) -> bool:
        """The first login of a ready account activates it; True if this one did."""
        if citizen.state != "ready":
            return False
        bsn = citizen.bsn
        await self._change(bsn, "activation", {"state": "activated"}, lambda n: AccountActivated(bsn=bsn, sequence=n))
        return True

    async def set_represented_digitally(self, bsn: Bsn, digital: bool) -> None:
        """The representative's choice for the citizen they represent (delegation/representation.py)."""
        event = lambda n: RepresentationDigitalChanged(bsn=bsn, sequence=n, digital=digital)  # noqa: E731
        await self._change(bsn, "representation", {"represented_digitally": digital}, event)

    async def set_preferences(self, bsn: Bsn, preferences: Preferences) -> None:
        fields = {
            "opted_in_agencies": preferences.opted_in_agencies,
            "paper_copy_agencies": preferences.paper_copy_agencies,
            "reminder_opt_in": preferences.reminder_opt_in,
            "deadline_reminders": preferences.deadline_reminders,
            "safety_net_days": preferences.safety_net_days,
        }
        await self._change(bsn, "preferences", fields, lambda n: PreferencesChanged(bsn=bsn, sequence=n, **fields))

    async def offer_email(self, citizen: Citizen, email: str, link_base: str) -> None:
        """`RateLimited` past a few confirmation e-mails an hour, per citizen and per address."""
        bsn = citizen.bsn
        await self.limits.take(MAILS_PER_CITIZEN, citizen.account_id, self.clock())
        await self.limits.take(MAILS_PER_ADDRESS, email.lower(), self.clock())
        """Send a one-time code to the new address; it is used only once confirmed."""
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
        await self.confirmations.offer(bsn, email, code, self.clock() + self.confirmation_valid)
        await self.mailer.send_confirmation(email, code, f"{link_base}?code={code}")

    async def mail_invitation(self, citizen: Citizen, email: str, code: str, link: str) -> None:
        """An invitation code to the helper's address, under the same limits as confirmations."""
        await self.limits.take(MAILS_PER_CITIZEN, citizen.account_id, self.clock())
        await self.limits.take(MAILS_PER_ADDRESS, email.lower(), self.clock())
        await self.mailer.send_invitation(email, code, link)

    async def confirm_email(self, bsn: Bsn, code: str) -> str | None:
        email = await self.confirmations.take(bsn, code.strip().upper(), self.clock())
        if email is not None:
            await self._email(bsn, email)
        return email

    async def remove_email(self, bsn: Bsn) -> None:
        await self._email(bsn, None)

    async def _email(self, bsn: Bsn, email: str | None) -> None:
        fields: dict[str, object] = {"email": email, "email_not_working": False}  # a confirmed one works
        await self._change(bsn, "email", fields, lambda n: EmailLinked(bsn=bsn, sequence=n, email=email))

    async def add_device(self, citizen: Citizen, value: object) -> dict[str, object]:
        """The subscription as registered; `InvalidSubscription` (not at an allowed push
        service, keys that do not decode), `TooManyDevices` or `RateLimited`."""
        subscription = checked_subscription(value, self.push_services)
        await self.limits.take(DEVICES_PER_CITIZEN, citizen.account_id, self.clock())
        others = [s for s in citizen.push_subscriptions if s.get("endpoint") != subscription["endpoint"]]
        if len(others) >= MAX_DEVICES:
            raise TooManyDevices
        await self._devices(citizen.bsn, [*others, subscription])
        return subscription

    async def remove_device(self, citizen: Citizen, device: str) -> bool:
        kept = [s for s in citizen.push_subscriptions if device_id(s) != device]
        if len(kept) == len(citizen.push_subscriptions):
            return False
        await self._devices(citizen.bsn, kept)
        return True

    async def _devices(self, bsn: Bsn, subscriptions: list[dict[str, object]]) -> None:
        def event(n: int) -> PushSubscriptionsChanged:
            return PushSubscriptionsChanged(bsn=bsn, sequence=n, subscriptions=subscriptions)

        await self._change(bsn, "push", {"push_subscriptions": subscriptions}, event)
