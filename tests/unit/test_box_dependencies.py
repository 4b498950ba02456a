"""No page or API route of the box runs in FastAPI's thread pool: a plain `def` dependency or
endpoint is called through `run_in_threadpool`, a hop to a worker thread and back on every
request that uses it, the event loop waking the thread and the thread waking the loop."""

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts

from services.box.main import create_api
from services.box.settings import BoxSettings


def calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    if dependant.call is not None:
        yield dependant.call
    for sub in dependant.dependencies:
        yield from calls(sub)


def runs_on_the_loop(call: Callable[..., Any]) -> bool:
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(type(call).__call__)


def test_every_dependency_and_endpoint_is_async() -> None:
    routes = [r for r in iter_route_contexts(create_api(BoxSettings()).routes) if hasattr(r, "dependant")]
    in_threads = {f"{r.path}: {c.__qualname__}" for r in routes for c in calls(r.dependant) if not runs_on_the_loop(c)}
    assert len(routes) > 30
    assert in_threads == set()
