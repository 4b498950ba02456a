"""A three-node RabbitMQ cluster on this machine, behind a TCP front: one node is killed
(SIGKILL) mid-stream. The quorum queues keep every message on the other two, and the services
reconnect through the front to a node that lives."""

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from shared.messaging.broker import create_broker, declare_topology
from shared.messaging.topology import Exchanges, RoutingKeys
from shared.runtime.settings import ServiceSettings
from shared.storage.mongo import Database, Document
from tests.chaos.balancer import balancer
from tests.chaos.infra import ChaosInfra, RabbitNode
from tests.chaos.run import Outcome, Run, run_with_fault
from tests.conftest import Sandbox
from tests.infrastructure import Servers
from tests.support.wire import register_agencies, remove_agency_users
from tools.throwaway import new_throwaway

NODES = [RabbitNode("chaos-a", 5680), RabbitNode("chaos-b", 5681), RabbitNode("chaos-c", 5682)]
ROUTER_PUBLISHES = [
    (Exchanges.COMMANDS, RoutingKeys.NOTIFY_CITIZEN),
    (Exchanges.COMMANDS, RoutingKeys.PRINT_LETTER),
    (Exchanges.EVENTS, RoutingKeys.DELIVERED_TO_BOX),
]
"""Where the router publishes: three quorum queues, each of which a channel may have met
while its leader was the dead node."""


@pytest.fixture(scope="module")
def cluster() -> Iterator[list[RabbitNode]]:
    for node in NODES:
        node.do("wipe")  # a cluster of its own each run, not what a run before left
        node.do("up")
    for node in NODES[1:]:
        node.do("join", NODES[0].name)
    yield NODES
    for node in NODES:
        node.do("down")


@pytest.fixture
async def cluster_sandbox(cluster: list[RabbitNode], chaos_infra: ChaosInfra) -> AsyncIterator[Sandbox]:
    async with balancer([n.port for n in cluster]) as port:
        # management through the node that is not killed; connections through the front
        servers = Servers(
            f"amqp://guest:guest@127.0.0.1:{port}/", cluster[1].management_url, chaos_infra.servers.mongodb_url
        )
        throwaway = new_throwaway("cluster")  # its database on the shared server is swept if a run is killed
        box = Sandbox(servers, vhost=throwaway.vhost, database_name=throwaway.database_name)
        box.management.put_vhost(box.vhost)
        box.management.set_permissions(box.vhost, "guest", configure=".*", write=".*", read=".*")
        yield box
        box.management.delete_vhost(box.vhost)


async def test_a_killed_cluster_node_loses_nothing(
    cluster: list[RabbitNode],
    cluster_sandbox: Sandbox,
    chaos_infra: ChaosInfra,
    outcomes: list[Outcome],
    tmp_path: Path,
) -> None:
    client: AsyncMongoClient[Document] = AsyncMongoClient(cluster_sandbox.servers.mongodb_url, tz_aware=True)
    db: Database = client[cluster_sandbox.database_name]
    access = await register_agencies(cluster_sandbox, db)
    first = cluster[0]

    async def kill_the_first_node(run: Run) -> None:
        await asyncio.to_thread(first.do, "kill")
        await asyncio.sleep(20)
        await asyncio.to_thread(first.do, "up")  # it rejoins the cluster by itself

    try:
        outcome = await run_with_fault(
            "3-node cluster: one node killed",
            kill_the_first_node,
            chaos_infra,
            cluster_sandbox,
            db,
            access,
            tmp_path,
            99,
        )
    finally:
        remove_agency_users(cluster_sandbox, access)
        await client.drop_database(cluster_sandbox.database_name)
        await client.close()
    outcomes.append(outcome)
    assert outcome.ledger.whole, outcome.ledger.summary()


async def test_a_publisher_whose_queue_leader_died_publishes_again_within_seconds(
    cluster: list[RabbitNode], cluster_sandbox: Sandbox
) -> None:
    """RabbitMQ 3.10 names a quorum queue's members to a channel when the channel first publishes
    to it, leader first, and a channel that began while the leader's node was just gone keeps
    asking that node: every publish nacked until the node is back. A service connected for a
    while reconnects at once when it loses its node (aio-pika waits its reconnect interval only
    after a connection attempt), before the queues have elected new leaders."""
    # through the front, so on the first node: it leads every queue
    await declare_topology(cluster_sandbox.rabbitmq_url)
    broker = create_broker(cluster_sandbox.settings(ServiceSettings, service_name="cluster-publisher"))
    outcomes: list[tuple[float, bool]] = []
    await broker.connect()
    killed_at = 0.0
    try:

        async def publish_for(seconds: float) -> None:
            until = time.monotonic() + seconds
            while time.monotonic() < until:
                exchange, key = ROUTER_PUBLISHES[len(outcomes) % len(ROUTER_PUBLISHES)]
                try:
                    await broker.publish(b"{}", exchange=exchange, routing_key=key, persist=True)
                    outcomes.append((time.monotonic(), True))
                except Exception:  # a nack, or the connection that went with the node
                    outcomes.append((time.monotonic(), False))
                await asyncio.sleep(0.05)

        await publish_for(7)  # past the reconnect interval (5 s) since the connection was made
        await asyncio.to_thread(cluster[0].do, "kill")
        killed_at = time.monotonic()
        await publish_for(15)
    finally:
        await broker.stop()
        await asyncio.to_thread(cluster[0].do, "up")
    after = [ok for at, ok in outcomes if at > killed_at + 5]
    assert after and all(after), f"{after.count(False)} of {len(after)} publishes failed 5 s after the node was killed"
