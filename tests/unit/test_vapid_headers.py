"""The signed VAPID header is made once per push service and renewed before it expires."""

import base64
import json

from py_vapid import Vapid02

from services.notifier.push import VAPID_LIFETIME, VapidHeaders


def claims(headers: dict[str, str]) -> dict[str, object]:
    token = headers["Authorization"].split("t=", 1)[1].split(",", 1)[0]
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


def test_one_signature_per_push_service_until_an_hour_before_it_expires() -> None:
    key, now = Vapid02(), [1_000_000.0]
    key.generate_keys()
    vapid = VapidHeaders(key, "mailto:ops@berichtenbox.example", clock=lambda: now[0])
    first = vapid.for_endpoint("https://push.example/v1/device-a")
    assert vapid.for_endpoint("https://push.example/v1/device-b") is first
    other = vapid.for_endpoint("https://updates.example:8443/wpush/x")
    assert claims(first)["aud"] == "https://push.example"
    assert claims(other)["aud"] == "https://updates.example:8443"
    assert claims(first)["exp"] == 1_000_000 + VAPID_LIFETIME
    now[0] += VAPID_LIFETIME - 3600 + 1
    renewed = vapid.for_endpoint("https://push.example/v1/device-a")
    assert renewed is not first and claims(renewed)["exp"] == int(now[0]) + VAPID_LIFETIME
