"""Moves dead-lettered messages back to the work queue they came from, after the cause was
fixed. Each replayed message counts its replays in `x-berichtenbox-replays`; the reason
headers of its last failure are dropped (the logs and metrics keep them). The original
sender's broker user stays in `x-berichtenbox-sender`, and the copy is published with this
tool's own `user_id` (RabbitMQ checks it), so ingest handles a replayed submission as the
agency that sent it, and no agency can pass for another this way.

Run: python -m scripts.replay_dead_letters QUEUE [--limit N]   (QUEUE e.g. router.messages-accepted)
"""

import argparse
import asyncio
import sys

import aio_pika

from shared.messaging.dead_letter import SENDER_HEADER
from shared.messaging.topology import Queues, dead_letter_queue
from shared.runtime.settings import ServiceSettings

REPLAYS_HEADER = "x-berichtenbox-replays"
DROPPED = ("x-death", "x-first-death-exchange", "x-first-death-queue", "x-first-death-reason", "x-delivery-count")


async def replay(amqp_url: str, queue_name: str, limit: int) -> int:
    """Move up to `limit` messages; the number moved. Publish (confirmed) before ack: a
    crash in between leaves a copy in both queues, never in neither."""
    work = next((q for q in Queues.WORK if q.name == queue_name), None)
    if work is None:
        raise SystemExit(f"unknown work queue {queue_name!r}; one of: {', '.join(q.name for q in Queues.WORK)}")
    connection = await aio_pika.connect(amqp_url)
    user = ServiceSettings(rabbitmq_url=amqp_url).broker_user
    moved = 0
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        dead = await channel.get_queue(dead_letter_queue(work).name, ensure=False)
        while moved < limit and (message := await dead.get(fail=False)) is not None:
            headers = {
                k: v for k, v in message.headers.items() if k not in DROPPED and not k.startswith("x-berichtenbox-")
            }
            headers[REPLAYS_HEADER] = int(str(message.headers.get(REPLAYS_HEADER, 0))) + 1
            # a service's copy names the sender; one the broker dead-lettered has the agency's own user_id
            vouched = message.headers.get(SENDER_HEADER) if message.user_id == user else None
            if sender := vouched or (message.user_id if message.user_id != user else None):
                headers[SENDER_HEADER] = str(sender)
            copy = aio_pika.Message(
                message.body,
                headers=headers,
                content_type=message.content_type,
                message_id=message.message_id,
                correlation_id=message.correlation_id,
                user_id=user,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            )
            await channel.default_exchange.publish(copy, routing_key=work.name)  # straight to the queue
            await message.ack()
            moved += 1
    return moved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("queue")
    parser.add_argument("--limit", type=int, default=1000)
    args = parser.parse_args()
    moved = asyncio.run(replay(ServiceSettings().rabbitmq_url, args.queue, args.limit))
    print(f"moved {moved} message(s) from {args.queue}.dead-letter back to {args.queue}", file=sys.stderr)


if __name__ == "__main__":
    main()
