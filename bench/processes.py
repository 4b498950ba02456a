"""CPU seconds and peak memory of the service processes (and their render workers)."""

import os
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
    busy. PostgreSQL backends that ended are not counted (FerretDB keeps its pool open)."""
    seconds = dict.fromkeys([*SERVERS.values(), "bench"], 0.0)
    for process in psutil.process_iter(["name", "cpu_times"]):
        server = SERVERS.get(process.info["name"])
        if server is not None and process.info["cpu_times"] is not None:
            seconds[server] += process.info["cpu_times"].user + process.info["cpu_times"].system
    own = psutil.Process().cpu_times()
    seconds["bench"] = own.user + own.system
    machine = psutil.cpu_times()  # Linux counts guest time in user already; steal is not ours
    seconds["machine busy"] = machine.user + machine.nice + machine.system + machine.irq + machine.softirq
    return seconds


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
