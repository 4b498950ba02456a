"""A real OpenID Connect provider process (oidc-provider-mock, from PyPI) with test citizens,
and logging in at it the way a browser does: the box's redirect, the provider's form, the
callback with the code."""

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx

from scripts.smtp_sink import free_port
from shared.storage.mongo import Document


def subject_of(account: Document) -> str:
    """The provider's pseudonymous subject of a test citizen (the BSN travels as a claim)."""
    return f"burger-{account['_id'][:8]}"


@dataclass(frozen=True)
class IdentityProvider:
    issuer: str


@contextmanager
def identity_provider(citizens: list[Document]) -> Iterator[IdentityProvider]:
    port = free_port()
    command = [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), "--require-nonce", "true"]
    for citizen in citizens:
        claims = {"sub": subject_of(citizen), "bsn": citizen["bsn"], "name": citizen.get("name", "")}
        command += ["--user-claims", json.dumps(claims)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=1)  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the OIDC provider (oidc-provider-mock) did not start") from None
                time.sleep(0.1)
        yield IdentityProvider(issuer)
    finally:
        process.terminate()
        process.wait(timeout=10)


async def log_in(box: httpx.AsyncClient, subject: str, next_path: str = "/berichten") -> httpx.Response:
    """Log in at the box as `subject`; returns the page the box sends the browser to."""
    start = await box.get("/inloggen", params={"volgende": next_path})
    assert start.status_code == 303, start.text
    async with httpx.AsyncClient() as provider:
        answer = await provider.post(start.headers["location"], data={"sub": subject})
    assert answer.status_code == 302, answer.text
    back = await box.get(answer.headers["location"])
    assert back.status_code == 303, back.text
    return await box.get(back.headers["location"])


async def access_token(issuer: str, subject: str, client_id: str = "berichtenbox-app") -> str:
    """An access token as the Berichtenbox app gets one (code flow with PKCE; the development
    provider wants a client secret even of an app)."""
    from authlib.common.security import generate_token
    from authlib.integrations.httpx_client import AsyncOAuth2Client

    async with (
        httpx.AsyncClient() as http,
        AsyncOAuth2Client(
            client_id=client_id,
            client_secret="app",
            redirect_uri="nl.berichtenbox.app:/callback",
            code_challenge_method="S256",
        ) as app,
    ):
        config = (await http.get(f"{issuer}/.well-known/openid-configuration")).json()
        verifier = generate_token(64)
        url, _ = app.create_authorization_url(
            config["authorization_endpoint"], scope="openid", code_verifier=verifier, nonce="n"
        )
        answer = await http.post(url, data={"sub": subject})
        code = httpx.URL(answer.headers["location"]).params["code"]
        token = await app.fetch_token(config["token_endpoint"], code=code, code_verifier=verifier)
    return str(token["access_token"])
