"""E-mail over SMTP with aiosmtplib: a small pool of reused connections, STARTTLS or TLS and
credentials as configured, failures classified as transient (4xx, connection) or permanent.

A mass mailing sends the same notification to millions: its shared headers are encoded once
per mailing, and each e-mail is those, its own recipient headers and its two parts with its
own link, quoted-printable by binascii (the standard library's `email` package is costly per
e-mail, docs/performance.md)."""

import asyncio
import binascii
import contextlib
import re
import secrets
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
    link: str | None = None,
    envelope_sender: str | None = None,
) -> OutgoingEmail:
    """`content` as rendered once per facts, pointing at `box_url`; `link`: this message's own
    link, put where the content points at the box. `envelope_sender`: where bounces go
    (bounces.py); the From address when None."""
    # The Message-ID is the notification's id, the same on every attempt: a receiving side that
    # got an e-mail whose send we could not confirm (a timeout) recognises the resend.
    headers = {
        "To": recipient,
        "Message-ID": f"<{notification_id}@{domain}>",
        "X-Berichtenbox-Notification": notification_id,
    }
    text, html = content.text, content.html
    if link is not None:
        text, html = text.replace(box_url, link), html.replace(box_url, link)
    if PLAIN_ADDRESS.fullmatch(recipient):
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        shared, boundary = _shared_head(content.subject, sender, box_url)
        data = head.encode("ascii") + shared + _alternatives(boundary, text, html)
    else:  # encoded by the email package, which refuses header injection
        message = _message(EmailContent(content.subject, text, html), sender, box_url)
        for name, value in headers.items():
            message[name] = value
        data = message.as_bytes(policy=policy.SMTP)
    return OutgoingEmail(envelope_sender or parseaddr(sender)[1], recipient, data)


@lru_cache(maxsize=256)
def _shared_head(subject: str, sender: str, box_url: str) -> tuple[bytes, str]:
    """The headers every recipient of one mailing shares (encoded once by the email package),
    and the boundary of its parts: `=_` cannot occur in quoted-printable text."""
    boundary = f"=_berichtenbox_{secrets.token_hex(12)}"
    message = EmailMessage()
    message["From"] = sender
    message["Subject"] = subject
    # List-Unsubscribe does not apply: citizens manage notifications in the box itself.
    message["X-Berichtenbox-Manage"] = box_url
    head = b"".join(policy.SMTP.fold_binary(name, value) for name, value in message.items())
    kind = f'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'
    return head + kind.encode("ascii"), boundary


def _alternatives(boundary: str, text: str, html: str) -> bytes:
    """The plain and HTML parts, quoted-printable (binascii's, in C): per e-mail, the email
    package would cost a third of the notifier's CPU (docs/performance.md)."""
    parts = []
    for subtype, body in (("plain", text), ("html", html)):
        lines = body.replace("\r\n", "\n")
        lines += "" if lines.endswith("\n") else "\n"  # as the email package ends a part
        encoded = binascii.b2a_qp(lines.encode("utf-8"), istext=True)
        parts.append(
            f'--{boundary}\r\nContent-Type: text/{subtype}; charset="utf-8"\r\n'
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n".encode("ascii")
            + encoded.replace(b"\n", b"\r\n")
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode("ascii")


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
