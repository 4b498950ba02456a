"""The JSON API for the Berichtenbox app, under /api/v1: the same functions as the pages, for
a bearer access token from the same issuer. Errors are application/problem+json (RFC 9457);
another citizen's message is 404, as one that does not exist."""

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from services.box.account import TooManyDevices, device_id
from services.box.account_pages import device_label
from services.box.downloads import download
from services.box.reading import MoveNotAllowed
from services.box.records import Citizen, Entry, Folder
from services.box.rules import Move, choices, preferences_from
from services.box.visits import Box
from shared.contracts.push import MAX_DEVICES, InvalidSubscription

bearer = HTTPBearer(auto_error=False, description="an access token of the Berichtenbox issuer")
router = APIRouter(prefix="/api/v1", tags=["berichtenbox"])


async def app_citizen(
    request: Request, box: Box, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> Citizen:
    """The token was checked before the request was read (`gate.Gate`); `credentials` only
    names the scheme in the OpenAPI document."""
    citizen = await box.citizens.by_bsn(request.state.bsn)
    if citizen is None or citizen.state == "none":
        raise HTTPException(404, "There is no Berichtenbox for this citizen.")
    return citizen


Citizen_ = Annotated[Citizen, Depends(app_citizen)]


class MessageSummary(BaseModel):
    id: str
    sender: str
    subject: str
    received_at: datetime
    folder: Folder
    opened_at: datetime | None
    call_to_action: str | None
    deadline: date | None
    paper_copy: bool


class MessageList(BaseModel):
    items: list[MessageSummary]
    page: int
    more: bool


class AttachmentInfo(BaseModel):
    filename: str
    content_type: str
    size: int


class MessageDetail(MessageSummary):
    body: str
    reference: str
    attachments: list[AttachmentInfo]


class MoveRequest(BaseModel):
    to: Literal["archive", "trash", "restore"]


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


class PreferencesChange(BaseModel):
    digital: list[str] = Field(description="agency ids with digital post on; mandatory senders stay on anyway")
    paper_copy: list[str] = []
    reminder: bool = False


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


class Emptied(BaseModel):
    deleted: int


def _summary(entry: Entry, names: dict[str, str]) -> MessageSummary:
    return MessageSummary(
        id=entry.message_id,
        sender=names.get(entry.agency_id, entry.agency_id),
        subject=entry.subject,
        received_at=entry.delivered_at,
        folder=entry.folder,
        opened_at=entry.opened_at,
        call_to_action=entry.action_text,
        deadline=entry.deadline,
        paper_copy=entry.paper_copy,
    )


@router.get("/messages", summary="List messages in a folder, newest first")
async def list_messages(
    box: Box, citizen: Citizen_, folder: Folder = Folder.INBOX, page: Annotated[int, Field(ge=1, le=1000)] = 1
) -> MessageList:
    found = await box.box.page(citizen.account_id, folder, page, box.settings.page_size)
    names = await box.agencies.names()
    return MessageList(items=[_summary(e, names) for e in found.entries], page=found.page, more=found.more)


@router.get("/messages/{message_id}", summary="Read (and so open) a message", responses={404: {}})
async def read_message(box: Box, citizen: Citizen_, message_id: str) -> MessageDetail:
    found = await box.citizen_box.read(citizen.account_id, message_id)
    if found is None:
        raise HTTPException(404, "No such message.")
    entry, content = found
    summary = _summary(entry, await box.agencies.names())
    attachments = [
        AttachmentInfo(filename=a.filename, content_type=a.content_type, size=len(a.content))
        for a in content.attachments
    ]
    return MessageDetail(
        **summary.model_dump(), body=content.body, reference=content.reference, attachments=attachments
    )


@router.get(
    "/messages/{message_id}/attachments/{number}",
    summary="Download an attachment (and so open the message)",
    responses={200: {"content": {"application/pdf": {}}}, 404: {}},
    response_class=Response,
)
async def download_attachment(box: Box, citizen: Citizen_, message_id: str, number: int) -> Response:
    found = await box.citizen_box.read(citizen.account_id, message_id)
    if found is None or not 1 <= number <= len(found[1].attachments):
        raise HTTPException(404, "No such attachment.")
    return download(found[1].attachments[number - 1])


@router.post("/messages/{message_id}/move", summary="Archive, trash or restore a message", responses={404: {}, 409: {}})
async def move_message(box: Box, citizen: Citizen_, message_id: str, move: MoveRequest) -> MessageSummary:
    try:
        folder = await box.citizen_box.move(citizen.account_id, message_id, Move(move.to))
    except MoveNotAllowed as error:
        raise HTTPException(409, f"Cannot {move.to} this message from where it is.") from error
    entry = None if folder is None else await box.box.get(citizen.account_id, message_id)
    if entry is None:
        raise HTTPException(404, "No such message.")
    return _summary(entry, await box.agencies.names())


@router.delete("/trash", summary="Empty the trash: its messages leave the box for good")
async def empty_trash(box: Box, citizen: Citizen_) -> Emptied:
    return Emptied(deleted=await box.citizen_box.empty_trash(citizen.account_id))


@router.get("/preferences", summary="Digital post, paper copies and the reminder")
async def get_preferences(box: Box, citizen: Citizen_) -> Preferences:
    rows = [AgencyPreference(**vars(row)) for row in choices(citizen, await box.agencies.all())]
    return Preferences(agencies=rows, reminder=citizen.reminder_opt_in)


@router.put("/preferences", status_code=202, summary="Change preferences; they apply to messages routed after")
async def put_preferences(box: Box, citizen: Citizen_, change: PreferencesChange) -> Accepted:
    chosen = preferences_from(set(change.digital), set(change.paper_copy), change.reminder, await box.agencies.all())
    await box.account.set_preferences(citizen.bsn, chosen)
    return Accepted(detail="The change applies to messages routed after it (in moments).")


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
