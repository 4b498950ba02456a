"""A port the test harness hands to a server it is about to start. One the kernel may give to
an outgoing connection in the meantime (its ephemeral range) is not free for long: with a
bench's load beside a test run, the box once failed to bind the port it had been given."""

import socket
from pathlib import Path

import pytest

from scripts.ports import free_port

pytestmark = pytest.mark.unit


def ephemeral_range() -> range:
    low, high = (int(p) for p in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    return range(low, high + 1)


def test_a_free_port_is_outside_the_range_the_kernel_gives_outgoing_connections() -> None:
    ports = {free_port() for _ in range(50)}
    assert not ports & set(ephemeral_range())


def test_a_free_port_can_be_bound() -> None:
    port = free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
        assert s.getsockname()[1] == port
