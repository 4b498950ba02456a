"""What a Web Push registration must be (shared/contracts/push.py): an endpoint at an allowed
push service, keys that decode; the same check in the box's page and API and in the router."""

import base64
import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from shared.contracts.push import (
    MAX_DEVICES,
    PUSH_SERVICES,
    InvalidSubscription,
    checked_subscription,
    valid_subscriptions,
)

ALLOWED = (*PUSH_SERVICES, "http://127.0.0.1")


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def point() -> str:
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return b64(key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))


P256DH, AUTH = point(), b64(os.urandom(16))


def subscription(endpoint: str = "https://fcm.googleapis.com/fcm/send/abc", **keys: str) -> dict[str, object]:
    return {"endpoint": endpoint, "keys": {"p256dh": P256DH, "auth": AUTH, **keys}}


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/abc",
        "https://updates.push.services.mozilla.com/wpush/v2/x",
        "https://web.push.apple.com/QGx",
        "https://db5p.notify.windows.com/w/?token=x",
        "http://127.0.0.1:8123/push/device-1",
    ],
)
def test_an_endpoint_at_an_allowed_push_service_is_kept(endpoint: str) -> None:
    assert checked_subscription(subscription(endpoint), ALLOWED)["endpoint"] == endpoint


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://10.0.0.5/internal-admin",  # the SSRF: any https URL was accepted
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://fcm.googleapis.com.evil.example/x",
        "https://evil.example/?https://fcm.googleapis.com",
        "https://user:pw@fcm.googleapis.com/x",
        "http://fcm.googleapis.com/x",
        "https://fcm.googleapis.com:8443/x",
        "http://127.0.0.2:8123/x",
        "http://localhost:8123/x",
        "https://notify.windows.com.evil/x",
        "https://fcm.googleapis.com/x\u0085",
        "https://fcm.googleapis.com/x y",
        "ftp://fcm.googleapis.com/x",
        "https://fcm.googleapis.com/" + "a" * 2000,
    ],
)
def test_an_endpoint_anywhere_else_is_refused(endpoint: str) -> None:
    with pytest.raises(InvalidSubscription, match="endpoint"):
        checked_subscription(subscription(endpoint), ALLOWED)


def test_loopback_is_refused_unless_the_operator_allows_it() -> None:
    with pytest.raises(InvalidSubscription):
        checked_subscription(subscription("http://127.0.0.1:8123/x"), PUSH_SERVICES)


@pytest.mark.parametrize(
    ("keys", "reason"),
    [
        ({"auth": "a"}, "auth"),  # passed before, then raised in the notifier
        ({"auth": b64(os.urandom(15))}, "auth"),
        ({"auth": b64(os.urandom(17))}, "auth"),
        ({"p256dh": "x"}, "p256dh"),
        ({"p256dh": b64(b"\x04" + os.urandom(64))}, "p256dh"),  # 65 bytes, not a point on the curve
        ({"p256dh": b64(os.urandom(33))}, "p256dh"),
        ({"p256dh": "A" * 1_000_000}, "p256dh"),
    ],
)
def test_keys_must_decode_to_a_p256_point_and_a_16_byte_secret(keys: dict[str, str], reason: str) -> None:
    with pytest.raises(InvalidSubscription, match=reason):
        checked_subscription(subscription(**keys), ALLOWED)


def test_only_endpoint_and_keys_are_kept() -> None:
    extra = {**subscription(), "expirationTime": None, "tracking": "x"}
    assert checked_subscription(extra, ALLOWED) == subscription()


def test_stored_registrations_keep_the_valid_ones_and_at_most_ten() -> None:
    bad = subscription("https://10.0.0.5/x")
    good = [subscription(f"https://fcm.googleapis.com/fcm/send/{n}") for n in range(12)]
    kept = valid_subscriptions([bad, *good], ALLOWED)
    assert kept == good[:MAX_DEVICES]
