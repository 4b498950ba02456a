"""When the database or the broker does not answer, the box says so at once instead of a 500:
a Dutch page with `Retry-After` for a browser, problem+json 503 for the app. It recovers by
itself: every request tries again (PyMongo and the broker's robust connection reconnect). A
pure ASGI middleware around the gate (which reads the session) and the routes, inside the
security headers and the request metrics: a session read that fails is a 503, never a logout,
and the 503 carries the same headers and is counted like any answer."""

import logging

from aiormq.exceptions import AMQPError, ChannelInvalidStateError
from pymongo.errors import ConnectionFailure
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.box.web.errors import problem
from services.box.web.rendering import simple

log = logging.getLogger(__name__)
UNAVAILABLE = (ConnectionFailure, AMQPError, ChannelInvalidStateError)
"""What a database or broker that is away raises; anything else is a defect and stays a 500."""
RETRY_AFTER_SECONDS = 10
PAGE_TEXT = [
    "De Berichtenbox is even niet bereikbaar. Uw berichten zijn veilig.",
    "Probeer het over een minuut opnieuw.",
]


class Unavailable:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except UNAVAILABLE as error:
            if started:  # part of an answer went out: nothing can be said any more
                raise
            log.warning("answered 503: %s did not answer (%s)", _what(error), type(error).__name__)
            request = Request(scope)
            wait = {"Retry-After": str(RETRY_AFTER_SECONDS)}
            answer: Response
            if request.url.path.startswith("/api/"):
                answer = problem(503, "The Berichtenbox is briefly unavailable; try again.", wait)
            else:
                answer = simple(request, "Even niet bereikbaar", PAGE_TEXT, status_code=503)
                answer.headers.update(wait)
            await answer(scope, receive, send)


def _what(error: Exception) -> str:
    return "the database" if isinstance(error, ConnectionFailure) else "the broker"
