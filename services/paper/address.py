"""Can this address be printed in an envelope window? Pure rules, no I/O.

At most 6 lines of at most 35 characters; a Dutch address ends in `1234 AB  PLAATS`
(postcode, two spaces, town in capitals, as PostNL asks); a foreign address ends in the
country's name in capitals.
"""

import re
from dataclasses import dataclass

MAX_LINES = 6
MAX_LINE_LENGTH = 35
DUTCH_LAST_LINE = re.compile(r"^[1-9][0-9]{3} (?!SA|SD|SS)[A-Z]{2}  [A-Z][A-Z '\-]*[A-Z]$")
COUNTRY_LINE = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+)*$")


@dataclass(frozen=True)
class Printable:
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Unprintable:
    reason: str


def window_address(name: str | None, lines: list[str], country: str = "NL") -> Printable | Unprintable:
    """The lines to print in the window, or why they cannot be printed."""
    all_lines = tuple(line.strip() for line in [name or "", *lines])
    if not all_lines[0]:
        return Unprintable("no recipient name")
    if len(all_lines) < 3:
        return Unprintable("an address needs a street line and a postcode/town or country line")
    if len(all_lines) > MAX_LINES:
        return Unprintable(f"{len(all_lines)} lines; at most {MAX_LINES} fit the window")
    if too_long := [line for line in all_lines if len(line) > MAX_LINE_LENGTH]:
        return Unprintable(f"a line of {len(too_long[0])} characters; at most {MAX_LINE_LENGTH}")
    if any(not line for line in all_lines):
        return Unprintable("empty address line")
    last = all_lines[-1]
    if country == "NL" and not DUTCH_LAST_LINE.match(last):
        return Unprintable("the last line is not `1234 AB  PLAATS`")
    if country != "NL" and not (COUNTRY_LINE.match(last) and last.isupper()):
        return Unprintable("a foreign address must end with the country in capitals")
    return Printable(all_lines)
