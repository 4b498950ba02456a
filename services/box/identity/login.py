"""Logging in at the identity provider and out again. The session id is new at every login
(session fixation), the login is bound to the browser that began it, and logging out ends
the session on the server and then at the issuer."""

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from services.box.identity.issuer import IssuerUnavailable
from services.box.identity.limits import LOGINS_PER_ADDRESS
from services.box.identity.oidc import LoginFailed
from services.box.identity.visits import Box, Current
from services.box.web.rendering import simple
from services.box.web.security import check_csrf

router = APIRouter(include_in_schema=False)


def local_path(next_path: str) -> str:
    """Only a path on this site: never a redirect to elsewhere (open redirect)."""
    parts = urlsplit(next_path)
    if parts.scheme or parts.netloc or not next_path.startswith("/") or next_path.startswith("//") or "\\" in next_path:
        return "/berichten"
    return next_path


@router.get("/inloggen")
async def begin(request: Request, box: Box, volgende: str = "/berichten") -> Response:
    await box.limits.take(LOGINS_PER_ADDRESS, request.client.host if request.client else "", box.clock())
    try:
        url, pending = await box.oidc.begin()
    except IssuerUnavailable:
        text = ["Inloggen kan nu even niet: de identiteitsaanbieder antwoordt niet.", "Probeer het over een minuut."]
        page = simple(request, "Inloggen kan nu niet", text, status_code=503, link=("/inloggen", "Opnieuw proberen"))
        page.headers["Retry-After"] = "60"
        return page
    browser = await box.logins.begin({**pending, "next": local_path(volgende)}, box.clock())
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        box.settings.login_cookie,
        browser,
        max_age=600,
        httponly=True,
        samesite="lax",
        secure=box.settings.secure_cookies,
        path="/",
    )
    return response


@router.get("/inloggen/terug")
async def finish(request: Request, box: Box, code: str = "", state: str = "") -> Response:
    browser = request.cookies.get(box.settings.login_cookie)
    pending = None if browser is None else await box.logins.finish(browser, box.clock())
    try:
        if pending is None or not code:
            raise LoginFailed("het inloggen is verlopen of niet in deze browser begonnen")
        bsn, id_token = await box.oidc.finish(pending, code, state)
    except LoginFailed as failed:
        text = [f"Inloggen is niet gelukt: {failed}.", "Probeer het opnieuw."]
        return simple(request, "Inloggen niet gelukt", text, status_code=400, link=("/inloggen", "Opnieuw inloggen"))
    old = request.cookies.get(box.settings.session_cookie)
    if old is not None:
        await box.sessions.end(old)
    token, _ = await box.sessions.start(bsn, box.clock(), id_token)
    citizen = await box.citizens.by_bsn(bsn)
    if citizen is not None:
        await box.account.logged_in(citizen)
    response = RedirectResponse(pending["next"], status_code=303)
    response.delete_cookie(box.settings.login_cookie, path="/", secure=box.settings.secure_cookies)
    response.set_cookie(
        box.settings.session_cookie, token, httponly=True, samesite="lax", secure=box.settings.secure_cookies, path="/"
    )
    return response


@router.post("/uitloggen")
async def logout(request: Request, box: Box, current: Current, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(current.session.csrf_token, csrf)
    token = request.cookies.get(box.settings.session_cookie)
    id_token = None if token is None else await box.sessions.end(token)
    try:  # at the issuer too: otherwise the next person at a library computer is let straight in
        at_issuer = await box.oidc.logout_url(id_token)
    except IssuerUnavailable:
        at_issuer = None
    response = RedirectResponse(at_issuer or "/uitgelogd", status_code=303)
    response.delete_cookie(box.settings.session_cookie, path="/", secure=box.settings.secure_cookies)
    return response


@router.get("/uitgelogd")
async def logged_out(request: Request) -> HTMLResponse:
    return simple(request, "U bent uitgelogd", ["Uw sessie is beëindigd."], link=("/inloggen", "Opnieuw inloggen"))
