"""Sample agencies and submissions for tests."""

import base64
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pypdf import PdfWriter

from shared.contracts.agencies import Agency, read_agency_file

AGENCIES = {a.agency_id: a for a in read_agency_file(Path("deploy/agencies.json"))}
BELASTINGDIENST: Agency = AGENCIES["belastingdienst"]
UWV: Agency = AGENCIES["uwv"]
VALID_BSN = "111222333"


def _one_page_pdf() -> bytes:
    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(595, 842)  # A4 in points
    writer.write(out)
    return out.getvalue()


PDF = _one_page_pdf()


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
