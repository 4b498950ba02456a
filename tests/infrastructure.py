"""Where tests find RabbitMQ and MongoDB, in this order:
1. URLs in the environment (BERICHTENBOX_TEST_RABBITMQ_URL, ..._RABBITMQ_MANAGEMENT_URL,
   ..._MONGODB_URL), as `make test` sets them after `make up`;
2. testcontainers (rabbitmq:4.1-management, mongo:8.0) when a Docker engine answers;
3. otherwise the tests fail with a message naming `make up`. They never skip.
"""

import os
import socket
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

RABBITMQ_IMAGE = "rabbitmq:4.1-management"
MONGODB_IMAGE = "mongo:8.0"
HOW_TO_START = (
    "no RabbitMQ/MongoDB for the tests: run `make up` (installs and starts RabbitMQ and FerretDB "
    "on 127.0.0.1) and run the tests with `make test`, or set BERICHTENBOX_TEST_RABBITMQ_URL, "
    "BERICHTENBOX_TEST_RABBITMQ_MANAGEMENT_URL and BERICHTENBOX_TEST_MONGODB_URL, or start a Docker engine"
)


@dataclass(frozen=True)
class Servers:
    rabbitmq_url: str
    management_url: str
    mongodb_url: str


class InfrastructureMissing(RuntimeError):
    pass


def _reachable(url: str, default_port: int) -> bool:
    parts = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def _from_environment() -> Servers | None:
    names = ("RABBITMQ_URL", "RABBITMQ_MANAGEMENT_URL", "MONGODB_URL")
    values = [os.environ.get(f"BERICHTENBOX_TEST_{n}") for n in names]
    if not any(values):
        return None
    if not all(values):
        raise InfrastructureMissing(f"set all of BERICHTENBOX_TEST_{{{','.join(names)}}}; {HOW_TO_START}")
    servers = Servers(*values)  # type: ignore[arg-type]
    for url, port in ((servers.rabbitmq_url, 5672), (servers.management_url, 15672), (servers.mongodb_url, 27017)):
        if not _reachable(url, port):
            raise InfrastructureMissing(f"{url.split('@')[-1]} does not answer; {HOW_TO_START}")
    return servers


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:
        return False
    return True


@contextmanager
def _from_testcontainers() -> Iterator[Servers]:
    from testcontainers.mongodb import MongoDbContainer
    from testcontainers.rabbitmq import RabbitMqContainer

    with (
        RabbitMqContainer(RABBITMQ_IMAGE).with_exposed_ports(5672, 15672) as rabbit,
        MongoDbContainer(MONGODB_IMAGE) as mongo,
    ):
        host = rabbit.get_container_host_ip()
        yield Servers(
            rabbitmq_url=f"amqp://guest:guest@{host}:{rabbit.get_exposed_port(5672)}/",
            management_url=f"http://guest:guest@{host}:{rabbit.get_exposed_port(15672)}",
            mongodb_url=mongo.get_connection_url(),
        )


@contextmanager
def servers() -> Iterator[Servers]:
    found = _from_environment()
    if found is not None:
        yield found
    elif _docker_answers():
        with _from_testcontainers() as started:
            yield started
    else:
        raise InfrastructureMissing(HOW_TO_START)
