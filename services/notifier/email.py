"""E-mail over SMTP with aiosmtplib: a small pool of reused connections, STARTTLS or TLS and
credentials as configured, failures classified as transient (4xx, connection) or permanent.

A mass mailing sends the same notification to millions: its MIME body is built and encoded
once per distinct content, and each e-mail is that plus its own recipient headers (the
standard library's `email` package is costly per e-mail, docs/performance.md)."""

import asyncio
import contextlib
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr
from functools import lru_cache

import aiosmtplib

from services.notifier.content import EmailContent
from services.notifier.failures import AddressRefused, TransientFailure
from services.notifier.ratelimit import RateLimit
from services.notifier.settings import NotifierSettings
from shared.runtime.smtp import smtp_options

PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+")
"""An address that goes into a header as it is: ASCII, no display name, nothing to encode."""


@dataclass(frozen=True)
class OutgoingEmail:
    envelope_from: str
    recipient: str
    data: bytes
    """The whole message, CRLF line endings, as it goes over SMTP."""


def build_email(
    content: EmailContent,
    *,
    sender: str,
    recipient: str,
    notification_id: str,
    domain: str,
    box_url: str,
    envelope_sender: str | None = None,
) -> OutgoingEmail:
    """`envelope_sender`: where bounces go (bounces.py); the From address when None."""
    # The Message-ID is the notification's id, the same on every attempt: a receiving side that
    # got an e-mail whose send we could not confirm (a timeout) recognises the resend.
    headers = {
        "To": recipient,
        "Message-ID": f"<{notification_id}@{domain}>",
        "X-Berichtenbox-Notification": notification_id,
    }
    if PLAIN_ADDRESS.fullmatch(recipient):
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        data = head.encode("ascii") + _shared_part(content, sender, box_url)
    else:  # encoded by the email package, which refuses header injection
        message = _message(content, sender, box_url)
        for name, value in headers.items():
            message[name] = value
        data = message.as_bytes(policy=policy.SMTP)
    return OutgoingEmail(envelope_sender or parseaddr(sender)[1], recipient, data)


@lru_cache(maxsize=256)
def _shared_part(content: EmailContent, sender: str, box_url: str) -> bytes:
    """The headers every recipient shares, and the encoded body."""
    return _message(content, sender, box_url).as_bytes(policy=policy.SMTP)


def _message(content: EmailContent, sender: str, box_url: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["Subject"] = content.subject
    # List-Unsubscribe does not apply: citizens manage notifications in the box itself.
    message["X-Berichtenbox-Manage"] = box_url
    message.set_content(content.text)
    message.add_alternative(content.html, subtype="html")
    return message


class SmtpSender:
    def __init__(self, settings: NotifierSettings) -> None:
        self.settings = settings
        self.idle: asyncio.LifoQueue[aiosmtplib.SMTP] = asyncio.LifoQueue()
        self.slots = asyncio.Semaphore(settings.smtp_pool_size)
        self.limit = RateLimit(settings.smtp_rate_per_second)

    def _client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(**smtp_options(self.settings), timeout=self.settings.smtp_timeout_seconds)

    async def _send(self, email: OutgoingEmail) -> None:
        await self.limit.acquire()
        async with self.slots:
            client = self.idle.get_nowait() if not self.idle.empty() else self._client()
            try:
                if not client.is_connected:
                    await client.connect()
                await client.sendmail(email.envelope_from, [email.recipient], email.data)
            except Exception:
                await _discard(client)
                raise
            self.idle.put_nowait(client)

    async def send(self, email: OutgoingEmail) -> None:
        """Send one e-mail; raise `TransientFailure` or `PermanentFailure` when it fails."""
        try:
            await self._send(email)
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = [e.code for e in error.recipients]
            permanent = all(code >= 500 for code in codes)
            raise (AddressRefused if permanent else TransientFailure)(f"recipient refused: {codes}") from None
        except aiosmtplib.SMTPResponseException as error:
            raise (AddressRefused if error.code >= 500 else TransientFailure)(f"SMTP {error.code}") from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise TransientFailure(f"SMTP connection: {type(error).__name__}") from None

    async def close(self) -> None:
        while not self.idle.empty():
            await _discard(self.idle.get_nowait())


async def _discard(client: aiosmtplib.SMTP) -> None:
    with contextlib.suppress(Exception):
        await client.quit()
    client.close()
