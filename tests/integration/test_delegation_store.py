"""The machtigingen stores on the real database: an invitation is taken by exactly one of many
acceptances at once, a grant is ended once, a redone activity line is kept once, and a helper
finds the grants of each owner they help."""

import asyncio
from datetime import UTC, date, datetime, timedelta

from services.box.delegation import codes
from services.box.delegation.codes import MongoInvitations
from services.box.delegation.records import Activity, Grant, Happening, Invitation
from services.box.delegation.repository import INDEXES, MongoActivityLog, MongoGrants
from services.box.delegation.rules import Kind, Scope
from shared.storage.mongo import Database, ensure_indexes

NOW = datetime(2026, 12, 3, 10, tzinfo=UTC)


def grant(grant_id: str, owner: str = "owner", helper: str = "helper") -> Grant:
    return Grant(grant_id, Kind.HELPER, owner, "Anna", helper, "Bram", Scope.READ, frozenset({"uwv"}),
                 date(2027, 1, 31), NOW, NOW)  # fmt: skip


async def test_an_invitation_is_taken_by_one_acceptance_and_wrong_tries_count_down(db: Database) -> None:
    await ensure_indexes(db, codes.INDEXES)
    invitations = MongoInvitations(db)
    code = codes.new_code()
    handle = codes.handle_of(code)
    await invitations.add(Invitation(handle, "owner", codes.secret_hash(code), Scope.READ, None, date(2027, 1, 31),
                                     NOW + timedelta(days=14), 5))  # fmt: skip
    await asyncio.gather(*(invitations.spend(handle) for _ in range(3)))
    stored = await invitations.get(handle)
    assert stored is not None and stored.tries_left == 2 and stored.senders is None
    taken = await asyncio.gather(*(invitations.take(handle) for _ in range(10)))
    assert taken.count(True) == 1
    assert await invitations.get(handle) is None


async def test_a_grant_is_ended_once_and_read_back_as_written(db: Database) -> None:
    await ensure_indexes(db, INDEXES)
    grants = MongoGrants(db)
    assert await grants.add(grant("g-1"))
    assert not await grants.add(grant("g-1"))  # a repeated load adds nothing
    assert await grants.get("g-1") == grant("g-1")
    ended = await asyncio.gather(*(grants.end("g-1", NOW, "owner") for _ in range(10)))
    assert ended.count(True) == 1
    assert (await grants.get("g-1")).ended_by == "owner"  # type: ignore[union-attr]
    await grants.add(grant("g-2", owner="other"))
    assert {g.grant_id for g in await grants.of_helper("helper")} == {"g-1", "g-2"}
    assert await grants.notified_of(["owner", "other"]) == []
    assert await grants.set_notify("g-2", True)
    assert [g.grant_id for g in await grants.notified_of(["owner", "other"])] == ["g-2"]
    assert [g.grant_id for g in await grants.due_to_expire(date(2027, 2, 1), 10)] == ["g-2"]


async def test_an_activity_line_written_twice_is_kept_once_and_seen_from_both_sides(db: Database) -> None:
    await ensure_indexes(db, INDEXES)
    log = MongoActivityLog(db)
    line = Activity("g-1", "owner", "helper", "Anna", "Bram", Happening.OPENED, NOW, "m-1")
    await asyncio.gather(log.record(line), log.record(line))
    assert await log.of("owner") == [line] and await log.of("helper") == [line]
    assert await log.of("someone-else") == []
