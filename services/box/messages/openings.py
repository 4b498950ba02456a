"""A first opening is announced (`MessageOpened`, which cancels the reminder) even when the
broker does not answer at that moment. The opening is held in the box's own outbox before the
entry is marked opened; the citizen reads on at once whatever the broker does; the hold is let
go once the broker confirmed the event. A sweep announces what a broker outage or a crash left
held. The event's id is derived from the message, so a repeat is recognisable as one."""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from shared.contracts.messages import MessageOpened

log = logging.getLogger(__name__)
PUBLISH_WAIT = 3.0
"""Seconds a page waits for the broker's confirm before it leaves the announcing to the sweep."""
SETTLED_AFTER = timedelta(seconds=30)
"""The sweep leaves an opening this young alone: its own request may still be announcing it."""


@dataclass(frozen=True)
class HeldOpening:
    message_id: str
    account_id: str
    opened_at: datetime
    opened_by: str | None = None


class HeldOpenings(Protocol):
    async def hold(self, opening: HeldOpening) -> None:
        """Kept once per message (a second hold of the same message changes nothing)."""
        ...

    async def release(self, message_id: str) -> None: ...
    async def held_since(self, before: datetime, limit: int) -> list[HeldOpening]: ...


class Entries(Protocol):
    async def first_opening(self, account_id: str, message_id: str, now: datetime, by: str | None = None) -> bool: ...


class Announcer(Protocol):
    async def opened(self, event: MessageOpened) -> None: ...


class Openings:
    def __init__(
        self,
        held: HeldOpenings,
        box: Entries,
        publisher: Announcer,
        clock: Callable[[], datetime],
        publish_wait: float = PUBLISH_WAIT,
    ) -> None:
        self.held, self.box, self.publisher, self.clock, self.publish_wait = held, box, publisher, clock, publish_wait

    async def first(self, account_id: str, message_id: str, opener: str | None = None) -> None:
        """Marks the entry opened and announces it, now if the broker confirms in time, else
        by the sweep. Raises only when the database fails (then nothing was marked)."""
        opening = HeldOpening(message_id, account_id, self.clock(), opener)
        await self.held.hold(opening)
        try:
            won = await self.box.first_opening(account_id, message_id, opening.opened_at, opener)
        except Exception:
            with contextlib.suppress(Exception):  # not opened after all: the sweep must not say it was
                await self.held.release(message_id)
            raise
        if won:  # else another request opened it at the same moment, and announces it
            await self._announce(opening)

    async def run_once(self) -> int:
        """Announce what is held for longer than `SETTLED_AFTER`; the number announced."""
        announced = 0
        for opening in await self.held.held_since(self.clock() - SETTLED_AFTER, limit=500):
            # a crash between holding and marking left the entry unopened: the citizen did open it
            await self.box.first_opening(opening.account_id, opening.message_id, opening.opened_at, opening.opened_by)
            announced += await self._announce(opening)
        return announced

    async def _announce(self, opening: HeldOpening) -> int:
        event = MessageOpened(message_id=opening.message_id, opened_at=opening.opened_at)
        try:
            await asyncio.wait_for(self.publisher.opened(event), self.publish_wait)
        except Exception as error:  # the broker is away or slow: the sweep announces it later
            log.warning("opening held for the sweep: the broker did not confirm (%s)", type(error).__name__)
            return 0
        await self.held.release(opening.message_id)
        return 1
