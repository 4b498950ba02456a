"""Logging in at the development identity provider the way a browser does (the box's
redirect, the provider's form, the callback with the code), and as the app does."""

import httpx2


async def log_in(box: httpx2.AsyncClient, subject: str, next_path: str = "/berichten") -> httpx2.Response:
    """Log in at the box as `subject`; returns the page the box sends the browser to."""
    start = await box.get("/inloggen", params={"volgende": next_path})
    assert start.status_code == 303, start.text
    async with httpx2.AsyncClient() as provider:
        answer = await provider.post(start.headers["location"], data={"sub": subject})
    assert answer.status_code == 302, answer.text
    back = await box.get(answer.headers["location"])
    assert back.status_code == 303, back.text
    return await box.get(back.headers["location"])


async def access_token(
    issuer: str, subject: str, client_id: str = "berichtenbox-app", scope: str = "openid berichtenbox"
) -> str:
    """An access token as an app gets one (code flow with PKCE; the development provider
    wants a client secret even of an app). The Berichtenbox app asks for the `berichtenbox`
    scope; `client_id` and `scope` make the token another relying party would hold."""
    from urllib.parse import urlencode

    from authlib.oauth2.rfc7636 import create_s256_code_challenge

    redirect, verifier = "nl.berichtenbox.app:/callback", "v" * 64
    async with httpx2.AsyncClient() as http:
        config = (await http.get(f"{issuer}/.well-known/openid-configuration")).json()
        query = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect,
            "scope": scope,
            "nonce": "n",
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        answer = await http.post(f"{config['authorization_endpoint']}?{urlencode(query)}", data={"sub": subject})
        code = httpx2.URL(answer.headers["location"]).params["code"]
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect, "code_verifier": verifier}
        token = await http.post(config["token_endpoint"], data=form, auth=(client_id, "app"))
    return str(token.raise_for_status().json()["access_token"])
