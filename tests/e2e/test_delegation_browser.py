"""Machtigingen in a real browser: the owner invites, the helper accepts with the code and reads
in the owner's box under a banner that says whose it is, a representative chooses digital
post; axe-core on every new page (screenshots with `make screenshots`). Then the invitation
and the acceptance once more by keyboard only."""

import re
from datetime import date, timedelta
from pathlib import Path

from playwright.async_api import Page, expect

from scripts.browser import chromium, screenshot_dir
from scripts.identity_provider import subject_of
from shared.storage.mongo import Collections, Database
from tests.conftest import Sandbox
from tests.e2e.box_world import BoxWorld
from tests.e2e.delegation_world import HELPER, OWNER, REPRESENTATIVE, STRANGER, WARD, load_register
from tests.e2e.test_box import send
from tests.e2e.test_box_browser import Visit, log_in, tab_to
from tests.support.wire import AgencyAccess, eventually

LAST_DAY = date.today() + timedelta(days=60)


async def test_inviting_accepting_and_helping_in_chromium_with_axe_on_every_new_page(
    sandbox: Sandbox, db: Database, delegation_agencies: dict[str, AgencyAccess], delegation_world: BoxWorld,
    tmp_path: Path,
) -> None:  # fmt: skip
    world = delegation_world
    message_id = await send(delegation_agencies["belastingdienst"], OWNER, "browser-help-1")
    await eventually(lambda: db[Collections.BOX_ENTRIES].find_one({"_id": message_id}), lambda d: d is not None)
    shots = screenshot_dir(tmp_path / "screenshots")
    async with chromium() as browser:
        owner = Visit(await (await browser.new_context(bypass_csp=True, locale="nl-NL")).new_page(), shots)
        await log_in(owner.page, world, subject_of(OWNER))
        await owner.page.get_by_role("link", name="Machtigingen").click()
        await expect(owner.page.get_by_role("heading", level=1)).to_have_text("Machtigingen")
        await owner.check("machtigingen")
        await owner.page.get_by_label("Lezen en ordenen").check()
        await owner.page.get_by_label("Tot en met").fill(LAST_DAY.isoformat())
        await owner.page.get_by_role("button", name="Maak een uitnodiging").click()
        code = await owner.page.locator(".code").text_content()
        assert code and re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", code)
        await owner.check("uitnodiging")

        helper = Visit(await (await browser.new_context(bypass_csp=True)).new_page(), shots)
        await log_in(helper.page, world, subject_of(HELPER))
        await helper.page.get_by_role("link", name="Machtigingen").click()
        await helper.page.get_by_role("link", name="Ik heb een code gekregen").click()
        await helper.check("code")
        await helper.page.get_by_label("Code").fill(code.lower())
        await helper.page.get_by_role("button", name="Bekijk de uitnodiging").click()
        await expect(helper.page.get_by_text(OWNER["name"]).first).to_be_visible()
        await helper.check("aannemen")
        await helper.page.get_by_role("button", name="Aannemen").click()
        banner = helper.page.get_by_role("region", name="Wiens Berichtenbox")
        await expect(banner).to_contain_text(f"U bekijkt de Berichtenbox van {OWNER['name']}")
        await helper.check("hulp-inbox")
        await helper.page.get_by_role("link", name=re.compile("Uw aanslag")).click()
        await expect(helper.page.get_by_role("button", name="Archiveren")).to_be_visible()  # ordering in scope
        await helper.check("hulp-message")
        await helper.page.get_by_role("link", name="Terug naar mijn eigen Berichtenbox").click()
        await expect(banner).to_contain_text("Uw eigen Berichtenbox")

        await owner.page.get_by_role("link", name="Logboek").click()
        await expect(owner.page.get_by_text(f"door {HELPER['name']}")).to_be_visible()
        await owner.check("logboek-machtigingen")

        assert "1 new" in await load_register(sandbox, tmp_path)
        representative = Visit(await (await browser.new_context(bypass_csp=True)).new_page(), shots)
        await log_in(representative.page, world, subject_of(REPRESENTATIVE))
        await representative.page.get_by_role("link", name="Machtigingen").click()
        await representative.page.get_by_role("link", name=f"Berichtenbox van {WARD['name']}").click()
        await representative.page.get_by_role("link", name="Digitale post").click()
        await representative.page.get_by_label("Digitaal, in deze Berichtenbox").check()
        await representative.page.get_by_role("button", name="Opslaan").click()
        await expect(representative.page.get_by_text("Uw keuze is opgeslagen")).to_be_visible()
        await representative.check("keuzes")
    assert owner.checked + helper.checked + representative.checked == 8


async def test_inviting_and_accepting_by_keyboard_only(
    db: Database, delegation_agencies: dict[str, AgencyAccess], delegation_world: BoxWorld
) -> None:
    world = delegation_world
    async with chromium() as browser:
        page = await (await browser.new_context(locale="en-US")).new_page()
        await log_in(page, world, subject_of(OWNER))
        await tab_to(page, "Machtigingen")
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Machtigingen")
        await tab_to_field(page, "einddatum")
        await page.keyboard.type(LAST_DAY.strftime("%m%d%Y"))
        await tab_to(page, "Maak een uitnodiging")
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Uitnodiging gemaakt")
        code = await page.locator(".code").text_content()
        assert code

        helper = await (await browser.new_context()).new_page()
        await log_in(helper, world, subject_of(STRANGER))
        await tab_to(helper, "Machtigingen")
        await helper.keyboard.press("Enter")
        await expect(helper.get_by_role("heading", level=1)).to_have_text("Machtigingen")
        await tab_to(helper, "Ik heb een code gekregen")
        await helper.keyboard.press("Enter")
        await expect(helper.get_by_role("heading", level=1)).to_have_text("Code van een uitnodiging")
        await tab_to_field(helper, "code")
        await helper.keyboard.type(code)
        await helper.keyboard.press("Enter")  # submits the form
        await expect(helper.get_by_role("heading", level=1)).to_have_text("Uitnodiging bekijken")
        await tab_to(helper, "Aannemen")
        await helper.keyboard.press("Enter")
        banner = helper.get_by_role("region", name="Wiens Berichtenbox")
        await expect(banner).to_contain_text(f"U bekijkt de Berichtenbox van {OWNER['name']}")
    grants = await db[Collections.BOX_GRANTS].find({"owner_id": OWNER["_id"]}).to_list()
    assert [(g["helper_id"], g["scope"], g["last_day"]) for g in grants] == [
        (STRANGER["_id"], "lezen", LAST_DAY.isoformat())
    ]


async def tab_to_field(page: Page, field_id: str, limit: int = 60) -> None:
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate("() => document.activeElement && document.activeElement.id") == field_id:
            return
    raise AssertionError(f"#{field_id} cannot be reached with Tab")
