"""The clock a sweep reads: the system's, or in tests the moment a file says, so that a test
moves a sweep's time forward without sleeping (BERICHTENBOX_SWEEP_CLOCK_FILE; never set in
production)."""

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path


def sweep_clock(path: str | None) -> Callable[[], datetime]:
    if path is None:
        return lambda: datetime.now(UTC)
    return lambda: datetime.fromisoformat(Path(path).read_text(encoding="utf-8").strip())
