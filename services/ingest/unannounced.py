"""The sweep of messages stored but never routed. Ingest stores a message, then announces
it; a delivery that died between the two (and was dead-lettered, or whose event was lost)
leaves a message that no router ever sees, under a receipt that says `accepted`.

Each run reads the messages accepted since the last run and older than `stale_after`
(through the `accepted_at` index, a page at a time), asks which have no route, and
announces those again; routing is idempotent, so a message announced twice is routed once."""

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from services.ingest.publishers import IntakePublisher
from services.ingest.repository import MessageStore
from shared.contracts.messages import MAX_BATCH_SIZE, MessagesAccepted

logger = logging.getLogger(__name__)


class UnannouncedSweep:
    def __init__(
        self,
        store: MessageStore,
        publisher: IntakePublisher,
        *,
        stale_after: timedelta,
        look_back: timedelta,
        batch: int = MAX_BATCH_SIZE,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.publisher, self.batch, self.clock = store, publisher, batch, clock
        self.stale_after = stale_after
        self.swept_until = clock() - look_back
        self._at_boundary: set[str] = set()
        """Messages of the last page accepted at `swept_until`: the next page reads them again."""

    async def run_once(self) -> int:
        """The number of messages announced again."""
        until, announced = self.clock() - self.stale_after, 0
        while True:
            page = await self.store.accepted_between(self.swept_until, until, self.batch)
            fresh = [m.message_id for m in page.messages if m.message_id not in self._at_boundary]
            unrouted = await self.store.unrouted(fresh) if fresh else set()
            by_agency: dict[str, list[str]] = {}
            for message in page.messages:
                if message.message_id in unrouted:
                    by_agency.setdefault(message.agency_id, []).append(message.message_id)
            for agency_id, ids in by_agency.items():
                await self.publisher.messages_accepted(MessagesAccepted(agency_id=agency_id, message_ids=ids), "")
                logger.warning("announced %d stored messages of %s that had no route", len(ids), agency_id)
            announced += len(unrouted)
            if not page.full or page.last_accepted_at is None:
                self.swept_until, self._at_boundary = until, set()
                return announced
            last = page.last_accepted_at
            if last == self.swept_until and not fresh:  # a page of one millisecond, all seen: on by one
                self.swept_until, self._at_boundary = last + timedelta(milliseconds=1), set()
                continue
            if last > self.swept_until:
                self._at_boundary = set()
            self.swept_until = last
            self._at_boundary |= {m.message_id for m in page.messages if m.accepted_at == last}
