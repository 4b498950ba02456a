"""What this machine charges for waking a process: CPU time of two processes per loopback TCP
round trip between them, back to back and with both asleep in between.

Every hop of the pipeline wakes processes: the broker, a service, the database, PostgreSQL.
At a high message rate they seldom sleep; at a low one each message wakes each of them. On a
virtual machine a sleeping CPU is woken by an interrupt the hypervisor delivers, which can
cost far more than the work the message brings. The report quotes both figures with the
baselines: together they tell how much of the CPU per message is the rate, not the code.

Run alone: python -m bench.wakeups"""

import multiprocessing
import socket
import time
from multiprocessing.queues import Queue
from pathlib import Path

PAYLOAD = b"x" * 64


def _echo(ports: "Queue[int]") -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        ports.put(server.getsockname()[1])
        connection, _ = server.accept()
        with connection:
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            while data := connection.recv(len(PAYLOAD)):
                connection.sendall(data)


def _run_ns(server_pid: int) -> int:
    """Nanoseconds on a CPU so far of this thread and the echo process (the scheduler's own
    count: exact, and blind to what the rest of the machine does meanwhile)."""
    paths = ("/proc/thread-self/schedstat", f"/proc/{server_pid}/schedstat")
    return sum(int(Path(path).read_text().split()[0]) for path in paths)


def _cpu_per_round_trip(client: socket.socket, server_pid: int, count: int, asleep_seconds: float) -> float:
    """Microseconds on a CPU per round trip, both processes together."""
    ran = _run_ns(server_pid)
    for _ in range(count):
        client.sendall(PAYLOAD)
        client.recv(len(PAYLOAD))
        if asleep_seconds:
            time.sleep(asleep_seconds)
    return (_run_ns(server_pid) - ran) / count / 1000


def wakeup_cost(back_to_back: int = 2000, after_sleep: int = 200, sleep_seconds: float = 0.01) -> dict[str, float]:
    """CPU per round trip (µs): back to back, and when both processes slept `sleep_seconds`
    before it (the client wakes from its timer, the echo process from the client's send)."""
    context = multiprocessing.get_context("spawn")
    ports: Queue[int] = context.Queue()
    server = context.Process(target=_echo, args=(ports,), daemon=True)
    server.start()
    try:
        with socket.create_connection(("127.0.0.1", ports.get(timeout=30))) as client:
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            assert server.pid is not None
            _cpu_per_round_trip(client, server.pid, 200, 0)  # warm-up
            busy = _cpu_per_round_trip(client, server.pid, back_to_back, 0)
            asleep = _cpu_per_round_trip(client, server.pid, after_sleep, sleep_seconds)
    finally:
        server.join(timeout=10)
        server.kill()
    return {"back_to_back": round(busy, 1), f"after_{sleep_seconds * 1000:.0f}_ms_asleep": round(asleep, 1)}


if __name__ == "__main__":
    print(wakeup_cost())
