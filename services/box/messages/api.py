"""The messages in the JSON API for the Berichtenbox app, under /api/v1: the same functions as
the pages, for a bearer access token from the same issuer. Errors are application/problem+json
(RFC 9457); another citizen's message is 404, as one that does not exist."""

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, Field

from services.box.delegation.access import InCall
from services.box.delegation.records import Happening
from services.box.delegation.rules import Act
from services.box.identity.visits import Box, Citizen_
from services.box.messages.downloads import download
from services.box.messages.records import Entry, Folder
from services.box.messages.rules import Move
from services.box.messages.use_cases import MoveNotAllowed

router = APIRouter(tags=["berichtenbox"])
"""Served under /api/v1 for the token's own box, and under /api/v1/boxes/{box_id} for any box."""
own_router = APIRouter(prefix="/api/v1", tags=["berichtenbox"])


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
    box: Box, viewed: InCall, folder: Folder = Folder.INBOX, page: Annotated[int, Field(ge=1, le=1000)] = 1
) -> MessageList:
    found = await box.box.page(viewed.account_id, folder, page, box.settings.page_size, senders=viewed.senders)
    names = await box.agencies.names()
    return MessageList(items=[_summary(e, names) for e in found.entries], page=found.page, more=found.more)


@router.get("/messages/{message_id}", summary="Read (and so open) a message", responses={404: {}})
async def read_message(box: Box, viewed: InCall, message_id: str) -> MessageDetail:
    found = await box.citizen_box.read(viewed.account_id, message_id, True, viewed.senders, viewed.opener)
    if found is None:
        raise HTTPException(404, "No such message.")
    entry, content = found
    if viewed.grant:
        await box.delegations.acted(viewed.grant, Happening.OPENED, message_id)
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
async def download_attachment(box: Box, viewed: InCall, message_id: str, number: int) -> Response:
    found = await box.citizen_box.read(viewed.account_id, message_id, True, viewed.senders, viewed.opener)
    if found is None or not 1 <= number <= len(found[1].attachments):
        raise HTTPException(404, "No such attachment.")
    chosen = found[1].attachments[number - 1]
    if viewed.grant:
        await box.delegations.acted(viewed.grant, Happening.DOWNLOADED, message_id, chosen.filename)
    return download(chosen)


@router.post("/messages/{message_id}/move", summary="Archive, trash or restore a message", responses={404: {}, 409: {}})
async def move_message(box: Box, viewed: InCall, message_id: str, move: MoveRequest) -> MessageSummary:
    if not viewed.allows(Act.MOVE):
        raise HTTPException(404, "No such message.")
    try:
        folder = await box.citizen_box.move(viewed.account_id, message_id, Move(move.to), viewed.senders)
    except MoveNotAllowed as error:
        raise HTTPException(409, f"Cannot {move.to} this message from where it is.") from error
    entry = None if folder is None else await box.box.get(viewed.account_id, message_id)
    if entry is None or folder is None:
        raise HTTPException(404, "No such message.")
    if viewed.grant:
        await box.delegations.acted(viewed.grant, Happening.MOVED, message_id, folder.value)
    return _summary(entry, await box.agencies.names())


@own_router.delete("/trash", summary="Empty the trash: its messages leave the box for good")
async def empty_trash(box: Box, citizen: Citizen_) -> Emptied:
    return Emptied(deleted=await box.citizen_box.empty_trash(citizen.account_id))
