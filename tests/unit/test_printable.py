"""What ingest accepts as printable is exactly what the letter fonts can print."""

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from shared.contracts.printable import LAYOUT, PRINTABLE, is_control, shown

FONTS = sorted(Path("shared/fonts").glob("*.ttf"))


@pytest.mark.parametrize("font", FONTS, ids=lambda p: p.name)
def test_the_printable_characters_are_the_fonts_character_map(font: Path) -> None:
    mapped = {chr(code) for code in TTFont(font).getBestCmap()}
    assert mapped == PRINTABLE - LAYOUT


def test_control_characters_are_escaped_and_layout_is_kept() -> None:
    assert [c for c in "a\u0000\u0007\n\t\u009f\u00a0" if is_control(c)] == ["\u0000", "\u0007", "\u009f"]
    assert shown("Aanslag\u0000verborgen\n") == "Aanslag\\u0000verborgen\n"
    assert shown("Ĳsselmeer") == "Ĳsselmeer"
