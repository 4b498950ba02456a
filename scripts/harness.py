"""Runs the services as real processes (`faststream run --factory ...`, and the box under
uvicorn) against real infrastructure, waits until each has started, and stops them cleanly.
Used by the demo, the end-to-end tests and the benchmark."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

from shared.contracts.push import PUSH_SERVICES

SERVICES = ("ingest", "router", "notifier", "paper")
"""The pipeline; the box is started where a test or the demo asks for it too (WITH_BOX)."""
WITH_BOX = (*SERVICES, "box")
STARTED = {"box": "Application startup complete"}
"""What a service logs once it serves; FastStream's line for the others."""
FASTSTREAM_STARTED = "FastStream app started successfully"
NICENESS = {"notifier": 10, "paper": 10}
"""Downstream of the route, and not urgent to the second: the e-mail that announces a message,
the letter for the print street. Where all share one machine they yield the CPU to ingest and
the router, whose latency agencies and the box see (`cpu_shares` in compose.yaml)."""


def command_for(service: str) -> list[str]:
    if service == "box":
        return [sys.executable, "-m", "services.box"]
    run = [sys.executable, "-m", "faststream", "run", "--factory", f"services.{service}.main:create_app"]
    return ["nice", "-n", str(NICENESS[service]), *run] if service in NICENESS else run


LOCAL_PUSH_SERVICE = "http://127.0.0.1"
DEVELOPMENT = {"BERICHTENBOX_PUSH_SERVICES": json.dumps([*PUSH_SERVICES, LOCAL_PUSH_SERVICE])}
"""What services run by this harness (tests, demo, serve) allow beyond production's defaults:
the local push service (scripts/push_sink.py) on loopback."""


class ServiceProcesses:
    def __init__(
        self,
        env: Mapping[str, str],
        log_dir: Path,
        services: tuple[str, ...] = SERVICES,
        env_of: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        """`env_of`: more environment for one service (its ops port, say)."""
        self.env = {**os.environ, **DEVELOPMENT, **env}
        self.env_of = env_of or {}
        self.log_dir = log_dir
        self.services = services
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.log_offsets: dict[str, int] = {}

    def log_path(self, service: str) -> Path:
        return self.log_dir / f"{service}.log"

    def start(self, timeout: float = 60.0) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for service in self.services:
            self.start_one(service)
        for service in self.services:
            self.wait_started(service, timeout)

    def start_one(self, service: str) -> None:
        path = self.log_path(service)
        self.log_offsets[service] = path.stat().st_size if path.exists() else 0
        with path.open("ab") as log:
            env = {**self.env, **self.env_of.get(service, {})}
            self.processes[service] = subprocess.Popen(
                command_for(service), env=env, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_started(self, service: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        process = self.processes[service]
        while time.monotonic() < deadline:
            if STARTED.get(service, FASTSTREAM_STARTED) in self.log_since_start(service):
                return
            if process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        tail = self.log_since_start(service)[-3000:]
        raise RuntimeError(f"service {service} did not start; its log ends with:\n{tail}")

    def log_since_start(self, service: str) -> str:
        with self.log_path(service).open("rb") as log:
            log.seek(self.log_offsets.get(service, 0))
            return log.read().decode(errors="replace")

    def kill(self, service: str) -> None:
        """Kill without a chance to finish (SIGKILL): for crash tests."""
        process = self.processes.pop(service)
        process.kill()
        process.wait()

    def stop_one(self, service: str) -> None:
        """Stop one service the way an operator would (SIGTERM: it finishes what it holds)."""
        process = self.processes.pop(service)
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()
