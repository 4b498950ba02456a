"""The identity provider as the box knows it: its endpoints by discovery (kept an hour) and
its signing keys. A token signed with a key id the box has not seen makes it fetch the keys
again, at most once a minute, so logins keep working when the issuer rotates its keys, and
a flood of made-up key ids costs the issuer nothing more."""

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx2
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from services.box.settings import BoxSettings

DISCOVERY_SECONDS = 3600.0
LOGIN_CHECK_SECONDS = 10.0
KEYS_AGAIN_AFTER_SECONDS = 60.0
ALGORITHMS = ["RS256", "ES256", "PS256"]


class IssuerUnavailable(Exception):
    """The issuer did not answer usefully (timeout, 429, 5xx): retry later, nobody is logged out."""


class UntrustedToken(Exception):
    """Not a JWT signed by one of the issuer's keys."""


@dataclass(frozen=True)
class Endpoints:
    authorization: str
    token: str
    userinfo: str
    jwks: str
    introspection: str | None
    end_session: str | None


class Issuer:
    def __init__(self, settings: BoxSettings, http: httpx2.AsyncClient, clock: Any = time.monotonic) -> None:
        self.name, self.http, self.clock = settings.oidc_issuer.rstrip("/"), http, clock
        self._endpoints: Endpoints | None = None
        self._found_at = 0.0
        self._keys: KeySet | None = None
        self._keys_at = -KEYS_AGAIN_AFTER_SECONDS

    async def endpoints(self, max_age: float = DISCOVERY_SECONDS) -> Endpoints:
        """A login asks for a copy at most `LOGIN_CHECK_SECONDS` old: the fetch is also the check
        that the issuer answers, so a login during its outage says so instead of sending the
        browser to a server that is away."""
        if self._endpoints is None or self.clock() - self._found_at > max_age:
            config = await self.get_json(f"{self.name}/.well-known/openid-configuration")
            if str(config.get("issuer", "")).rstrip("/") != self.name:
                raise IssuerUnavailable("the identity provider names itself otherwise than configured")
            self._endpoints = Endpoints(
                config["authorization_endpoint"],
                config["token_endpoint"],
                config["userinfo_endpoint"],
                config["jwks_uri"],
                config.get("introspection_endpoint"),
                config.get("end_session_endpoint"),
            )
            self._found_at = self.clock()
        return self._endpoints

    async def verified(self, token: str) -> dict[str, Any]:
        """The claims of a JWT the issuer signed (only the signature is checked here)."""
        try:
            kid = jws.extract_compact(token.encode()).headers().get("kid")
        except (JoseError, ValueError) as error:
            raise UntrustedToken("not a JWT") from error
        if self._keys is None or (kid is not None and kid not in {k.kid for k in self._keys.keys}):
            await self._fetch_keys()
        try:
            return self._claims(token)
        except UntrustedToken:  # signed with a key we do not have yet, under no key id or a known one
            if not await self._fetch_keys():
                raise
            return self._claims(token)

    def _claims(self, token: str) -> dict[str, Any]:
        if self._keys is None:
            raise IssuerUnavailable("the issuer's keys could not be fetched")
        try:
            claims = json.loads(jws.deserialize_compact(token, self._keys, algorithms=ALGORITHMS).payload)
        except (JoseError, ValueError) as error:
            raise UntrustedToken("not signed by the issuer") from error
        if not isinstance(claims, dict):
            raise UntrustedToken("its claims are not an object")
        return claims

    async def _fetch_keys(self) -> bool:
        """Fetch the keys again, unless that was done less than a minute ago (False then)."""
        if self.clock() - self._keys_at < KEYS_AGAIN_AFTER_SECONDS:
            return False
        self._keys_at = self.clock()
        jwks = await self.get_json((await self.endpoints()).jwks)
        self._keys = KeySet.import_key_set(jwks)  # type: ignore[arg-type]
        return True

    async def get_json(self, url: str) -> dict[str, Any]:
        try:
            answer = await self.http.get(url)
        except httpx2.HTTPError as error:
            raise IssuerUnavailable(type(error).__name__) from error
        if answer.status_code != 200:
            raise IssuerUnavailable(f"the issuer answered {answer.status_code}")
        try:
            found: dict[str, Any] = answer.json()
        except ValueError as error:
            raise IssuerUnavailable("the issuer's answer is not JSON") from error
        return found
