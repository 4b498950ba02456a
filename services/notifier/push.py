"""Web Push (RFC 8030/8291/8292) to the Berichtenbox app with VAPID, via pywebpush's async
API: payload encrypted (aes128gcm) for each subscription; the signed VAPID header is made
once per push service and reused until an hour before it expires (RFC 8292 allows reuse;
signing is the costly part of a push, docs/performance.md)."""

import json
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import aiohttp
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush_async

from services.notifier.failures import PermanentFailure, SubscriptionGone, TransientFailure
from services.notifier.ratelimit import RateLimit
from services.notifier.settings import NotifierSettings


def load_vapid_key(secret: str) -> Vapid02:
    text = secret.strip()
    if text.startswith("-----BEGIN"):
        return Vapid02.from_pem(text.encode())
    return Vapid02.from_string(text)


VAPID_LIFETIME = 12 * 3600
"""Seconds a signed VAPID token is valid (push services refuse more than 24 hours)."""


class VapidHeaders:
    """The `Authorization` header for each push service (the JWT's audience), signed once and
    reused until an hour before it expires."""

    def __init__(self, key: Vapid02, subject: str, clock: Callable[[], float] = time.time) -> None:
        self.key, self.subject, self.clock = key, subject, clock
        self._signed: dict[str, tuple[dict[str, str], float]] = {}

    def for_endpoint(self, endpoint: str) -> dict[str, str]:
        url = urlsplit(endpoint)
        audience, now = f"{url.scheme}://{url.netloc}", self.clock()
        headers, expires = self._signed.get(audience, ({}, 0.0))
        if now > expires - 3600:
            expires = int(now) + VAPID_LIFETIME
            headers = self.key.sign({"sub": self.subject, "aud": audience, "exp": expires})
            self._signed[audience] = headers, expires
        return headers


class PushSender:
    def __init__(self, settings: NotifierSettings) -> None:
        self.settings = settings
        self.key = load_vapid_key(settings.vapid_private_key.get_secret_value()) if settings.vapid_private_key else None
        self.vapid = VapidHeaders(self.key, settings.vapid_subject) if self.key else None
        self.limit = RateLimit(settings.push_rate_per_second)
        self.session: aiohttp.ClientSession | None = None

    async def send(self, subscription: dict[str, object], payload: dict[str, str], topic: str) -> None:
        """Raise `SubscriptionGone` (404/410), `TransientFailure` (429, 5xx, network) or
        `PermanentFailure` (other 4xx, no VAPID key)."""
        if self.vapid is None:
            raise PermanentFailure("push is not configured (no VAPID key)")
        await self.limit.acquire()
        if self.session is None:
            self.session = aiohttp.ClientSession()
        try:
            await webpush_async(
                subscription_info=subscription,
                data=json.dumps(payload, ensure_ascii=False),
                # Topic (RFC 8030): a push service replaces an undelivered push with the same topic,
                # so a resend after a timeout reaches the device once
                headers={**self.vapid.for_endpoint(str(subscription["endpoint"])), "Topic": topic},
                timeout=self.settings.push_timeout_seconds,
                ttl=24 * 3600,
                aiohttp_session=self.session,
            )
        except WebPushException as error:
            status = int(getattr(error.response, "status", None) or getattr(error.response, "status_code", None) or 0)
            if status in (404, 410):
                raise SubscriptionGone(f"push service answered {status}") from None
            if status == 429 or status >= 500:
                raise TransientFailure(f"push service answered {status}") from None
            raise PermanentFailure(f"push service answered {status}") from None
        except (aiohttp.ClientError, TimeoutError, OSError) as error:
            raise TransientFailure(f"push connection: {type(error).__name__}") from None

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
