"""Citizens reading their boxes through the chaos suite's faults, and what the box answered
them: each answer is the page, an honest 503 (a Dutch page with `Retry-After`; problem+json
for the API), a refused connection while the box itself is down, a logout (a lost session), or
a failure (anything else: a 500, a wrong 503)."""

import asyncio
import random
import re
import time
from dataclasses import dataclass, field

import httpx2

from tests.support.identity import log_in

ROW = re.compile(r'href="/berichten/([0-9a-f-]{36})">(<span class="badge">Ongelezen</span>)?')
OPENING_EVERY = 8.0
"""Seconds between one reader's first openings: openings keep coming through every fault."""


@dataclass
class Answers:
    seen: list[tuple[float, str]] = field(default_factory=list)
    """(when, kind) of every answer: ok, unavailable, refused, logged out, failed"""
    failures: list[str] = field(default_factory=list)
    logged_out: int = 0

    def page(self, path: str, answer: httpx2.Response) -> None:
        honest = "niet bereikbaar" in answer.text and answer.headers.get("content-type", "").startswith("text/html")
        self._note(path, answer, honest)

    def api(self, path: str, answer: httpx2.Response) -> None:
        self._note(path, answer, answer.headers.get("content-type") == "application/problem+json")

    def refused(self) -> None:
        self.seen.append((time.monotonic(), "refused"))

    def _note(self, path: str, answer: httpx2.Response, honest: bool) -> None:
        kind = "ok"
        if answer.status_code == 303 and answer.headers.get("location", "").startswith("/inloggen"):
            kind, self.logged_out = "logged out", self.logged_out + 1
        elif answer.status_code == 503 and honest and answer.headers.get("retry-after"):
            kind = "unavailable"
        elif answer.status_code != 200:
            kind = "failed"
            self.failures.append(f"{path}: {answer.status_code} {answer.text[:120]!r}")
        self.seen.append((time.monotonic(), kind))

    def snapshot(self) -> int:
        return len(self.seen)

    async def next_ok_after(self, moment: float, timeout: float) -> float | None:
        """Seconds from `moment` to the first page or API answer after it that was the page."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            after = [t for t, kind in self.seen if kind == "ok" and t > moment]
            if after:
                return min(after) - moment
            await asyncio.sleep(0.2)
        return None

    def row(self, fault: str, since: int, outage: float, recovered: float | None) -> str:
        counts = {k: 0 for k in ("ok", "unavailable", "refused", "logged out", "failed")}
        for _, kind in self.seen[since:]:
            counts[kind] += 1
        back = "never" if recovered is None else f"{recovered:.1f} s"
        return (
            f"| {fault} | {outage:.0f} s | {sum(counts.values())} | {counts['ok']} | {counts['unavailable']} "
            f"| {counts['refused']} | {counts['logged out']} | {counts['failed']} | {back} |"
        )


class Reader:
    """A logged-in citizen who reads the inbox, opens a message not yet opened every
    `OPENING_EVERY` seconds, and reads an opened one again in between."""

    def __init__(self, http: httpx2.AsyncClient, answers: Answers, seed: int) -> None:
        self.http, self.answers = http, answers
        self.unopened: list[str] = []
        self.opened: list[str] = []
        self.random = random.Random(seed)

    async def log_in(self, subject: str) -> None:
        page = await log_in(self.http, subject)
        assert page.status_code == 200, page.text[:200]
        self._listed(page.text)

    async def read_until(self, stop: asyncio.Event) -> None:
        last_opening = time.monotonic() - self.random.uniform(0, OPENING_EVERY)
        while not stop.is_set():
            listed = await self._get("/berichten")
            if listed is not None and listed.status_code == 200:
                self._listed(listed.text)
            chosen: str | None = None
            if self.unopened and time.monotonic() - last_opening > OPENING_EVERY:
                chosen, last_opening = self.unopened[0], time.monotonic()
            elif self.opened:
                chosen = self.random.choice(self.opened)
            if chosen is not None:
                opened = await self._get(f"/berichten/{chosen}")
                if opened is not None and opened.status_code == 200 and chosen in self.unopened:
                    self.unopened.remove(chosen)
                    self.opened.append(chosen)
            await asyncio.sleep(0.3)

    def _listed(self, text: str) -> None:
        rows = ROW.findall(text)
        self.unopened = [m for m, badge in rows if badge]
        self.opened = [m for m, badge in rows if not badge]

    async def _get(self, path: str) -> httpx2.Response | None:
        try:
            answer = await self.http.get(path)
        except httpx2.TransportError:
            self.answers.refused()
            await asyncio.sleep(0.5)
            return None
        self.answers.page(path, answer)
        return answer


async def api_reader(url: str, token: str, answers: Answers, stop: asyncio.Event) -> None:
    """The app listing the inbox twice a second."""
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx2.AsyncClient(base_url=url, headers=headers, timeout=20) as app:
        while not stop.is_set():
            try:
                answers.api("/api/v1/messages", await app.get("/api/v1/messages"))
            except httpx2.TransportError:
                answers.refused()
            await asyncio.sleep(0.5)
