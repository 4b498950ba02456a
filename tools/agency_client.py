"""A small agency client: publishes submissions with the right AMQP properties and collects
receipts from the agency's own receipts queue. Used by the demo, the tests and the benchmark."""

import asyncio
import json
from collections.abc import Mapping
from types import TracebackType
from typing import Any, Self

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection

from shared.contracts.messages import Receipt, receipts_in
from shared.messaging.topology import Exchanges, RoutingKeys, receipts_queue


class AgencyClient:
    def __init__(self, amqp_url: str, agency_id: str, broker_user: str, receipts_queue: str | None = None) -> None:
        """`amqp_url` carries the agency's own credentials; `receipts_queue` is the name its
        provisioning gave it (`Agency.receipts_queue`)."""
        self.amqp_url, self.agency_id, self.broker_user = amqp_url, agency_id, broker_user
        self.receipts_queue = receipts_queue
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None

    async def __aenter__(self) -> Self:
        self._connection = await aio_pika.connect_robust(self.amqp_url)
        self._channel = await self._connection.channel(publisher_confirms=True)
        self._exchange = await self._channel.get_exchange(Exchanges.SUBMISSIONS.name, ensure=False)
        return self

    async def __aexit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self._connection is not None:
            await self._connection.close()

    async def submit(
        self,
        body: Mapping[str, Any] | bytes,
        *,
        reference: str | None = None,
        user_id: str | None = "",
        correlation_id: str | None = None,
    ) -> None:
        """Publish one submission (or a batch). `reference` is the AMQP message id and, for a
        single submission given as a mapping without one, its `reference` in the body.
        `user_id` defaults to this agency's broker user."""
        assert self._exchange is not None, "use `async with AgencyClient(...)`"
        if not isinstance(body, bytes) and reference is not None and "submissions" not in body:
            body = {"reference": reference, **body}
        payload = body if isinstance(body, bytes) else json.dumps(body, default=str).encode()
        message = aio_pika.Message(
            payload,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=reference,
            correlation_id=correlation_id,
            user_id=self.broker_user if user_id == "" else user_id,
        )
        await self._exchange.publish(message, routing_key=RoutingKeys.SUBMISSION)

    async def receipts(self, count: int, timeout: float = 30.0) -> list[Receipt]:
        """Wait for `count` receipts from this agency's queue (acking each message, which may
        carry several)."""
        assert self._channel is not None, "use `async with AgencyClient(...)`"
        queue = await self._channel.get_queue(receipts_queue(self.agency_id, self.receipts_queue).name, ensure=False)
        collected: list[Receipt] = []
        async with asyncio.timeout(timeout), queue.iterator() as messages:
            async for message in messages:
                async with message.process():
                    collected.extend(receipts_in(message.body))
                if len(collected) >= count:
                    break
        return collected

    async def receipts_until_quiet(self, quiet: float = 1.0) -> list[Receipt]:
        """Every receipt waiting now and until none arrived for `quiet` seconds (acking each)."""
        assert self._channel is not None, "use `async with AgencyClient(...)`"
        queue = await self._channel.get_queue(receipts_queue(self.agency_id, self.receipts_queue).name, ensure=False)
        collected: list[Receipt] = []
        idle_since = asyncio.get_running_loop().time()
        while asyncio.get_running_loop().time() - idle_since < quiet:
            message = await queue.get(fail=False)
            if message is None:
                await asyncio.sleep(0.05)
                continue
            async with message.process():
                collected.extend(receipts_in(message.body))
            idle_since = asyncio.get_running_loop().time()
        return collected
