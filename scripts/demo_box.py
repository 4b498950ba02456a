"""The demo's last part: one sample citizen logs in to the box through the real identity
provider, in headless Chromium, opens the message that waits there, and the two pages are
saved as screenshots."""

import asyncio
from pathlib import Path

from scripts.browser import chromium
from scripts.identity_provider import subject_of
from shared.storage.mongo import Document

SHOTS = Path("var/demo")


async def show_the_box(box_url: str, citizen: Document) -> list[Path]:
    await asyncio.to_thread(SHOTS.mkdir, parents=True, exist_ok=True)
    inbox, message = SHOTS / "box-inbox.png", SHOTS / "box-message.png"
    async with chromium() as browser:
        page = await browser.new_page()
        await page.goto(f"{box_url}/berichten")  # the box asks for login first
        await page.get_by_role("button", name=subject_of(citizen)).click()
        await page.wait_for_selector("table.messages a")
        await page.screenshot(path=inbox, full_page=True)
        await page.locator("table.messages a").first.click()
        await page.wait_for_selector("article.message")
        await page.screenshot(path=message, full_page=True)
    return [inbox, message]
