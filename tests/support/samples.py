"""Sample agencies and submissions for tests."""

import base64
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from shared.contracts.agencies import Agency, read_agency_file

AGENCIES = {a.agency_id: a for a in read_agency_file(Path("deploy/agencies.json"))}
BELASTINGDIENST: Agency = AGENCIES["belastingdienst"]
UWV: Agency = AGENCIES["uwv"]
VALID_BSN = "111222333"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def submission(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "recipient_bsn": VALID_BSN,
        "message_type": "aanslag",
        "subject": "Uw aanslag inkomstenbelasting 2025",
        "body": "Geachte heer, mevrouw,\n\nHierbij ontvangt u uw aanslag.",
        "call_to_action": {"text": "Betaal vóór de vervaldatum", "deadline": str(date.today() + timedelta(days=30))},
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def attachment(content: bytes = PDF, filename: str = "bijlage.pdf") -> dict[str, str]:
    return {"filename": filename, "content_base64": base64.b64encode(content).decode()}
