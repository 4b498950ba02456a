"""Characters ingest refuses, pure: control characters anywhere in a submission (values and
field names: NUL cannot even be stored), and in printed fields whatever the letter fonts
cannot print."""

from collections.abc import Iterator
from typing import Any

from shared.contracts.printable import CONTROL, PRINTABLE, is_control

CONTROL_CHARACTER = "control_character"


def control_characters(item: dict[str, Any]) -> Iterator[tuple[str, str, str]]:
    """(code, field path, detail) for each string value or key with a control character. The
    walk is iterative: JSON may nest deeper than Python's recursion limit."""
    stack: list[tuple[str, Any]] = [("", item)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if found := _first_control(value):
                yield CONTROL_CHARACTER, path or "(body)", found
        elif isinstance(value, dict):
            for key, child in value.items():
                child_path = f"{path}.{key}" if path else key
                if found := _first_control(key):
                    yield CONTROL_CHARACTER, child_path, f"the field name has {found}"
                stack.append((child_path, child))
        elif isinstance(value, list):
            stack.extend((f"{path}.{i}", child) for i, child in enumerate(value))


def unprintable_characters(text: str) -> Iterator[str]:
    """A detail for the first character of `text` the letter fonts cannot print, if any
    (control characters are reported as such, not here)."""
    if PRINTABLE.issuperset(text):
        return
    for position, character in enumerate(text):
        if character not in PRINTABLE and not is_control(character):
            yield f"character U+{ord(character):04X} at position {position} cannot be printed in a letter"
            return


def _first_control(text: str) -> str | None:
    found = CONTROL.search(text)
    return None if found is None else f"control character U+{ord(found[0]):04X} at position {found.start()}"
