"""An attachment must be base64 of a PDF that can be read and appended to a letter, within
the size limit. Pure: bytes in, reasons out."""

import base64
import binascii
import io
import logging
from collections.abc import Iterator

from pypdf import PdfReader

from shared.contracts.messages import MAX_ATTACHMENT_BYTES

logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings would repeat what we answer


def attachment_violations(content_base64: str) -> Iterator[tuple[str, str]]:
    """(code, detail) for what is wrong with one attachment."""
    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        yield "attachment_not_base64", "not valid base64"
        return
    if len(content) > MAX_ATTACHMENT_BYTES:
        yield "attachment_too_large", f"{len(content)} bytes; at most {MAX_ATTACHMENT_BYTES}"
        return
    if not content.startswith(b"%PDF-") or not _readable_pdf(content):
        yield "attachment_not_pdf", "attachments must be PDF documents that can be read"


def _readable_pdf(content: bytes) -> bool:
    try:
        return len(PdfReader(io.BytesIO(content), strict=True).pages) > 0
    except Exception:  # pypdf raises many kinds for a broken file: any of them means unreadable
        return False
