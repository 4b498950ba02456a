"""Every queue and exchange a service uses comes from shared/topology.py (GOV.UK Notify's
`QueueNames` idea): checked on the built apps, and in the source for literal names."""

import ast
from collections.abc import Callable
from pathlib import Path
from typing import Any, get_args

import pytest
from fastapi import FastAPI
from faststream.rabbit import RabbitBroker
from faststream.rabbit.publisher import RabbitPublisher
from faststream.rabbit.subscriber import RabbitSubscriber

from services.box.main import create_api
from services.box.settings import BoxSettings
from services.ingest.main import create_app as ingest_app
from services.notifier.main import create_app as notifier_app
from services.paper.main import create_app as paper_app
from services.router.main import create_app as router_app
from shared.contracts.messages import AnyAccountEvent
from shared.messaging.topology import BINDINGS, Exchanges, Queues, RoutingKeys, account_event_key, is_known_queue_name

EXCHANGE_NAMES = {e.name for e in Exchanges.ALL}
ACCOUNT_EVENTS = get_args(get_args(AnyAccountEvent)[0])
ROUTING_KEYS = {v for k, v in vars(RoutingKeys).items() if k.isupper()} | {
    account_event_key(e.model_fields["event"].default) for e in ACCOUNT_EVENTS
}
FACTORIES: list[Callable[[], Any]] = [
    ingest_app,
    router_app,
    notifier_app,
    paper_app,
    lambda: create_api(BoxSettings()),
]


def broker_of(factory: Callable[[], Any]) -> RabbitBroker:
    """The broker of a FastStream app, or of the box's FastAPI app."""
    app = factory()
    if isinstance(app, FastAPI):
        broker = app.state.broker
    else:
        [broker] = app.brokers
    assert isinstance(broker, RabbitBroker)
    return broker


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__module__)
def test_built_apps_use_only_topology_names(factory: Callable[[], Any]) -> None:
    broker = broker_of(factory)
    for subscriber in broker.subscribers:
        assert isinstance(subscriber, RabbitSubscriber)
        assert is_known_queue_name(subscriber.queue.name), subscriber.queue.name
        assert subscriber.queue in Queues.WORK
        assert subscriber.exchange.name in EXCHANGE_NAMES
    for publisher in broker.publishers:
        assert isinstance(publisher, RabbitPublisher)
        assert publisher.exchange.name in EXCHANGE_NAMES
        assert publisher.routing_key in ROUTING_KEYS | {""}


def test_every_work_queue_is_bound_and_has_a_consumer() -> None:
    consumed = {s.queue.name for f in FACTORIES for s in broker_of(f).subscribers if isinstance(s, RabbitSubscriber)}
    assert consumed == {q.name for q in Queues.WORK} == set(BINDINGS)


def _string_literals(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    }


def test_no_service_spells_a_queue_exchange_or_routing_key_itself() -> None:
    topology_names = EXCHANGE_NAMES | ROUTING_KEYS | {q.name for q in Queues.WORK}
    offenders = {
        (str(path), literal)
        for path in Path("services").rglob("*.py")
        for literal in _string_literals(path)
        if literal in topology_names or is_known_queue_name(literal)
    }
    assert offenders == set()


def test_every_queue_that_holds_messages_is_a_quorum_queue() -> None:
    """A classic queue lives on one node: when that node is down, declaring it fails, and a
    service reconnecting to the rest of the cluster fails with it (seen in `make chaos`)."""
    from shared.messaging.topology import dead_letter_queue, notifier_delay_queues, wait_queue

    queues = [*Queues.WORK, *map(dead_letter_queue, Queues.WORK), *notifier_delay_queues()]
    queues += [wait_queue(q, 2) for q in Queues.WORK]
    assert {q.name: (q.arguments or {}).get("x-queue-type") for q in queues} == {q.name: "quorum" for q in queues}
