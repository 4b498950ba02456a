"""The faults of `make chaos`, each an operator's bad day done for real to the run's own
processes and servers. Each starts once a third of the stream is sent and returns when its
last part is undone (a server back up, a provider answering again)."""

import asyncio

import aio_pika

from shared.messaging.topology import Exchanges, Queues, RoutingKeys, dead_letter_queue
from tests.chaos.run import Fault, Run

SERVICES = ("ingest", "router", "notifier", "paper")


def killed_three_times(service: str) -> Fault:
    async def fault(run: Run) -> None:
        for _ in range(3):
            await run.after_sent(run.sent + run.total // 8)
            await run.restart(service, kill=True)

    return fault


async def each_stopped_in_turn(run: Run) -> None:
    """SIGTERM, as a rolling deploy does: each service finishes what it holds, then starts again."""
    for service in SERVICES:
        await run.after_sent(run.sent + run.total // 10)
        await run.restart(service, kill=False)


async def broker_app_restart(run: Run) -> None:
    await asyncio.to_thread(run.infra.rabbit.do, "stop-app")
    await asyncio.sleep(5)
    await asyncio.to_thread(run.infra.rabbit.do, "start-app")


async def broker_node_restart(run: Run) -> None:
    await asyncio.to_thread(run.infra.rabbit.do, "down")
    await asyncio.to_thread(run.infra.rabbit.do, "up")


def ferretdb_killed_for(seconds: float) -> Fault:
    async def fault(run: Run) -> None:
        run.infra.kill_ferretdb()
        await asyncio.sleep(seconds)
        await asyncio.to_thread(run.infra.start_ferretdb)

    return fault


def postgres_stopped_for(seconds: float) -> Fault:
    async def fault(run: Run) -> None:
        await asyncio.to_thread(run.infra.stop_postgres_immediately)
        await asyncio.sleep(seconds)
        await asyncio.to_thread(run.infra.start_postgres)

    return fault


async def smtp_down(run: Run) -> None:
    run.smtp.stop()
    await asyncio.sleep(20)
    run.smtp.start()


async def smtp_slow(run: Run) -> None:
    """Every answer after 20 s for half a minute: slow, but each e-mail does arrive."""
    run.smtp.answer_after_seconds = 20
    await asyncio.sleep(30)
    run.smtp.answer_after_seconds = 0


async def smtp_answers_451(run: Run) -> None:
    run.smtp.next_answers = ["451 4.3.0 try again later"] * 40
    for _ in range(240):  # until each was answered once
        if not run.smtp.next_answers:
            return
        await asyncio.sleep(0.5)


async def poison_messages(run: Run) -> None:
    """Bodies no service can read, on the agency exchange and on the router's events: each is
    answered or dead-lettered on its own while the stream flows past it."""
    client = run.clients["uwv"]
    for body in (b"\xff\xfe not json", b'{"submissions": [{"recipient_bsn": 12}]}', b"[]" * 100_000):
        await client.submit(body, reference=None)
    connection = await aio_pika.connect(run.amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        events = await channel.get_exchange(Exchanges.EVENTS.name, ensure=False)
        for body in (b"not json", b'{"messages": [{"message_id": null}]}'):
            message = aio_pika.Message(body, content_type="application/json", delivery_mode=2)
            await events.publish(message, routing_key=RoutingKeys.MESSAGES_ACCEPTED)
        dead_letters = dead_letter_queue(Queues.ROUTER_MESSAGES).name
        for _ in range(100):  # kept, with a reason, where an operator looks
            found = await channel.declare_queue(dead_letters, passive=True)
            if (found.declaration_result.message_count or 0) >= 2:
                return
            await asyncio.sleep(0.3)
        raise AssertionError("the router's poison messages were not dead-lettered")


FAULTS: dict[str, Fault] = {
    **{f"kill -9 {s} x3": killed_three_times(s) for s in SERVICES},
    "SIGTERM each service in turn": each_stopped_in_turn,
    "RabbitMQ app restart": broker_app_restart,
    "RabbitMQ node restart": broker_node_restart,
    "FerretDB killed for 5 s": ferretdb_killed_for(5),
    "FerretDB killed for 45 s": ferretdb_killed_for(45),
    "PostgreSQL stopped (immediate) for 10 s": postgres_stopped_for(10),
    "PostgreSQL stopped (immediate) for 40 s": postgres_stopped_for(40),
    "SMTP down for 20 s": smtp_down,
    "SMTP answering after 20 s": smtp_slow,
    "SMTP answering 451": smtp_answers_451,
    "poison messages": poison_messages,
}
