"""Renders the sample letter committed under docs/ (PDF and a PNG of its first page).

Run: make sample-letter
"""

from datetime import UTC, datetime
from pathlib import Path

from services.paper.render import LetterContent, render_first_page_png, render_letter

SAMPLE = LetterContent(
    agency={
        "display_name": "Belastingdienst",
        "return_address": "Belastingdienst, Postbus 2500, 6401 DA Heerlen",
        "contact_lines": ["BelastingTelefoon 0800 0543", "belastingdienst.nl"],
    },
    address_lines=["Zoë van den Berg-Ĳzerman", "Coöperatieweg 12 bis", "3511 AB  UTRECHT"],
    date="28 november 2026",
    reference="BD-2025-0001",
    subject="Uw aanslag inkomstenbelasting 2025",
    paragraphs=[
        "Geachte mevrouw Van den Berg,",
        "Hierbij ontvangt u de definitieve aanslag inkomstenbelasting over 2025. U vindt de "
        "berekening in de bijlage. Het bedrag dat u moet betalen is € 1.234,56.",
        "Bent u het niet eens met deze aanslag? Dan kunt u binnen zes weken na de dagtekening "
        "bezwaar maken. Dat kan ook via Mijn Belastingdienst.",
        "Met vriendelijke groet,",
        "de inspecteur van de Belastingdienst",
    ],
    call_to_action={"text": "Betaal het bedrag vóór de vervaldatum.", "deadline": "1 februari 2027"},
    copy_of_box_message=True,
    created_at=datetime(2026, 11, 28, 9, 0, tzinfo=UTC),
)


def main() -> None:
    docs = Path("docs")
    (docs / "sample-letter.pdf").write_bytes(render_letter(SAMPLE, []).pdf)
    (docs / "sample-letter.png").write_bytes(render_first_page_png(SAMPLE, ppi=80))
    print("wrote docs/sample-letter.pdf and docs/sample-letter.png")


if __name__ == "__main__":
    main()
