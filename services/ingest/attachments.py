"""An attachment must be base64 of a PDF that can be read and appended to a letter, within
the size limit, with nothing in it that acts when it is opened or links out: such a PDF
could tell its sender that the citizen opened it, which no agency may learn. Pure: bytes in,
reasons out."""

import base64
import binascii
import io
import logging
from collections.abc import Iterator

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

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
    reader = _readable_pdf(content) if content.startswith(b"%PDF-") else None
    if reader is None:
        yield "attachment_not_pdf", "attachments must be PDF documents that can be read"
        return
    if active := active_content(reader):
        yield "attachment_active_content", f"a PDF must not act when opened or link out: {', '.join(active)}"


def _readable_pdf(content: bytes) -> PdfReader | None:
    try:
        reader = PdfReader(io.BytesIO(content), strict=True)
        return reader if len(reader.pages) > 0 else None
    except Exception:  # pypdf raises many kinds for a broken file: any of them means unreadable
        return None


ACTIVE_KEYS = frozenset({"/OpenAction", "/AA", "/JavaScript", "/JS", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia"})
"""Entries that make a PDF act when it is opened, or carry a file that can (any value)."""
ACTIVE_ACTIONS = frozenset(
    {"/URI", "/Launch", "/SubmitForm", "/JavaScript", "/GoToR", "/GoToE", "/ImportData", "/Rendition", "/Sound"}
)
"""Action types (`/S`) that reach outside the document: a link is a beacon once clicked."""
MAX_OBJECTS = 20_000


def active_content(reader: PdfReader) -> list[str]:
    """What in the PDF could tell its sender it was opened (`/OpenAction`, `/URI`...), found by
    walking every object reachable from the trailer; also refused when there are too many to walk."""
    found: set[str] = set()
    seen: set[tuple[int, int]] = set()
    todo: list[object] = [reader.trailer]
    while todo:
        if len(seen) > MAX_OBJECTS:
            return ["too many objects to check"]
        item = todo.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            found.update(key for key in item if key in ACTIVE_KEYS)
            kind = item.get("/S")
            if isinstance(kind, NameObject) and kind in ACTIVE_ACTIONS:
                found.add(str(kind))
            todo.extend(value for key, value in item.items() if key not in ("/Parent", "/P"))
        elif isinstance(item, ArrayObject):
            todo.extend(item)
    return sorted(found)
