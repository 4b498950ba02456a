"""A publish the broker refused is tried again on a new channel (shared/messaging/republish.py):
a quorum queue whose leader died refuses a channel that began before the new election, and
only a new channel asks the new leader. A returned (unroutable) message is no such case."""

import asyncio
from types import SimpleNamespace
from typing import Any, cast

import aiormq
import pytest
from aio_pika.exceptions import ChannelInvalidStateError, DeliveryError
from faststream.rabbit import RabbitBroker

from shared.messaging import republish
from shared.messaging.republish import PublishingChannel, RepublishOnNack

NACK = DeliveryError(None, aiormq.spec.Basic.Nack(delivery_tag=1))
RETURN = DeliveryError(None, aiormq.spec.Basic.Return(reply_code=312, reply_text="NO_ROUTE"))


class FakeChannel:
    """The aio-pika channel under a `PublishingChannel`: counts its renewals."""

    def __init__(self) -> None:
        self.reopens = 0

    async def close(self) -> None:
        pass

    async def reopen(self) -> None:
        self.reopens += 1


def publishing(channel: Any) -> PublishingChannel:
    """The real `PublishingChannel` over `channel`, as FastStream's channel manager hands it out."""

    class Manager:
        async def get_channel(self) -> Any:
            return channel

    return PublishingChannel(cast(RabbitBroker, SimpleNamespace(config=SimpleNamespace(channel_manager=Manager()))))


class Broker:
    """What each try gets: an exception to raise, or None for a confirm."""

    def __init__(self, *answers: Exception | None, channel: PublishingChannel | None = None) -> None:
        self.answers, self.tries = list(answers), 0
        self.renew_meanwhile = channel

    async def publish(self, cmd: Any) -> str:
        self.tries += 1
        answer = self.answers.pop(0) if self.answers else None
        if self.renew_meanwhile and self.tries == 1:  # another publish renews the channel under this one
            await self.renew_meanwhile.renew(self.renew_meanwhile.generation)
        if answer:
            raise answer
        return "confirmed"


def middleware(channel: PublishingChannel) -> RepublishOnNack:
    return RepublishOnNack(None, context=None, channel=channel, delays=(0.0, 0.0, 0.0))


async def test_a_nacked_publish_is_confirmed_on_a_new_channel() -> None:
    fake = FakeChannel()
    channel, broker = publishing(fake), Broker(NACK, NACK)
    assert await middleware(channel).publish_scope(broker.publish, "cmd") == "confirmed"
    assert (broker.tries, fake.reopens) == (3, 2)


async def test_a_returned_message_fails_at_once() -> None:
    fake = FakeChannel()
    channel, broker = publishing(fake), Broker(RETURN)
    with pytest.raises(DeliveryError):
        await middleware(channel).publish_scope(broker.publish, "cmd")
    assert (broker.tries, fake.reopens) == (1, 0)


async def test_a_nack_that_outlasts_the_waits_fails_the_publish() -> None:
    fake = FakeChannel()
    channel, broker = publishing(fake), Broker(NACK, NACK, NACK, NACK)
    with pytest.raises(DeliveryError):
        await middleware(channel).publish_scope(broker.publish, "cmd")
    assert (broker.tries, fake.reopens) == (4, 3)


async def test_a_publish_caught_by_a_renewal_is_tried_again_without_renewing_twice() -> None:
    fake = FakeChannel()
    channel = publishing(fake)
    broker = Broker(ChannelInvalidStateError("closed"), channel=channel)
    assert await middleware(channel).publish_scope(broker.publish, "cmd") == "confirmed"
    assert (broker.tries, fake.reopens) == (2, 1)


async def test_a_closed_channel_nobody_renewed_is_not_this_middlewares_to_mend() -> None:
    fake = FakeChannel()
    channel, broker = publishing(fake), Broker(ChannelInvalidStateError("connection lost"))
    with pytest.raises(ChannelInvalidStateError):
        await middleware(channel).publish_scope(broker.publish, "cmd")
    assert (broker.tries, fake.reopens) == (1, 0)


class DownChannel:
    """A publishing channel while the connection is down: neither step can be done."""

    def __init__(self) -> None:
        self.reopen_asked = False

    async def close(self) -> None:
        raise ChannelInvalidStateError("No active transport in channel")

    async def reopen(self) -> None:
        self.reopen_asked = True  # aio-pika clears the channel's closed mark before it fails
        raise ChannelInvalidStateError("No active transport in channel")


async def test_renewing_while_the_connection_is_down_leaves_the_channel_to_be_restored() -> None:
    down = DownChannel()
    channel = publishing(down)
    await channel.renew(0)
    assert (channel.generation, down.reopen_asked) == (1, True)


class SilentChannel(DownChannel):
    """A broker that stopped answering: closing never finishes."""

    async def close(self) -> None:
        await asyncio.Event().wait()


async def test_a_renewal_gives_up_on_a_broker_that_does_not_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    """Publishes wait while a renewal runs: it must end."""
    monkeypatch.setattr(republish, "RENEWAL_STEP_SECONDS", 0.05)
    silent = SilentChannel()
    channel = publishing(silent)
    await asyncio.wait_for(channel.renew(0), 2)
    assert (channel.generation, silent.reopen_asked, await channel.settled()) == (1, True, 1)
