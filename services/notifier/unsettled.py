"""The sweep of claims left without an outcome. A notifier that dies (or is cancelled)
between claim and send leaves a claim that stops every later delivery of the same attempt:
without this sweep that notification would never be sent and nothing would say so.

A claim older than `stale_after` with no outcome is settled as `retrying` and its command
offered again as the next attempt (a new claim), through the same delay queues as any retry;
past the last attempt it ends `technical-failure`. Sending is safe to repeat: the e-mail's
Message-ID and the push Topic are the notification's. Each run reads the window of claims
since the last one (a few at a time, through the `claimed_at` index); several notifiers
sweeping the same window settle each claim once (its outcome is inserted under its id)."""

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from services.notifier.publishers import NotifierPublisher
from services.notifier.records import Outcome, Status, Unsettled
from services.notifier.repository import NotificationLog

logger = logging.getLogger(__name__)


class UnsettledClaimSweep:
    def __init__(
        self,
        log: NotificationLog,
        publisher: NotifierPublisher,
        *,
        retry_delays: tuple[int, ...],
        stale_after: timedelta,
        look_back: timedelta,
        batch: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.log, self.publisher, self.delays, self.batch, self.clock = log, publisher, retry_delays, batch, clock
        self.stale_after = stale_after
        self.swept_until = clock() - look_back
        """Claims before this were swept (by this process; a fresh one looks back `look_back`)."""

    async def run_once(self) -> int:
        """The number of claims settled."""
        until, settled = self.clock() - self.stale_after, 0
        while True:
            page = await self.log.unsettled(self.swept_until, until, self.batch)
            for claim in page.found:
                await self._settle(claim)
            settled += len(page.found)
            if not page.full or page.last_claimed_at is None:
                self.swept_until = until
                return settled
            # the next page starts at the last claim read (read again, settled by then); a page
            # of claims all of one millisecond moves on by one
            moved = page.last_claimed_at > self.swept_until
            self.swept_until = page.last_claimed_at if moved else self.swept_until + timedelta(milliseconds=1)

    async def _settle(self, claim: Unsettled) -> None:
        now, command = self.clock(), claim.command
        if command is None or command.attempt > len(self.delays):
            detail = "claimed, never sent nor recorded" + ("" if command else " (the claim keeps no command)")
            outcome = Outcome(Status.TECHNICAL_FAILURE, claim.attempt, detail)
        else:
            again = command.model_copy(update={"attempt": command.attempt + 1})
            await self.publisher.retry(again, self.delays[command.attempt - 1])
            outcome = Outcome(Status.RETRYING, claim.attempt, "claimed, never sent nor recorded: offered again")
        logger.warning(
            "notification %s %s attempt %d had no outcome: %s",
            claim.message_id,
            claim.channel.value,
            claim.attempt,
            outcome.status,
        )
        await self.log.record(claim.message_id, claim.channel, claim.kind, outcome, now)
