"""Print batches: rendered letters are collected into a batch when enough are waiting
(`size`) or the oldest has waited long enough (`max_age_seconds`)."""

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from services.paper.records import ClosingBatch, PrintBatch, PrintedLetter
from services.paper.repository import LetterStore
from services.paper.rules import is_due
from services.paper.spool import ManifestEntry, Spool
from shared.contracts.ids import derived_id


class BatchCloser:
    def __init__(
        self,
        letters: LetterStore,
        spool: Spool,
        *,
        size: int,
        max_age_seconds: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.letters, self.spool, self.size, self.max_age, self.clock = letters, spool, size, max_age_seconds, clock

    async def close_due(self) -> list[str]:
        """Finish the batches a crash left half made, then close every batch that is due now;
        the ids of the batches closed."""
        closed = []
        for half_made in await self.letters.closing_batches():
            await self._finish(half_made, await self.letters.printed(half_made.letter_ids))
            closed.append(half_made.batch_id)
        while batch_id := await self._close_one():
            closed.append(batch_id)
        return closed

    async def _close_one(self) -> str | None:
        waiting = await self.letters.unbatched(self.size)
        if not waiting:
            return None
        now = self.clock()
        reason = is_due(waiting[0].rendered_at, now, len(waiting), self.size, self.max_age)
        if reason is None:
            return None
        ids = [letter.letter_id for letter in waiting]
        batch = ClosingBatch(derived_id("batch", *ids), ids, reason, now)
        await self.letters.open_batch(batch)
        await self._finish(batch, waiting)
        return batch.batch_id

    async def _finish(self, batch: ClosingBatch, letters: list[PrintedLetter]) -> None:
        """Claim, write the spool folder, record: each step safe to repeat after a crash."""
        claimed = set(await self.letters.claim_for_batch(batch.batch_id, [letter.letter_id for letter in letters]))
        # a rendered letter's record does not change: the ones read are its members
        entries = [_entry(letter) for letter in letters if letter.letter_id in claimed]
        header = _header(batch.batch_id, entries, batch.closed_at, batch.reason)
        path = self.spool.write_batch(batch.batch_id, entries, header)
        await self.letters.save_batch(PrintBatch(batch.batch_id, header, str(path), [e.letter_id for e in entries]))


def _entry(letter: PrintedLetter) -> ManifestEntry:
    return ManifestEntry(
        letter_id=letter.letter_id,
        file=letter.file,
        sha256=letter.sha256,
        pages=letter.pages,
        sheets=letter.sheets,
        postage=letter.postage,
        copy_of_box_message=letter.copy_of_box_message,
    )


def _header(batch_id: str, entries: list[ManifestEntry], now: datetime, reason: str) -> dict[str, object]:
    return {
        "batch_id": batch_id,
        "closed_at": now.isoformat(),
        "closed_because": reason,
        "letter_count": len(entries),
        "page_count": sum(e.pages for e in entries),
        "sheet_count": sum(e.sheets for e in entries),
        "by_postage": dict(Counter(e.postage for e in entries)),
    }
