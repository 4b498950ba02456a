"""Letters checked from the PDF itself: the address in the envelope window, PDF/A, embedded
fonts, page numbers, Dutch diacritics, and the same bytes for the same letter."""

import io
import json
import re
from dataclasses import replace
from typing import Any

import pdfplumber
import pytest
import typst
from pypdf import PdfReader

from scripts.sample_letter import SAMPLE
from services.paper.render import page_count, render_letter, render_pdf

MM = 72 / 25.4  # points per millimetre
WINDOW = (20 * MM, 45 * MM, 105 * MM, 90 * MM)  # x0, top, x1, bottom from the page's top-left


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_pdf(SAMPLE)


def test_address_lies_inside_the_window(pdf: bytes) -> None:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        words = document.pages[0].extract_words()
    address_words = {w for line in SAMPLE.address_lines for w in line.split()}
    placed = [w for w in words if w["text"] in address_words and w["top"] < 100 * MM]
    assert {w["text"] for w in placed} == address_words
    x0, top, x1, bottom = WINDOW
    for word in placed:
        assert x0 <= word["x0"] and word["x1"] <= x1, word
        assert top <= word["top"] and word["bottom"] <= bottom, word


def test_pdfa_identification_and_output_intent(pdf: bytes) -> None:
    catalog: Any = PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")2", xmp)
    assert re.search(r"pdfaid:conformance(>|=\")B", xmp)
    [intent] = catalog["/OutputIntents"]
    assert intent.get_object()["/S"] == "/GTS_PDFA1"
    assert "/DestOutputProfile" in intent.get_object()


def test_every_font_is_embedded_and_is_noto_sans(pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    resources: list[Any] = [page["/Resources"] for page in reader.pages]
    fonts = [f.get_object() for r in resources for f in r["/Font"].values()]
    assert fonts
    for font in fonts:
        descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)[
            "/FontDescriptor"
        ]
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
        assert "NotoSans" in str(font["/BaseFont"])


def test_page_numbers_on_a_three_page_letter() -> None:
    long = replace(SAMPLE, paragraphs=[f"Alinea {i}: " + "tekst " * 60 for i in range(24)])
    rendered = render_letter(long, [])
    reader = PdfReader(io.BytesIO(rendered.pdf))
    assert len(reader.pages) == rendered.pages == 3
    for number, page in enumerate(reader.pages, start=1):
        assert f"Pagina {number} van 3" in page.extract_text()


def test_dutch_diacritics_extract_correctly(pdf: bytes) -> None:
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for word in ("Zoë", "Berg-Ĳzerman", "Coöperatieweg", "vóór", "€ 1.234,56"):
        assert word in text


@pytest.mark.parametrize("paragraphs", [1, 24, 200])
def test_page_count_read_from_the_page_tree_agrees_with_pypdf(paragraphs: int) -> None:
    letter = render_pdf(replace(SAMPLE, paragraphs=[f"Alinea {i}: " + "tekst " * 60 for i in range(paragraphs)]))
    assert page_count(letter) == len(PdfReader(io.BytesIO(letter)).pages)


def test_page_count_falls_back_to_parsing_when_the_page_tree_is_written_otherwise() -> None:
    three = typst.compile(b"A\n#pagebreak()\nB\n#pagebreak()\nC")
    assert isinstance(three, bytes)
    reordered = re.sub(rb"/Type/Pages/Count (\d+)", rb"/Count \1/Type/Pages", three)  # same length: xref holds
    assert reordered != three
    assert page_count(reordered) == 3


def test_same_letter_same_bytes() -> None:
    assert render_pdf(SAMPLE) == render_pdf(SAMPLE)


def test_attachments_are_appended_after_the_letter() -> None:
    attachment = typst.compile(b'#set page(paper: "a4")\nBijlage 1\n#pagebreak()\nBijlage 2')
    rendered = render_letter(SAMPLE, [attachment])
    reader = PdfReader(io.BytesIO(rendered.pdf))
    assert rendered.pages == len(reader.pages) == 3
    assert "Bijlage 2" in reader.pages[2].extract_text()
    assert "Pagina 1 van 1" in reader.pages[0].extract_text()


async def test_a_broken_attachment_is_unrenderable_and_the_render_process_logs_json(
    capfd: pytest.CaptureFixture[str],
) -> None:
    from services.paper.render import UnrenderableLetter
    from services.paper.render_pool import RenderPool

    pool = RenderPool(1, "paper", "INFO")
    await pool.start()
    try:
        with pytest.raises(UnrenderableLetter, match="PdfStreamError"):
            await pool.render(SAMPLE, [b"%PDF-1.4\n1 0 obj<<>>endobj\n"], "/dev/null")
    finally:
        pool.stop()
    lines = [line for line in capfd.readouterr().err.splitlines() if "EOF marker" in line]
    assert lines and all(json.loads(line)["service"] == "paper.render" for line in lines)
