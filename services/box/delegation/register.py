"""The register of legal representations (after the courts' CCBR), as an operator provides it:
CSV with a header, one representation per row. Pure: text in, rows or the first error out.

    persoon,vertegenwoordiger,soort,begin,einde
    999990019,999990020,curatele,2026-01-05,
    999990032,999990044,bewind,2025-03-01,2027-03-01

`persoon` and `vertegenwoordiger` are BSNs; `soort` bewind, curatele or mentorschap; `begin`
and `einde` ISO dates (`einde` empty: until the court ends it)."""

import csv
import io
from dataclasses import dataclass
from datetime import date

from shared.contracts.bsn import passes_elfproef

KINDS = ("bewind", "curatele", "mentorschap")
COLUMNS = ["persoon", "vertegenwoordiger", "soort", "begin", "einde"]


class RegisterError(ValueError):
    """Names the line and the column, never a value (a BSN)."""


@dataclass(frozen=True)
class Row:
    person: str
    representative: str
    kind: str
    start: date
    end: date | None


def parse(text: str) -> list[Row]:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header] != COLUMNS:
        raise RegisterError(f"line 1: the header must be {','.join(COLUMNS)}")
    rows = []
    for number, fields in enumerate(reader, start=2):
        if not any(f.strip() for f in fields):
            continue
        rows.append(_row(number, [f.strip() for f in fields]))
    return rows


def _row(number: int, fields: list[str]) -> Row:
    if len(fields) != len(COLUMNS):
        raise RegisterError(f"line {number}: {len(COLUMNS)} columns expected, found {len(fields)}")
    person, representative, kind, start, end = fields
    for column, bsn in (("persoon", person), ("vertegenwoordiger", representative)):
        if not passes_elfproef(bsn):
            raise RegisterError(f"line {number}: {column} is not a valid BSN")
    if person == representative:
        raise RegisterError(f"line {number}: a person cannot represent themselves")
    if kind not in KINDS:
        raise RegisterError(f"line {number}: soort must be one of {', '.join(KINDS)}")
    try:
        begins, ends = date.fromisoformat(start), date.fromisoformat(end) if end else None
    except ValueError as error:
        raise RegisterError(f"line {number}: begin and einde must be dates (YYYY-MM-DD)") from error
    if ends is not None and ends < begins:
        raise RegisterError(f"line {number}: einde lies before begin")
    return Row(person, representative, kind, begins, ends)
