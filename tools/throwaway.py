"""Throwaway places on the shared servers: a test's sandbox, a bench's workspace. Each is a
RabbitMQ vhost and a database named alike, and the name carries the machine and the process
that made it. A run that was killed never removes its own, and every vhost left behind keeps
RabbitMQ's file handles; so the next run sweeps those whose process is gone."""

import hashlib
import os
import re
import socket
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pymongo import MongoClient

from shared.storage.mongo import Document
from tools.rabbitmq_admin import ManagementApi

NAME = re.compile(r"^(?P<kind>[a-z-]+)-(?P<machine>[0-9a-f]{6})-(?P<pid>[0-9]+)-(?P<nonce>[0-9a-f]{8})$")


@dataclass(frozen=True)
class Throwaway:
    kind: str
    machine: str
    pid: int
    nonce: str

    @property
    def vhost(self) -> str:
        return f"{self.kind}-{self.machine}-{self.pid}-{self.nonce}"

    @property
    def database_name(self) -> str:
        return self.vhost.replace("-", "_")

    @classmethod
    def parse(cls, name: str) -> "Throwaway | None":
        """A vhost's or a database's name; None for any other (the demo's, an operator's)."""
        found = NAME.match(name.replace("_", "-"))
        if found is None:
            return None
        return cls(found["kind"], found["machine"], int(found["pid"]), found["nonce"])


def this_machine() -> str:
    """Short, and no host name in the servers' listings; process ids only mean something here."""
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:6]


def new_throwaway(kind: str) -> Throwaway:
    return Throwaway(kind, this_machine(), os.getpid(), uuid.uuid4().hex[:8])


def abandoned(names: Iterable[str], machine: str, alive: Callable[[int], bool]) -> set[Throwaway]:
    """Those made on this machine by a process that has ended."""
    found = (Throwaway.parse(name) for name in names)
    return {t for t in found if t is not None and t.machine == machine and not alive(t.pid)}


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def sweep(api: ManagementApi, mongodb_url: str) -> set[Throwaway]:
    """Removes what killed runs on this machine left behind; returns what it removed."""
    with MongoClient[Document](mongodb_url) as client:
        names = [*api.vhost_names(), *client.list_database_names()]
        gone = abandoned(names, this_machine(), process_alive)
        for throwaway in gone:
            api.delete_vhost_if_there(throwaway.vhost)
            client.drop_database(throwaway.database_name)
    return gone
