"""Logging in at the development identity provider the way a browser does (the box's
redirect, the provider's form, the callback with the code), and as the app does."""

import httpx


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
