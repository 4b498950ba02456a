"""Debian's Chromium driven by Playwright for Python (Playwright's own browser download cannot
work here), and axe-core from npm run in each page."""

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, async_playwright

CHROMIUM = "/usr/bin/chromium"
AXE = Path("tools/browser/node_modules/axe-core/axe.min.js")
HOW_TO_INSTALL = "run `make install` (apt-get install chromium; npm ci in tools/browser)"


def installed() -> bool:
    return Path(CHROMIUM).exists() and AXE.exists()


@cache
def axe_source() -> str:
    return AXE.read_text()


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    if not installed():
        raise RuntimeError(f"no {CHROMIUM} or {AXE}: {HOW_TO_INSTALL}")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            await browser.close()


async def axe_violations(page: Page) -> list[dict[str, Any]]:
    """WCAG 2.1 A and AA rules of axe-core, on the page as it is now."""
    await page.add_script_tag(content=axe_source())
    found = await page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})).violations"
    )
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:3]} for v in found]


def screenshot_dir(default: Path) -> Path:
    """docs/screenshots with `make screenshots`; the test's own folder otherwise."""
    chosen = Path(os.environ.get("BERICHTENBOX_SCREENSHOTS", default))
    chosen.mkdir(parents=True, exist_ok=True)
    return chosen


def describe(violations: list[dict[str, Any]]) -> str:
    return json.dumps(violations, indent=1)
