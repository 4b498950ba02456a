"""The box's two outer middlewares, as plain ASGI: the request metric counts by route template
and status (a message id never becomes a label; KEDA scales on the count), and the security
headers are added to every answer without overriding one an answer set itself."""

import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient

from services.box.web.security import CONTENT_SECURITY_POLICY, HSTS, SecurityHeaders
from services.box.web.telemetry import REQUEST_SECONDS, RequestMetrics
from shared.runtime.metrics import Metrics


def app_with(metrics: Metrics) -> FastAPI:
    app = FastAPI()

    @app.get("/berichten/{message_id}")
    async def message(message_id: str) -> PlainTextResponse:
        return PlainTextResponse(message_id)

    @app.get("/static/app.css")
    async def static() -> PlainTextResponse:
        return PlainTextResponse("body {}", headers={"Cache-Control": "max-age=3600"})

    @app.get("/kapot")
    async def broken() -> None:
        raise RuntimeError("a defect")

    app.add_middleware(SecurityHeaders, https=True)
    app.add_middleware(RequestMetrics, metrics=metrics)
    return app


def count(metrics: Metrics, route: str, status: str) -> float | None:
    labels = {"route": route, "status": status}
    return metrics.registry.get_sample_value(f"{REQUEST_SECONDS}_count", labels)


def test_requests_are_counted_by_route_template_and_status() -> None:
    metrics = Metrics("box")
    client = TestClient(app_with(metrics), raise_server_exceptions=False)
    for message_id in ("a1", "b2"):
        assert client.get(f"/berichten/{message_id}").status_code == 200
    assert client.get("/nergens").status_code == 404
    assert client.get("/kapot").status_code == 500
    assert count(metrics, "/berichten/{message_id}", "200") == 2
    assert count(metrics, "unmatched", "404") == 1
    assert count(metrics, "/kapot", "500") == 1
    exposed = [s.labels for m in metrics.registry.collect() for s in m.samples if m.name == REQUEST_SECONDS]
    assert not any("a1" in str(labels) for labels in exposed)


@pytest.mark.parametrize(
    ("path", "cache_control"), [("/berichten/a1", "no-store"), ("/static/app.css", "max-age=3600")]
)
def test_every_answer_gets_the_security_headers_and_keeps_its_own(path: str, cache_control: str) -> None:
    answer = TestClient(app_with(Metrics("box"))).get(path)
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert answer.headers["strict-transport-security"] == HSTS
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers.get_list("cache-control") == [cache_control]
