"""Failure handling for every consumer, chosen on purpose.

- A `PermanentError` or an invalid internal contract (pydantic `ValidationError`) cannot get
  better by retrying: it is dead-lettered at once.
- Any other exception is retried after a wait: the delivery is copied to a wait queue of its
  work queue (`wait_queue`, the `retry_delays`), which hands it back when the time is up,
  and acked; up to `max_attempts` in all. A consumer that dies mid-handler is redelivered by
  the broker (`x-delivery-count`), which counts as an attempt too. The last attempt
  dead-letters.
Dead-lettering publishes the original body to `<queue>.dead-letter` with the reason in the
headers, then acks, so one bad message never blocks the ones behind it. If even the copy
cannot be published (the broker is going away), the delivery is nacked and comes back.
"""

import json
import logging
from typing import Any

import aio_pika
from faststream import BaseMiddleware
from faststream.message import StreamMessage
from faststream.rabbit import RabbitBroker, RabbitQueue
from pydantic import ValidationError

from shared.messaging.topology import Exchanges, dead_letter_queue, wait_queue

logger = logging.getLogger(__name__)

REASON_HEADER = "x-berichtenbox-reason"
SOURCE_QUEUE_HEADER = "x-berichtenbox-source-queue"
ATTEMPTS_HEADER = "x-berichtenbox-attempts"
ATTEMPT_HEADER = "x-berichtenbox-attempt"
"""On a copy back from a wait queue: the attempt it is."""
SENDER_HEADER = "x-berichtenbox-sender"
"""The broker user that published the original (RabbitMQ checked it as `user_id`). A copy
re-published by a service carries the service's own `user_id`, so only a service can vouch
for the sender this header names: ingest trusts it only then (scripts/replay_dead_letters.py)."""


UNREADABLE = (json.JSONDecodeError, UnicodeDecodeError)
"""A body no contract can be read from: no retry makes it readable."""


class PermanentError(Exception):
    """Processing this message can never succeed (unknown id, corrupt document, ...)."""


def delivery_attempt(msg: StreamMessage[Any]) -> int:
    """1 for the first delivery; a copy from a wait queue names its attempt, and quorum
    queues count redeliveries (a consumer died) in `x-delivery-count`."""
    waited = int(msg.headers.get(ATTEMPT_HEADER, 1) or 1)
    return waited + int(msg.headers.get("x-delivery-count", 0) or 0)


def describe(exc: BaseException) -> str:
    """A reason fit for a header: the exception type and its first line, without values."""
    if isinstance(exc, ValidationError):
        fields = ", ".join(".".join(map(str, e["loc"])) + f": {e['type']}" for e in exc.errors())
        return f"invalid contract ({fields})"[:500]
    if isinstance(exc, UNREADABLE):
        return f"invalid contract (not JSON: {type(exc).__name__})"
    first_line = (str(exc).splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first_line}"[:500]


class DeadLetterMiddleware(BaseMiddleware):
    def __init__(
        self,
        msg: Any,
        /,
        *,
        context: Any,
        broker: RabbitBroker,
        max_attempts: int,
        retry_delays: tuple[float, ...],
        service_user: str,
    ) -> None:
        super().__init__(msg, context=context)
        self.broker, self.max_attempts = broker, max_attempts
        self.delays, self.service_user = retry_delays, service_user

    async def consume_scope(self, call_next: Any, msg: StreamMessage[Any]) -> Any:
        try:
            return await call_next(msg)
        except Exception as exc:
            attempt, reason = delivery_attempt(msg), describe(exc)
            permanent = isinstance(exc, (PermanentError, ValidationError, *UNREADABLE))
            queue = self.context.get_local("handler_").queue
            if not permanent and attempt < self.max_attempts:
                delay = self.delays[min(attempt, len(self.delays)) - 1]
                logger.warning("attempt %d/%d failed, next in %g s: %s", attempt, self.max_attempts, delay, reason)
                await self._copy(msg, wait_queue(queue, delay), {ATTEMPT_HEADER: attempt + 1})
                return None
            why = {REASON_HEADER: reason, SOURCE_QUEUE_HEADER: queue.name, ATTEMPTS_HEADER: attempt}
            await self._copy(msg, dead_letter_queue(queue), why)
            logger.error("dead-lettered a message from %s after %d attempts: %s", queue.name, attempt, reason)
            return None

    async def _copy(self, msg: StreamMessage[Any], to: RabbitQueue, extra: dict[str, Any]) -> None:
        """The delivery as it came, published (confirmed) where `to` says, before it is acked.
        It goes with this service's `user_id`; the original sender's stays in a header that
        only a service can vouch for (`SENDER_HEADER`), so ingest still knows the agency."""
        headers = {k: v for k, v in msg.headers.items() if not k.startswith("x-death") and k != "x-delivery-count"}
        sender = getattr(msg.raw_message, "user_id", None)
        if sender != self.service_user:  # not a service's copy: only the broker-checked user_id counts
            headers.pop(SENDER_HEADER, None)
            if sender:
                headers[SENDER_HEADER] = sender
        dead = to.name.endswith(".dead-letter")
        # The AMQP ids exactly as they came (also when absent): FastStream's own `message_id` and
        # `correlation_id` fill a missing one with a random id, and ingest knows a retry of a
        # submission by them (and answers the agency under them).
        copy = aio_pika.Message(
            msg.body,
            headers={**headers, **extra},
            content_type=msg.content_type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=getattr(msg.raw_message, "message_id", None),
            correlation_id=getattr(msg.raw_message, "correlation_id", None),
            user_id=self.service_user,
        )
        await self.broker.publish(
            copy, exchange=Exchanges.DEAD_LETTERS if dead else None, routing_key=to.routing_key if dead else to.name
        )
