"""A local Web Push service: it checks the VAPID JWT (RFC 8292) of every request, decrypts
the payload (RFC 8291, aes128gcm) with the subscription's private key, and answers 410 for
subscriptions it was told are gone."""

import base64
import json
import os
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import http_ece
from aiohttp import web
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from scripts.ports import free_port


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Device:
    """What a browser keeps for one subscription: its private key and auth secret."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    def subscription(self) -> dict[str, Any]:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"endpoint": self.endpoint, "keys": {"p256dh": b64url(public), "auth": b64url(self.auth)}}


@dataclass
class PushService:
    base_url: str
    gone: set[str] = field(default_factory=set)
    busy_once: set[str] = field(default_factory=set)
    """Endpoints that answer 503 to their next push, then accept again."""
    devices: dict[str, Device] = field(default_factory=dict)
    delivered: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    """(endpoint, decrypted payload) for every accepted push"""
    claims: list[dict[str, Any]] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    accepted: list[tuple[str, str]] = field(default_factory=list)
    """(endpoint, Topic) for every accepted push: what a device would show"""

    def device(self, name: str, gone: bool = False) -> Device:
        device = Device(f"{self.base_url}/push/{name}", ec.generate_private_key(ec.SECP256R1()), os.urandom(16))
        self.devices[device.endpoint] = device
        if gone:
            self.gone.add(device.endpoint)
        return device

    async def handle(self, request: web.Request) -> web.Response:
        endpoint = f"{self.base_url}{request.path}"
        claims = verify_vapid(request.headers.get("Authorization", ""))
        assert claims["aud"] == self.base_url, claims
        assert claims["exp"] > time.time()
        self.claims.append(claims)
        self.topics.append(request.headers.get("Topic", ""))
        if endpoint in self.gone:
            return web.Response(status=410)
        if endpoint in self.busy_once:
            self.busy_once.discard(endpoint)
            return web.Response(status=503)
        device = self.devices[endpoint]
        body = await request.read()
        assert request.headers["Content-Encoding"] == "aes128gcm"
        plain = http_ece.decrypt(body, private_key=device.private_key, auth_secret=device.auth, version="aes128gcm")
        self.delivered.append((endpoint, json.loads(plain)))
        self.accepted.append((endpoint, request.headers.get("Topic", "")))
        return web.Response(status=201)


def verify_vapid(authorization: str) -> dict[str, Any]:
    """`vapid t=<JWT>, k=<public key>`: the JWT must be ES256-signed by that key."""
    scheme, _, params = authorization.partition(" ")
    assert scheme == "vapid", authorization
    fields = dict(p.strip().split("=", 1) for p in params.split(","))
    header_b64, payload_b64, signature_b64 = fields["t"].split(".")
    assert json.loads(unb64url(header_b64))["alg"] == "ES256"
    public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(fields["k"]))
    raw = unb64url(signature_b64)
    signature = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    public_key.verify(signature, f"{header_b64}.{payload_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    claims: dict[str, Any] = json.loads(unb64url(payload_b64))
    return claims


@asynccontextmanager
async def push_service() -> AsyncIterator[PushService]:
    port = free_port()
    service = PushService(base_url=f"http://127.0.0.1:{port}")
    app = web.Application()
    app.router.add_post("/push/{name}", service.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield service
    finally:
        await runner.cleanup()
