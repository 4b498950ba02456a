"""Helpers for tests that talk to the real broker and database."""

import asyncio
import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import aio_pika
from faststream import FastStream, TestApp
from faststream.rabbit import RabbitBroker

from shared.contracts.agencies import Agency
from shared.messaging.topology import Exchanges
from shared.storage.agencies import MongoAgencyRegistry
from shared.storage.mongo import Database, ensure_indexes
from tests.conftest import Sandbox
from tests.support.samples import AGENCIES
from tools.agency_client import AgencyClient
from tools.indexes import EVERY_INDEX
from tools.provisioning import ProvisioningSettings, provision, with_receipts_queues

T = TypeVar("T")


@dataclass(frozen=True)
class AgencyAccess:
    agency: Agency
    password: str
    amqp_url: str

    def client(self) -> AgencyClient:
        return AgencyClient(self.amqp_url, self.agency.agency_id, self.agency.broker_user, self.agency.receipts_queue)


async def register_agencies(sandbox: Sandbox, db: Database) -> dict[str, AgencyAccess]:
    """The registry, with broker users of this sandbox's own (users are global in RabbitMQ)."""
    await ensure_indexes(db, EVERY_INDEX)
    registry = MongoAgencyRegistry(db)
    users = [a.model_copy(update={"broker_user": f"{a.broker_user}.{sandbox.vhost}"}) for a in AGENCIES.values()]
    passwords = {a.agency_id: secrets.token_urlsafe(12) for a in users}
    own = with_receipts_queues(users, passwords)
    for agency in own:
        await registry.save(agency)
    settings = sandbox.settings(ProvisioningSettings, rabbitmq_management_url=sandbox.servers.management_url)
    await provision(settings, own, passwords)
    return {
        a.agency_id: AgencyAccess(a, passwords[a.agency_id], sandbox.amqp_url(a.broker_user, passwords[a.agency_id]))
        for a in own
    }


def remove_agency_users(sandbox: Sandbox, access: dict[str, AgencyAccess]) -> None:
    for entry in access.values():
        sandbox.management.delete_user(entry.agency.broker_user)


@asynccontextmanager
async def running(app: FastStream) -> AsyncIterator[FastStream]:
    async with TestApp(app):
        yield app


async def listen(sandbox: Sandbox, name: str, routing_key: str) -> str:
    """A queue of the test's own on the events exchange, to see what a service published."""
    connection = await aio_pika.connect(sandbox.rabbitmq_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(name, durable=True)
        await queue.bind(Exchanges.EVENTS.name, routing_key=routing_key)
    return queue.name


async def take(
    amqp_url: str, queue_name: str, count: int, timeout: float = 15.0
) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Take (and ack) `count` messages from a queue, waiting up to `timeout` seconds."""
    connection = await aio_pika.connect(amqp_url)
    taken: list[aio_pika.abc.AbstractIncomingMessage] = []
    try:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name, ensure=False)
        deadline = time.monotonic() + timeout
        while len(taken) < count and time.monotonic() < deadline:
            message = await queue.get(fail=False, no_ack=True)
            if message is None:
                await asyncio.sleep(0.05)
            else:
                taken.append(message)
    finally:
        await connection.close()
    return taken


def bodies(messages: list[aio_pika.abc.AbstractIncomingMessage]) -> list[dict[str, Any]]:
    return [json.loads(m.body) for m in messages]


async def eventually(probe: Callable[[], Awaitable[T]], accept: Callable[[T], bool], timeout: float = 15.0) -> T:
    """Poll `probe` until `accept` holds for its value; return the last value either way."""
    deadline = time.monotonic() + timeout
    value = await probe()
    while not accept(value) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        value = await probe()
    return value


async def replay(amqp_url: str, exchange: str, messages: list[aio_pika.abc.AbstractIncomingMessage]) -> None:
    """Publish taken messages again, as the broker would redeliver them."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange, ensure=False)
        for m in messages:
            copy = aio_pika.Message(
                m.body,
                content_type=m.content_type,
                message_id=m.message_id,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            )
            await target.publish(copy, routing_key=m.routing_key or "")


async def replay_json(amqp_url: str, exchange: str, routing_key: str, body: str) -> None:
    """Publish one persistent JSON message, as another service would."""
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange, ensure=False)
        message = aio_pika.Message(
            body.encode(), content_type="application/json", delivery_mode=aio_pika.DeliveryMode.PERSISTENT
        )
        await target.publish(message, routing_key=routing_key)


def broker_of(app: FastStream) -> RabbitBroker:
    [broker] = app.brokers
    assert isinstance(broker, RabbitBroker)
    return broker
