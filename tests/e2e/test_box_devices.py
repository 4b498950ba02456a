"""Devices end to end: a Web Push subscription registered in the box reaches the router as
`PushSubscriptionsChanged`, the next message's push goes to it at a real push service
(VAPID-signed, encrypted), and once the citizen removed it no push goes there any more; the
devices page in Chromium registers its service worker and tells the citizen when the
browser cannot subscribe."""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import httpx2
import pytest
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from playwright.async_api import expect
from py_vapid import Vapid02

from scripts.browser import axe_violations, chromium
from scripts.identity_provider import subject_of
from scripts.push_sink import PushService, b64url, push_service
from shared.messaging.topology import RoutingKeys
from shared.storage.mongo import Collections, Database
from tests.conftest import Sandbox
from tests.e2e.box_world import READER, BoxWorld, box_world
from tests.e2e.test_box import send
from tests.e2e.test_box_browser import log_in
from tests.support.identity import access_token
from tests.support.wire import AgencyAccess, bodies, eventually, listen, take


@dataclass(frozen=True)
class PushWorld:
    box: BoxWorld
    pushes: PushService


@pytest.fixture
async def push_world(
    sandbox: Sandbox, box_agencies: dict[str, AgencyAccess], tmp_path: Path
) -> AsyncIterator[PushWorld]:
    """The five services with VAPID keys (the notifier signs, the box hands the public key to
    PushManager.subscribe), and a push service."""
    vapid = Vapid02()
    vapid.generate_keys()
    public_key = b64url(vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))
    keys = {"BERICHTENBOX_VAPID_PRIVATE_KEY": vapid.private_pem().decode(), "BERICHTENBOX_VAPID_PUBLIC_KEY": public_key}
    async with push_service() as pushes:
        with box_world(sandbox, tmp_path / "logs", extra_env=keys) as world:
            yield PushWorld(world, pushes)


async def test_a_device_registered_in_the_box_gets_the_next_push_and_none_once_removed(
    db: Database, box_agencies: dict[str, AgencyAccess], push_world: PushWorld
) -> None:
    world, pushes = push_world.box, push_world.pushes
    phone = pushes.device("phone")
    token = await access_token(world.provider.issuer, subject_of(READER))
    async with httpx2.AsyncClient(base_url=world.url, headers={"Authorization": f"Bearer {token}"}) as app:
        registered = await app.post("/api/v1/devices", json=phone.subscription())
        assert registered.status_code == 201, registered.text
        [device] = (await app.get("/api/v1/devices")).json()
        assert await _account_devices(db) == 1
        first = await send(box_agencies["belastingdienst"], READER, "device-1")
        await eventually(lambda: _pushed_to(pushes.accepted, phone.endpoint), lambda n: n == 1)
        removed = await app.delete(f"/api/v1/devices/{device['id']}")
        assert removed.status_code == 204
        assert (await app.get("/api/v1/devices")).json() == []
        assert await _account_devices(db, until=0) == 0
        second = await send(box_agencies["belastingdienst"], READER, "device-2")
        assert await eventually(lambda: _mailed(world.smtp.received, second), lambda n: n == 1) == 1
    routes = {d["_id"]: d["channels"] async for d in db[Collections.ROUTES].find({"_id": {"$in": [first, second]}})}
    assert (sorted(routes[first]), routes[second]) == (["email", "push"], ["email"])
    assert [payload["url"] for _, payload in pushes.delivered] == [f"{world.url}/berichten/{first}"]
    assert await _pushed_to(pushes.accepted, phone.endpoint) == 1


async def test_the_devices_page_lists_and_removes_a_device_and_says_when_the_browser_cannot_subscribe(
    db: Database, push_world: PushWorld
) -> None:
    """Chromium here has no push service to subscribe at (it would be Google's): its
    PushManager refuses, and the page says so instead of failing silently."""
    world, tablet = push_world.box, push_world.pushes.device("tablet")
    token = await access_token(world.provider.issuer, subject_of(READER))
    async with httpx2.AsyncClient(base_url=world.url, headers={"Authorization": f"Bearer {token}"}) as app:
        assert (await app.post("/api/v1/devices", json=tablet.subscription())).status_code == 201
    assert await _account_devices(db) == 1
    async with chromium() as browser:
        context = await browser.new_context(bypass_csp=True)  # to inject axe
        await context.grant_permissions(["notifications"], origin=world.url)
        page = await context.new_page()
        await log_in(page, world, subject_of(READER))
        await page.get_by_role("link", name="Apparaten").click()
        await expect(page.get_by_text("Apparaat via 127.0.0.1")).to_be_visible()
        await page.get_by_role("button", name="Meldingen op dit apparaat aanzetten").click()
        await expect(page.get_by_role("status")).to_contain_text("Aanzetten is niet gelukt")
        violations = await axe_violations(page)  # with the push controls shown
        scope = await page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).scope")
        await page.get_by_role("button", name="Verwijderen Apparaat via 127.0.0.1").click()
        await expect(page.get_by_text("Er zijn geen apparaten aangemeld.")).to_be_visible()
    assert (scope, violations) == (f"{world.url}/", [])
    assert await _account_devices(db, until=0) == 0


async def test_a_second_device_added_before_the_router_applied_the_first_keeps_both(
    sandbox: Sandbox, box_agencies: dict[str, AgencyAccess], tmp_path: Path
) -> None:
    """The router applies account events a moment later (here: not at all, it is not
    running). The box answers from the change it made itself, so the list shows a new device
    at once, and the next change carries it on instead of the router's older list."""
    events = await listen(sandbox, "test.account-events", RoutingKeys.ACCOUNT_EVENTS)
    async with push_service() as pushes:
        phone, tablet = pushes.device("phone"), pushes.device("tablet")
        with box_world(sandbox, tmp_path / "logs", run=("box",)) as world:
            token = await access_token(world.provider.issuer, subject_of(READER))
            async with httpx2.AsyncClient(base_url=world.url, headers={"Authorization": f"Bearer {token}"}) as app:
                listed = []
                for device in (phone, tablet):
                    assert (await app.post("/api/v1/devices", json=device.subscription())).status_code == 201
                    listed.append(len((await app.get("/api/v1/devices")).json()))
    published = bodies(await take(sandbox.rabbitmq_url, events, 2))
    assert listed == [1, 2]
    endpoints = [sorted(s["endpoint"] for s in event["subscriptions"]) for event in published]
    assert endpoints == [[phone.endpoint], sorted([phone.endpoint, tablet.endpoint])]


async def _account_devices(db: Database, until: int = 1) -> int:
    """The subscriptions on the citizen's account, once the router applied the box's event."""

    async def count() -> int:
        account = await db[Collections.ACCOUNTS].find_one({"_id": READER["_id"]})
        return len((account or {}).get("push_subscriptions") or [])

    return await eventually(count, lambda n: n == until)


async def _pushed_to(accepted: list[tuple[str, str]], endpoint: str) -> int:
    return sum(1 for found, _ in accepted if found == endpoint)


async def _mailed(received: list[EmailMessage], message_id: str) -> int:
    """E-mails whose text links to the message."""
    texts = [part.get_content() for mail in received for part in mail.walk() if part.get_content_type() == "text/plain"]
    return sum(1 for text in texts if message_id in text)
