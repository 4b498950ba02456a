"""The messages of a box as pages: the folders, one message, its attachments, moving, Te doen
with its iCalendar events (`router`, served for the citizen's own box and again under
`/hulp/{grant_id}` for a box they help with), and what only the owner does: emptying the
trash, the logboek (`own_router`)."""

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.box.delegation.access import OnScreen, Viewed
from services.box.delegation.records import Happening
from services.box.delegation.rules import Act
from services.box.delegation.wording import activity_text
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
own_router = APIRouter(include_in_schema=False)
FOLDERS = {"inbox": Folder.INBOX, "archief": Folder.ARCHIVE, "prullenbak": Folder.TRASH}
FOLDER_NAMES = {Folder.INBOX: "Postvak IN", Folder.ARCHIVE: "Archief", Folder.TRASH: "Prullenbak"}
SLUGS = {v: k for k, v in FOLDERS.items()}
MOVES = {
    Folder.INBOX: [(Move.ARCHIVE, "Archiveren"), (Move.TRASH, "Naar prullenbak")],
    Folder.ARCHIVE: [(Move.RESTORE, "Terug naar Postvak IN"), (Move.TRASH, "Naar prullenbak")],
    Folder.TRASH: [(Move.RESTORE, "Terugzetten")],
}


@own_router.get("/")
async def home() -> Response:
    return RedirectResponse("/berichten", status_code=303)


@router.get("/berichten", response_class=HTMLResponse)
async def folder(
    request: Request,
    box: Box,
    current: Current,
    viewed: OnScreen,
    map: str = "inbox",
    afzender: str = "",
    zoek: str = "",
    pagina: int = 1,
) -> HTMLResponse:
    chosen = FOLDERS.get(map, Folder.INBOX)
    number = max(1, min(pagina, 1000))
    found = await box.box.page(
        viewed.account_id, chosen, number, box.settings.page_size, afzender, zoek[:100], viewed.senders
    )

    def page_url(n: int) -> str:
        query = urlencode({"map": SLUGS[chosen], "afzender": afzender, "zoek": zoek, "pagina": n})
        return f"{viewed.base}/berichten?{query}"

    current_link = f"{viewed.base}/berichten" + ("" if chosen is Folder.INBOX else f"?map={SLUGS[chosen]}")
    return page(
        request, "inbox.html", FOLDER_NAMES[chosen], current, page=found, folder_slug=SLUGS[chosen],
        agencies=in_scope(await box.agencies.names(), viewed), agency_filter=afzender, search=zoek,
        page_url=page_url, current=current_link, viewed=viewed,
    )  # fmt: skip


def in_scope(names: dict[str, str], viewed: Viewed) -> dict[str, str]:
    return names if viewed.senders is None else {k: v for k, v in names.items() if k in viewed.senders}


@router.get("/berichten/{message_id}", response_class=HTMLResponse)
async def message(request: Request, box: Box, current: Current, viewed: OnScreen, message_id: str) -> HTMLResponse:
    opening = own_navigation(request)
    found = await box.citizen_box.read(viewed.account_id, message_id, opening, viewed.senders, viewed.opener)
    if found is None:
        raise HTTPException(404)
    entry, content = found
    if opening and viewed.grant:
        await box.delegations.acted(viewed.grant, Happening.OPENED, message_id)
    names = await box.agencies.names()
    paragraphs = [p for p in content.body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    back = f"{viewed.base}/berichten" + ("" if entry.folder is Folder.INBOX else f"?map={SLUGS[entry.folder]}")
    return page(
        request, "message.html", content.subject, current, entry=entry, content=content, paragraphs=paragraphs,
        agency_name=names.get(entry.agency_id, entry.agency_id), back=back, folder_name=FOLDER_NAMES[entry.folder],
        moves=MOVES[entry.folder] if viewed.allows(Act.MOVE) else [], viewed=viewed,
    )  # fmt: skip


@router.get("/berichten/{message_id}/bijlagen/{number}")
async def attachment(request: Request, box: Box, viewed: OnScreen, message_id: str, number: int) -> Response:
    opening = own_navigation(request)
    found = await box.citizen_box.read(viewed.account_id, message_id, opening, viewed.senders, viewed.opener)
    if found is None or not 1 <= number <= len(found[1].attachments):
        raise HTTPException(404)
    chosen = found[1].attachments[number - 1]
    if viewed.grant:
        await box.delegations.acted(viewed.grant, Happening.DOWNLOADED, message_id, chosen.filename)
    return download(chosen)


@router.post("/berichten/{message_id}/verplaatsen")
async def move(
    box: Box, current: Current, viewed: OnScreen, message_id: str, actie: Annotated[str, Form()],
    csrf: Annotated[str, Form()] = "",
) -> Response:  # fmt: skip
    check_csrf(current.session.csrf_token, csrf)
    if not viewed.allows(Act.MOVE):
        raise HTTPException(404)
    try:
        folder_now = await box.citizen_box.move(viewed.account_id, message_id, Move(actie), viewed.senders)
    except (ValueError, MoveNotAllowed) as error:
        raise HTTPException(409, "Dat kan niet met dit bericht.") from error
    if folder_now is None:
        raise HTTPException(404)
    if viewed.grant:
        await box.delegations.acted(viewed.grant, Happening.MOVED, message_id, folder_now.value)
    back = f"{viewed.base}/berichten" + ("" if folder_now is not Folder.INBOX else f"/{message_id}")
    return RedirectResponse(back, 303)


@own_router.post("/prullenbak/legen")
async def empty_trash(box: Box, current: Current, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(current.session.csrf_token, csrf)
    await box.citizen_box.empty_trash(current.citizen.account_id)
    return RedirectResponse("/berichten?map=prullenbak", status_code=303)


@router.get("/te-doen", response_class=HTMLResponse)
async def to_do(request: Request, box: Box, current: Current, viewed: OnScreen) -> HTMLResponse:
    entries = await box.box.to_do(viewed.account_id, viewed.senders)
    names = await box.agencies.names()
    return page(request, "todo.html", "Te doen", current, entries=entries, agencies=names, viewed=viewed)


@router.get("/te-doen/{message_id}.ics")
async def to_do_event(box: Box, viewed: OnScreen, message_id: str) -> Response:
    entry = await box.citizen_box.entry(viewed.account_id, message_id, viewed.senders)
    if entry is None or entry.deadline is None:
        raise HTTPException(404)
    names = await box.agencies.names()
    body = calendar_event(entry, names.get(entry.agency_id, entry.agency_id), box.settings.public_base_url)
    headers = {"Content-Disposition": f'attachment; filename="bericht-{message_id}.ics"'}
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


@own_router.get("/logboek", response_class=HTMLResponse)
async def logboek(request: Request, box: Box, current: Current) -> HTMLResponse:
    me = current.citizen.account_id
    lines, activity = await box.citizen_box.logboek(me), await box.delegations.history(me)
    return page(
        request, "logboek.html", "Logboek", current, lines=lines, agencies=await box.agencies.names(),
        activity=[(a.at, activity_text(a, me)) for a in activity],
    )  # fmt: skip


@own_router.get("/logboek.{kind}")
async def logboek_download(box: Box, current: Current, kind: str) -> Response:
    if kind not in ("csv", "json"):
        raise HTTPException(404)
    await box.limits.take(DOWNLOADS_PER_CITIZEN, current.citizen.account_id, box.clock())
    me = current.citizen.account_id
    lines, names = await box.citizen_box.logboek(me), await box.agencies.names()
    activity = [(a.at, activity_text(a, me)) for a in await box.delegations.history(me)]
    body, media = (
        (logboek_csv(lines, names, activity), "text/csv")
        if kind == "csv"
        else (logboek_json(lines, names, activity), "application/json")
    )
    headers = {"Content-Disposition": f'attachment; filename="logboek.{kind}"'}
    return Response(body, media_type=f"{media}; charset=utf-8", headers=headers)
