"""CPU seconds and peak memory of the service processes (and their render workers)."""

from dataclasses import dataclass

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
