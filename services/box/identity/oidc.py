"""OpenID Connect login: authorization code flow with PKCE (S256), state and nonce, the ID token
checked by joserfc against the issuer's keys (signature, iss, aud, exp, nonce); logout at the
issuer too (RP-initiated logout). The BSN comes from a configurable claim. Requests go through
the box's own HTTP client (httpx2); authlib gives only the PKCE challenge."""

import secrets
from typing import Any
from urllib.parse import urlencode

import httpx2
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from joserfc import jwt
from joserfc.errors import JoseError

from services.box.identity.issuer import LOGIN_CHECK_SECONDS, Issuer, IssuerUnavailable, UntrustedToken
from services.box.settings import BoxSettings
from shared.contracts.bsn import Bsn, passes_elfproef


class LoginFailed(Exception):
    """The provider's answer cannot log anyone in; the message is safe to show."""


class OidcClient:
    def __init__(self, settings: BoxSettings, http: httpx2.AsyncClient, issuer: Issuer) -> None:
        self.settings, self.http, self.issuer = settings, http, issuer
        base = settings.public_base_url.rstrip("/")
        self.redirect_uri, self.logged_out_uri = f"{base}/inloggen/terug", f"{base}/uitgelogd"

    async def begin(self) -> tuple[str, dict[str, str]]:
        """Where to send the browser, and what the callback must match."""
        endpoints = await self.issuer.endpoints(max_age=LOGIN_CHECK_SECONDS)
        state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
        query = {
            "response_type": "code",
            "client_id": self.settings.oidc_client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.settings.oidc_scope,
            "state": state,
            "nonce": nonce,
            "code_challenge": create_s256_code_challenge(verifier),
            "code_challenge_method": "S256",
        }
        return f"{endpoints.authorization}?{urlencode(query)}", {"state": state, "nonce": nonce, "verifier": verifier}

    async def finish(self, pending: dict[str, str], code: str, state: str) -> tuple[Bsn, str]:
        """The BSN of the citizen the provider logged in, and the ID token (for logging out)."""
        if not secrets.compare_digest(state.encode(), pending["state"].encode()):
            raise LoginFailed("het inloggen hoort niet bij deze browser")
        try:
            token = await self._token(code, pending["verifier"])
            claims = await self._checked_claims(str(token.get("id_token", "")), pending["nonce"])
        except IssuerUnavailable as error:
            raise LoginFailed("de identiteitsaanbieder gaf geen bruikbaar antwoord") from error
        bsn = str(claims.get(self.settings.bsn_claim, ""))
        if not passes_elfproef(bsn):
            raise LoginFailed("de identiteitsaanbieder gaf geen geldig burgerservicenummer")
        return Bsn(bsn), str(token["id_token"])

    async def logout_url(self, id_token: str | None) -> str | None:
        """Where the browser ends its session at the issuer too, so the next person at a shared
        computer is not logged straight back in; None if the issuer offers no logout."""
        endpoint = (await self.issuer.endpoints()).end_session
        if endpoint is None:
            return None
        query = {"post_logout_redirect_uri": self.logged_out_uri, "client_id": self.settings.oidc_client_id}
        if id_token:
            query["id_token_hint"] = id_token
        return f"{endpoint}?{urlencode(query)}"

    async def _token(self, code: str, verifier: str) -> dict[str, Any]:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri}
        auth = (self.settings.oidc_client_id, self.settings.oidc_client_secret.get_secret_value())
        try:
            answer = await self.http.post(
                (await self.issuer.endpoints()).token, data={**form, "code_verifier": verifier}, auth=auth
            )
        except httpx2.HTTPError as error:
            raise IssuerUnavailable(type(error).__name__) from error
        if answer.status_code != 200:
            raise LoginFailed("de identiteitsaanbieder weigerde de inlogcode")
        try:
            token: dict[str, Any] = answer.json()
        except ValueError as error:
            raise IssuerUnavailable("the token answer is not JSON") from error
        return token

    async def _checked_claims(self, id_token: str, nonce: str) -> dict[str, Any]:
        registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": self.issuer.name},
            aud={"essential": True, "value": self.settings.oidc_client_id},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            claims = await self.issuer.verified(id_token)
            registry.validate(claims)
        except (UntrustedToken, JoseError, ValueError) as error:
            raise LoginFailed("het ID-token van de identiteitsaanbieder is niet geldig") from error
        return claims
