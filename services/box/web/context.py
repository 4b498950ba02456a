"""What the web handlers reach through `request.app.state.box`: the use cases and the stores
they read, built once by main.py."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from fastapi import Request

from services.box.account.repository import Citizens
from services.box.account.use_cases import AccountChanges
from services.box.delegation.representation import Representation
from services.box.delegation.use_cases import Delegations
from services.box.identity.access_tokens import AccessTokens
from services.box.identity.limits import RateLimits
from services.box.identity.oidc import OidcClient
from services.box.identity.sessions import Logins, Sessions
from services.box.messages.proof import ProofSigner
from services.box.messages.repository import Box
from services.box.messages.use_cases import CitizenBox
from services.box.settings import BoxSettings
from shared.contracts.agencies import Agency
from shared.storage.agencies import MongoAgencyRegistry


@dataclass(frozen=True)
class BoxContext:
    settings: BoxSettings
    box: Box
    citizen_box: CitizenBox
    citizens: Citizens
    account: AccountChanges
    sessions: Sessions
    logins: Logins
    oidc: OidcClient
    tokens: AccessTokens
    limits: RateLimits
    delegations: Delegations
    representation: Representation
    proofs: ProofSigner
    agencies: "AgencyList"
    clock: Callable[[], datetime]


class AgencyList:
    """The active agencies, read again at most once a minute (they change by provisioning)."""

    def __init__(self, registry: MongoAgencyRegistry, clock: Callable[[], datetime]) -> None:
        self.registry, self.clock = registry, clock
        self._cached: tuple[datetime, list[Agency]] | None = None

    async def all(self) -> list[Agency]:
        now = self.clock()
        if self._cached is None or (now - self._cached[0]).total_seconds() > 60:
            self._cached = (now, [a for a in await self.registry.all() if a.active])
        return self._cached[1]

    async def names(self) -> dict[str, str]:
        return {a.agency_id: a.display_name for a in await self.all()}


async def context(request: Request) -> BoxContext:
    """A coroutine, as every dependency of the box: FastAPI calls a plain `def` one in its
    thread pool, a hop to a worker thread and back on each request."""
    found: BoxContext = request.app.state.box
    return found
