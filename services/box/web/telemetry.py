"""Request metrics of the box's HTTP side, on the shared ops port with the rest of its
metrics: by route template (never a message id or anything a citizen typed) and status."""

import time

from prometheus_client import Histogram
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp

from shared.runtime.metrics import Metrics

REQUEST_SECONDS = "berichtenbox_http_request_duration_seconds"


class RequestMetrics(BaseHTTPMiddleware):
    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        super().__init__(app)
        self.seconds = Histogram(
            REQUEST_SECONDS,
            "Box HTTP requests by route template and status (the count is the request rate KEDA scales on).",
            ["route", "status"],
            registry=metrics.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")
        self.seconds.labels(template, str(response.status_code)).observe(time.perf_counter() - started)
        return response
