"""What the benches count as the servers' CPU, and the wait for a quiet machine."""

import subprocess
import sys

import psutil
import pytest

from bench import processes
from bench.processes import quiet_machine, rest_of_machine


def test_a_server_process_that_ended_stays_counted_in_the_one_that_reaped_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """As a PostgreSQL backend that ends during a run: its CPU moves to the postmaster's
    children's times, and the server's sum does not fall."""
    monkeypatch.setattr(processes, "SERVERS", {psutil.Process().name(): "postgresql"})
    before = rest_of_machine()["postgresql"]
    subprocess.run([sys.executable, "-c", "sum(i * i for i in range(3_000_000))"], check=True)
    after = rest_of_machine()["postgresql"]
    assert after - before > 0.05


async def test_the_wait_for_a_quiet_machine_ends_once_the_cores_are_quiet_long_enough() -> None:
    waited = await quiet_machine(busy_below=1.01, for_seconds=1.0, at_most=10.0)
    assert 1.0 <= waited < 3.0


async def test_the_wait_gives_up_after_at_most() -> None:
    assert 1.0 <= await quiet_machine(busy_below=0.0, for_seconds=1.0, at_most=1.0) < 2.0
