"""Who is asking, before the box reads a body: every API request needs a valid access token
(401 or 503 before a byte of the body is parsed; the citizen's BSN is left in the request's
state for the API's handlers), and anything that changes state on the pages a live session
(to the login otherwise). How large a body may be is FastAPI's own
`max_body_size` (main.py: 413 past it, the Content-Length and a chunked body alike). A pure
ASGI middleware: it reads no body itself."""

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from services.box.identity.access_tokens import InvalidToken
from services.box.identity.issuer import IssuerUnavailable
from services.box.web.context import BoxContext
from services.box.web.errors import problem

MAX_BODY_BYTES = 64 * 1024
"""Forms and JSON of the box are small: a push subscription is the largest, well under 1 kB."""
OPEN_POSTS = ("/inloggen",)
"""State-changing paths that need no session (none read a body today)."""
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
PUBLIC_API = ("/api/v1/openapi.json",)


class Gate:
    def __init__(self, app: ASGIApp, box: Callable[[], BoxContext]) -> None:
        self.app, self.box = app, box

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (scope["method"] in WRITES or _is_api(scope["path"])):
            refused = await self._refused(Request(scope))
            if refused is not None:
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def _refused(self, request: Request) -> Response | None:
        box, path = self.box(), request.url.path
        if _is_api(path):
            kind, _, token = request.headers.get("authorization", "").partition(" ")
            if kind.lower() != "bearer" or not token:
                return problem(401, "A bearer access token is required.", {"WWW-Authenticate": "Bearer"})
            try:
                request.state.bsn = await box.tokens.citizen(token)
            except InvalidToken:
                header = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
                return problem(401, "The access token is not valid here.", header)
            except IssuerUnavailable:
                return problem(503, "The identity provider did not answer; try again.", {"Retry-After": "5"})
            return None
        if path in OPEN_POSTS:
            return None
        cookie = request.cookies.get(box.settings.session_cookie)
        session = None if cookie is None else await box.sessions.current(cookie, box.clock())
        if session is None:
            return RedirectResponse("/inloggen", status_code=303)
        request.state.session = session  # this request's: the page reads it once (visits.visit)
        return None


def _is_api(path: str) -> bool:
    """The API's routes; its description (the OpenAPI document) is public."""
    return path.startswith("/api/") and not path.startswith(PUBLIC_API)
