"""`make chaos` for the box's sweeps: the vangnet (paper safety net) and the recovery letters
run over hundreds of due messages in small batches while the box is killed (SIGKILL) three
times mid-run. Afterwards every letter that was due exists once, rendered, and in no more than
one print batch; no letter is there that was not due; the agency heard nothing of any of it."""

import asyncio
import time
from collections import Counter
from pathlib import Path

from services.router.repository import MongoAccountStore
from shared.contracts.ids import derived_id, message_id_for
from shared.storage.mongo import Collections, Database, Document
from tests.chaos.conftest import SWEEP_OUTCOMES
from tests.conftest import Sandbox
from tests.e2e.box_world import box_world
from tests.e2e.sweep_clock import fast_sweeps, new_clock, set_clock
from tests.support.samples import submission
from tests.support.wire import AgencyAccess
from tools.population import population

PER_KIND = 150
KILLS_AT = (0.15, 0.45, 0.75)
"""Of the sweeps' work done (entries printed or told of), when the box is killed."""


def citizens(seed: int) -> tuple[list[Document], list[Document], list[Document]]:
    """Who chose a vangnet of 14 days (with an e-mail address), who activated the box with no
    channel, who never activated it: the Belastingdienst's post reaches the box of each."""
    found = [a | {"opted_in_agencies": [], "paper_copy_agencies": [], "push_subscriptions": []}
             for a in population(PER_KIND * 8, seed=seed) if a["guardianship"] is None]  # fmt: skip
    net = [a | {"state": "activated", "email": f"net-{i}@example.nl", "safety_net_days": 14}
           for i, a in enumerate(found[:PER_KIND])]  # fmt: skip
    lost = [a | {"state": "activated", "email": None} for a in found[PER_KIND : 2 * PER_KIND]]
    ready = [a | {"state": "ready", "email": None} for a in found[2 * PER_KIND : 3 * PER_KIND]]
    return net, lost, ready


async def swept(db: Database) -> int:
    printed = await db[Collections.BOX_ENTRIES].count_documents({"safety_net_printed_at": {"$ne": None}})
    return printed + await db[Collections.BOX_RECOVERY_LETTERS].count_documents({})


async def until(condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert callable(condition)
        if await condition():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not reached within {timeout} s")


async def test_sweeps_killed_mid_run_print_each_due_letter_once_and_skip_none(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess], tmp_path: Path
) -> None:
    net, lost, ready = citizens(seed=77)
    await MongoAccountStore(db).insert_many(net + lost + ready)
    clock = new_clock(tmp_path)
    env = fast_sweeps(clock) | {"BERICHTENBOX_SWEEP_BATCH": "20", "BERICHTENBOX_BATCH_MAX_AGE_SECONDS": "2"}
    tax = agencies["belastingdienst"]
    with box_world(sandbox, tmp_path / "logs", citizens=[], extra_env=env) as world:
        async with tax.client() as client:
            for i, citizen in enumerate(net + lost + ready):
                body = submission(recipient_bsn=citizen["bsn"], message_type="aanslag")
                await client.submit(body, reference=f"sweep-{i}")
        entries = db[Collections.BOX_ENTRIES]
        await until(lambda: _count(entries, 3 * PER_KIND), timeout=180)
        async with tax.client() as client:
            await client.receipts_until_quiet(quiet=2.0)  # accepted and delivered: before any sweep

        started = time.monotonic()
        set_clock(clock, days_ahead=15)  # the vangnet's 14 days and the recovery's grace are past
        for share in KILLS_AT:
            await until(lambda share=share: _at_least(db, share * 3 * PER_KIND), timeout=180)
            await asyncio.to_thread(world.services.kill, "box")
            world.services.start_one("box")
            await asyncio.to_thread(world.services.wait_started, "box", 120)
        expected = {derived_id("safety-net", message_id_for("belastingdienst", f"sweep-{i}")) for i in range(PER_KIND)}
        expected |= {derived_id("recovery-letter", a["_id"], "0") for a in lost + ready}
        await until(lambda: _all_rendered(db, expected), timeout=240)
        recovered = time.monotonic() - started
        await asyncio.sleep(3)  # a sweep that would print more has had its chance
        letters = [d async for d in db[Collections.LETTERS].find({}, {"_id": 1, "status": 1})]
        batches = [d async for d in db[Collections.BATCHES].find({}, {"letter_ids": 1})]
        batched = Counter(letter for batch in batches for letter in batch["letter_ids"])
        async with tax.client() as client:
            receipts = await client.receipts_until_quiet(quiet=3.0)
    extra = {d["_id"] for d in letters} - expected
    twice = [letter for letter, n in batched.items() if n > 1]
    skipped = expected - {d["_id"] for d in letters}
    SWEEP_OUTCOMES.append(
        f"| box kill -9 x3 during the vangnet and recovery sweeps ({len(expected)} letters due) | {len(letters)} "
        f"| {len(skipped)} | {len(extra)} | {len(twice)} | {len(receipts)} | {recovered:.0f} s |"
    )
    assert not extra and not twice and receipts == []
    assert len(letters) == len(expected)


async def _count(entries: object, n: int) -> bool:
    return await entries.count_documents({}) >= n  # type: ignore[attr-defined, no-any-return]


async def _at_least(db: Database, n: float) -> bool:
    return await swept(db) >= n


async def _all_rendered(db: Database, expected: set[str]) -> bool:
    query = {"_id": {"$in": sorted(expected)}, "status": "rendered"}
    return await db[Collections.LETTERS].count_documents(query) == len(expected)
