"""The failure policy every consumer shares, against real RabbitMQ: bounded retries, then
the dead-letter queue with the reason; permanent errors at once; others keep flowing."""

import asyncio
import itertools
import time
from typing import Any

import pytest
from faststream import FastStream
from faststream.rabbit import RabbitBroker

from shared.contracts.messages import PrintLetter
from shared.messaging.broker import consumer, create_broker, declare_topology
from shared.messaging.dead_letter import (
    ATTEMPTS_HEADER,
    REASON_HEADER,
    SOURCE_QUEUE_HEADER,
    DeadLetterMiddleware,
    PermanentError,
)
from shared.messaging.topology import Exchanges, Queues, RoutingKeys, dead_letter_queue
from shared.runtime.settings import ServiceSettings
from tests.conftest import Sandbox
from tests.support.wire import running, take


def with_topology(broker: RabbitBroker, sandbox: Sandbox) -> FastStream:
    """As the services do: the topology declared before the subscribers consume."""

    async def declare() -> None:
        await declare_topology(sandbox.rabbitmq_url, (0.3, 0.6))

    return FastStream(broker, on_startup=[declare])


def letter(letter_id: str) -> PrintLetter:
    return PrintLetter(letter_id=letter_id, message_id="m", account_id=None)


async def test_retries_then_dead_letters_with_the_reason_while_others_flow(sandbox: Sandbox) -> None:
    settings = sandbox.settings(ServiceSettings, max_attempts=3, retry_delays=(0.3, 0.6))
    broker = create_broker(settings)
    attempts: dict[str, int] = {}
    tried_at: list[float] = []
    done: list[str] = []

    @consumer(broker, Queues.PAPER_COMMANDS, prefetch=8)
    async def handle(command: PrintLetter) -> None:
        attempts[command.letter_id] = attempts.get(command.letter_id, 0) + 1
        if command.letter_id == "flaky":
            tried_at.append(time.monotonic())
        if command.letter_id == "flaky":
            raise ConnectionError("print street unreachable")
        if command.letter_id == "hopeless":
            raise PermanentError("letter has no address")
        done.append(command.letter_id)

    async with running(with_topology(broker, sandbox)):
        for letter_id in ("flaky", "hopeless", "fine-1", "fine-2"):
            await broker.publish(
                letter(letter_id), exchange=Exchanges.COMMANDS, routing_key=RoutingKeys.PRINT_LETTER, persist=True
            )
        dead = await take(sandbox.rabbitmq_url, dead_letter_queue(Queues.PAPER_COMMANDS).name, 2)
        await asyncio.sleep(0.2)
    assert sorted(done) == ["fine-1", "fine-2"]
    assert attempts == {"flaky": 3, "hopeless": 1, "fine-1": 1, "fine-2": 1}
    waits = [later - earlier for earlier, later in itertools.pairwise(tried_at)]
    # RabbitMQ counts a wait queue's TTL in whole milliseconds on its own clock, so a wait can end a
    # millisecond before this process's clock says it began plus the delay: allow that, no more.
    slack = 0.01
    assert waits[0] >= 0.3 - slack and waits[1] >= 0.6 - slack, waits  # retries wait, longer each time
    reasons = {m.message_id or "": (m.headers[REASON_HEADER], m.headers[ATTEMPTS_HEADER]) for m in dead}
    assert {PrintLetter.model_validate_json(m.body).letter_id for m in dead} == {"flaky", "hopeless"}
    assert sorted(str(reason) for reason, _ in reasons.values()) == [
        "ConnectionError: print street unreachable",
        "PermanentError: letter has no address",
    ]
    assert all(m.headers[SOURCE_QUEUE_HEADER] == Queues.PAPER_COMMANDS.name for m in dead)


async def test_an_invalid_contract_is_dead_lettered_at_once(sandbox: Sandbox) -> None:
    broker = create_broker(sandbox.settings(ServiceSettings, max_attempts=5))
    calls: list[PrintLetter] = []

    @consumer(broker, Queues.PAPER_COMMANDS, prefetch=8)
    async def handle(command: PrintLetter) -> None:
        calls.append(command)

    async with running(with_topology(broker, sandbox)):
        await broker.publish(
            {"letter_id": "x"}, exchange=Exchanges.COMMANDS, routing_key=RoutingKeys.PRINT_LETTER, persist=True
        )
        [dead] = await take(sandbox.rabbitmq_url, dead_letter_queue(Queues.PAPER_COMMANDS).name, 1)
    assert calls == []
    assert dead.headers[ATTEMPTS_HEADER] == 1
    assert "message_id: missing" in str(dead.headers[REASON_HEADER])


async def test_a_body_that_is_not_json_is_dead_lettered_at_once(sandbox: Sandbox) -> None:
    """Found by `make chaos` (poison messages): bytes no contract can be read from were retried
    for a minute and a half as if the database were down."""
    broker = create_broker(sandbox.settings(ServiceSettings, max_attempts=5))
    calls: list[PrintLetter] = []

    @consumer(broker, Queues.PAPER_COMMANDS, prefetch=8)
    async def handle(command: PrintLetter) -> None:
        calls.append(command)

    async with running(with_topology(broker, sandbox)):
        for body in (b"\xff\xfe not json", b"not json"):
            await broker.publish(
                body, exchange=Exchanges.COMMANDS, routing_key=RoutingKeys.PRINT_LETTER, persist=True,
                content_type="application/json",
            )  # fmt: skip
        dead = await take(sandbox.rabbitmq_url, dead_letter_queue(Queues.PAPER_COMMANDS).name, 2, timeout=5)
    assert calls == []
    assert [d.headers[ATTEMPTS_HEADER] for d in dead] == [1, 1]
    assert all("not JSON" in str(d.headers[REASON_HEADER]) for d in dead)


async def test_a_retry_copy_that_cannot_be_published_leaves_the_delivery_to_the_broker(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No copy, no ack: the delivery is nacked and comes back (counted as an attempt)."""
    copy_for_real, refused = DeadLetterMiddleware._copy, [ConnectionError("channel closed")]

    async def refuse_once(self: DeadLetterMiddleware, *args: Any) -> None:
        if refused:
            raise refused.pop()
        await copy_for_real(self, *args)

    monkeypatch.setattr(DeadLetterMiddleware, "_copy", refuse_once)
    broker = create_broker(sandbox.settings(ServiceSettings, max_attempts=5, retry_delays=(0.3,)))
    attempts: list[int] = []

    @consumer(broker, Queues.PAPER_COMMANDS, prefetch=8)
    async def handle(command: PrintLetter) -> None:
        attempts.append(len(attempts) + 1)
        if len(attempts) < 3:
            raise ConnectionError("database unreachable")

    async with running(with_topology(broker, sandbox)):
        await broker.publish(
            letter("x"), exchange=Exchanges.COMMANDS, routing_key=RoutingKeys.PRINT_LETTER, persist=True
        )
        for _ in range(100):
            if len(attempts) == 3:
                break
            await asyncio.sleep(0.05)
    assert attempts == [1, 2, 3]  # 1 failed, its copy refused: redelivered; 2 failed, waited; 3 done
    assert await take(sandbox.rabbitmq_url, dead_letter_queue(Queues.PAPER_COMMANDS).name, 1, timeout=0.3) == []
