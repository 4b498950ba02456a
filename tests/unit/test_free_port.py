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


def first_in_order(population: range, k: int) -> list[int]:
    return list(population)[:k]


def test_ports_handed_out_before_their_servers_bind_are_different(monkeypatch: pytest.MonkeyPatch) -> None:
    """A box world asks for the box's, the bounce receiver's and every service's operations
    port before any of them binds; two of them alike is a server that cannot start."""
    monkeypatch.setattr("scripts.ports.random.sample", first_in_order)
    ports = [free_port() for _ in range(5)]
    assert len(set(ports)) == len(ports)


def test_a_port_held_on_another_address_is_not_free(monkeypatch: pytest.MonkeyPatch) -> None:
    """An operations port listens on every address, so a port held on any one of them is taken."""
    with socket.socket() as held:
        held.bind(("127.0.0.2", 0))
        taken = held.getsockname()[1]
        monkeypatch.setattr("scripts.ports.random.sample", lambda population, k: [taken, *population[:k]])
        held.listen()
        assert free_port() != taken
