"""What a notification says: that a message from an agency waits in the box, the agency's
call to action if any, and a link to the box. Never the subject, body, attachments or BSN
of the message: this module is never given them. Pure: templates in, text out."""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

import css_inline
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shared.dutch import dutch_date

TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
INLINER = css_inline.CSSInliner()


@dataclass(frozen=True)
class NotificationFacts:
    """All a notification may know about a message."""

    kind: Literal["new_message", "reminder", "helper_new_message"]
    agency_name: str
    call_to_action: str | None
    deadline: date | None
    box_url: str


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str


def subject_line(facts: NotificationFacts) -> str:
    if facts.kind == "reminder":
        return f"Herinnering: ongelezen bericht van {facts.agency_name} in uw Berichtenbox"
    if facts.kind == "helper_new_message":
        return f"Nieuw bericht van {facts.agency_name} in een Berichtenbox waarbij u helpt"
    return f"Nieuw bericht van {facts.agency_name} in uw Berichtenbox"


def _context(facts: NotificationFacts) -> dict[str, object]:
    return {"facts": facts, "deadline": facts.deadline and dutch_date(facts.deadline)}


@lru_cache(maxsize=1024)
def email_content(facts: NotificationFacts) -> EmailContent:
    """Cached: a mass mailing notifies millions with the same facts."""
    context = _context(facts)
    html = TEMPLATES.get_template("notification.html.j2").render(context)
    return EmailContent(
        subject=subject_line(facts),
        text=TEMPLATES.get_template("notification.txt.j2").render(context),
        html=INLINER.inline(html),
    )


def message_link(box_url: str, message_id: str, grant_id: str | None = None) -> str:
    """Where a notification points: the message in the box, named by nothing but its opaque
    id (opening it asks for login first); for a helper, through the machtiging's id."""
    if grant_id is not None:
        root = box_url.rstrip("/").removesuffix("/berichten")
        return f"{root}/hulp/{grant_id}/berichten/{message_id}"
    return f"{box_url.rstrip('/')}/{message_id}"


def push_payload(facts: NotificationFacts, link: str | None = None) -> dict[str, str]:
    """The same facts as the e-mail, for the app (encrypted on the wire by Web Push)."""
    body = facts.call_to_action or "Bekijk het bericht in uw Berichtenbox."
    if facts.deadline:
        body += f" Uiterlijk {dutch_date(facts.deadline)}."
    return {"title": subject_line(facts), "body": body, "url": link or facts.box_url}
