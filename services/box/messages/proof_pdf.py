"""The proof of notification as a readable PDF/A-2b: the signed statement's facts in Dutch,
the signed file's SHA-256 and where its keys are. typst with the project's fonts (system fonts
ignored), as the paper service renders letters. CPU-bound: callers run it in a thread."""

import functools
import hashlib
import json
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import typst

from services.box.messages.proof import KINDS, Statement
from shared.dutch import dutch_date

HERE = Path(__file__).parent
TEMPLATE = HERE / "proof.typ"
FONTS = HERE.parent.parent.parent / "shared" / "fonts"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
STATUSES = {"sent": "verstuurd", "permanent-failure": "mislukt", "technical-failure": "mislukt (storing)",
            "retrying": "wordt opnieuw geprobeerd"}  # fmt: skip


def moment(value: datetime) -> str:
    local = value.astimezone(AMSTERDAM)
    return f"{dutch_date(local.date())} om {local:%H:%M} uur"


@functools.cache
def _compiler() -> typst.Compiler:
    return typst.Compiler(str(TEMPLATE), font_paths=[str(FONTS)], ignore_system_fonts=True)


def render_proof(statement: Statement, signed: str, kid: str, keys_url: str) -> bytes:
    opened = "nog niet" if statement.opened_at is None else moment(statement.opened_at)
    if statement.opened_by:
        opened += " (door een helper of vertegenwoordiger)"
    data = {
        "message_id": statement.message_id, "agency_name": statement.agency_name, "reference": statement.reference,
        "subject": statement.subject, "delivered_at": moment(statement.delivered_at), "opened": opened,
        "notifications": [
            {"channel": "e-mail" if n.channel == "email" else "app (push)", "kind": KINDS.get(n.kind, n.kind),
             "status": STATUSES.get(n.status, n.status), "at": moment(n.at)}
            for n in statement.notifications
        ],
        "sha256": hashlib.sha256(signed.encode()).hexdigest(), "kid": kid, "keys_url": keys_url,
        "issued_at": moment(statement.issued_at),
    }  # fmt: skip
    pdf = _compiler().compile(
        sys_inputs={"proof": json.dumps(data, ensure_ascii=False)},
        pdf_standards="a-2b",
        timestamp=int(statement.issued_at.timestamp()),
    )
    assert isinstance(pdf, bytes)
    return pdf
