"""Facts about the machine and build a benchmark ran on."""

import os
import platform
import subprocess
import sys
from pathlib import Path


def _run(*command: str) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=20, check=False).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


def facts() -> dict[str, object]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    memory_kb = next(
        (
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        0,
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "rabbitmq": _run("rabbitmqctl", "-q", "version"),
        "database": "FerretDB " + _run("bin/ferretdb", "--version").splitlines()[0].removeprefix("version: ")
        if Path("bin/ferretdb").exists()
        else "unknown",
        "git_commit": _run("git", "rev-parse", "HEAD"),
    }
