"""An agency as the registry describes it: who may send, as which broker user, and with which
legal standing. "Mandatory sender" and "paper copy allowed" are data here, never hard-coded
names. The versioned registry file is `deploy/agencies.json`."""

import json
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class Letterhead(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    return_address: str = Field(description="one line, printed above the window address")
    contact_lines: list[str] = Field(default_factory=list)


class Agency(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    agency_id: str = Field(pattern=r"^[a-z0-9-]{2,40}$")
    display_name: str
    broker_user: str
    allowed_message_types: frozenset[str]
    mandatory_sender: bool = False
    paper_copy_allowed: bool = False
    active: bool = True
    recovery_letters: bool | None = None
    """Whether a never-activated account that receives its post gets a letter saying post
    waits (contact recovery); None: as `mandatory_sender`, whose post reaches such accounts."""
    letterhead: Letterhead

    @property
    def wants_recovery_letters(self) -> bool:
        return self.mandatory_sender if self.recovery_letters is None else self.recovery_letters

    receipts_queue: str | None = Field(default=None, pattern=r"^receipts\.[a-z0-9-]+\.[0-9a-f]{24}$")
    """Its receipts queue, named with a secret part: RabbitMQ answers a passive declare of any
    queue, whatever the user's permissions, with the queue's depth, so a name another agency
    can guess would tell it how many receipts wait. Set by tools/provisioning.py from the
    agency's credentials; None (a registry from before): `receipts.<agency_id>`."""


def read_agency_file(path: Path) -> list[Agency]:
    """The versioned registry file in deploy/."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [Agency.model_validate(entry) for entry in data["agencies"]]
