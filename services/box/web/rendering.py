"""The page templates (Jinja2, autoescaped: nothing an agency sends can become markup) and
the Dutch dates they show."""

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.box.account.rules import warnings
from services.box.identity.visits import Visit
from shared.dutch import dutch_date

TEMPLATES = Path(__file__).parent / "templates"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def datum(value: date | datetime) -> str:
    return dutch_date(value.astimezone(AMSTERDAM).date() if isinstance(value, datetime) else value)


def tijd(value: datetime) -> str:
    local = value.astimezone(AMSTERDAM)
    return f"{datum(local)} {local:%H:%M}"


templates = Jinja2Templates(directory=TEMPLATES)
templates.env.auto_reload = False  # they ship with the code: no stat of every template file on every render
templates.env.filters["datum"] = datum
templates.env.filters["tijd"] = tijd
templates.env.filters["namen"] = lambda ids, names: ", ".join(sorted(names.get(i, i) for i in ids))


def page(
    request: Request, name: str, title: str, visit: Visit | None, status_code: int = 200, **context: Any
) -> HTMLResponse:
    shown: dict[str, Any] = {
        "title": title,
        "visit": visit,
        "warnings": warnings(visit.citizen if visit else None),
        "viewed": None,
    }
    shown |= context
    shown["base"] = shown["viewed"].base if shown["viewed"] else ""
    shown.setdefault("current", request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return templates.TemplateResponse(request, name, shown, status_code=status_code)


def simple(
    request: Request,
    title: str,
    paragraphs: list[str],
    visit: Visit | None = None,
    status_code: int = 200,
    link: tuple[str, str] | None = None,
) -> HTMLResponse:
    return page(request, "simple.html", title, visit, status_code, paragraphs=paragraphs, link=link)
