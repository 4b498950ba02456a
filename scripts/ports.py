"""Ports for the servers the tests, the demo and the benches start on loopback."""

import random
import socket
from collections import deque
from pathlib import Path

EPHEMERAL_PORTS = Path("/proc/sys/net/ipv4/ip_local_port_range")
LISTEN_PORTS_FROM = 20000
# A port handed out is not bound until its server starts, so it stays promised for a while;
# bounded, so that a long session (test-repeat) does not run out of ports to give.
_promised: deque[int] = deque(maxlen=1000)


def free_port() -> int:
    """A port to listen on, below the kernel's ephemeral range: a port the kernel chose (bind
    to 0) may go to an outgoing connection before the server that was given it binds. Checked
    on every address, since the operations ports listen on all of them."""
    low = int(EPHEMERAL_PORTS.read_text().split()[0]) if EPHEMERAL_PORTS.exists() else 32768
    for port in random.sample(range(LISTEN_PORTS_FROM, max(low, LISTEN_PORTS_FROM + 1000)), 200):
        if port in _promised:
            continue
        with socket.socket() as s:
            try:
                s.bind(("", port))
            except OSError:
                continue
        _promised.append(port)
        return port
    raise RuntimeError(f"no free port below {low}")
