"""Pure print-street rules: sheets, postage, when a batch closes. No I/O."""

from datetime import datetime


def sheets_for(pages: int) -> int:
    """Printed on both sides."""
    return (pages + 1) // 2


def postage_for(country: str) -> str:
    return "standaard" if country == "NL" else "internationaal"


def is_due(oldest: datetime, now: datetime, count: int, size: int, max_age_seconds: float) -> str | None:
    """Why a batch closes now (`size` or `age`), or None."""
    if count >= size:
        return "size"
    if count and (now - oldest).total_seconds() >= max_age_seconds:
        return "age"
    return None
