"""CPU seconds and peak memory of the service processes (and their render workers)."""

import asyncio
import os
import time
import urllib.request
from dataclasses import dataclass
from typing import Any

import psutil


@dataclass(frozen=True)
class Usage:
    cpu_seconds: float
    peak_rss_mb: float


def usage(pid: int) -> Usage:
    """CPU time so far and the peak resident set (VmHWM) of a process and its children."""
    process = psutil.Process(pid)
    family = [process, *process.children(recursive=True)]
    cpu = 0.0
    peak = 0.0
    for member in family:
        try:
            times = member.cpu_times()
            cpu += times.user + times.system
            peak = max(peak, _peak_rss_mb(member.pid))
        except psutil.NoSuchProcess:
            continue
    return Usage(cpu, peak)


def _peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


SERVERS = {"beam.smp": "rabbitmq", "ferretdb": "ferretdb", "postgres": "postgresql"}
"""Process name -> the server it is."""


def rest_of_machine() -> dict[str, float]:
    """CPU seconds so far of what shares the machine with the services: the servers they use,
    this bench process (its publisher, SMTP sink and push endpoint), and the whole machine
    busy. A process that ended is counted in the one that reaped it (PostgreSQL's postmaster
    reaps its backends and autovacuum workers; FerretDB closes idle connections): without its
    children's times, a backend ending during a run took all its CPU out of the sum."""
    seconds = dict.fromkeys([*SERVERS.values(), "bench"], 0.0)
    for process in psutil.process_iter(["name", "cpu_times"]):
        server, times = SERVERS.get(process.info["name"]), process.info["cpu_times"]
        if server is not None and times is not None:
            seconds[server] += times.user + times.system + times.children_user + times.children_system
    own = psutil.Process().cpu_times()
    seconds["bench"] = own.user + own.system
    machine = psutil.cpu_times()  # Linux counts guest time in user already; steal is not ours
    seconds["machine busy"] = machine.user + machine.nice + machine.system + machine.irq + machine.softirq
    return seconds


async def quiet_machine(busy_below: float = 0.15, for_seconds: float = 3.0, at_most: float = 180.0) -> float:
    """Wait until the cores have been busy less than `busy_below` of the time for `for_seconds`
    (after a bulk load PostgreSQL's autovacuum analyzes and vacuums the new tables for a while,
    and a load started then pays for it); the seconds waited, `at_most` if it never got quiet."""
    started = time.monotonic()
    calm_since: float | None = None
    psutil.cpu_percent(None)
    while time.monotonic() - started < at_most:
        await asyncio.sleep(0.5)
        now = time.monotonic()
        if psutil.cpu_percent(None) >= busy_below * 100:
            calm_since = None
        elif calm_since is None:
            calm_since = now
        elif now - calm_since >= for_seconds:
            break
    return time.monotonic() - started


def cpu_seconds(services: dict[str, int]) -> dict[str, float]:
    """CPU seconds so far of each service by its pid (with its render processes) and of the
    rest of the machine (`rest_of_machine`): read before and after what is measured."""
    return {service: usage(pid).cpu_seconds for service, pid in services.items()} | rest_of_machine()


def counter_total(ops_port: int, counter: str) -> int:
    """A service's Prometheus counter from its /metrics, summed over its labels."""
    with urllib.request.urlopen(f"http://127.0.0.1:{ops_port}/metrics", timeout=5) as response:
        lines = response.read().decode().splitlines()
    return sum(int(float(line.rsplit(" ", 1)[1])) for line in lines if line.startswith(f"{counter}{{"))


def letters_the_machine_allows(letters: int, before: dict[str, float], after: dict[str, float]) -> dict[str, Any]:
    """The CPU a letter took while paper drained a queue (`cpu_seconds` of the services and
    `rest_of_machine`, read before and after), and the rate at which that fills every core: what
    paper's ratio to bare typst is measured against where the machine, not the render, is full."""
    ms = {k: round((after[k] - before[k]) * 1000 / letters, 2) for k in ("paper", *SERVERS.values(), "machine busy")}
    cores = os.cpu_count() or 1
    return {
        "cpu_ms_per_letter": ms,
        "machine_allows_letters_per_second": round(cores * 1000 / ms["machine busy"], 1),
    }
