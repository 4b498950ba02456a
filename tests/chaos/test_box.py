"""`make chaos` for the box: citizens read their inboxes and open their messages (and an app
lists them by the API) while the box is killed (SIGKILL), the database is away for 5 s and for
45 s, the identity provider is away, and the broker restarts. Every answer is either the page,
or a 503 that says so (a Dutch page with `Retry-After`, problem+json for the API): never a 500,
never a logout. Afterwards the ledger: every delivered message filed once, every first opening
announced (`MessageOpened`), none for a message nobody opened, and none twice unless the box
held it because a confirm was lost with the connection: the broker may have had it, and the
sweep sends it again under the same id (its consumers know it by that)."""

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

from scripts.identity_provider import subject_of
from services.router.repository import MongoAccountStore
from shared.contracts.ids import derived_id, message_id_for
from shared.messaging.topology import RoutingKeys
from shared.storage.mongo import Collections, Database, Document
from tests.chaos.conftest import BOX_OUTCOMES
from tests.chaos.infra import ChaosInfra
from tests.chaos.readers import Answers, Reader, api_reader
from tests.conftest import Sandbox
from tests.e2e.box_world import BoxWorld, box_world
from tests.support.identity import access_token
from tests.support.samples import submission
from tests.support.wire import AgencyAccess, listen, take
from tools.population import population

READERS = 16
MESSAGES_EACH = 8
PROBE = "chaos.box-opened"


def readers() -> list[Document]:
    found = [a for a in population(READERS * 6, seed=91) if a["guardianship"] is None][:READERS]
    return [a | {"state": "activated", "email": None, "push_subscriptions": [], "opted_in_agencies": [],
                 "paper_copy_agencies": []} for a in found]  # fmt: skip


async def test_the_box_under_faults_answers_honestly_and_loses_no_session_and_no_opening(
    chaos_infra: ChaosInfra, sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess], tmp_path: Path
) -> None:
    citizens = readers()
    await MongoAccountStore(db).insert_many(citizens)
    await listen(sandbox, PROBE, RoutingKeys.MESSAGE_OPENED)
    tax = agencies["belastingdienst"]
    with box_world(sandbox, tmp_path / "logs", citizens=citizens) as world:
        async with tax.client() as client:
            for i, citizen in enumerate(citizens * MESSAGES_EACH):
                await client.submit(
                    submission(recipient_bsn=citizen["bsn"], message_type="aanslag"), reference=f"box-{i}"
                )
        sent = {message_id_for("belastingdienst", f"box-{i}") for i in range(READERS * MESSAGES_EACH)}
        await _until(lambda: _filed(db, len(sent)), timeout=120)
        answers = Answers()
        pool = [Reader(world.browser_client(), answers, seed=n) for n in range(len(citizens))]
        for reader, citizen in zip(pool, citizens, strict=True):
            await reader.log_in(subject_of(citizen))
        token = await access_token(world.provider.issuer, subject_of(citizens[0]))
        stop, app_stop = asyncio.Event(), asyncio.Event()
        load = [asyncio.ensure_future(r.read_until(stop)) for r in pool]
        app = asyncio.ensure_future(api_reader(world.url, token, answers, app_stop))
        try:
            await _phase(answers, "RabbitMQ app restart", _broker_restart(chaos_infra))
            await _phase(answers, "box kill -9", _box_killed(world))
            await _phase(answers, "FerretDB away 5 s", _database_away(chaos_infra, 5))
            await _phase(answers, "FerretDB away 45 s", _database_away(chaos_infra, 45))
            # the development provider forgets its tokens when it stops (a real one does not): the app stops first
            app_stop.set()
            await app
            await _phase(answers, "identity provider away 20 s", _provider_away(world))
        finally:
            stop.set()
            app_stop.set()
            await asyncio.gather(*load, app, return_exceptions=True)
            for reader in pool:
                await reader.http.aclose()
        await _until(lambda: _all_announced(db), timeout=120)  # the outbox sweep's turn
        opened = {d["_id"] async for d in db[Collections.BOX_ENTRIES].find({"opened_at": {"$ne": None}}, {"_id": 1})}
        events = await take(sandbox.rabbitmq_url, PROBE, count=10 * len(sent), timeout=5)
    announced = Counter(str(e.message_id) for e in events)
    filed = await db[Collections.BOX_ENTRIES].count_documents({"_id": {"$in": sorted(sent)}})
    twice = [m for m, n in announced.items() if n > 1]
    held = (tmp_path / "logs" / "box.log").read_text().count("opening held for the sweep")
    BOX_OUTCOMES.append(
        f"| ledger | {filed} of {len(sent)} filed | {len(opened)} opened | {len(announced)} announced "
        f"| {len(twice)} resent (same id) of {held} held | {len(set(announced) - _ids(opened))} without an opening |"
    )
    assert filed == len(sent)
    assert answers.failures == [], answers.failures[:5]
    assert answers.logged_out == 0
    assert _ids(opened) == set(announced)
    assert len(twice) <= held, "an opening announced twice that the box did not hold for the sweep"


async def _phase(answers: Answers, name: str, fault: Awaitable[float]) -> None:
    """The fault (3 s of reading before it), then until the first page after it was undone."""
    before = answers.snapshot()
    outage = await fault
    recovered = await answers.next_ok_after(time.monotonic(), timeout=90)
    BOX_OUTCOMES.append(answers.row(name, before, outage, recovered))
    assert recovered is not None, f"{name}: the box did not answer pages again within 90 s"


async def _box_killed(world: BoxWorld) -> float:
    await asyncio.sleep(3)
    started = time.monotonic()
    await asyncio.to_thread(world.services.kill, "box")
    world.services.start_one("box")
    await asyncio.to_thread(world.services.wait_started, "box", 120)
    return time.monotonic() - started


async def _database_away(infra: ChaosInfra, seconds: float) -> float:
    await asyncio.sleep(3)
    infra.kill_ferretdb()
    await asyncio.sleep(seconds)
    await asyncio.to_thread(infra.start_ferretdb)
    return seconds


async def _provider_away(world: BoxWorld) -> float:
    await asyncio.sleep(3)
    await asyncio.to_thread(world.provider.stop)
    async with world.browser_client() as newcomer:
        login = await newcomer.get("/inloggen", params={"volgende": "/berichten"})
    await asyncio.sleep(20)
    await asyncio.to_thread(world.provider.start)
    assert login.status_code == 503 and "Inloggen kan nu niet" in login.text and login.headers["retry-after"]
    return 20.0


async def _broker_restart(infra: ChaosInfra) -> float:
    await asyncio.sleep(3)
    started = time.monotonic()
    await asyncio.to_thread(infra.rabbit.do, "stop-app")
    await asyncio.sleep(5)
    await asyncio.to_thread(infra.rabbit.do, "start-app")
    return time.monotonic() - started


async def _until(condition: Callable[[], Awaitable[bool]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not await condition():
        assert time.monotonic() < deadline, f"not reached within {timeout} s"
        await asyncio.sleep(0.5)


async def _filed(db: Database, count: int) -> bool:
    return await db[Collections.BOX_ENTRIES].count_documents({}) >= count


async def _all_announced(db: Database) -> bool:
    return await db[Collections.BOX_HELD_OPENINGS].count_documents({}) == 0


def _ids(found: set[str]) -> set[str]:
    """The ids of the events announcing these messages' openings (derived, as the box sends them)."""
    return {derived_id("opened", m) for m in found}
