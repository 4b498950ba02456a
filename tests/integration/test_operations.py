"""What operators rely on: the ops port (health, readiness, metrics with domain counters),
JSON logs that carry the correlation id, and replaying dead letters."""

import asyncio
import json
import urllib.request
from typing import Any

from scripts.ports import free_port
from scripts.replay_dead_letters import replay
from services.ingest.main import create_app as ingest_app
from services.ingest.settings import IngestSettings
from services.router.main import create_app as router_app
from services.router.repository import MongoAccountStore
from services.router.settings import RouterSettings
from shared.contracts.messages import MessagesAccepted
from shared.messaging.dead_letter import REASON_HEADER
from shared.messaging.topology import Exchanges, Queues, RoutingKeys, dead_letter_queue
from shared.storage.mongo import Database
from tests.conftest import Sandbox
from tests.support.samples import submission
from tests.support.wire import AgencyAccess, broker_of, running, take
from tools.population import population


def get(port: int, path: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


async def test_health_readiness_and_domain_metrics(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]
) -> None:
    citizen = next(a for a in population(50, seed=2) if a["state"] == "ready")
    await MongoAccountStore(db).insert_many([citizen])
    port = free_port()
    async with (
        running(ingest_app(sandbox.settings(IngestSettings))),
        running(router_app(sandbox.settings(RouterSettings, ops_port=port))),
    ):
        async with agencies["belastingdienst"].client() as client:
            await client.submit(submission(recipient_bsn=citizen["bsn"]), reference="ops-1")
            await client.receipts(2)
        health = await asyncio.to_thread(get, port, "/healthz")
        ready = await asyncio.to_thread(get, port, "/readyz")
        metrics = await asyncio.to_thread(get, port, "/metrics")
    assert health == (200, json.dumps({"status": "ok", "service": "router"}))
    assert ready[0] == 200
    assert json.loads(ready[1]) == {"service": "router", "broker": True, "database": True}
    text = metrics[1]
    assert 'berichtenbox_messages_routed_total{rule="mandatory_sender_ready_account"} 1.0' in text
    assert 'berichtenbox_routes_total{route="box"} 1.0' in text
    assert "faststream_received_messages_total" in text
    assert citizen["bsn"] not in text


async def test_dead_letters_can_be_replayed_to_their_queue(
    sandbox: Sandbox, db: Database, agencies: dict[str, AgencyAccess]
) -> None:
    app = router_app(sandbox.settings(RouterSettings))
    unknown = MessagesAccepted(agency_id="uwv", message_ids=["never-stored"])
    async with running(app):
        await broker_of(app).publish(
            unknown, exchange=Exchanges.EVENTS, routing_key=RoutingKeys.MESSAGES_ACCEPTED, persist=True
        )
        dead_queue = dead_letter_queue(Queues.ROUTER_MESSAGES).name
        [dead] = await take(sandbox.rabbitmq_url, dead_queue, 1)
        assert dead.headers[REASON_HEADER] == (
            "PermanentError: 1 of 1 messages not routed: never-stored: no stored message with this id"
        )
        await replay_back(sandbox.rabbitmq_url, dead)
        moved = await replay(sandbox.rabbitmq_url, Queues.ROUTER_MESSAGES.name, limit=10)
        assert moved == 1
        [again] = await take(sandbox.rabbitmq_url, dead_queue, 1)  # still unknown: dead again, not lost
    assert json.loads(again.body)["message_ids"] == ["never-stored"]
    assert again.headers["x-berichtenbox-replays"] == 1


async def replay_back(amqp_url: str, message: Any) -> None:
    """Put a taken dead letter back where the replay command will find it."""
    import aio_pika

    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(Exchanges.DEAD_LETTERS.name, ensure=False)
        copy = aio_pika.Message(
            message.body, headers=message.headers, content_type=message.content_type, message_id=message.message_id
        )
        await exchange.publish(copy, routing_key=Queues.ROUTER_MESSAGES.name)
