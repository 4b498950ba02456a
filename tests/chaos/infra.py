"""The chaos suite's own servers, on ports of their own so that it may kill them: a RabbitMQ
node, PostgreSQL and FerretDB on top of it, started and stopped through the project's scripts
(the same ones `make up` uses), and the faults an operator meets, done to them for real."""

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.infrastructure import Servers

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def script(*command: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(["bash", *command], cwd=ROOT, check=True, env=env, capture_output=True, text=True)


@dataclass(frozen=True)
class RabbitNode:
    name: str
    port: int

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    @property
    def management_url(self) -> str:
        return f"http://guest:guest@127.0.0.1:{self.port + 10000}"

    def do(self, action: str, *more: str) -> None:
        script("scripts/rabbitmq-node.sh", self.name, str(self.port), action, *more)


@dataclass(frozen=True)
class ChaosInfra:
    rabbit: RabbitNode = RabbitNode("chaos", 5673)
    postgres_port: int = 5434
    ferretdb_port: int = 27018

    @property
    def servers(self) -> Servers:
        return Servers(self.rabbit.url, self.rabbit.management_url, f"mongodb://127.0.0.1:{self.ferretdb_port}")

    def _env(self) -> dict[str, str]:
        return {**os.environ, "POSTGRES_PORT": str(self.postgres_port), "FERRETDB_PORT": str(self.ferretdb_port)}

    def running(self) -> bool:
        return subprocess.run(
            ["bash", "scripts/rabbitmq-node.sh", self.rabbit.name, str(self.rabbit.port), "status"],
            cwd=ROOT, capture_output=True, check=False,
        ).returncode == 0  # fmt: skip

    def up(self) -> None:
        self.rabbit.do("up")
        script("scripts/ferretdb.sh", "up", env=self._env())

    def down(self) -> None:
        self.rabbit.do("down")
        script("scripts/ferretdb.sh", "down", env=self._env())
        script("scripts/postgres.sh", "down", env=self._env())

    def kill_ferretdb(self) -> None:
        pid = (ROOT / f"var/ferretdb-{self.ferretdb_port}/ferretdb.pid").read_text().strip()
        subprocess.run(["kill", "-9", pid], check=False)

    def start_ferretdb(self) -> None:
        script("scripts/ferretdb.sh", "up", env=self._env())

    def stop_postgres_immediately(self) -> None:
        """`pg_ctl -m immediate`: no checkpoint, clients cut off; recovery replays the WAL."""
        data = f"/var/lib/postgresql/berichtenbox-{self.postgres_port}"
        stop = [str(PG_BIN / "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop"]
        subprocess.run(["runuser", "-u", "postgres", "--", *stop], check=True, capture_output=True)

    def start_postgres(self) -> None:
        script("scripts/postgres.sh", "up", env=self._env())
