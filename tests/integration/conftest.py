from collections.abc import AsyncIterator

import pytest

from shared.storage.mongo import Database
from tests.conftest import Sandbox
from tests.support.wire import AgencyAccess, register_agencies, remove_agency_users


@pytest.fixture
async def agencies(sandbox: Sandbox, db: Database) -> AsyncIterator[dict[str, AgencyAccess]]:
    access = await register_agencies(sandbox, db)
    yield access
    remove_agency_users(sandbox, access)
