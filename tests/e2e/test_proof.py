"""A proof of notification end to end: the citizen downloads it for a message they were told of
and opened, `tools/verify_proof.py` verifies it against the box's published keys, and fails
after one changed byte; another citizen gets 404, the app gets the same signed file."""

import asyncio
import subprocess
import sys
from pathlib import Path

import httpx2

from scripts.identity_provider import subject_of
from shared.storage.mongo import Collections, Database
from tests.e2e.box_world import OTHER, READER, BoxWorld
from tests.e2e.test_box import entry, send
from tests.support.identity import access_token, log_in
from tests.support.wire import AgencyAccess, eventually


async def verify(proof: Path, keys_url: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "tools.verify_proof", str(proof), "--keys", keys_url]
    return await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, timeout=60)


async def test_a_downloaded_proof_verifies_and_one_changed_byte_fails(
    db: Database, box_agencies: dict[str, AgencyAccess], world: BoxWorld, tmp_path: Path
) -> None:
    message_id = await send(box_agencies["belastingdienst"], READER, "proof-1")
    assert await entry(db, message_id) is not None
    await eventually(
        lambda: db[Collections.NOTIFICATION_OUTCOMES].find_one({"message_id": message_id, "status": "sent"}),
        lambda d: d is not None,
    )
    async with world.browser_client() as browser:
        await log_in(browser, subject_of(READER))
        assert (await browser.get(f"/berichten/{message_id}")).status_code == 200  # opened
        signed = await browser.get(f"/berichten/{message_id}/bewijs.jws")
        readable = await browser.get(f"/berichten/{message_id}/bewijs.pdf")
    assert signed.status_code == 200 and signed.headers["content-type"] == "application/jose"
    assert readable.content.startswith(b"%PDF") and b"pdfaid:part" in readable.content
    keys_url = f"{world.url}/.well-known/berichtenbox-sleutels.json"
    proof = tmp_path / f"bewijs-{message_id}.jws"
    proof.write_bytes(signed.content)
    checked = await verify(proof, keys_url)
    assert checked.returncode == 0, checked.stderr
    assert f"message {message_id} from Belastingdienst" in checked.stdout
    assert "notified: email (nieuw bericht) sent" in checked.stdout and "opened: 20" in checked.stdout

    changed = bytearray(signed.content)
    changed[len(changed) // 2] ^= 0x01
    proof.write_bytes(bytes(changed))
    refused = await verify(proof, keys_url)
    assert refused.returncode == 1 and "NOT VERIFIED" in refused.stderr

    async with world.browser_client() as stranger:
        await log_in(stranger, subject_of(OTHER))
        assert (await stranger.get(f"/berichten/{message_id}/bewijs.jws")).status_code == 404
        assert (await stranger.get(f"/berichten/{message_id}/bewijs.pdf")).status_code == 404
    token = await access_token(world.provider.issuer, subject_of(READER))
    async with httpx2.AsyncClient(base_url=world.url, headers={"Authorization": f"Bearer {token}"}) as app:
        by_app = await app.get(f"/api/v1/messages/{message_id}/proof")
    assert by_app.status_code == 200 and by_app.content.count(b".") == 2
