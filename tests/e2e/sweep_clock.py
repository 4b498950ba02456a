"""The sweeps' clock in the end-to-end tests: a file the notifier's and the box's sweeps read
at every run (BERICHTENBOX_SWEEP_CLOCK_FILE), moved by the test instead of sleeping, and the
environment that makes those sweeps run every half second."""

from datetime import UTC, datetime, timedelta
from pathlib import Path


def new_clock(folder: Path) -> Path:
    path = folder / "sweep-clock"
    set_clock(path, days_ahead=0)
    return path


def set_clock(path: Path, days_ahead: int) -> None:
    """Moves the sweeps to a moment ahead of now."""
    path.write_text((datetime.now(UTC) + timedelta(days=days_ahead)).isoformat())


def fast_sweeps(path: Path) -> dict[str, str]:
    return {
        "BERICHTENBOX_SWEEP_CLOCK_FILE": str(path),
        "BERICHTENBOX_REMINDER_SWEEP_SECONDS": "0.5",
        "BERICHTENBOX_SAFETY_NET_SWEEP_SECONDS": "0.5",
        "BERICHTENBOX_RECOVERY_SWEEP_SECONDS": "0.5",
    }
