"""The box's web defences that need no servers: headers, cookie names, download names, what
counts as the citizen's own opening, CSRF on any text, and no page the CSP would break."""

import json
import re
import socket

import httpx2
import pytest
from aiormq.exceptions import ConnectionClosed
from fastapi.testclient import TestClient
from joserfc.jwk import OKPKey
from pydantic import SecretStr, ValidationError
from pymongo.errors import ServerSelectionTimeoutError
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from services.box.main import create_api, create_app
from services.box.messages.downloads import content_disposition, own_navigation
from services.box.settings import BoxSettings
from services.box.web.security import CsrfFailed, check_csrf
from services.box.web.unavailable import Unavailable

OPERATORS_KEY = SecretStr(json.dumps(OKPKey.generate_key("Ed25519", parameters={"kid": "op"}).as_dict(private=True)))


@pytest.mark.parametrize(
    ("base", "hsts", "session_cookie"),
    [
        ("https://mijn.berichtenbox.example", True, "__Host-bb_sessie"),
        ("http://127.0.0.1:8080", False, "bb_sessie"),
        ("http://localhost:8080", False, "bb_sessie"),
    ],
)
def test_https_gets_hsts_and_host_only_cookies(base: str, hsts: bool, session_cookie: str) -> None:
    settings = BoxSettings(
        public_base_url=base, pseudonym_key=SecretStr("a secret of the operator's"), proof_signing_key=OPERATORS_KEY
    )
    answer = TestClient(create_app(settings)).get("/healthz")
    assert ("strict-transport-security" in answer.headers) is hsts
    assert settings.session_cookie == session_cookie
    assert settings.login_cookie == session_cookie.replace("sessie", "inlog")


@pytest.mark.parametrize(
    ("filename", "ascii_name", "encoded"),
    [
        ("beschikking Łódź.pdf", "beschikking Lodz.pdf", "beschikking%20%C5%81%C3%B3d%C5%BA.pdf"),
        ("aanslag.pdf", "aanslag.pdf", "aanslag.pdf"),
        ('a"b\\c.pdf', "abc.pdf", "a%22b%5Cc.pdf"),
        ("été 2026\r\n.pdf", "ete 2026.pdf", "%C3%A9t%C3%A9%202026%0D%0A.pdf"),
        ("日本.pdf", ".pdf", "%E6%97%A5%E6%9C%AC.pdf"),
        ("日本", "bijlage", "%E6%97%A5%E6%9C%AC"),
    ],
)
def test_a_download_names_its_file_in_ascii_and_in_utf8(filename: str, ascii_name: str, encoded: str) -> None:
    header = content_disposition(filename)
    assert header == f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"
    header.encode("latin-1")  # what a header must be


def request(**headers: str) -> Request:
    raw = [(k.lower().replace("_", "-").encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "headers": raw, "method": "GET", "path": "/"})


@pytest.mark.parametrize(
    ("headers", "opens"),
    [
        ({}, True),  # a browser that sends no fetch metadata
        ({"Sec-Fetch-Site": "none"}, True),  # typed, bookmarked
        ({"Sec-Fetch-Site": "same-origin"}, True),
        ({"Sec-Fetch-Site": "same-site"}, False),
        ({"Sec-Fetch-Site": "cross-site"}, False),
        ({"Sec-Fetch-Site": "same-origin", "Sec-Purpose": "prefetch"}, False),
        ({"Sec-Fetch-Site": "same-origin", "Sec-Purpose": "prefetch;prerender"}, False),
        ({"Purpose": "prefetch"}, False),
    ],
)
def test_only_the_citizens_own_navigation_opens_a_message(headers: dict[str, str], opens: bool) -> None:
    assert own_navigation(request(**headers)) is opens


@pytest.mark.parametrize("given", ["", "ö\u2028", "\x00", "a" * 100, "😀"])
def test_any_text_as_a_csrf_token_is_refused_not_an_error(given: str) -> None:
    with pytest.raises(CsrfFailed):
        check_csrf("the-real-token", given)


def test_no_page_loads_script_the_csp_refuses() -> None:
    client = TestClient(create_app(BoxSettings()))
    assert client.get("/api/v1/openapi.json").status_code == 200
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 404 or not re.search(r"<script>(?!\s*</script>)|https?://(?!127)", docs.text)


def test_the_box_refuses_the_public_development_key_where_citizens_reach_it() -> None:
    with pytest.raises(ValidationError, match="BERICHTENBOX_PSEUDONYM_KEY"):
        BoxSettings(public_base_url="https://mijn.berichtenbox.example")


async def test_with_the_database_away_a_page_says_so_in_dutch_and_the_api_in_problem_json() -> None:
    """A real PyMongo client against a port where no database listens: the gate's session read
    fails, and the citizen gets a 503 with Retry-After at once, not a 500 nor a logout."""
    settings = BoxSettings(
        mongodb_url=f"mongodb://127.0.0.1:{_closed_port()}",
        mongodb_server_selection_seconds=0.2,
        pseudonym_key=SecretStr("a secret of the operator's"),
        proof_signing_key=OPERATORS_KEY,
    )
    transport = httpx2.ASGITransport(app=create_api(settings))
    cookies = {settings.session_cookie: "a-session"}
    async with httpx2.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080", cookies=cookies) as browser:
        moved = await browser.post("/berichten/m-1/verplaatsen", data={"actie": "archive", "csrf": "x"})
        listed = await browser.get("/berichten")
    assert moved.status_code == 503 and moved.headers["retry-after"] == "10"
    assert moved.headers["content-type"].startswith("text/html") and "Even niet bereikbaar" in moved.text
    assert "content-security-policy" in moved.headers  # the 503 page is an answer like any other
    assert listed.status_code == 503 and "niet bereikbaar" in listed.text


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("raised", "status"),
    [(ServerSelectionTimeoutError("no server"), 503), (ConnectionClosed(320, "broker restarting"), 503),
     (ValueError("a defect"), 500)],
)  # fmt: skip
async def test_the_api_answers_problem_json_when_the_database_or_broker_is_away(raised: Exception, status: int) -> None:
    async def failing(scope: Scope, receive: Receive, send: Send) -> None:
        raise raised

    transport = httpx2.ASGITransport(app=Unavailable(failing), raise_app_exceptions=False)
    async with httpx2.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as app:
        answer = await app.get("/api/v1/messages")
    assert answer.status_code == status
    if status == 503:
        assert answer.headers["content-type"] == "application/problem+json" and answer.headers["retry-after"] == "10"
        assert answer.json()["status"] == 503
