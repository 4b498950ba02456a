"""What a Web Push subscription must be before anyone stores it or sends to it: an endpoint at
a push service on the allowlist (the notifier POSTs to it for every message, so any other URL
would let a citizen point it into the operator's network), and keys that decode to a P-256
point (65 bytes) and a 16-byte secret. At most `MAX_DEVICES` per citizen. Pure: the box's page
and API and the router check the same way."""

import base64
import binascii
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

MAX_DEVICES = 10
PUSH_SERVICES = (
    "https://fcm.googleapis.com",
    "https://updates.push.services.mozilla.com",
    "https://web.push.apple.com",
    "https://*.notify.windows.com",
)
"""The push services of the browsers and app platforms in use (an origin; `*.` for its
subdomains). Development and the tests add the local push service, `http://127.0.0.1`."""


class InvalidSubscription(ValueError):
    """Why a subscription is refused (no value of it is quoted)."""


def checked_subscription(value: object, push_services: tuple[str, ...]) -> dict[str, object]:
    """The subscription as it is stored (endpoint and keys, nothing else), or `InvalidSubscription`."""
    if not isinstance(value, dict):
        raise InvalidSubscription("not an object")
    endpoint, keys = value.get("endpoint"), value.get("keys")
    if not isinstance(endpoint, str) or len(endpoint) > 2000 or not allowed_endpoint(endpoint, push_services):
        raise InvalidSubscription("the endpoint is not at an allowed push service")
    if not isinstance(keys, dict):
        raise InvalidSubscription("no keys")
    p256dh, auth = _decoded(keys.get("p256dh")), _decoded(keys.get("auth"))
    if p256dh is None or len(p256dh) != 65 or not _on_curve(p256dh):
        raise InvalidSubscription("p256dh is not a P-256 public key")
    if auth is None or len(auth) != 16:
        raise InvalidSubscription("auth is not 16 bytes")
    return {"endpoint": endpoint, "keys": {"p256dh": keys["p256dh"], "auth": keys["auth"]}}


def allowed_endpoint(endpoint: str, push_services: tuple[str, ...]) -> bool:
    if any(ord(c) <= 0x20 or ord(c) >= 0x7F for c in endpoint):
        return False
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return False
    if parts.username or parts.password or parts.fragment or not parts.hostname:
        return False
    for service in push_services:
        allowed = urlsplit(service)
        local = allowed.hostname == "127.0.0.1"  # the development push service, on any port
        if (
            parts.scheme == allowed.scheme
            and fnmatchcase(parts.hostname, allowed.hostname or "")
            and (local or port in (None, allowed.port))
        ):
            return True
    return False


def valid_subscriptions(values: list[dict[str, object]], push_services: tuple[str, ...]) -> list[dict[str, object]]:
    """The valid ones, at most `MAX_DEVICES`: a bad one stored before never blocks the others."""
    kept = []
    for value in values:
        try:
            kept.append(checked_subscription(value, push_services))
        except InvalidSubscription:
            continue
    return kept[:MAX_DEVICES]


def _decoded(text: object) -> bytes | None:
    if not isinstance(text, str) or len(text) > 200:
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def _on_curve(point: bytes) -> bool:
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        return False
    return True
