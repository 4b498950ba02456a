"""Web Push (RFC 8030/8291/8292) to the Berichtenbox app with VAPID, via pywebpush's async
API: payload encrypted (aes128gcm) for each subscription, a fresh claims dict per call
(pywebpush writes `aud` and `exp` into the dict it is given)."""

import json

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


class PushSender:
    def __init__(self, settings: NotifierSettings) -> None:
        self.settings = settings
        self.key = load_vapid_key(settings.vapid_private_key.get_secret_value()) if settings.vapid_private_key else None
        self.limit = RateLimit(settings.push_rate_per_second)
        self.session: aiohttp.ClientSession | None = None

    async def send(self, subscription: dict[str, object], payload: dict[str, str]) -> None:
        """Raise `SubscriptionGone` (404/410), `TransientFailure` (429, 5xx, network) or
        `PermanentFailure` (other 4xx, no VAPID key)."""
        if self.key is None:
            raise PermanentFailure("push is not configured (no VAPID key)")
        await self.limit.acquire()
        if self.session is None:
            self.session = aiohttp.ClientSession()
        try:
            await webpush_async(
                subscription_info=subscription,
                data=json.dumps(payload, ensure_ascii=False),
                vapid_private_key=self.key,
                vapid_claims={"sub": self.settings.vapid_subject},
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
