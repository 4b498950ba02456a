"""E-mail over SMTP with aiosmtplib: a small pool of reused connections, STARTTLS or TLS and
credentials as configured, failures classified as transient (4xx, connection) or permanent."""

import asyncio
import contextlib
from email.message import EmailMessage
from email.utils import make_msgid

import aiosmtplib

from services.notifier.content import EmailContent
from services.notifier.failures import PermanentFailure, TransientFailure
from services.notifier.ratelimit import RateLimit
from services.notifier.settings import NotifierSettings


def build_email(
    content: EmailContent, *, sender: str, recipient: str, notification_id: str, domain: str, box_url: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = content.subject
    # Stable per notification, so a resend could be recognised by the receiving side.
    message["Message-ID"] = make_msgid(idstring=notification_id, domain=domain)
    message["X-Berichtenbox-Notification"] = notification_id
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
        s = self.settings
        return aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_security == "tls",
            start_tls=s.smtp_security == "starttls",
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            timeout=s.smtp_timeout_seconds,
        )

    async def _send(self, message: EmailMessage) -> None:
        await self.limit.acquire()
        async with self.slots:
            client = self.idle.get_nowait() if not self.idle.empty() else self._client()
            try:
                if not client.is_connected:
                    await client.connect()
                await client.send_message(message)
            except Exception:
                await _discard(client)
                raise
            self.idle.put_nowait(client)

    async def send(self, message: EmailMessage) -> None:
        """Send one message; raise `TransientFailure` or `PermanentFailure` when it fails."""
        try:
            await self._send(message)
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = [e.code for e in error.recipients]
            permanent = all(code >= 500 for code in codes)
            raise (PermanentFailure if permanent else TransientFailure)(f"recipient refused: {codes}") from None
        except aiosmtplib.SMTPResponseException as error:
            raise (PermanentFailure if error.code >= 500 else TransientFailure)(f"SMTP {error.code}") from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise TransientFailure(f"SMTP connection: {type(error).__name__}") from None

    async def close(self) -> None:
        while not self.idle.empty():
            await _discard(self.idle.get_nowait())


async def _discard(client: aiosmtplib.SMTP) -> None:
    with contextlib.suppress(Exception):
        await client.quit()
    client.close()
