"""The machine's own limits, sampled through the run while the pipeline is idle: before the
first scenario and again after each. The host's speed drifts: in one default-size run the
relay gave 1,287 messages/s and bare typst 239 letters/s at the start, 652 and 153 twenty-two
minutes later. So each figure is compared with the mean of the samples taken just before and
just after it, and the report lists every sample, so a reader sees how far the machine moved."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from typing import Any

from bench.paper import bare_typst
from bench.relay import relay_rate


@dataclass(frozen=True)
class Sample:
    relay_per_second: float
    typst_letters_per_second: float
    floor_per_second: float | None = None
    """Single messages through the pipeline's hops with no logic (`bench.floor`)."""

    def __str__(self) -> str:
        floor = "" if self.floor_per_second is None else f"; floor {self.floor_per_second:.0f} messages/s"
        return (
            f"relay {self.relay_per_second:.0f} messages/s; bare typst {self.typst_letters_per_second} letters/s{floor}"
        )


async def measure(
    amqp_url: str, messages: int, body: bytes, letters: int, floor: Callable[[], Awaitable[float]] | None = None
) -> Sample:
    """The raw one-hop relay (`bench.relay`), bare typst (`bench.paper`), then the floor."""
    relay = await relay_rate(amqp_url, messages, body)
    typst = await asyncio.to_thread(bare_typst, letters)
    below = None if floor is None else round(await floor(), 1)
    return Sample(round(relay, 1), round(typst, 1), below)


def combined(before: Sample, after: Sample) -> dict[str, Any]:
    """What a figure measured between two samples is compared with: their mean, both beside it."""
    floors = [s.floor_per_second for s in (before, after) if s.floor_per_second is not None]
    return {
        "relay_per_second": round((before.relay_per_second + after.relay_per_second) / 2, 1),
        "typst_letters_per_second": round((before.typst_letters_per_second + after.typst_letters_per_second) / 2, 1),
        "floor_per_second": round(sum(floors) / len(floors), 1) if floors else None,
        "before": asdict(before),
        "after": asdict(after),
    }


class Bracketing:
    """Takes a sample before the first phase and after each, and gives each phase's result the
    baselines around it (`combined`, under "baselines")."""

    def __init__(self, sample: Callable[[], Awaitable[Sample]]) -> None:
        self._sample = sample
        self.samples: list[dict[str, Any]] = []
        self._last: Sample | None = None

    async def _take(self, when: str) -> Sample:
        sample = await self._sample()
        print(f"  baselines {when}: {sample}", flush=True)
        self.samples.append({"when": when} | asdict(sample))
        self._last = sample
        return sample

    async def phase(self, name: str, run: Awaitable[dict[str, Any]]) -> dict[str, Any]:
        before = self._last or await self._take("before the first scenario")
        result = await run
        result["baselines"] = combined(before, await self._take(f"after {name}"))
        return result
