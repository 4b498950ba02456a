"""Security headers on every answer, and the CSRF check of every state-changing form."""

import secrets

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


class SecurityHeaders:
    """A pure ASGI middleware (see `telemetry.RequestMetrics`): it only adds headers to the
    start of each answer, and keeps any the answer set itself."""

    def __init__(self, app: ASGIApp, https: bool) -> None:
        self.app, self.https = app, https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        personal = not scope["path"].startswith("/static/")  # pages hold personal data

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if self.https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
                if personal:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, with_headers)


class CsrfFailed(Exception):
    pass


def check_csrf(expected: str, given: str | None) -> None:
    """Compared as bytes: any text a form sends (non-ASCII too) is a 403, never a 500."""
    if not given or not secrets.compare_digest(expected.encode(), given.encode()):
        raise CsrfFailed
