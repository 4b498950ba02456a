"""Request metrics of the box's HTTP side, on the shared ops port with the rest of its
metrics: by route template (never a message id or anything a citizen typed) and status."""

import time

from prometheus_client import Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.runtime.metrics import Metrics

REQUEST_SECONDS = "berichtenbox_http_request_duration_seconds"


class RequestMetrics:
    """A pure ASGI middleware: Starlette's BaseHTTPMiddleware runs the rest of the request in
    a task of its own with streams between, a cost on every page."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.seconds = Histogram(
            REQUEST_SECONDS,
            "Box HTTP requests by route template and status (the count is the request rate KEDA scales on).",
            ["route", "status"],
            registry=metrics.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def observed(message: Message) -> None:
            if message["type"] == "http.response.start":
                self._observe(scope, message["status"], started)
            await send(message)

        try:
            await self.app(scope, receive, observed)
        except Exception:
            self._observe(scope, 500, started)
            raise

    def _observe(self, scope: Scope, status: int, started: float) -> None:
        template = getattr(scope.get("route"), "path", "unmatched")  # the router put it in the scope
        self.seconds.labels(template, str(status)).observe(time.perf_counter() - started)
