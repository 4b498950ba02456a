"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives and can be told to
answer the next deliveries with a failure code, to answer slowly, or to go away for a while."""

import asyncio
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


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

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.answer_after_seconds:
            await asyncio.sleep(self.answer_after_seconds)
        if self.next_answers:
            return self.next_answers.pop(0)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.raw.append(envelope.content)
        return "250 OK"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        """Down: the port refuses connections until `start`."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[EmailMessage]:
        parsed = [message_from_bytes(content, policy=policy.default) for content in self.raw]
        return [m for m in parsed if isinstance(m, EmailMessage)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink(port=free_port())
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()
