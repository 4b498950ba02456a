"""Ports for the servers the tests, the demo and the benches start on loopback."""

import random
import socket
from pathlib import Path

EPHEMERAL_PORTS = Path("/proc/sys/net/ipv4/ip_local_port_range")
LISTEN_PORTS_FROM = 20000


def free_port() -> int:
    """A port to listen on, below the kernel's ephemeral range: a port the kernel chose (bind
    to 0) may go to an outgoing connection before the server that was given it binds."""
    low = int(EPHEMERAL_PORTS.read_text().split()[0]) if EPHEMERAL_PORTS.exists() else 32768
    for port in random.sample(range(LISTEN_PORTS_FROM, max(low, LISTEN_PORTS_FROM + 1000)), 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port below {low} on 127.0.0.1")
