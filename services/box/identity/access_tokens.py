"""The app's access tokens, checked at the issuer by token introspection (RFC 7662): a token
counts only when the issuer says it is active, was issued for the Berichtenbox app (client id
or audience `api_audience`), carries the `api_scope` scope, and has not expired. A DigiD
broker serves hundreds of relying parties; a token any of them holds is worth nothing here.

The issuer is asked at most once per token per `token_cache_seconds`: accepted and refused
tokens are remembered apart, each in a bounded least-recently-used table, so a flood of
made-up tokens only pushes out other made-up tokens. An issuer that does not answer (timeout,
429, 5xx) is `IssuerUnavailable`: the API answers 503, and nothing is remembered."""

import asyncio
import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import httpx2

from services.box.identity.issuer import Issuer, IssuerUnavailable, UntrustedToken
from services.box.settings import BoxSettings
from shared.contracts.bsn import Bsn, passes_elfproef

JWT_TYPES = ("application/token-introspection+jwt", "application/jwt")


class InvalidToken(Exception):
    """Not a token of the Berichtenbox app that the issuer vouches for now."""


class Remembered:
    """A bounded table of answers that expire: the least recently used goes first."""

    def __init__(self, size: int) -> None:
        self.size, self._items = size, OrderedDict[str, tuple[float, Bsn | None]]()

    def get(self, key: str, now: float) -> tuple[float, Bsn | None] | None:
        found = self._items.get(key)
        if found is None or found[0] <= now:
            return None
        self._items.move_to_end(key)
        return found

    def put(self, key: str, until: float, bsn: Bsn | None) -> None:
        self._items[key] = (until, bsn)
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)


class AccessTokens:
    def __init__(
        self, settings: BoxSettings, http: httpx2.AsyncClient, issuer: Issuer, clock: Callable[[], float] = time.time
    ) -> None:
        self.settings, self.http, self.issuer, self.clock = settings, http, issuer, clock
        self._accepted = Remembered(settings.token_cache_size)
        self._refused = Remembered(settings.token_cache_size)
        self._asking: dict[str, asyncio.Future[Bsn]] = {}

    async def citizen(self, token: str) -> Bsn:
        """The BSN of the citizen whose app holds `token`; `InvalidToken` or `IssuerUnavailable`."""
        key, now = hashlib.sha256(token.encode()).hexdigest(), self.clock()
        if (accepted := self._accepted.get(key, now)) is not None and accepted[1] is not None:
            return accepted[1]
        if self._refused.get(key, now) is not None:
            raise InvalidToken
        if (asked := self._asking.get(key)) is not None:  # one question per token at a time
            return await asyncio.shield(asked)
        self._asking[key] = asked = asyncio.get_running_loop().create_future()
        try:
            bsn = await self._ask(key, token, now)
            asked.set_result(bsn)
            return bsn
        except asyncio.CancelledError:
            asked.cancel()
            raise
        except Exception as error:
            asked.set_exception(error)
            asked.exception()  # retrieved: a lone caller leaves no "never retrieved" warning
            raise
        finally:
            del self._asking[key]

    async def _ask(self, key: str, token: str, now: float) -> Bsn:
        remember = now + self.settings.token_cache_seconds
        try:
            claims = await self._introspect(token)
            bsn = self._accepted_bsn(claims, now) or await self._userinfo_bsn(token)
        except InvalidToken:
            self._refused.put(key, remember, None)
            raise
        expires = float(claims["exp"])
        self._accepted.put(key, min(remember, expires), bsn)
        return bsn

    async def _introspect(self, token: str) -> dict[str, Any]:
        endpoint = (await self.issuer.endpoints()).introspection
        if endpoint is None:
            raise IssuerUnavailable("the issuer offers no token introspection")
        secret = self.settings.introspection_client_secret.get_secret_value()
        try:
            answer = await self.http.post(
                endpoint,
                data={"token": token, "token_type_hint": "access_token"},
                auth=(self.settings.introspection_client_id, secret),
                headers={"Accept": "application/json"},
            )
        except httpx2.HTTPError as error:
            raise IssuerUnavailable(type(error).__name__) from error
        if answer.status_code != 200:  # 429, 5xx; 401 means the box's own credentials are wrong
            raise IssuerUnavailable(f"introspection answered {answer.status_code}")
        return await self._claims(answer, nested="token_introspection")

    async def _claims(self, answer: httpx2.Response, nested: str | None = None) -> dict[str, Any]:
        """A JSON answer, or a JWT the issuer signed (RFC 9701 for introspection)."""
        if answer.headers.get("content-type", "").split(";")[0].strip() in JWT_TYPES:
            try:
                claims = await self.issuer.verified(answer.text.strip())
            except UntrustedToken as error:
                raise IssuerUnavailable(f"the issuer's signed answer is not trusted: {error}") from error
            inner = claims.get(nested) if nested else None
            return inner if isinstance(inner, dict) else claims
        try:
            found = answer.json()
        except ValueError as error:
            raise IssuerUnavailable("the issuer's answer is neither JSON nor a JWT") from error
        if not isinstance(found, dict):
            raise IssuerUnavailable("the issuer's answer is not an object")
        return found

    def _accepted_bsn(self, claims: dict[str, Any], now: float) -> Bsn | None:
        """The BSN if the claims carry it; `InvalidToken` unless the token is ours and alive."""
        audience = claims.get("aud", [])
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        scopes = str(claims.get("scope", "")).split()
        exp = claims.get("exp")
        if (
            claims.get("active") is not True
            or self.settings.api_audience not in (claims.get("client_id"), *audiences)
            or self.settings.api_scope not in scopes
            or not isinstance(exp, int | float)
            or exp <= now
            or str(claims.get("iss", self.issuer.name)).rstrip("/") != self.issuer.name
        ):
            raise InvalidToken
        bsn = str(claims.get(self.settings.bsn_claim, ""))
        return Bsn(bsn) if passes_elfproef(bsn) else None

    async def _userinfo_bsn(self, token: str) -> Bsn:
        """For an issuer whose introspection does not carry the BSN."""
        try:
            answer = await self.http.get(
                (await self.issuer.endpoints()).userinfo, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx2.HTTPError as error:
            raise IssuerUnavailable(type(error).__name__) from error
        if answer.status_code in (401, 403):
            raise InvalidToken
        if answer.status_code != 200:
            raise IssuerUnavailable(f"userinfo answered {answer.status_code}")
        bsn = str((await self._claims(answer)).get(self.settings.bsn_claim, ""))
        if not passes_elfproef(bsn):
            raise InvalidToken
        return Bsn(bsn)
