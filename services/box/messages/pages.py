"""The citizen's messages as pages: the folders, one message, its attachments, moving and
emptying, Te doen with its iCalendar events, and the logboek."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.box.identity.limits import DOWNLOADS_PER_CITIZEN
from services.box.identity.visits import Box, Current
from services.box.messages.calendar import calendar_event
from services.box.messages.downloads import download, own_navigation
from services.box.messages.logbook import logboek_csv, logboek_json
from services.box.messages.records import Folder
from services.box.messages.rules import Move
from services.box.messages.use_cases import MoveNotAllowed
from services.box.web.rendering import page
from services.box.web.security import check_csrf

router = APIRouter(include_in_schema=False)
FOLDERS = {"inbox": Folder.INBOX, "archief": Folder.ARCHIVE, "prullenbak": Folder.TRASH}
FOLDER_NAMES = {Folder.INBOX: "Postvak IN", Folder.ARCHIVE: "Archief", Folder.TRASH: "Prullenbak"}
SLUGS = {v: k for k, v in FOLDERS.items()}
MOVES = {
    Folder.INBOX: [(Move.ARCHIVE, "Archiveren"), (Move.TRASH, "Naar prullenbak")],
    Folder.ARCHIVE: [(Move.RESTORE, "Terug naar Postvak IN"), (Move.TRASH, "Naar prullenbak")],
    Folder.TRASH: [(Move.RESTORE, "Terugzetten")],
}


@router.get("/")
async def home() -> Response:
    return RedirectResponse("/berichten", status_code=303)


@router.get("/berichten", response_class=HTMLResponse)
async def folder(
    request: Request,
    box: Box,
    current: Current,
    map: str = "inbox",
    afzender: str = "",
    zoek: str = "",
    pagina: int = 1,
) -> HTMLResponse:
    chosen = FOLDERS.get(map, Folder.INBOX)
    number = max(1, min(pagina, 1000))
    found = await box.box.page(current.citizen.account_id, chosen, number, box.settings.page_size, afzender, zoek[:100])

    def page_url(n: int) -> str:
        return "/berichten?" + urlencode({"map": SLUGS[chosen], "afzender": afzender, "zoek": zoek, "pagina": n})

    current_link = "/berichten" if chosen is Folder.INBOX else f"/berichten?map={SLUGS[chosen]}"
    return page(
        request, "inbox.html", FOLDER_NAMES[chosen], current, page=found, folder_slug=SLUGS[chosen],
        agencies=await box.agencies.names(), agency_filter=afzender, search=zoek, page_url=page_url,
        current=current_link,
    )  # fmt: skip


@router.get("/berichten/{message_id}", response_class=HTMLResponse)
async def message(request: Request, box: Box, current: Current, message_id: str) -> HTMLResponse:
    found = await box.citizen_box.read(current.citizen.account_id, message_id, own_navigation(request))
    if found is None:
        raise HTTPException(404)
    entry, content = found
    names = await box.agencies.names()
    paragraphs = [p for p in content.body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    back = "/berichten" if entry.folder is Folder.INBOX else f"/berichten?map={SLUGS[entry.folder]}"
    return page(
        request, "message.html", content.subject, current, entry=entry, content=content, paragraphs=paragraphs,
        agency_name=names.get(entry.agency_id, entry.agency_id), back=back, folder_name=FOLDER_NAMES[entry.folder],
        moves=MOVES[entry.folder],
    )  # fmt: skip


@router.get("/berichten/{message_id}/bijlagen/{number}")
async def attachment(request: Request, box: Box, current: Current, message_id: str, number: int) -> Response:
    found = await box.citizen_box.read(current.citizen.account_id, message_id, own_navigation(request))
    if found is None or not 1 <= number <= len(found[1].attachments):
        raise HTTPException(404)
    return download(found[1].attachments[number - 1])


@router.post("/berichten/{message_id}/verplaatsen")
async def move(
    box: Box, current: Current, message_id: str, actie: Annotated[str, Form()], csrf: Annotated[str, Form()] = ""
) -> Response:
    check_csrf(current.session.csrf_token, csrf)
    try:
        folder_now = await box.citizen_box.move(current.citizen.account_id, message_id, Move(actie))
    except (ValueError, MoveNotAllowed) as error:
        raise HTTPException(409, "Dat kan niet met dit bericht.") from error
    if folder_now is None:
        raise HTTPException(404)
    return RedirectResponse("/berichten" if folder_now is not Folder.INBOX else f"/berichten/{message_id}", 303)


@router.post("/prullenbak/legen")
async def empty_trash(box: Box, current: Current, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(current.session.csrf_token, csrf)
    await box.citizen_box.empty_trash(current.citizen.account_id)
    return RedirectResponse("/berichten?map=prullenbak", status_code=303)


@router.get("/te-doen", response_class=HTMLResponse)
async def to_do(request: Request, box: Box, current: Current) -> HTMLResponse:
    entries = await box.box.to_do(current.citizen.account_id)
    return page(request, "todo.html", "Te doen", current, entries=entries, agencies=await box.agencies.names())


@router.get("/te-doen/{message_id}.ics")
async def to_do_event(box: Box, current: Current, message_id: str) -> Response:
    entry = await box.box.get(current.citizen.account_id, message_id)
    if entry is None or entry.deadline is None:
        raise HTTPException(404)
    names = await box.agencies.names()
    body = calendar_event(entry, names.get(entry.agency_id, entry.agency_id), box.settings.public_base_url)
    headers = {"Content-Disposition": f'attachment; filename="bericht-{message_id}.ics"'}
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


@router.get("/logboek", response_class=HTMLResponse)
async def logboek(request: Request, box: Box, current: Current) -> HTMLResponse:
    lines = await box.citizen_box.logboek(current.citizen.account_id)
    return page(request, "logboek.html", "Logboek", current, lines=lines, agencies=await box.agencies.names())


@router.get("/logboek.{kind}")
async def logboek_download(box: Box, current: Current, kind: str) -> Response:
    if kind not in ("csv", "json"):
        raise HTTPException(404)
    await box.limits.take(DOWNLOADS_PER_CITIZEN, current.citizen.account_id, box.clock())
    lines = await box.citizen_box.logboek(current.citizen.account_id)
    names = await box.agencies.names()
    body, media = (
        (logboek_csv(lines, names), "text/csv") if kind == "csv" else (logboek_json(lines, names), "application/json")
    )
    headers = {"Content-Disposition": f'attachment; filename="logboek.{kind}"'}
    return Response(body, media_type=f"{media}; charset=utf-8", headers=headers)
