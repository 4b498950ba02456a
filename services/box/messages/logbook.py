"""The logboek as a download: the citizen's copy of their own data (Wmebv), as CSV or JSON:
per message, and what helpers did and what happened to machtigingen."""

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime

from services.box.messages.use_cases import LogLine


def _rows(lines: list[LogLine], names: dict[str, str]) -> list[dict[str, object]]:
    return [
        {
            "bericht": line.message_id,
            "afzender": names.get(line.agency_id, line.agency_id),
            "onderwerp": line.subject,
            "binnengekomen": line.delivered_at.isoformat(),
            "gemeld": [{"kanaal": c, "uitkomst": s, "tijd": t.isoformat()} for c, s, t in line.notified],
            "geopend": line.opened_at.isoformat() if line.opened_at else None,
            "geopend_door": line.opened_by,
        }
        for line in lines
    ]


Activity = Sequence[tuple[datetime, str]]
"""(when, what) of each machtiging line, as the logboek page words it."""


def logboek_json(lines: list[LogLine], names: dict[str, str], activity: Activity = ()) -> str:
    machtigingen = [{"tijd": at.isoformat(), "wat": text} for at, text in activity]
    return json.dumps({"logboek": _rows(lines, names), "machtigingen": machtigingen}, ensure_ascii=False, indent=2)


def logboek_csv(lines: list[LogLine], names: dict[str, str], activity: Activity = ()) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["bericht", "afzender", "onderwerp", "binnengekomen", "gemeld", "geopend", "geopend_door"])
    for row in _rows(lines, names):
        notified = "; ".join(f"{n['kanaal']} {n['uitkomst']} {n['tijd']}" for n in row["gemeld"])  # type: ignore[attr-defined]
        values = [
            row["bericht"],
            row["afzender"],
            row["onderwerp"],
            row["binnengekomen"],
            notified,
            row["geopend"] or "",
            row["geopend_door"] or "",
        ]
        writer.writerow([no_formula(str(v)) for v in values])
    if activity:
        writer.writerow([])
        writer.writerow(["tijd", "machtigingen"])
        writer.writerows([at.isoformat(), no_formula(text)] for at, text in activity)
    return out.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def no_formula(value: str) -> str:
    """A subject an agency wrote cannot become a spreadsheet formula (CSV injection): spreadsheets
    skip leading blanks and line breaks before they look for `=`, `+`, `-` or `@`."""
    return (
        "'" + value if value.lstrip(" \t\r\n\f\v\u00a0")[:1] in FORMULA_STARTS or value[:1] in FORMULA_STARTS else value
    )
