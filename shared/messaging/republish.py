"""A publish the broker refused (nack) is tried again, on a new channel, after a short wait.

Why a new channel: RabbitMQ 3.10 gives a channel a quorum queue's members the first time the
channel publishes to it, that moment's leader first, and the channel asks that member again
for every later publish until one succeeds. A service that lost its node reconnects at once
(aio-pika), before the queues on the dead node have elected new leaders: its fresh channel
names the dead leader first, and every publish on it is nacked until that node is back
(`rabbit_fifo_client:enqueue/3`, `{badrpc, nodedown}` gives `reject_publish`). A channel
opened after the election asks the new leader. tests/chaos/test_cluster.py shows the nacks
without this module and the publishes going on with it.

The publishing channel carries no consumers (`broker.consumer` gives each its own), so closing
it takes no delivery away from a handler; a publish waits while it is renewed. A nack that
outlasts the waits fails the publish as before, and the consumer's own failure path takes
over (`dead_letter`)."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiormq
from aio_pika.exceptions import ChannelInvalidStateError, DeliveryError
from faststream import BaseMiddleware
from faststream.rabbit import RabbitBroker

logger = logging.getLogger(__name__)

REPUBLISH_DELAYS = (0.1, 0.5, 1.0, 2.0, 4.0)
"""Seconds before each new try: longer than a quorum queue's election takes."""
RENEWAL_STEP_SECONDS = 5.0
GIVE_UP_ON = (aiormq.exceptions.AMQPError, RuntimeError, TimeoutError)
"""What closing or reopening the channel may meet while the connection is away."""


class PublishingChannel:
    """The broker's publishing channel (FastStream's default one), renewed once per failure
    however many publishes saw it."""

    def __init__(self, broker: RabbitBroker) -> None:
        self._broker, self._lock = broker, asyncio.Lock()
        self.generation = 0

    async def settled(self) -> int:
        """The channel's generation once no renewal is under way: a publish begun while the
        channel is closed for renewal would fail for nothing."""
        if not self._lock.locked():
            return self.generation
        async with self._lock:
            return self.generation

    async def renew(self, seen: int) -> None:
        """A new channel, unless one was made since the failed publish began (`seen`)."""
        async with self._lock:
            if seen != self.generation:
                return
            self.generation += 1
            channel = await self._broker.config.channel_manager.get_channel()
            # The same aio-pika object, so the exchanges FastStream keeps stay valid. With the
            # connection down either step fails; the reopen has cleared the channel's closed
            # mark first, so the robust connection restores it when it is back.
            # bounded: publishes wait for this, and a broker gone silent would answer never
            with contextlib.suppress(*GIVE_UP_ON):
                await asyncio.wait_for(channel.close(), RENEWAL_STEP_SECONDS)
            try:
                await asyncio.wait_for(channel.reopen(), RENEWAL_STEP_SECONDS)
            except GIVE_UP_ON as exc:
                logger.warning("the publishing channel waits for the connection: %s", type(exc).__name__)


def _refused(exc: Exception) -> bool:
    """A nack, not a return: an unroutable message stays an error at once."""
    return isinstance(exc, DeliveryError) and isinstance(exc.frame, aiormq.spec.Basic.Nack)


class RepublishOnNack(BaseMiddleware):
    def __init__(
        self, msg: Any, /, *, context: Any, channel: PublishingChannel, delays: tuple[float, ...] = REPUBLISH_DELAYS
    ) -> None:
        super().__init__(msg, context=context)
        self.channel, self.delays = channel, delays

    async def publish_scope(self, call_next: Callable[[Any], Awaitable[Any]], cmd: Any) -> Any:
        for delay in self.delays:
            seen = await self.channel.settled()
            try:
                return await call_next(cmd)
            except (DeliveryError, ChannelInvalidStateError, aiormq.exceptions.ChannelClosed) as exc:
                # a publish caught by another one's renewal of the channel is tried again too
                if not (_refused(exc) or self.channel.generation != seen):
                    raise
                logger.warning("a publish was refused (%s); again on a new channel in %g s", type(exc).__name__, delay)
            await self.channel.renew(seen)
            await asyncio.sleep(delay)
        await self.channel.settled()
        return await call_next(cmd)
