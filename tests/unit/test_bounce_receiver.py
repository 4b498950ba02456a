"""The bounce receiver's decisions through fakes: a genuine permanent failure counts against
its address once, however often it is delivered; a forged or temporary one counts nothing; a
failure to count answers 451, so the sending server tries again."""

import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

from prometheus_client import CollectorRegistry, Counter

from scripts.smtp_sink import delivery_status_notification
from services.notifier.bounce_server import BounceReceiver
from services.notifier.bounces import BounceAddresses
from services.notifier.contact import AddressFailures
from tests.fakes.notifier import InMemoryAddressHealth, RecordingNotifierPublisher

ACCOUNT = str(uuid.UUID(int=42))
ADDRESSES = BounceAddresses(b"key", "berichtenbox.example")


class Receiving:
    def __init__(self) -> None:
        self.health, self.publisher = InMemoryAddressHealth(), RecordingNotifierPublisher()
        failures = AddressFailures(self.health, self.publisher, lambda: datetime(2026, 12, 3, tzinfo=UTC))
        self.outcomes = Counter("bounces", "", ["outcome"], registry=CollectorRegistry())
        self.receiver = BounceReceiver(ADDRESSES, failures, self.outcomes)

    async def deliver(self, bounce_address: str, report: bytes) -> str:
        envelope = SimpleNamespace(rcpt_tos=[], content=report)
        answer = await self.receiver.handle_RCPT(None, None, envelope, bounce_address, [])
        return answer if not answer.startswith("250") else await self.receiver.handle_DATA(None, None, envelope)

    def counted(self, outcome: str) -> float:
        return float(self.outcomes.labels(outcome)._value.get())


def report(recipient: str, notification: str) -> bytes:
    return delivery_status_notification([recipient], f"Message-ID: <{notification}@b.example>\r\n\r\n".encode())


async def test_three_genuine_bounces_mark_the_address_each_counted_once() -> None:
    receiving, address = Receiving(), ADDRESSES.envelope_sender(ACCOUNT, "a@example.nl")
    assert address is not None
    for notification in ("n-1", "n-1", "n-2", "n-2"):  # each delivered twice
        assert await receiving.deliver(address, report("a@example.nl", notification)) == "250 OK"
    assert receiving.health.failures == {"a@example.nl": {"<n-1@b.example>", "<n-2@b.example>"}}
    assert receiving.publisher.not_working == []
    await receiving.deliver(address, report("a@example.nl", "n-3"))
    [event] = receiving.publisher.not_working
    assert event.account_id == ACCOUNT


async def test_a_forged_or_temporary_bounce_counts_nothing() -> None:
    receiving, address = Receiving(), ADDRESSES.envelope_sender(ACCOUNT, "a@example.nl")
    assert address is not None
    assert await receiving.deliver(address, report("someone-else@example.nl", "n-1")) == "250 OK"
    delay = report("a@example.nl", "n-2").replace(b"Action: failed", b"Action: delayed")
    assert await receiving.deliver(address, delay) == "250 OK"
    assert (await receiving.deliver("noreply@berichtenbox.example", report("a@example.nl", "n-3"))).startswith("550")
    assert receiving.health.failures == {}
    assert (receiving.counted("forged"), receiving.counted("not-a-failure")) == (1, 1)


async def test_a_bounce_that_cannot_be_counted_is_refused_for_now() -> None:
    receiving, address = Receiving(), ADDRESSES.envelope_sender(ACCOUNT, "a@example.nl")
    assert address is not None

    async def down(address: str, failure_id: str, now: datetime) -> int:
        raise ConnectionError("database away")

    receiving.health.refused = down  # type: ignore[method-assign]
    assert (await receiving.deliver(address, report("a@example.nl", "n-1"))).startswith("451")
