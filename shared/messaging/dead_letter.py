"""Failure handling for every consumer, chosen on purpose.

- A `PermanentError` or an invalid internal contract (pydantic `ValidationError`) cannot get
  better by retrying: it is dead-lettered at once.
- Any other exception is retried (nack and requeue) until `max_attempts`; the quorum queue
  counts deliveries in `x-delivery-count`. The last attempt dead-letters.
Dead-lettering publishes the original body to `<queue>.dead-letter` with the reason in the
headers, then acks, so one bad message never blocks the ones behind it.
"""

import logging
from typing import Any

from faststream import BaseMiddleware
from faststream.message import StreamMessage
from faststream.rabbit import RabbitBroker
from pydantic import ValidationError

from shared.messaging.topology import Exchanges

logger = logging.getLogger(__name__)

REASON_HEADER = "x-berichtenbox-reason"
SOURCE_QUEUE_HEADER = "x-berichtenbox-source-queue"
ATTEMPTS_HEADER = "x-berichtenbox-attempts"
SENDER_HEADER = "x-berichtenbox-sender"
"""The broker user that published the original (RabbitMQ checked it as `user_id`). A copy
re-published by a service carries the service's own `user_id`, so only a service can vouch
for the sender this header names: ingest trusts it only then (scripts/replay_dead_letters.py)."""


class PermanentError(Exception):
    """Processing this message can never succeed (unknown id, corrupt document, ...)."""


def delivery_attempt(msg: StreamMessage[Any]) -> int:
    """1 for the first delivery; quorum queues count redeliveries in `x-delivery-count`."""
    return int(msg.headers.get("x-delivery-count", 0) or 0) + 1


def describe(exc: BaseException) -> str:
    """A reason fit for a header: the exception type and its first line, without values."""
    if isinstance(exc, ValidationError):
        fields = ", ".join(".".join(map(str, e["loc"])) + f": {e['type']}" for e in exc.errors())
        return f"invalid contract ({fields})"[:500]
    first_line = (str(exc).splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first_line}"[:500]


class DeadLetterMiddleware(BaseMiddleware):
    def __init__(self, msg: Any, /, *, context: Any, broker: RabbitBroker, max_attempts: int) -> None:
        super().__init__(msg, context=context)
        self.broker = broker
        self.max_attempts = max_attempts

    async def consume_scope(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
        try:
            return await call_next(msg)
        except Exception as exc:
            attempt = delivery_attempt(msg)
            permanent = isinstance(exc, PermanentError | ValidationError)
            if not permanent and attempt < self.max_attempts:
                logger.warning("attempt %d/%d failed, will retry: %s", attempt, self.max_attempts, describe(exc))
                raise
            await self._dead_letter(msg, describe(exc), attempt)
            return None

    async def _dead_letter(self, msg: StreamMessage[Any], reason: str, attempt: int) -> None:
        queue = self.context.get_local("handler_").queue.name
        headers = {**msg.headers, REASON_HEADER: reason, SOURCE_QUEUE_HEADER: queue, ATTEMPTS_HEADER: attempt}
        if sender := getattr(msg.raw_message, "user_id", None):
            headers.setdefault(SENDER_HEADER, sender)
        await self.broker.publish(
            msg.body,
            exchange=Exchanges.DEAD_LETTERS,
            routing_key=queue,
            headers=headers,
            persist=True,
            message_id=msg.message_id,
            correlation_id=msg.correlation_id,
            content_type=msg.content_type,
        )
        logger.error("dead-lettered a message from %s after %d attempts: %s", queue, attempt, reason)
