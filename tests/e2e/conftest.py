"""Fixtures of the box's end-to-end, browser and API tests: the agencies and test citizens
in a fresh database, and the five services with an identity provider and an SMTP sink."""

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from services.router.repository import MongoAccountStore
from shared.storage.mongo import Database
from tests.conftest import Sandbox
from tests.e2e.box_world import CITIZENS, BoxWorld, box_world
from tests.support.wire import AgencyAccess, register_agencies, remove_agency_users


@pytest.fixture
async def box_agencies(sandbox: Sandbox, db: Database) -> AsyncIterator[dict[str, AgencyAccess]]:
    access = await register_agencies(sandbox, db)
    await MongoAccountStore(db).insert_many(CITIZENS)
    yield access
    remove_agency_users(sandbox, access)


@pytest.fixture
def world(sandbox: Sandbox, box_agencies: dict[str, AgencyAccess], tmp_path: Path) -> Iterator[BoxWorld]:
    with box_world(sandbox, tmp_path / "logs") as started:
        yield started
