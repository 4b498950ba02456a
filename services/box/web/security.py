"""Security headers on every answer, and the CSRF check of every state-changing form."""

import secrets

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; worker-src 'self'"
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


HSTS = "max-age=63072000; includeSubDomains"
"""Two years, as the government's own sites (and the HSTS preload list) ask."""


class SecurityHeaders(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, https: bool) -> None:
        super().__init__(app)
        self.https = https

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if self.https:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")  # pages hold personal data
        return response


class CsrfFailed(Exception):
    pass


def check_csrf(expected: str, given: str | None) -> None:
    """Compared as bytes: any text a form sends (non-ASCII too) is a 403, never a 500."""
    if not given or not secrets.compare_digest(expected.encode(), given.encode()):
        raise CsrfFailed
