"""Letter rendering: typst with the template in this folder and the project's fonts
(shared/fonts; system fonts ignored), PDF/A-2b. CPU-bound and pure, so it runs in a process
pool; each process keeps one typst compiler, which keeps the fonts and the parsed template between
letters (docs/performance.md says what that saves)."""

import functools
import hashlib
import io
import json
import re
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

import typst
from pypdf import PdfReader, PdfWriter

HERE = Path(__file__).parent
TEMPLATE = HERE / "letter.typ"
FONTS = HERE.parent.parent / "shared" / "fonts"


class UnrenderableLetter(Exception):
    """typst or pypdf cannot make this letter from its content: no retry helps. Raised in a
    render process and sent back to the service, so its one argument is a plain reason."""


@dataclass(frozen=True)
class LetterContent:
    agency: dict[str, object]
    """display_name, return_address, contact_lines"""
    address_lines: list[str]
    date: str
    reference: str
    subject: str
    paragraphs: list[str]
    call_to_action: dict[str, str | None] | None
    copy_of_box_message: bool
    created_at: datetime
    """Stamped into the PDF, so the same letter renders to the same bytes."""
    cover_note: str | None = None
    """Said first: why this copy comes on paper (printing.COVER_NOTES)."""


@dataclass(frozen=True)
class RenderedLetter:
    pdf: bytes
    pages: int


@dataclass(frozen=True)
class RenderedFile:
    """A letter a render process wrote to a file: what the service needs to know of it."""

    pages: int
    sha256: str
    size: int


def _inputs(content: LetterContent) -> dict[str, str]:
    data = {k: v for k, v in asdict(content).items() if k != "created_at"}
    return {"letter": json.dumps(data, ensure_ascii=False)}


@functools.cache
def _compiler() -> typst.Compiler:
    return typst.Compiler(str(TEMPLATE), font_paths=[str(FONTS)], ignore_system_fonts=True)


def warm_up() -> None:
    """In a fresh render process: import typst and load the fonts before the first letter."""
    _compiler()


def render_pdf(content: LetterContent) -> bytes:
    """The letter alone, as PDF/A-2b."""
    pdf = _compiler().compile(
        sys_inputs=_inputs(content), pdf_standards="a-2b", timestamp=int(content.created_at.timestamp())
    )
    assert isinstance(pdf, bytes)
    return pdf


def render_first_page_png(content: LetterContent, ppi: float = 100) -> bytes:
    """A picture of the first page, for people (docs, reviews)."""
    pages = _compiler().compile(sys_inputs=_inputs(content), format="png", ppi=ppi)
    assert pages is not None
    return pages if isinstance(pages, bytes) else pages[0]


_PAGE_TREE_COUNT = re.compile(rb"/Type\s*/Pages\s*/Count\s+(\d+)")


def page_count(pdf: bytes) -> int:
    """typst writes its page tree uncompressed, the root's /Count the largest: reading that is
    far cheaper than parsing the file with pypdf (docs/performance.md)."""
    counts = [int(n) for n in _PAGE_TREE_COUNT.findall(pdf)]
    return max(counts) if counts else len(PdfReader(io.BytesIO(pdf)).pages)


def render_letter(content: LetterContent, attachments: list[bytes]) -> RenderedLetter:
    """The letter with the agency's PDF attachments appended after it."""
    letter = render_pdf(content)
    if not attachments:
        return RenderedLetter(letter, page_count(letter))
    writer = PdfWriter(clone_from=io.BytesIO(letter))
    for attachment in attachments:
        writer.append(PdfReader(io.BytesIO(attachment)))
    out = io.BytesIO()
    writer.write(out)
    return RenderedLetter(out.getvalue(), len(writer.pages))


def render_letter_into(content: LetterContent, attachments: list[bytes], path: str) -> RenderedFile:
    """In a render process: the letter written to `path`, not yet durable (the spool commits
    it). Only these few facts go back to the service: sending each PDF back through the pool's
    pipe stalled the render process until the service's busy event loop read it."""
    try:
        rendered = render_letter(content, attachments)
    except Exception as error:  # typst's and pypdf's errors about this content (a dying process raises nothing here)
        raise UnrenderableLetter(f"{type(error).__name__}: {(str(error).splitlines() or [''])[0]}"[:300]) from None
    Path(path).write_bytes(rendered.pdf)
    return RenderedFile(rendered.pages, hashlib.sha256(rendered.pdf).hexdigest(), len(rendered.pdf))
