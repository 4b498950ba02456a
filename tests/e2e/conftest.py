"""Fixtures of the box's end-to-end, browser and API tests: the agencies and test citizens
in a fresh database, and the five services with an identity provider and an SMTP sink."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from services.router.repository import MongoAccountStore
from shared.storage.mongo import Database, Document
from tests.conftest import Sandbox
from tests.e2e.box_world import CITIZENS, BoxWorld, box_world
from tests.e2e.delegation_world import PEOPLE
from tests.e2e.sweep_clock import new_clock
from tests.support.wire import AgencyAccess, register_agencies, remove_agency_users


async def agencies_with(
    sandbox: Sandbox, db: Database, accounts: list[Document]
) -> AsyncIterator[dict[str, AgencyAccess]]:
    access = await register_agencies(sandbox, db)
    await MongoAccountStore(db).insert_many(accounts)
    yield access
    remove_agency_users(sandbox, access)


@pytest.fixture
async def box_agencies(sandbox: Sandbox, db: Database) -> AsyncIterator[dict[str, AgencyAccess]]:
    async for access in agencies_with(sandbox, db, CITIZENS):
        yield access


@pytest.fixture
def world(sandbox: Sandbox, box_agencies: dict[str, AgencyAccess], tmp_path: Path) -> Iterator[BoxWorld]:
    with box_world(sandbox, tmp_path / "logs") as started:
        yield started


@pytest.fixture
async def delegation_agencies(sandbox: Sandbox, db: Database) -> AsyncIterator[dict[str, AgencyAccess]]:
    async for access in agencies_with(sandbox, db, PEOPLE):
        yield access


@pytest.fixture
def delegation_world(
    sandbox: Sandbox, delegation_agencies: dict[str, AgencyAccess], tmp_path: Path
) -> Iterator[BoxWorld]:
    with box_world(sandbox, tmp_path / "logs", citizens=PEOPLE) as started:
        yield started


@pytest.fixture
def clock_file(tmp_path: Path) -> Path:
    """The sweeps' clock (sweep_clock.py), at now until the test moves it."""
    return new_clock(tmp_path)
