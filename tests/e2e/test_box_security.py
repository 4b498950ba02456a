"""The box tried as an attacker would, with the five services, the real identity provider and
the SMTP sink: tokens of other relying parties, bodies before authentication, oversized and
chunked bodies, odd values, logging out on a shared computer, opening from another site,
attachment names, device and e-mail abuse (issue #26)."""

from collections.abc import AsyncIterator

import httpx2

from scripts.identity_provider import subject_of
from shared.storage.mongo import Collections, Database
from tests.e2e.box_world import OTHER, READER, BoxWorld
from tests.e2e.test_box import entry, send
from tests.support.identity import access_token, log_in
from tests.support.samples import attachment
from tests.support.wire import AgencyAccess

SUBSCRIPTION = {"endpoint": "https://push.example/abc", "keys": {"p256dh": "x", "auth": "y"}}


async def api(world: BoxWorld, token: str | None) -> httpx2.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx2.AsyncClient(base_url=world.url, headers=headers, timeout=20)


async def test_only_the_apps_tokens_open_the_api_and_nothing_is_read_before(world: BoxWorld) -> None:
    app_token = await access_token(world.provider.issuer, subject_of(READER))
    webshop = await access_token(world.provider.issuer, subject_of(READER), client_id="gemeente-webshop")
    without_scope = await access_token(world.provider.issuer, subject_of(READER), scope="openid")
    async with await api(world, app_token) as app:
        assert (await app.get("/api/v1/messages")).status_code == 200
    for token in (webshop, without_scope, "made-up"):
        async with await api(world, token) as other:
            refused = [await other.get("/api/v1/messages"), await other.post("/api/v1/devices", json=SUBSCRIPTION)]
        assert [r.status_code for r in refused] == [401, 401]
        assert all(r.headers["www-authenticate"] == 'Bearer error="invalid_token"' for r in refused)
        assert all(r.headers["content-type"] == "application/problem+json" for r in refused)
    async with await api(world, None) as anonymous:
        broken = await anonymous.post(
            "/api/v1/devices", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert broken.status_code == 401  # was 422: the body was parsed before the token was asked for


async def test_bodies_are_bounded_while_read(world: BoxWorld) -> None:
    app_token = await access_token(world.provider.issuer, subject_of(READER))
    big = b'{"endpoint": "' + b"a" * 70_000 + b'"}'

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"a" * 10_000

    async with await api(world, app_token) as app:
        declared = await app.post("/api/v1/devices", content=big, headers={"content-type": "application/json"})
        chunked = await app.post("/api/v1/devices", content=chunks(), headers={"content-type": "application/json"})
    assert (declared.status_code, chunked.status_code) == (413, 413)
    async with world.browser_client() as browser:
        await log_in(browser, subject_of(OTHER))
        form = await browser.post("/e-mailadres", data={"email": "a" * 70_000, "csrf": "x"})
    assert form.status_code == 413


async def test_logging_out_ends_the_session_at_the_issuer_too(world: BoxWorld) -> None:
    async with world.browser_client() as browser:
        page = await log_in(browser, subject_of(OTHER))
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        out = await browser.post("/uitloggen", data={"csrf": csrf})
    assert out.status_code == 303
    location = httpx2.URL(out.headers["location"])
    assert str(location).startswith(f"{world.provider.issuer}/oauth2/end_session")
    assert location.params["id_token_hint"].count(".") == 2
    assert location.params["post_logout_redirect_uri"] == f"{world.url}/uitgelogd"


async def test_odd_values_answer_400_or_403_never_500(world: BoxWorld) -> None:
    async with world.browser_client() as browser:
        back = await browser.get("/inloggen/terug", params={"code": "x", "state": "é\u0000ü"})
        assert back.status_code == 400
        begun = await browser.get("/inloggen")  # a login under way, then a code the issuer refuses
        state = httpx2.URL(begun.headers["location"]).params["state"]
        refused = await browser.get("/inloggen/terug", params={"code": "not-a-code", "state": state})
        assert refused.status_code == 400 and "Inloggen is niet gelukt" in refused.text
        page = await log_in(browser, subject_of(OTHER))
        assert page.status_code == 200
        moved = await browser.post("/berichten/x/verplaatsen", data={"actie": "archive", "csrf": "ö\u2028"})
        assert moved.status_code == 403


async def test_an_attachment_with_a_non_ascii_name_downloads_from_page_and_api(
    db: Database, box_agencies: dict[str, AgencyAccess], world: BoxWorld
) -> None:
    extra = {"attachments": [attachment(filename="beschikking Łódź.pdf")]}
    message_id = await send(box_agencies["belastingdienst"], READER, "lodz-1", **extra)
    assert await entry(db, message_id) is not None
    async with world.browser_client() as browser:
        await log_in(browser, subject_of(READER))
        page = await browser.get(f"/berichten/{message_id}/bijlagen/1")
    token = await access_token(world.provider.issuer, subject_of(READER))
    async with await api(world, token) as app:
        via_api = await app.get(f"/api/v1/messages/{message_id}/attachments/1")
    for answer in (page, via_api):
        assert answer.status_code == 200 and answer.content.startswith(b"%PDF")
        disposition = answer.headers["content-disposition"]
        assert disposition.startswith("attachment;")
        assert 'filename="beschikking Lodz.pdf"' in disposition
        assert "filename*=UTF-8''beschikking%20%C5%81%C3%B3d%C5%BA.pdf" in disposition


async def test_a_message_is_opened_only_by_the_citizens_own_navigation(
    db: Database, box_agencies: dict[str, AgencyAccess], world: BoxWorld
) -> None:
    message_id = await send(box_agencies["belastingdienst"], READER, "open-1")
    assert await entry(db, message_id) is not None
    async with world.browser_client() as browser:
        await log_in(browser, subject_of(READER))
        for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Sec-Purpose": "prefetch"}, {"Sec-Fetch-Site": "same-site"}):
            shown = await browser.get(f"/berichten/{message_id}", headers=headers)
            assert shown.status_code == 200
        stored = await db[Collections.BOX_ENTRIES].find_one({"_id": message_id})
        assert stored is not None and stored["opened_at"] is None
        own = await browser.get(f"/berichten/{message_id}", headers={"Sec-Fetch-Site": "same-origin"})
        assert own.status_code == 200
    stored = await db[Collections.BOX_ENTRIES].find_one({"_id": message_id})
    assert stored is not None and stored["opened_at"] is not None


async def test_devices_only_at_allowed_push_services_with_real_keys_and_at_most_ten(world: BoxWorld) -> None:
    from tests.unit.test_push_subscriptions import subscription

    token = await access_token(world.provider.issuer, subject_of(OTHER))
    async with await api(world, token) as app:
        internal = await app.post("/api/v1/devices", json=subscription("https://10.0.0.5/admin"))
        bad_key = await app.post("/api/v1/devices", json={**subscription(), "keys": {"p256dh": "x", "auth": "a"}})
        assert (internal.status_code, bad_key.status_code) == (422, 422)
        for n in range(10):
            added = await app.post("/api/v1/devices", json=subscription(f"http://127.0.0.1:9/push/{n}"))
            assert added.status_code == 201, added.text
        eleventh = await app.post("/api/v1/devices", json=subscription("http://127.0.0.1:9/push/10"))
        assert eleventh.status_code == 409


async def test_an_address_list_is_refused_and_mails_nobody(world: BoxWorld) -> None:
    async with world.browser_client() as browser:
        page = await log_in(browser, subject_of(OTHER))
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        for listed in ("a@example.nl,b@example.nl", "Jan <a@example.nl>", "a@example.nl\r\nBcc: b@example.nl"):
            answer = await browser.post("/e-mailadres", data={"email": listed, "csrf": csrf})
            assert answer.status_code == 422
    assert world.smtp.received == []


async def test_confirmation_mails_and_downloads_are_limited_with_retry_after(world: BoxWorld) -> None:
    async with world.browser_client() as browser:
        page = await log_in(browser, subject_of(OTHER))
        csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
        sent = [await browser.post("/e-mailadres", data={"email": "doel@example.nl", "csrf": csrf}) for _ in range(4)]
        assert [a.status_code for a in sent] == [303, 303, 303, 429]
        assert 0 < int(sent[-1].headers["retry-after"]) <= 3600
        downloads = [(await browser.get("/logboek.csv")).status_code for _ in range(21)]
        assert downloads == [200] * 20 + [429]
    assert len(world.smtp.received) == 3
