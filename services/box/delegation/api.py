"""Machtigingen in the JSON API for the Berichtenbox app: the boxes a token's citizen may
open. Each box's messages are then under /api/v1/boxes/{box_id}/..., the same routes as the
citizen's own (`mine`)."""

from datetime import date
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.box.delegation.access import OWN_BOX
from services.box.delegation.rules import OPEN_END
from services.box.identity.visits import Box, Citizen_

router = APIRouter(prefix="/api/v1", tags=["berichtenbox"])


class BoxSummary(BaseModel):
    id: str = Field(description=f"\"{OWN_BOX}\" for the citizen's own box, else the machtiging's id")
    owner_name: str
    role: Literal["owner", "helper", "representative"]
    scope: Literal["lezen", "lezen-en-ordenen"] | None = Field(description="None for the own box: everything")
    senders: list[str] | None = Field(description="agency ids in scope; None: all senders")
    last_day: date | None = Field(description="access holds through this day (Dutch time); None: no end")


@router.get("/boxes", summary="The boxes this citizen may open: their own, and those they help with")
async def list_boxes(box: Box, citizen: Citizen_) -> list[BoxSummary]:
    found = [BoxSummary(id=OWN_BOX, owner_name=citizen.name, role="owner", scope=None, senders=None, last_day=None)]
    for grant in await box.delegations.boxes(citizen.account_id):
        found.append(
            BoxSummary(
                id=grant.grant_id,
                owner_name=grant.owner_name,
                role="representative" if grant.kind == "representative" else "helper",
                scope=grant.scope.value,
                senders=None if grant.senders is None else sorted(grant.senders),
                last_day=None if grant.last_day == OPEN_END else grant.last_day,
            )
        )
    return found
