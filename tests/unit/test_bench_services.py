"""`make bench` waits until every queue is empty: a work queue whose consumer the bench does not
start would hold each scenario until its timeout. Every work queue's consumer, found in the
services' own subscriptions, is among the services the bench starts."""

import re
from pathlib import Path

from bench.pipeline import SERVICES
from shared.messaging.topology import Queues

SUBSCRIBES = re.compile(r"consumer\(\s*\w+,\s*Queues\.(\w+)")


def consumers() -> dict[str, set[str]]:
    """Queue name -> the services that consume it."""
    found: dict[str, set[str]] = {}
    for path in Path("services").glob("*/**/*.py"):
        service = path.parts[1]
        for attribute in SUBSCRIBES.findall(path.read_text(encoding="utf-8")):
            found.setdefault(getattr(Queues, attribute).name, set()).add(service)
    return found


def test_the_bench_starts_a_consumer_of_every_work_queue() -> None:
    found = consumers()
    assert found, "no subscriptions found: has `consumer(broker, Queues.X)` changed shape?"
    unconsumed = [q.name for q in Queues.WORK if not found.get(q.name, set()) & set(SERVICES)]
    assert unconsumed == []


def test_each_work_queue_has_a_consumer_in_some_service() -> None:
    assert {q.name for q in Queues.WORK} <= set(consumers())
