"""What a letter can print: the characters of the fonts shipped with the paper service
(shared/fonts, made by scripts/subset-fonts.sh), plus newline and tab for layout.
Any message may end on paper after a preference change, so ingest accepts in printed fields
only what these fonts can print; a test keeps this list equal to the fonts' character maps."""

import re

PRINTABLE_RANGES = (
    (0x0020, 0x007E),
    (0x00A0, 0x017F),
    (0x2010, 0x2027),
    (0x2030, 0x203A),
    (0x20AC, 0x20AC),
    (0x2122, 0x2122),
    (0xFB01, 0xFB02),
)
LAYOUT = frozenset("\n\t")
PRINTABLE = frozenset(chr(c) for low, high in PRINTABLE_RANGES for c in range(low, high + 1)) | LAYOUT


CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 and C1 control characters and DEL; newline and tab are layout, not control."""


def is_control(character: str) -> bool:
    return CONTROL.fullmatch(character) is not None


def shown(text: str) -> str:
    """Text with every control character escaped (`\\u0000`), safe to store, log or echo."""
    return CONTROL.sub(lambda found: f"\\u{ord(found[0]):04x}", text)
