"""Proofs of notification as downloads: for the citizen's own messages only (a helper gets
none), signed (`bewijs.jws`, application/jose) or readable (`bewijs.pdf`, PDF/A-2b), in the
pages and the API; and the public keys that verify them, at a well-known URL anyone may read.
Downloading a proof opens nothing."""

import asyncio

from fastapi import APIRouter, HTTPException, Response
from fastapi.responses import JSONResponse

from services.box.identity.visits import Box, Citizen_, Current
from services.box.messages.proof import Statement
from services.box.messages.proof_pdf import render_proof

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["berichtenbox"])
KEYS_PATH = "/.well-known/berichtenbox-sleutels.json"


async def _statement(box: Box, account_id: str, message_id: str) -> Statement:
    found = await box.citizen_box.statement(
        account_id, message_id, await box.agencies.names(), box.settings.public_base_url
    )
    if found is None:
        raise HTTPException(404)
    return found


def _download(body: bytes | str, media_type: str, filename: str) -> Response:
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get(KEYS_PATH)
async def keys(box: Box) -> JSONResponse:
    return JSONResponse(box.proofs.public_keys(), headers={"Cache-Control": "public, max-age=3600"})


@router.get("/berichten/{message_id}/bewijs.jws")
async def signed(box: Box, current: Current, message_id: str) -> Response:
    statement = await _statement(box, current.citizen.account_id, message_id)
    return _download(box.proofs.sign(statement), "application/jose", f"bewijs-{message_id}.jws")


@router.get("/berichten/{message_id}/bewijs.pdf")
async def readable(box: Box, current: Current, message_id: str) -> Response:
    statement = await _statement(box, current.citizen.account_id, message_id)
    token = box.proofs.sign(statement)
    keys_url = box.settings.public_base_url + KEYS_PATH
    pdf = await asyncio.to_thread(render_proof, statement, token, box.proofs.kid, keys_url)
    return _download(pdf, "application/pdf", f"bewijs-{message_id}.pdf")


@api.get(
    "/messages/{message_id}/proof",
    summary="A signed proof of notification (JWS; keys at /.well-known/berichtenbox-sleutels.json)",
    responses={200: {"content": {"application/jose": {}}}, 404: {}},
    response_class=Response,
)
async def proof(box: Box, citizen: Citizen_, message_id: str) -> Response:
    statement = await _statement(box, citizen.account_id, message_id)
    return _download(box.proofs.sign(statement), "application/jose", f"bewijs-{message_id}.jws")
