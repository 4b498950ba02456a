"""A logged-in visit, as the box keeps it server-side."""

from dataclasses import dataclass
from datetime import datetime

from shared.contracts.bsn import Bsn


@dataclass(frozen=True)
class Session:
    session_id: str
    bsn: Bsn
    csrf_token: str
    created_at: datetime
    seen_at: datetime
