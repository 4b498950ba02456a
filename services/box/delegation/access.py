"""Whose box a request is about. Pages under `/hulp/{grant_id}/...` and API calls under
`/api/v1/boxes/{box_id}/...` open another citizen's box through a machtiging, checked again
on every request: a grant ended a moment ago opens nothing. Everything outside a grant's
scope answers 404, exactly as what does not exist."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Path, Request

from services.box.account.records import Citizen
from services.box.delegation.records import Grant
from services.box.delegation.rules import Act
from services.box.identity.visits import Box, Citizen_, Current

OWN_BOX = "mine"
"""The API's name for the token's own box."""


@dataclass(frozen=True)
class Viewed:
    """The box on screen: one's own (no grant), or the one a grant opens."""

    account_id: str
    grant: Grant | None = None

    @property
    def senders(self) -> frozenset[str] | None:
        return None if self.grant is None else self.grant.senders

    @property
    def base(self) -> str:
        """Where this box's pages live."""
        return "" if self.grant is None else f"/hulp/{self.grant.grant_id}"

    @property
    def opener(self) -> str | None:
        """Who opens a message here, for the owner's logboek: None for the owner."""
        return None if self.grant is None else self.grant.helper_name or "een helper"

    def allows(self, act: Act, agency_id: str | None = None) -> bool:
        return self.grant is None or self.grant.access.allows(act, agency_id)


async def _through(box: Box, citizen: Citizen, grant_id: str) -> Viewed:
    grant = await box.delegations.helping(citizen.account_id, grant_id)
    if grant is None:
        raise HTTPException(404)
    return Viewed(grant.owner_id, grant)


async def on_screen(request: Request, box: Box, current: Current) -> Viewed:
    grant_id = request.path_params.get("grant_id")
    if grant_id is None:
        return Viewed(current.citizen.account_id)
    return await _through(box, current.citizen, grant_id)


async def in_call(request: Request, box: Box, citizen: Citizen_) -> Viewed:
    box_id = request.path_params.get("box_id", OWN_BOX)
    if box_id == OWN_BOX:
        return Viewed(citizen.account_id)
    return await _through(box, citizen, box_id)


async def box_id_parameter(
    box_id: Annotated[str, Path(description=f'"{OWN_BOX}", or the id of a machtiging to another citizen\'s box')],
) -> None:
    """Only names the path parameter in the OpenAPI document; `in_call` reads it."""


OnScreen = Annotated[Viewed, Depends(on_screen)]
InCall = Annotated[Viewed, Depends(in_call)]
