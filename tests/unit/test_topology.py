"""Every queue and exchange a service uses comes from shared/topology.py (GOV.UK Notify's
`QueueNames` idea): checked on the built apps, and in the source for literal names."""

import ast
from pathlib import Path

import pytest
from faststream.rabbit import RabbitBroker
from faststream.rabbit.publisher import RabbitPublisher
from faststream.rabbit.subscriber import RabbitSubscriber

from services.ingest.main import create_app as ingest_app
from services.notifier.main import create_app as notifier_app
from services.paper.main import create_app as paper_app
from services.router.main import create_app as router_app
from shared.messaging.topology import BINDINGS, Exchanges, Queues, RoutingKeys, is_known_queue_name

EXCHANGE_NAMES = {e.name for e in Exchanges.ALL}
ROUTING_KEYS = {v for k, v in vars(RoutingKeys).items() if k.isupper()}
FACTORIES = [ingest_app, router_app, notifier_app, paper_app]


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__module__)
def test_built_apps_use_only_topology_names(factory: object) -> None:
    app = factory()  # type: ignore[operator]
    [broker] = app.brokers
    assert isinstance(broker, RabbitBroker)
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
    consumed = {s.queue.name for f in FACTORIES for s in f().brokers[0].subscribers if isinstance(s, RabbitSubscriber)}  # type: ignore[operator]
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
