"""Who is asking: a page visit carries a session cookie (server-side session), an API call a
bearer access token from the same issuer. Neither ever carries the BSN in a URL."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from services.box.context import BoxContext, context
from services.box.records import Citizen, Session


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class NoAccount(Exception):
    """Logged in, but the BRP knows no account for this BSN (not registered, under 14)."""


@dataclass(frozen=True)
class Visit:
    session: Session
    citizen: Citizen


async def visit(request: Request) -> Visit:
    """The logged-in citizen of a page request, or LoginRequired (to the login, then back)."""
    box = context(request)
    token = request.cookies.get(box.settings.session_cookie)
    session = None if token is None else await box.sessions.current(token, box.clock())
    if session is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    citizen = await box.citizens.by_bsn(session.bsn)
    if citizen is None or citizen.state == "none":
        raise NoAccount
    return Visit(session, citizen)


Box = Annotated[BoxContext, Depends(context)]
Current = Annotated[Visit, Depends(visit)]
"""What a handler asks for: the box's use cases and stores; the logged-in citizen of a page."""
