"""The box in a real browser: log in at the provider, see a new message, open it, archive it,
change a preference, confirm an e-mail address from the mail the SMTP sink received; the main
flow once more by keyboard only; axe-core on every page. Screenshots of each page go to
docs/screenshots with `make screenshots`."""

import re
from pathlib import Path

from playwright.async_api import Page, expect

from scripts.browser import axe_violations, chromium, describe, screenshot_dir
from scripts.identity_provider import subject_of
from shared.storage.mongo import Collections, Database
from tests.e2e.box_world import OTHER, READER, BoxWorld
from tests.e2e.test_box import send
from tests.support.samples import attachment
from tests.support.wire import AgencyAccess, eventually

DUE = {"call_to_action": {"text": "Betaal de aanslag", "deadline": "2027-05-01"}, "attachments": [attachment()]}


class Visit:
    """One browser page, checked by axe and photographed at every stop."""

    def __init__(self, page: Page, shots: Path) -> None:
        self.page, self.shots, self.checked = page, shots, 0

    async def check(self, name: str) -> None:
        violations = await axe_violations(self.page)
        assert violations == [], f"{name}: {describe(violations)}"
        await self.page.screenshot(path=self.shots / f"{name}.png", full_page=True)
        self.checked += 1


async def log_in(page: Page, world: BoxWorld, subject: str) -> None:
    await page.goto(f"{world.url}/berichten")
    await page.get_by_role("button", name=subject).click()  # the provider's login form
    await expect(page.get_by_role("heading", level=1)).to_have_text("Postvak IN")


async def test_the_main_flow_in_chromium_with_axe_on_every_page(
    db: Database, box_agencies: dict[str, AgencyAccess], world: BoxWorld, tmp_path: Path
) -> None:
    message_id = await send(box_agencies["belastingdienst"], READER, "browser-1", **DUE)
    await eventually(lambda: db[Collections.BOX_ENTRIES].find_one({"_id": message_id}), lambda d: d is not None)
    async with chromium() as browser:
        context = await browser.new_context(bypass_csp=True)  # to inject axe; the box's own CSP is tested elsewhere
        visit = Visit(await context.new_page(), screenshot_dir(tmp_path / "screenshots"))
        page = visit.page
        await log_in(page, world, subject_of(READER))
        await expect(page.get_by_text("Ongelezen")).to_be_visible()
        await visit.check("inbox")
        await page.get_by_role("link", name=re.compile("Uw aanslag inkomstenbelasting")).click()
        await expect(page.get_by_role("heading", name="Wat moet u doen?")).to_be_visible()
        await visit.check("message")
        await page.get_by_role("button", name="Archiveren").click()
        await page.get_by_role("link", name="Archief").click()
        await expect(page.get_by_role("link", name=re.compile("Uw aanslag"))).to_be_visible()
        await visit.check("archive")
        await page.get_by_role("link", name="Te doen").click()
        await visit.check("to-do")
        await page.get_by_role("link", name="Voorkeuren").click()
        await page.get_by_label("UWV").first.check()
        await page.get_by_role("button", name="Opslaan").click()
        await expect(page.get_by_text("Uw voorkeuren zijn opgeslagen")).to_be_visible()
        await visit.check("preferences")
        await page.get_by_role("link", name="E-mailadres").click()
        await page.get_by_label("Nieuw e-mailadres").fill("nieuw-adres@example.nl")
        await page.get_by_role("button", name="Stuur bevestiging").click()
        await visit.check("email")
        mail = await eventually(
            lambda: _confirmation_link(world), lambda link: link is not None
        )  # the link from the mail the sink received
        assert mail is not None
        await page.goto(mail)
        await page.get_by_role("button", name="Bevestigen").click()
        await expect(page.get_by_text("Uw e-mailadres is bevestigd")).to_be_visible()
        await page.get_by_role("link", name="Apparaten").click()
        await visit.check("devices")
        await page.get_by_role("link", name="Logboek").click()
        await visit.check("logboek")
        await page.get_by_role("button", name="Uitloggen").click()
        # logged out at the identity provider too: the development provider asks to confirm
        await page.get_by_role("button", name="End session").click()
        await expect(page).to_have_url(f"{world.url}/uitgelogd")
        await visit.check("logged-out")
    assert visit.checked == 9
    account = await eventually(
        lambda: db[Collections.ACCOUNTS].find_one({"_id": READER["_id"]}),
        lambda a: a is not None and a["email"] == "nieuw-adres@example.nl" and "uwv" in a["opted_in_agencies"],
    )
    assert account is not None and account["email"] == "nieuw-adres@example.nl"


async def _confirmation_link(world: BoxWorld) -> str | None:
    for mail in world.smtp.received:
        if "Bevestig" not in str(mail["Subject"]):
            continue  # the notification of the message itself
        found = re.search(r"(http://\S+/e-mailadres/bevestigen\?code=\w+)", str(mail.get_content()))
        if found:
            return found[1]
    return None


async def test_the_main_flow_by_keyboard_only(
    db: Database, box_agencies: dict[str, AgencyAccess], world: BoxWorld
) -> None:
    message_id = await send(box_agencies["belastingdienst"], OTHER, "keyboard-1", **DUE)
    await eventually(lambda: db[Collections.BOX_ENTRIES].find_one({"_id": message_id}), lambda d: d is not None)
    async with chromium() as browser:
        page = await (await browser.new_context()).new_page()
        await log_in(page, world, subject_of(OTHER))
        await tab_to(page, "Naar de inhoud")  # the skip link comes first
        await tab_to(page, "Uw aanslag inkomstenbelasting 2025")
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Uw aanslag"))
        await tab_to(page, "Archiveren")
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Postvak IN")
    stored = await eventually(
        lambda: db[Collections.BOX_ENTRIES].find_one({"_id": message_id}),
        lambda d: d is not None and d["folder"] == "archive",
    )
    assert stored is not None and stored["folder"] == "archive" and stored["opened_at"] is not None


async def tab_to(page: Page, text: str, limit: int = 40) -> None:
    """Press Tab until the focused element shows `text` (as a keyboard user moves)."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        focused = await page.evaluate("() => document.activeElement && document.activeElement.textContent")
        if focused and text in focused:
            return
    raise AssertionError(f"{text!r} cannot be reached with Tab")
