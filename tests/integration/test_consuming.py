"""How many deliveries a consumer holds at once, against real RabbitMQ: an in-order queue one,
a queue with its own prefetch that many, whatever the topology declared before."""

import asyncio
from urllib.parse import quote

from services.notifier.main import create_app as notifier_app
from services.notifier.settings import NotifierSettings
from services.router.main import create_app as router_app
from services.router.settings import RouterSettings
from shared.messaging.broker import consumer
from shared.messaging.topology import Exchanges, Queues
from shared.runtime.service import create_service_app, wire
from shared.runtime.settings import ServiceSettings
from tests.conftest import Sandbox
from tests.support.wire import running


async def test_an_in_order_queue_is_handled_one_delivery_at_a_time(sandbox: Sandbox) -> None:
    """The router's account events were handled several at once: the topology, declared
    before the subscribers start, left FastStream's declarer holding the queue on the
    broker's default channel, so the consumer's own channel of prefetch 1 was never used."""
    wiring = wire(sandbox.settings(ServiceSettings))
    in_flight, most, done = 0, 0, 0

    @consumer(wiring.broker, Queues.ROUTER_ACCOUNT_EVENTS, prefetch=64)
    async def handle(_: dict[str, str]) -> None:
        nonlocal in_flight, most, done
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.05)
        in_flight -= 1
        done += 1

    async with running(create_service_app(wiring, description="test", indexes={})):
        for n in range(6):
            await wiring.broker.publish(
                {"n": str(n)}, exchange=Exchanges.EVENTS, routing_key="account.test", persist=True
            )
        for _ in range(100):
            if done == 6:
                break
            await asyncio.sleep(0.05)
    assert (done, most) == (6, 1)


async def test_every_consumer_holds_the_prefetch_it_was_given(sandbox: Sandbox) -> None:
    router = router_app(sandbox.settings(RouterSettings, prefetch_count=40, event_prefetch_count=3))
    notifier = notifier_app(sandbox.settings(NotifierSettings, prefetch_count=40, event_prefetch_count=4))
    path = f"/consumers/{quote(sandbox.vhost, safe='')}"
    held: dict[str, int] = {}
    async with running(router), running(notifier):
        for _ in range(100):  # the management API lists consumers as its statistics arrive
            consumers = await asyncio.to_thread(sandbox.management.call, "GET", path)
            held = {c["queue"]["name"]: c["prefetch_count"] for c in consumers}
            if len(held) == 4:
                break
            await asyncio.sleep(0.2)
    assert held[Queues.ROUTER_ACCOUNT_EVENTS.name] == 1
    assert held[Queues.ROUTER_MESSAGES.name] == 3
    assert held[Queues.NOTIFIER_COMMANDS.name] == 4
    assert held[Queues.NOTIFIER_OPENED.name] == 40
