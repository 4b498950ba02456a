"""Machtigingen as pages: who helps the citizen and where the citizen helps, inviting a helper
(a code, shown once and mailed if asked), accepting with a code after seeing whose box it is,
ending, renewing, notices; and a representative's choice of digital post."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.box.account.addresses import InvalidAddress, checked_address
from services.box.delegation import codes
from services.box.delegation.access import OnScreen
from services.box.delegation.rules import Kind, Scope, mask_bsn, senders_from, today
from services.box.delegation.use_cases import Refused
from services.box.identity.limits import CODES_PER_CITIZEN, INVITATIONS_PER_CITIZEN
from services.box.identity.visits import Box, Current, Visit
from services.box.web.rendering import page
from services.box.web.security import check_csrf

router = APIRouter(include_in_schema=False)
Csrf = Annotated[str, Form()]
SCOPES = {Scope.READ: "Lezen", Scope.ORDER: "Lezen en ordenen (archiveren, naar de prullenbak, terugzetten)"}


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


async def _overview(
    request: Request, box: Box, current: Current, status_code: int = 200, **shown: object
) -> HTMLResponse:
    me = current.citizen.account_id
    grants, invitations = await box.delegations.of_owner(me)
    return page(
        request, "machtigingen.html", "Machtigingen", current, status_code, grants=grants, invitations=invitations,
        helping=await box.delegations.boxes(me), agencies=await box.agencies.names(), scopes=SCOPES,
        today=today(box.clock()), **shown,
    )  # fmt: skip


@router.get("/machtigingen", response_class=HTMLResponse)
async def overview(request: Request, box: Box, current: Current, klaar: str = "") -> HTMLResponse:
    notices = {"beeindigd": "De machtiging is beëindigd.", "verlengd": "De machtiging is verlengd.",
               "opgeslagen": "Uw keuze is opgeslagen."}  # fmt: skip
    return await _overview(request, box, current, notice=notices.get(klaar))


@router.post("/machtigingen/uitnodigen", response_class=HTMLResponse)
async def invite(
    request: Request, box: Box, current: Current, csrf: Csrf = "", bereik: Annotated[str, Form()] = "",
    afzenders: Annotated[str, Form()] = "alle", afzender: Annotated[list[str] | None, Form()] = None,
    einddatum: Annotated[str, Form()] = "", email: Annotated[str, Form()] = "",
) -> HTMLResponse:  # fmt: skip
    check_csrf(current.session.csrf_token, csrf)
    known = list(await box.agencies.names())
    senders = senders_from(afzender or [], afzenders == "alle", known)
    try:
        scope = Scope(bereik)
    except ValueError:
        return await _overview(request, box, current, 422, error="Kies wat de helper mag doen.")
    address = None
    try:
        address = checked_address(email) if email.strip() else None
    except InvalidAddress as error:
        return await _overview(request, box, current, 422, error=f"Het e-mailadres klopt niet: {error}")
    await box.limits.take(INVITATIONS_PER_CITIZEN, current.citizen.account_id, box.clock())
    try:
        code = await box.delegations.invite(current.citizen, scope, senders, _day(einddatum))
    except Refused as refusal:
        return await _overview(request, box, current, 422, error=str(refusal))
    if address:
        link = f"{box.settings.public_base_url}/machtigingen/code"
        await box.account.mail_invitation(current.citizen, address, codes.shown(code), link)
    return page(request, "uitnodiging.html", "Uitnodiging gemaakt", current, code=codes.shown(code), mailed=address,
                current="/machtigingen")  # fmt: skip


@router.post("/machtigingen/uitnodigingen/{handle}/intrekken")
async def withdraw(box: Box, current: Current, handle: str, csrf: Csrf = "") -> Response:
    check_csrf(current.session.csrf_token, csrf)
    if not await box.delegations.withdraw(current.citizen, handle):
        raise HTTPException(404)
    return RedirectResponse("/machtigingen?klaar=beeindigd", 303)


def _code_refused(request: Request, current: Visit, refusal: Refused) -> HTMLResponse:
    return page(request, "aannemen.html", "Code van een uitnodiging", current, 422, error=str(refusal),
                current="/machtigingen")  # fmt: skip


@router.get("/machtigingen/code", response_class=HTMLResponse)
async def code_form(request: Request, current: Current) -> HTMLResponse:
    return page(request, "aannemen.html", "Code van een uitnodiging", current, current="/machtigingen")


@router.post("/machtigingen/code", response_class=HTMLResponse)
async def code_entered(
    request: Request, box: Box, current: Current, code: Annotated[str, Form()] = "", csrf: Csrf = ""
) -> HTMLResponse:
    check_csrf(current.session.csrf_token, csrf)
    await box.limits.take(CODES_PER_CITIZEN, current.citizen.account_id, box.clock())
    try:
        invitation, owner = await box.delegations.offered(code)
    except Refused as refusal:
        return _code_refused(request, current, refusal)
    return page(
        request, "aannemen.html", "Uitnodiging bekijken", current, invitation=invitation, owner=owner,
        masked=mask_bsn(owner.bsn.value), code=code, scopes=SCOPES, agencies=await box.agencies.names(),
        current="/machtigingen",
    )  # fmt: skip


@router.post("/machtigingen/aannemen", response_class=HTMLResponse, response_model=None)
async def accept(
    request: Request, box: Box, current: Current, code: Annotated[str, Form()] = "", csrf: Csrf = ""
) -> Response:
    check_csrf(current.session.csrf_token, csrf)
    await box.limits.take(CODES_PER_CITIZEN, current.citizen.account_id, box.clock())
    try:
        grant = await box.delegations.accept(current.citizen, code)
    except Refused as refusal:
        return _code_refused(request, current, refusal)
    return RedirectResponse(f"/hulp/{grant.grant_id}/berichten", 303)


@router.post("/machtigingen/{grant_id}/beeindigen")
async def end(box: Box, current: Current, grant_id: str, csrf: Csrf = "") -> Response:
    check_csrf(current.session.csrf_token, csrf)
    if await box.delegations.end(current.citizen.account_id, grant_id) is None:
        raise HTTPException(404)
    return RedirectResponse("/machtigingen?klaar=beeindigd", 303)


@router.post("/machtigingen/{grant_id}/verlengen", response_class=HTMLResponse, response_model=None)
async def renew(
    request: Request, box: Box, current: Current, grant_id: str, einddatum: Annotated[str, Form()] = "",
    csrf: Csrf = "",
) -> Response:  # fmt: skip
    check_csrf(current.session.csrf_token, csrf)
    try:
        renewed = await box.delegations.renew(current.citizen, grant_id, _day(einddatum))
    except Refused as refusal:
        return await _overview(request, box, current, 422, error=str(refusal))
    if renewed is None:
        raise HTTPException(404)
    return RedirectResponse("/machtigingen?klaar=verlengd", 303)


@router.post("/machtigingen/{grant_id}/meldingen")
async def notices(
    box: Box, current: Current, grant_id: str, meldingen: Annotated[str, Form()] = "", csrf: Csrf = ""
) -> Response:
    check_csrf(current.session.csrf_token, csrf)
    if not await box.delegations.notify(current.citizen.account_id, grant_id, meldingen == "aan"):
        raise HTTPException(404)
    return RedirectResponse("/machtigingen?klaar=opgeslagen", 303)


@router.get("/hulp/{grant_id}/keuzes", response_class=HTMLResponse)
async def choices(
    request: Request, box: Box, current: Current, viewed: OnScreen, opgeslagen: bool = False
) -> HTMLResponse:
    if viewed.grant is None or viewed.grant.kind is not Kind.REPRESENTATIVE:
        raise HTTPException(404)
    person = await box.citizens.by_account_id(viewed.account_id)
    notice = "Uw keuze is opgeslagen. Ze geldt voor berichten die hierna binnenkomen." if opgeslagen else None
    return page(request, "keuzes.html", "Digitale post", current, viewed=viewed, person=person, notice=notice)


@router.post("/hulp/{grant_id}/keuzes")
async def choose(
    box: Box, current: Current, grant_id: str, post: Annotated[str, Form()] = "", csrf: Csrf = ""
) -> Response:
    check_csrf(current.session.csrf_token, csrf)
    if post not in ("digitaal", "papier") or not await box.representation.choose(
        current.citizen.account_id, grant_id, post == "digitaal"
    ):
        raise HTTPException(404)
    return RedirectResponse(f"/hulp/{grant_id}/keuzes?opgeslagen=true", 303)
