"""The broker's own limit on this machine: a raw aio-pika one-hop relay. A consumer takes
each message from queue A, publishes it persistent with publisher confirms to queue B, and
acks: what one FastStream hop does, without FastStream, pydantic or a database."""

import asyncio
import time

import aio_pika


async def relay_rate(amqp_url: str, count: int, body: bytes, prefetch: int = 64) -> float:
    """Messages per second through the relay, from the first to the last arrival in B."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        setup = await connection.channel()
        source = await setup.declare_queue("bench.relay-a", durable=True, arguments={"x-queue-type": "quorum"})
        target = await setup.declare_queue("bench.relay-b", durable=True, arguments={"x-queue-type": "quorum"})
        publisher = await connection.channel(publisher_confirms=True)
        consumer = await connection.channel(publisher_confirms=True)
        await consumer.set_qos(prefetch_count=prefetch)
        arrived = asyncio.Event()
        relayed = 0

        async def relay(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal relayed
            copy = aio_pika.Message(
                message.body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, content_type="application/json"
            )
            await consumer.default_exchange.publish(copy, routing_key=target.name)
            await message.ack()
            relayed += 1
            if relayed == count:
                arrived.set()

        started = time.perf_counter()
        tag = await (await consumer.get_queue(source.name)).consume(relay)
        window: list[asyncio.Future[object]] = []
        for _ in range(count):
            message = aio_pika.Message(
                body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT, content_type="application/json"
            )
            window.append(asyncio.ensure_future(publisher.default_exchange.publish(message, routing_key=source.name)))
            if len(window) >= 500:
                await asyncio.gather(*window)
                window.clear()
        await asyncio.gather(*window)
        await arrived.wait()
        elapsed = time.perf_counter() - started
        await (await consumer.get_queue(source.name)).cancel(tag)
        await setup.queue_delete(source.name)
        await setup.queue_delete(target.name)
    return count / elapsed
