"""Who is asking: a page visit carries a session cookie (server-side session), an API call a
bearer access token from the same issuer. Neither ever carries the BSN in a URL."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.box.account.records import Citizen
from services.box.identity.records import Session
from services.box.web.context import BoxContext, context


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


class NoAccount(Exception):
    """Logged in, but the BRP knows no account for this BSN (not registered, under 14)."""


@dataclass(frozen=True)
class Visit:
    session: Session
    citizen: Citizen


Box = Annotated[BoxContext, Depends(context)]
"""What a handler asks for: the box's use cases and stores."""


async def visit(request: Request, box: Box) -> Visit:
    """The logged-in citizen of a page request, or LoginRequired (to the login, then back)."""
    session: Session | None = getattr(request.state, "session", None)  # checked by the gate for this request
    if session is None:
        token = request.cookies.get(box.settings.session_cookie)
        session = None if token is None else await box.sessions.current(token, box.clock())
    if session is None:
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(path)
    citizen = await box.citizens.by_bsn(session.bsn)
    if citizen is None or citizen.state == "none":
        raise NoAccount
    return Visit(session, citizen)


Current = Annotated[Visit, Depends(visit)]
"""The logged-in citizen of a page."""

bearer = HTTPBearer(auto_error=False, description="an access token of the Berichtenbox issuer")


async def app_citizen(
    request: Request, box: Box, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Citizen:
    """The token was checked before the request was read (`gate.Gate`); `credentials` only
    names the scheme in the OpenAPI document."""
    citizen = await box.citizens.by_bsn(request.state.bsn)
    if citizen is None or citizen.state == "none":
        raise HTTPException(404, "There is no Berichtenbox for this citizen.")
    return citizen


Citizen_ = Annotated[Citizen, Depends(app_citizen)]
