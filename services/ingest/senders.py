"""Who sent a submission. RabbitMQ checks an AMQP `user_id` against the connection's user,
so the `user_id` is the sender. One exception: a copy re-published by a service (a replayed
dead letter) carries the service's own `user_id` and names the original sender in a header;
that header counts only then, so no agency can forge it. Pure."""

from collections.abc import Mapping
from dataclasses import dataclass

from shared.messaging.dead_letter import SENDER_HEADER


@dataclass(frozen=True)
class Sender:
    broker_user: str | None
    replayed: bool
    """A service vouches for the sender of a copy it published: handled like a redelivery."""


def sender_of(user_id: str | None, headers: Mapping[str, object], service_user: str) -> Sender:
    vouched = headers.get(SENDER_HEADER)
    if user_id is not None and user_id == service_user and isinstance(vouched, str) and vouched:
        return Sender(vouched, replayed=True)
    return Sender(user_id, replayed=False)
