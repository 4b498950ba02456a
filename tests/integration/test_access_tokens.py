"""The app's access tokens, checked at a real identity provider process (the development
provider, with introspection): only a token issued to the Berichtenbox app with its scope,
active and unexpired, opens a box; a provider in trouble is not a logout; the cache holds."""

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx2
import pytest

from scripts.identity_provider import IdentityProvider, identity_provider, subject_of
from services.box.identity.access_tokens import AccessTokens, InvalidToken
from services.box.identity.issuer import Issuer, IssuerUnavailable
from services.box.identity.oidc import LoginFailed, OidcClient
from services.box.settings import BoxSettings
from tools.population import population

CITIZEN = next(a for a in population(50, seed=3) if a["state"] == "activated")


@pytest.fixture(scope="module")
def provider() -> Iterator[IdentityProvider]:
    with identity_provider([CITIZEN], token_seconds=3) as started:
        yield started


class Counted(httpx2.AsyncClient):
    """An HTTP client that counts the introspection calls it makes."""

    calls = 0

    async def send(self, request: httpx2.Request, **kwargs: Any) -> httpx2.Response:
        if request.url.path.endswith("/introspect"):
            self.calls += 1
        return await super().send(request, **kwargs)


@pytest.fixture
async def http() -> AsyncIterator[Counted]:
    async with Counted(timeout=5) as client:
        yield client


def checker(provider: IdentityProvider, http: httpx2.AsyncClient, **settings: object) -> AccessTokens:
    box = BoxSettings(oidc_issuer=provider.issuer, **settings)  # type: ignore[arg-type]
    return AccessTokens(box, http, Issuer(box, http))


async def token(
    provider: IdentityProvider, client_id: str = "berichtenbox-app", scope: str = "openid berichtenbox"
) -> str:
    from tests.support.identity import access_token

    return await access_token(provider.issuer, subject_of(CITIZEN), client_id=client_id, scope=scope)


async def dev(provider: IdentityProvider, path: str, body: dict[str, object] | None = None) -> None:
    async with httpx2.AsyncClient() as client:
        (await client.post(f"{provider.issuer}{path}", json=body or {})).raise_for_status()


async def test_only_a_token_of_the_app_with_its_scope_opens_the_box(provider: IdentityProvider, http: Counted) -> None:
    tokens = checker(provider, http)
    assert (await tokens.citizen(await token(provider))).value == CITIZEN["bsn"]
    for other in (
        await token(provider, client_id="gemeente-webshop"),  # another relying party, same citizen
        await token(provider, scope="openid"),  # the app's, without the API's scope
        "not-a-token-at-all",
    ):
        with pytest.raises(InvalidToken):
            await tokens.citizen(other)


async def test_an_expired_or_revoked_token_is_refused(provider: IdentityProvider, http: Counted) -> None:
    tokens = checker(provider, http, token_cache_seconds=0)
    expiring = await token(provider)
    await tokens.citizen(expiring)
    await asyncio.sleep(3.5)  # the provider issues tokens of 3 s here
    with pytest.raises(InvalidToken):
        await tokens.citizen(expiring)
    revoked = await token(provider)
    await tokens.citizen(revoked)
    await dev(provider, f"/users/{subject_of(CITIZEN)}/revoke-tokens")
    with pytest.raises(InvalidToken):
        await tokens.citizen(revoked)


async def test_a_provider_in_trouble_answers_unavailable_and_nothing_is_remembered(
    provider: IdentityProvider, http: Counted
) -> None:
    tokens = checker(provider, http)
    good = await token(provider)
    for status in (429, 500, 503):
        await dev(provider, "/dev/introspection-fails", {"status": status, "seconds": 0.3})
        with pytest.raises(IssuerUnavailable):
            await tokens.citizen(good)
        await asyncio.sleep(0.35)
    assert (await tokens.citizen(good)).value == CITIZEN["bsn"]  # not remembered as invalid
    slow = checker(provider, httpx2.AsyncClient(timeout=0.000001))
    with pytest.raises(IssuerUnavailable):
        await slow.citizen(good)


async def test_random_tokens_cost_one_call_each_and_push_out_no_valid_one(
    provider: IdentityProvider, http: Counted
) -> None:
    tokens = checker(provider, http, token_cache_size=20)
    good = await token(provider)
    await tokens.citizen(good)
    made_up = [secrets.token_urlsafe(16) for _ in range(60)]
    for guess in made_up:
        with pytest.raises(InvalidToken):
            await tokens.citizen(guess)
    calls = http.calls
    assert (await tokens.citizen(good)).value == CITIZEN["bsn"]
    results = await asyncio.gather(*(tokens.citizen(made_up[-1]) for _ in range(5)), return_exceptions=True)
    assert all(isinstance(r, InvalidToken) for r in results)
    fresh = secrets.token_urlsafe(16)
    results = await asyncio.gather(*(tokens.citizen(fresh) for _ in range(5)), return_exceptions=True)
    assert all(isinstance(r, InvalidToken) for r in results)
    assert http.calls == calls + 1  # the valid one and a recent guess from memory; five at once ask once


async def test_an_introspection_answer_that_is_a_jwt_is_read(provider: IdentityProvider, http: Counted) -> None:
    await dev(provider, "/dev/introspection-as-jwt", {"on": True})
    try:
        tokens = checker(provider, http)
        assert (await tokens.citizen(await token(provider))).value == CITIZEN["bsn"]
        with pytest.raises(InvalidToken):
            await tokens.citizen(await token(provider, client_id="gemeente-webshop"))
    finally:
        await dev(provider, "/dev/introspection-as-jwt", {"on": False})


async def log_in(oidc: OidcClient) -> str:
    url, pending = await oidc.begin()
    async with httpx2.AsyncClient() as browser:
        answer = await browser.post(url, data={"sub": subject_of(CITIZEN)})
    back = httpx2.URL(answer.headers["location"]).params
    bsn, _ = await oidc.finish(pending, back["code"], back["state"])
    return bsn.value


async def test_logins_go_on_when_the_issuer_rotates_its_signing_key(provider: IdentityProvider, http: Counted) -> None:
    box, now = BoxSettings(oidc_issuer=provider.issuer), [1000.0]
    oidc = OidcClient(box, http, Issuer(box, http, clock=lambda: now[0]))
    assert await log_in(oidc) == CITIZEN["bsn"]
    await dev(provider, "/dev/rotate-key")
    with pytest.raises(LoginFailed):  # the keys were fetched a moment ago: not again within the minute
        await log_in(oidc)
    now[0] += 61
    assert await log_in(oidc) == CITIZEN["bsn"]  # signed with a key not seen before: the keys are fetched again


async def test_a_login_while_the_issuer_is_away_says_so_and_works_again_when_it_is_back(
    provider: IdentityProvider, http: Counted
) -> None:
    box, now = BoxSettings(oidc_issuer=provider.issuer), [1000.0]
    oidc = OidcClient(box, http, Issuer(box, http, clock=lambda: now[0]))
    assert await log_in(oidc) == CITIZEN["bsn"]
    provider.stop()
    try:
        await oidc.begin()  # the issuer answered a moment ago: the browser may go there
        now[0] += 11
        with pytest.raises(IssuerUnavailable):  # not sent to a server that is away
            await oidc.begin()
    finally:
        provider.start()
    now[0] += 61  # the development provider comes back with new signing keys (a real one keeps them)
    assert await log_in(oidc) == CITIZEN["bsn"]
