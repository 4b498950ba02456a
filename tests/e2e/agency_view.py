"""What an agency could learn beyond its receipts, read off the running services: every metric
series that names it (in any label), and every log line since a moment that names one of its
messages (by id or by its own reference). A test takes both before and after the Berichtenbox
reaches out to a citizen who did not read, and finds them unchanged."""

import asyncio
import urllib.request
from dataclasses import dataclass

from tests.e2e.box_world import BoxWorld


@dataclass(frozen=True)
class AgencyView:
    metrics: dict[str, str]
    """Series naming the agency -> value, over all services."""
    log_sizes: dict[str, int]


def _scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        return str(answer.read().decode())


async def agency_view(world: BoxWorld, agency_id: str) -> AgencyView:
    series: dict[str, str] = {}
    for service, port in world.ops_ports.items():
        text = await asyncio.to_thread(_scrape, port)
        for line in text.splitlines():
            name, _, value = line.rpartition(" ")
            if not line.startswith("#") and agency_id in name and not name.split("{")[0].endswith("_created"):
                series[f"{service}: {name}"] = value
    sizes = {s: len(world.services.log_since_start(s)) for s in world.services.services}
    return AgencyView(series, sizes)


def log_lines_since(world: BoxWorld, view: AgencyView, naming: list[str]) -> list[str]:
    """Lines written after `view` was taken that contain any of `naming`."""
    found = []
    for service, size in view.log_sizes.items():
        for line in world.services.log_since_start(service)[size:].splitlines():
            if any(needle in line for needle in naming):
                found.append(f"{service}: {line}")
    return found
