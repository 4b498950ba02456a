"""The account in the JSON API for the Berichtenbox app: preferences and devices, as the
pages offer them."""

from typing import Literal

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field

from services.box.account.pages import device_label
from services.box.account.rules import choices, paper_now, preferences_from
from services.box.account.use_cases import TooManyDevices, device_id
from services.box.identity.visits import Box, Citizen_
from shared.contracts.push import MAX_DEVICES, InvalidSubscription

router = APIRouter(prefix="/api/v1", tags=["berichtenbox"])


class AgencyPreference(BaseModel):
    agency_id: str
    name: str
    digital: bool
    locked_reason: str | None
    paper_copy: bool
    paper_copy_allowed: bool


class Preferences(BaseModel):
    agencies: list[AgencyPreference]
    reminder: bool
    deadline_reminders: bool
    safety_net_days: int | None


class PreferencesChange(BaseModel):
    digital: list[str] = Field(description="agency ids with digital post on; mandatory senders stay on anyway")
    paper_copy: list[str] = []
    reminder: bool = Field(default=False, description="a reminder when a message is unopened after three weeks")
    deadline_reminders: bool = Field(default=True, description="a reminder a week before a call to action's deadline")
    safety_net_days: Literal[14, 21, 28] | None = Field(
        default=None, description="print and send what is still unopened after this many days (None: off)"
    )


class Device(BaseModel):
    id: str
    label: str


class SubscriptionKeys(BaseModel):
    p256dh: str = Field(
        pattern=r"^[A-Za-z0-9_-]{86,88}={0,2}$", description="base64url of the 65-byte P-256 public key"
    )
    auth: str = Field(pattern=r"^[A-Za-z0-9_-]{22,24}={0,2}$", description="base64url of the 16-byte secret")


class Subscription(BaseModel):
    """A browser's PushSubscription as JSON (`subscription.toJSON()`)."""

    endpoint: str = Field(
        max_length=2000,
        # printable ASCII, not \S: U+0085 is a space to pydantic, not to JSON Schema
        pattern=r"^(https://|http://127\.0\.0\.1[:/])[!-~]+$",
        description="the push service's URL, at a push service the operator allows (BERICHTENBOX_PUSH_SERVICES)",
    )
    keys: SubscriptionKeys


class Accepted(BaseModel):
    detail: str


@router.get("/preferences", summary="Digital post, paper copies and the reminder")
async def get_preferences(box: Box, citizen: Citizen_) -> Preferences:
    rows = [AgencyPreference(**vars(row)) for row in choices(citizen, await box.agencies.all())]
    return Preferences(
        agencies=rows, reminder=citizen.reminder_opt_in, deadline_reminders=citizen.deadline_reminders,
        safety_net_days=citizen.safety_net_days,
    )  # fmt: skip


@router.put("/preferences", status_code=202, summary="Change preferences; they apply to messages routed after")
async def put_preferences(box: Box, citizen: Citizen_, change: PreferencesChange) -> Accepted:
    agencies = await box.agencies.all()
    chosen = preferences_from(
        set(change.digital), set(change.paper_copy), change.reminder, agencies, change.deadline_reminders,
        change.safety_net_days,
    )  # fmt: skip
    await box.account.set_preferences(citizen.bsn, chosen)
    if chosen.safety_net_days != citizen.safety_net_days:
        await box.citizen_box.safety_net_chosen(citizen.account_id, chosen.safety_net_days)
    printed = await box.citizen_box.catch_up(citizen.account_id, paper_now(citizen, chosen))
    on_paper = f" {printed} unopened messages of agencies now on paper are printed and sent." if printed else ""
    return Accepted(detail="The change applies to messages routed after it (in moments)." + on_paper)


@router.get("/devices", summary="Devices registered for push notifications")
async def list_devices(citizen: Citizen_) -> list[Device]:
    return [Device(id=device_id(s), label=device_label(s)) for s in citizen.push_subscriptions]


@router.post("/devices", status_code=201, summary="Register a Web Push subscription", responses={409: {}, 422: {}})
async def add_device(box: Box, citizen: Citizen_, subscription: Subscription) -> Device:
    try:
        added = await box.account.add_device(citizen, subscription.model_dump())
    except InvalidSubscription as error:
        raise HTTPException(422, f"Not a usable Web Push subscription ({error}).") from error
    except TooManyDevices as error:
        raise HTTPException(409, f"At most {MAX_DEVICES} devices; remove one first.") from error
    return Device(id=device_id(added), label=device_label(added))


@router.delete("/devices/{device}", status_code=204, summary="Remove a device", responses={404: {}})
async def remove_device(box: Box, citizen: Citizen_, device: str) -> Response:
    if not await box.account.remove_device(citizen, device):
        raise HTTPException(404, "No such device.")
    return Response(status_code=204)
