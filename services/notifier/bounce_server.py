"""The bounce receiver: an SMTP server (aiosmtpd) for the notifier's bounce addresses, where
the mail domain's MX hands over the delivery status notifications of mail that failed after it
was accepted. Each genuine permanent failure counts against its address, as a 5xx at sending
does (contact.py).

A bounce is answered 250 once it is counted, 451 when counting failed (the sending server
tries again; counting the same failure twice is harmless), and 550 for an address that is not
a bounce address of ours. A report that is no DSN, is not about the address its bounce address
was made for (forged), or reports a delay is accepted and dropped, counted in the metrics and
logged without its content: refusing it would only send it back to whoever forged it."""

import asyncio
import hashlib
import logging
from typing import Any

from aiosmtpd.smtp import SMTP
from prometheus_client import Counter

from services.notifier.bounces import BounceAddresses, permanent_failures
from services.notifier.contact import AddressFailures

logger = logging.getLogger(__name__)

MAX_REPORT_BYTES = 256 * 1024
"""A DSN carries headers, not the mail: anything longer is not one of ours."""


class BounceReceiver:
    def __init__(self, addresses: BounceAddresses, failures: AddressFailures, outcomes: Counter) -> None:
        self.addresses, self.failures, self.outcomes = addresses, failures, outcomes

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list[str]) -> str:
        if self.addresses.account_of(address) is None:
            return "550 5.1.1 not a bounce address"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content: bytes = envelope.content
        bounces = permanent_failures(content)
        if not bounces:
            self.outcomes.labels("not-a-failure").inc()
            return "250 OK"
        for bounce_address in envelope.rcpt_tos:
            account_id = self.addresses.account_of(bounce_address)
            for bounce in bounces:
                if account_id is None or not self.addresses.genuine(bounce_address, bounce.recipient):
                    self.outcomes.labels("forged").inc()
                    logger.warning("dropped a bounce whose address does not fit its recipient")
                    continue
                failure_id = bounce.original_id or hashlib.sha256(content).hexdigest()
                try:
                    await self.failures.failed(account_id, bounce.recipient, failure_id)
                except Exception:
                    logger.exception("could not count a bounce; the sending server will try again")
                    return "451 4.3.0 try again later"
                self.outcomes.labels("counted").inc()
        return "250 OK"


async def serve_bounces(receiver: BounceReceiver, host: str, port: int) -> asyncio.Server:
    """Listening on the notifier's own event loop, where its database client and broker live
    (aiosmtpd's Controller would run a loop of its own in a thread)."""

    def session() -> SMTP:
        return SMTP(receiver, hostname="bounces", data_size_limit=MAX_REPORT_BYTES)

    return await asyncio.get_running_loop().create_server(session, host, port)
