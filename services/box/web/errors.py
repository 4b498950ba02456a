"""How failures answer: a page for a browser (Dutch, with a way on), problem+json (RFC 9457)
for the API. Another citizen's message is the same 404 as a message that does not exist."""

from urllib.parse import quote

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.box.identity.limits import RateLimited
from services.box.identity.visits import LoginRequired, NoAccount
from services.box.web.rendering import simple
from services.box.web.security import CsrfFailed

PAGE_TEXT = {
    404: ("Niet gevonden", ["Deze pagina of dit bericht bestaat niet, of is niet van u."]),
    409: ("Dat kan niet", ["Dat kan niet met dit bericht, zoals het nu staat."]),
    422: ("Niet goed ingevuld", ["Controleer wat u invulde en probeer het opnieuw."]),
}
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Content Too Large",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    503: "Service Unavailable",
}


def problem(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"type": "about:blank", "title": TITLES.get(status, "Error"), "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type="application/problem+json", headers=headers)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def install(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_first(request: Request, error: LoginRequired) -> Response:
        return RedirectResponse(f"/inloggen?volgende={quote(error.next_path, safe='')}", status_code=303)

    @app.exception_handler(NoAccount)
    async def no_account(request: Request, error: NoAccount) -> Response:
        text = [
            "Er is geen Berichtenbox voor u. Een Berichtenbox is er voor iedereen vanaf 14 jaar die in de BRP staat.",
            "Post van de overheid krijgt u op papier.",
        ]
        return simple(request, "Geen Berichtenbox", text, status_code=404)

    @app.exception_handler(CsrfFailed)
    async def csrf_failed(request: Request, error: CsrfFailed) -> Response:
        text = [
            "Dit formulier is verlopen of kwam niet van deze site.",
            "Ga terug, laad de pagina opnieuw en probeer het nog eens.",
        ]
        return simple(request, "Formulier verlopen", text, status_code=403, link=("/berichten", "Naar Postvak IN"))

    @app.exception_handler(RateLimited)
    async def rate_limited(request: Request, error: RateLimited) -> Response:
        wait = {"Retry-After": str(error.retry_after)}
        if is_api(request):
            return problem(429, f"Too many requests of this kind; try again in {error.retry_after} s.", wait)
        minutes = max(1, round(error.retry_after / 60))
        text = [f"Dit hebt u te vaak achter elkaar gedaan. Probeer het over {minutes} minuten opnieuw."]
        answer = simple(request, "Even wachten", text, status_code=429, link=("/berichten", "Naar Postvak IN"))
        answer.headers.update(wait)
        return answer

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if is_api(request):
            return problem(error.status_code, str(error.detail), dict(error.headers or {}))
        title, text = PAGE_TEXT.get(error.status_code, ("Er ging iets mis", ["Probeer het later opnieuw."]))
        return simple(request, title, text, status_code=error.status_code, link=("/berichten", "Naar Postvak IN"))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        if is_api(request):
            fields = "; ".join(".".join(str(p) for p in e["loc"]) + ": " + e["msg"] for e in error.errors())
            return problem(422, f"Invalid request: {fields}")
        title, text = PAGE_TEXT[422]
        return simple(request, title, text, status_code=422, link=("/berichten", "Naar Postvak IN"))


__all__ = ["HTTPException", "install", "problem"]
