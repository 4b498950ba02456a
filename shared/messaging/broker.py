"""The RabbitMQ side of every service: one broker factory, persistent publishers with
confirms, one way to consume, and the topology declared in full."""

import logging
from functools import partial
from typing import Any

import aio_pika
from aio_pika.abc import AbstractExchange, AbstractQueue
from faststream import AckPolicy
from faststream.message import StreamMessage
from faststream.rabbit import (
    Channel,
    RabbitBroker,
    RabbitExchange,
    RabbitMessage,
    RabbitQueue,
)
from faststream.rabbit.publisher import RabbitPublisher
from faststream.rabbit.subscriber import RabbitSubscriber

from shared.contracts.agencies import Agency
from shared.messaging.dead_letter import DeadLetterMiddleware
from shared.messaging.republish import PublishingChannel, RepublishOnNack
from shared.messaging.topology import (
    RETRY_DELAYS,
    Exchanges,
    Queues,
    dead_letter_queue,
    exchange_of,
    receipts_queue,
    wait_queue,
)
from shared.runtime.logs import CorrelationMiddleware
from shared.runtime.settings import ServiceSettings


def create_broker(settings: ServiceSettings, *, trusted_correlation: bool = True) -> RabbitBroker:
    """A broker whose publishing channel waits for publisher confirms, raises on unroutable
    messages (instead of dropping them) and tries a refused publish again on a new channel,
    with correlation ids and the dead-letter policy on every subscriber."""
    broker = RabbitBroker(
        settings.rabbitmq_url,
        # publishing only: every consumer has a channel of its own (`consumer`)
        default_channel=Channel(publisher_confirms=True, on_return_raises=True),
        app_id=settings.service_name,
        # FastStream's access log through our logger, so it is JSON like every other line
        logger=logging.getLogger(f"berichtenbox.broker.{settings.service_name}"),
    )
    broker.add_middleware(partial(CorrelationMiddleware, trusted=trusted_correlation))
    broker.add_middleware(partial(RepublishOnNack, channel=PublishingChannel(broker)))
    broker.add_middleware(
        partial(
            DeadLetterMiddleware,
            broker=broker,
            max_attempts=settings.max_attempts,
            retry_delays=settings.retry_delays,
            service_user=settings.broker_user,
        )
    )
    return broker


def persistent_publisher(
    broker: RabbitBroker,
    exchange: RabbitExchange,
    routing_key: str,
    schema: Any,
    description: str,
) -> RabbitPublisher:
    """Publishers are non-persistent in FastStream unless asked: ours always persist."""
    return broker.publisher(
        exchange=exchange,
        routing_key=routing_key,
        persist=True,
        schema=schema,
        description=description,
    )


def delivery(broker: RabbitBroker) -> RabbitMessage:
    """The message being handled, from the broker's context. Handlers ask for it here rather
    than with a `RabbitMessage` parameter (or any `Context()` one), which FastDepends resolves
    in a worker thread: a thread hop per delivery (docs/performance.md). For the same reason
    handlers get their use cases from their own object, not from the broker's context."""
    message: RabbitMessage = broker.context.get_local("message")
    return message


async def raw_body(message: StreamMessage[Any]) -> bytes:
    """A decoder that leaves the body alone, for consumers that parse untrusted bytes themselves."""
    return message.body


def consumer(broker: RabbitBroker, queue: RabbitQueue, *, prefetch: int, raw: bool = False) -> RabbitSubscriber:
    """Subscribe to a work queue on its exchange, on a channel of its own (never the one the
    service publishes on, which `RepublishOnNack` may renew). A failing handler's message is
    requeued (nack) and counted by the quorum queue; `DeadLetterMiddleware` ends the retries.
    Messages are handled concurrently up to `prefetch`, unless the queue is a
    single-active-consumer queue: then one at a time, in order."""
    return broker.subscriber(queue, exchange_of(queue), **_consuming(queue, raw, prefetch))


def _consuming(queue: RabbitQueue, raw: bool, prefetch: int) -> dict[str, Any]:
    if (queue.arguments or {}).get("x-single-active-consumer"):
        prefetch = 1
    channel = Channel(prefetch_count=prefetch, publisher_confirms=True, on_return_raises=True)
    return {"ack_policy": AckPolicy.NACK_ON_ERROR, "decoder": raw_body if raw else None, "channel": channel}


async def declare_topology(rabbitmq_url: str, retry_delays: tuple[float, ...] = RETRY_DELAYS) -> None:
    """Declare every exchange, work queue, wait queue and dead-letter queue with their
    bindings, so a service may publish before the consuming service has ever started
    (idempotent).

    On a connection of its own: FastStream's declarer keeps each queue it declared on the
    channel it was declared on, and hands that queue to a subscriber of the same queue; a
    topology declared through the broker left every consumer on the broker's default channel,
    so the prefetch a subscriber asked for (one at a time on an in-order queue) was ignored."""
    connection = await aio_pika.connect(rabbitmq_url)
    async with connection, connection.channel() as channel:
        declared = {e.name: await _declare_exchange(channel, e) for e in Exchanges.ALL}
        for queue in Queues.WORK:
            for seconds in dict.fromkeys(retry_delays):
                await _declare_queue(channel, wait_queue(queue, seconds))
            work = await _declare_queue(channel, queue)
            await work.bind(declared[exchange_of(queue).name], routing_key=queue.routing_key)
            dead = dead_letter_queue(queue)
            await (await _declare_queue(channel, dead)).bind(
                declared[Exchanges.DEAD_LETTERS.name], routing_key=dead.routing_key
            )


async def _declare_exchange(channel: aio_pika.abc.AbstractChannel, exchange: RabbitExchange) -> AbstractExchange:
    return await channel.declare_exchange(
        exchange.name, exchange.type.value, durable=exchange.durable, auto_delete=exchange.auto_delete
    )


async def _declare_queue(channel: aio_pika.abc.AbstractChannel, queue: RabbitQueue) -> AbstractQueue:
    return await channel.declare_queue(
        queue.name, durable=queue.durable, auto_delete=queue.auto_delete, arguments=queue.arguments
    )


async def declare_receipt_queues(broker: RabbitBroker, agencies: list[Agency]) -> None:
    """Declare each agency's receipts queue, bound on the receipts exchange by agency id."""
    exchange = await broker.declare_exchange(Exchanges.RECEIPTS)
    for agency in agencies:
        queue = receipts_queue(agency.agency_id, agency.receipts_queue)
        await (await broker.declare_queue(queue)).bind(exchange, routing_key=queue.routing_key)
