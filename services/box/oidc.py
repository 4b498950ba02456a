"""OpenID Connect, authorization code flow with PKCE (S256), state and nonce, the issuer
found by discovery, the ID token checked by joserfc against the issuer's JWKS (signature,
iss, aud, exp, nonce). The BSN comes from a configurable claim."""

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.security import generate_token
from authlib.integrations.httpx_client import AsyncOAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from services.box.settings import BoxSettings
from shared.contracts.bsn import Bsn, passes_elfproef

DISCOVERY_SECONDS = 3600.0
TOKEN_CACHE_SECONDS = 60.0
"""An app's token is asked of the issuer at most once a minute (a revoked one works that long)."""
TOKEN_CACHE_SIZE = 10_000


class LoginFailed(Exception):
    """The provider's answer cannot log anyone in; the message is safe to show."""


@dataclass(frozen=True)
class Provider:
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    keys: KeySet


class OidcClient:
    def __init__(self, settings: BoxSettings, http: httpx.AsyncClient) -> None:
        self.settings, self.http = settings, http
        self.redirect_uri = settings.public_base_url.rstrip("/") + "/inloggen/terug"
        self._provider: Provider | None = None
        self._found_at = 0.0
        self._tokens: dict[str, tuple[Bsn | None, float]] = {}

    async def provider(self) -> Provider:
        """Discovery and keys, kept an hour (and fetched again when a token names a new key)."""
        if self._provider is None or time.monotonic() - self._found_at > DISCOVERY_SECONDS:
            issuer = self.settings.oidc_issuer.rstrip("/")
            config = (await self.http.get(f"{issuer}/.well-known/openid-configuration")).raise_for_status().json()
            if config["issuer"].rstrip("/") != issuer:
                raise LoginFailed("de identiteitsaanbieder noemt zich anders dan ingesteld")
            jwks = (await self.http.get(config["jwks_uri"])).raise_for_status().json()
            self._provider = Provider(
                config["authorization_endpoint"],
                config["token_endpoint"],
                config["userinfo_endpoint"],
                KeySet.import_key_set(jwks),
            )
            self._found_at = time.monotonic()
        return self._provider

    def _client(self) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=self.settings.oidc_client_id,
            client_secret=self.settings.oidc_client_secret.get_secret_value(),
            scope=self.settings.oidc_scope,
            redirect_uri=self.redirect_uri,
            code_challenge_method="S256",
        )

    async def begin(self) -> tuple[str, dict[str, str]]:
        """Where to send the browser, and what the callback must match."""
        provider = await self.provider()
        state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), generate_token(64)
        async with self._client() as client:
            url, _ = client.create_authorization_url(
                provider.authorization_endpoint, state=state, nonce=nonce, code_verifier=verifier
            )
        return url, {"state": state, "nonce": nonce, "verifier": verifier}

    async def finish(self, pending: dict[str, str], code: str, state: str) -> Bsn:
        """The BSN of the citizen the provider logged in."""
        if not secrets.compare_digest(state, pending["state"]):
            raise LoginFailed("het inloggen hoort niet bij deze browser")
        provider = await self.provider()
        async with self._client() as client:
            token: dict[str, Any] = await client.fetch_token(
                provider.token_endpoint, code=code, code_verifier=pending["verifier"]
            )
        claims = self._checked_claims(str(token.get("id_token", "")), provider, pending["nonce"])
        bsn = str(claims.get(self.settings.bsn_claim, ""))
        if not passes_elfproef(bsn):
            raise LoginFailed("de identiteitsaanbieder gaf geen geldig burgerservicenummer")
        return Bsn(bsn)

    async def userinfo(self, access_token: str) -> Bsn | None:
        """The BSN of an access token's citizen, by the issuer's userinfo endpoint (the app's
        tokens are the issuer's, opaque to the box); None for a token the issuer refuses."""
        key = hashlib.sha256(access_token.encode()).hexdigest()
        cached = self._tokens.get(key)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        provider = await self.provider()
        answer = await self.http.get(provider.userinfo_endpoint, headers={"Authorization": f"Bearer {access_token}"})
        bsn = str(answer.json().get(self.settings.bsn_claim, "")) if answer.status_code == 200 else ""
        found = Bsn(bsn) if passes_elfproef(bsn) else None
        if len(self._tokens) > TOKEN_CACHE_SIZE:
            self._tokens.clear()
        self._tokens[key] = (found, time.monotonic() + TOKEN_CACHE_SECONDS)
        return found

    def _checked_claims(self, id_token: str, provider: Provider, nonce: str) -> dict[str, Any]:
        issuer = self.settings.oidc_issuer.rstrip("/")
        registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": self.settings.oidc_client_id},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            decoded = jwt.decode(id_token, provider.keys, algorithms=["RS256", "ES256", "PS256"])
            registry.validate(decoded.claims)
        except (JoseError, ValueError) as error:
            raise LoginFailed("het ID-token van de identiteitsaanbieder is niet geldig") from error
        return dict(decoded.claims)
