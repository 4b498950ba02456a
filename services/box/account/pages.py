"""The citizen's settings as pages: preferences per agency, the e-mail address and its
confirmation, and the devices that get push notifications."""

import json
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.box.account.addresses import InvalidAddress, checked_address
from services.box.account.rules import choices, paper_now, preferences_from
from services.box.account.use_cases import TooManyDevices, device_id
from services.box.identity.visits import Box, Current
from services.box.web.rendering import page
from services.box.web.security import check_csrf
from shared.contracts.push import MAX_DEVICES, InvalidSubscription

router = APIRouter(include_in_schema=False)
Csrf = Annotated[str, Form()]


@router.get("/voorkeuren", response_class=HTMLResponse)
async def preferences(
    request: Request, box: Box, current: Current, opgeslagen: bool = False, papier: int = 0
) -> HTMLResponse:
    rows = choices(current.citizen, await box.agencies.all())
    notice = "Uw voorkeuren zijn opgeslagen. Ze gelden voor berichten die hierna binnenkomen." if opgeslagen else None
    if notice and papier > 0:
        notice += f" {papier} bericht(en) die u nog niet had geopend, sturen wij u op papier."
    return page(request, "preferences.html", "Voorkeuren", current, choices=rows, notice=notice)


@router.post("/voorkeuren")
async def save_preferences(
    box: Box,
    current: Current,
    csrf: Csrf = "",
    digitaal: Annotated[list[str] | None, Form()] = None,
    papier: Annotated[list[str] | None, Form()] = None,
    herinnering: Annotated[str, Form()] = "",
    uiterste_datum: Annotated[str, Form()] = "",
    vangnet: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(current.session.csrf_token, csrf)
    agencies = await box.agencies.all()
    net = int(vangnet) if vangnet.isdigit() else None
    chosen = preferences_from(
        set(digitaal or []), set(papier or []), herinnering == "aan", agencies, uiterste_datum == "aan", net
    )
    await box.account.set_preferences(current.citizen.bsn, chosen)
    if chosen.safety_net_days != current.citizen.safety_net_days:
        await box.citizen_box.safety_net_chosen(current.citizen.account_id, chosen.safety_net_days)
    printed = await box.citizen_box.catch_up(current.citizen.account_id, paper_now(current.citizen, chosen))
    return RedirectResponse(f"/voorkeuren?opgeslagen=true&papier={printed}", status_code=303)


@router.get("/e-mailadres", response_class=HTMLResponse)
async def email(request: Request, current: Current, verstuurd: bool = False, bevestigd: bool = False) -> HTMLResponse:
    notice = None
    if verstuurd:
        notice = "We hebben een e-mail met een bevestigingscode gestuurd. Het adres wordt pas gebruikt na bevestiging."
    if bevestigd:
        notice = "Uw e-mailadres is bevestigd."
    return page(request, "email.html", "E-mailadres", current, notice=notice)


@router.post("/e-mailadres", response_model=None)
async def offer_email(
    request: Request, box: Box, current: Current, email: Annotated[str, Form()], csrf: Csrf = ""
) -> Response:
    check_csrf(current.session.csrf_token, csrf)
    try:
        address = checked_address(email)
    except InvalidAddress:
        error = "Vul één geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl."
        return page(request, "email.html", "E-mailadres", current, status_code=422, error=error)
    link = box.settings.public_base_url.rstrip("/") + "/e-mailadres/bevestigen"
    await box.account.offer_email(current.citizen, address, link)
    return RedirectResponse("/e-mailadres?verstuurd=true", status_code=303)


@router.get("/e-mailadres/bevestigen", response_class=HTMLResponse)
async def confirmation_form(request: Request, current: Current, code: str = "") -> HTMLResponse:
    """The link in the e-mail lands here: a GET changes nothing, the form confirms."""
    return page(request, "email.html", "E-mailadres bevestigen", current, code=code[:20], current="/e-mailadres")


@router.post("/e-mailadres/bevestigen", response_model=None)
async def confirm(
    request: Request, box: Box, current: Current, code: Annotated[str, Form()], csrf: Csrf = ""
) -> Response:
    check_csrf(current.session.csrf_token, csrf)
    if await box.account.confirm_email(current.citizen.bsn, code[:20]) is None:
        error = "Deze code klopt niet of is verlopen. Vraag een nieuwe aan."
        return page(request, "email.html", "E-mailadres", current, status_code=422, code_error=error, code=code[:20])
    return RedirectResponse("/e-mailadres?bevestigd=true", status_code=303)


@router.post("/e-mailadres/verwijderen")
async def remove_email(box: Box, current: Current, csrf: Csrf = "") -> Response:
    check_csrf(current.session.csrf_token, csrf)
    await box.account.remove_email(current.citizen.bsn)
    return RedirectResponse("/e-mailadres", status_code=303)


def device_label(subscription: dict[str, object]) -> str:
    host = urlsplit(str(subscription.get("endpoint", ""))).hostname or "onbekend"
    return f"Apparaat via {host}"


@router.get("/apparaten", response_class=HTMLResponse)
async def devices(request: Request, box: Box, current: Current) -> HTMLResponse:
    listed = [(device_id(s), device_label(s)) for s in current.citizen.push_subscriptions]
    return page(request, "devices.html", "Apparaten", current, devices=listed, vapid_key=box.settings.vapid_public_key)


@router.post("/apparaten")
async def add_device(box: Box, current: Current, subscription: Annotated[str, Form()], csrf: Csrf = "") -> Response:
    """From the page's script: the PushManager subscription as JSON."""
    check_csrf(current.session.csrf_token, csrf)
    try:
        await box.account.add_device(current.citizen, json.loads(subscription))
    except (ValueError, InvalidSubscription) as error:
        raise HTTPException(422, "Dit is geen geldige pushregistratie.") from error
    except TooManyDevices as error:
        raise HTTPException(409, f"U hebt al {MAX_DEVICES} apparaten; verwijder er eerst een.") from error
    return RedirectResponse("/apparaten", status_code=303)


@router.post("/apparaten/{device}/verwijderen")
async def remove_device(box: Box, current: Current, device: str, csrf: Csrf = "") -> Response:
    check_csrf(current.session.csrf_token, csrf)
    if not await box.account.remove_device(current.citizen, device):
        raise HTTPException(404)
    return RedirectResponse("/apparaten", status_code=303)
