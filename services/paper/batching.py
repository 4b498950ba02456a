"""Print batches: rendered letters are collected into a batch when enough are waiting
(`batch_size`) or the oldest has waited long enough (`batch_max_age_seconds`)."""

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from services.paper.letters import MongoLetterStore, is_due
from services.paper.spool import ManifestEntry, Spool
from shared.contracts.ids import derived_id
from shared.storage.mongo import Document


class BatchCloser:
    def __init__(
        self,
        letters: MongoLetterStore,
        spool: Spool,
        *,
        size: int,
        max_age_seconds: float,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.letters, self.spool, self.size, self.max_age, self.clock = letters, spool, size, max_age_seconds, clock

    async def close_due(self) -> list[str]:
        """Close every batch that is due now; the ids of the batches closed."""
        closed = []
        while batch_id := await self._close_one():
            closed.append(batch_id)
        return closed

    async def _close_one(self) -> str | None:
        waiting = await self.letters.unbatched(self.size)
        if not waiting:
            return None
        now = self.clock()
        reason = is_due(_aware(waiting[0]["rendered_at"]), now, len(waiting), self.size, self.max_age)
        if reason is None:
            return None
        ids = [letter["_id"] for letter in waiting]
        batch_id = derived_id("batch", *ids)
        claimed = set(await self.letters.claim_for_batch(batch_id, ids))
        # a rendered letter's record does not change: the ones read above are its members
        entries = [_entry(letter) for letter in waiting if letter["_id"] in claimed]
        header = _header(batch_id, entries, now, reason)
        path = self.spool.write_batch(batch_id, entries, header)
        letter_ids = [entry.letter_id for entry in entries]
        await self.letters.save_batch({**header, "_id": batch_id, "path": str(path), "letter_ids": letter_ids})
        return batch_id


def _entry(letter: Document) -> ManifestEntry:
    return ManifestEntry(
        letter_id=letter["_id"],
        file=letter["file"],
        sha256=letter["sha256"],
        pages=letter["pages"],
        sheets=letter["sheets"],
        postage=letter["postage"],
        copy_of_box_message=letter["copy_of_box_message"],
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


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
