"""A TCP front for a RabbitMQ cluster, as a load balancer or a Kubernetes Service would be:
each new connection goes to the first node that accepts it. When a node dies, its
connections drop, and the services' reconnects land on a node that lives."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


def _handler(ports: list[int]) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]:
    async def handle(client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        for port in ports:
            with contextlib.suppress(OSError):
                node_reader, node_writer = await asyncio.open_connection("127.0.0.1", port)
                await asyncio.gather(_pipe(client_reader, node_writer), _pipe(node_reader, client_writer))
                return
        client_writer.close()

    return handle


@asynccontextmanager
async def balancer(ports: list[int]) -> AsyncIterator[int]:
    """Yields the port it listens on."""
    server = await asyncio.start_server(_handler(ports), "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1]
