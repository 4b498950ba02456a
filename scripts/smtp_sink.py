"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives and can be told to
answer the next deliveries with a failure code, to answer slowly, to go away for a while, or
to accept mail for some addresses and bounce it later, as a mail server does that finds out
after accepting: a delivery status notification (RFC 3464) to the envelope sender, delivered
to the port where the sender's bounce receiver listens (its MX, in the world outside)."""

import asyncio
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import aiosmtplib
from aiosmtpd.controller import Controller

from scripts.ports import free_port


@dataclass
class SmtpSink:
    raw: list[bytes] = field(default_factory=list)
    """Each e-mail as it came; parsed only when asked for (parsing each on arrival cost the
    benchmark's sink more CPU than the notifier spent building them)."""
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    next_answers: list[str] = field(default_factory=list)
    """e.g. ["451 4.3.0 try again later"]: one answer per coming DATA, then 250 again."""
    port: int = 0
    answer_after_seconds: float = 0.0
    """How long each DATA waits before its answer: a slow provider."""
    controller: Controller | None = None
    bounce: set[str] = field(default_factory=set)
    """Addresses whose mail is accepted and then bounced to its envelope sender."""
    bounce_port: int | None = None
    """Where the bounces go: the port of the sender's bounce receiver on loopback."""
    bounced: list[str] = field(default_factory=list)
    """Envelope senders a bounce was delivered to."""
    _released: threading.Event = field(default_factory=threading.Event)
    """Cleared by `hold_bounces`: the sink answers in a thread and loop of its own."""
    _bouncing: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._released.set()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.answer_after_seconds:
            await asyncio.sleep(self.answer_after_seconds)
        if self.next_answers:
            return self.next_answers.pop(0)
        if failed := [r for r in envelope.rcpt_tos if r.lower() in self.bounce]:
            task = asyncio.get_running_loop().create_task(self._bounce(envelope.mail_from, failed, envelope.content))
            self._bouncing.add(task)
            task.add_done_callback(self._bouncing.discard)
            return "250 OK"
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.raw.append(envelope.content)
        return "250 OK"

    async def _bounce(self, sender: str, recipients: list[str], original: bytes) -> None:
        """Delivered like a mail server delivers one: tried again while the receiver is away."""
        report = delivery_status_notification(recipients, original)
        if not self._released.is_set():
            await asyncio.to_thread(self._released.wait)
        for _ in range(120):
            try:
                async with aiosmtplib.SMTP(hostname="127.0.0.1", port=self.bounce_port, timeout=10) as client:
                    await client.sendmail("", [sender], report)  # MAIL FROM:<>, as every bounce
            except (aiosmtplib.SMTPException, OSError):
                await asyncio.sleep(0.5)
                continue
            self.bounced.append(sender)
            return

    def hold_bounces(self) -> None:
        """Bounces wait until `release_bounces`: a test decides when the mail server finds out."""
        self._released.clear()

    def release_bounces(self) -> None:
        self._released.set()

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        """Down: the port refuses connections until `start`. Held bounces go (or give up)
        rather than keep a waiting thread alive."""
        self._released.set()
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[EmailMessage]:
        parsed = [message_from_bytes(content, policy=policy.default) for content in self.raw]
        return [m for m in parsed if isinstance(m, EmailMessage)]


@contextmanager
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink(port=free_port())
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


def delivery_status_notification(recipients: list[str], original: bytes) -> bytes:
    """A DSN as mail servers write them: a human part, the machine-readable status per
    recipient, and the headers of the mail that failed."""
    boundary = uuid.uuid4().hex
    headers = original.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    per_recipient = "".join(
        f"\r\nFinal-Recipient: rfc822; {r}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 mailbox unavailable\r\n"
        for r in recipients
    )
    return (
        (
            f"From: Mail Delivery System <MAILER-DAEMON@sink.invalid>\r\n"
            f"Subject: Undelivered Mail Returned to Sender\r\n"
            f"Message-ID: <{boundary}@sink.invalid>\r\n"
            f"MIME-Version: 1.0\r\n"
            f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n\r\n'
            f"--{boundary}\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
            f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
            f"Reporting-MTA: dns; sink.invalid\r\n{per_recipient}"
            f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        ).encode()
        + headers
        + f"\r\n--{boundary}--\r\n".encode()
    )
