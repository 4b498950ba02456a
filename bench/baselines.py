"""The machine's own limits, measured twice in one run: on the idle machine before the
scenarios and again after them. The host's speed drifts: five runs of one morning, minutes
apart, gave the relay 861 to 1,271 messages/s and bare typst 148 to 217 letters/s. A baseline
measured once, in the first minute, speaks for a machine the scenarios half an hour later may
no longer have. The ratios use the mean of the two samples; the report shows both, so a reader
sees how far the machine moved under them."""

import asyncio
from dataclasses import asdict, dataclass
from typing import Any

from bench.paper import bare_typst
from bench.relay import relay_rate


@dataclass(frozen=True)
class Sample:
    relay_per_second: float
    typst_letters_per_second: float

    def __str__(self) -> str:
        return f"relay {self.relay_per_second:.0f} messages/s; bare typst {self.typst_letters_per_second} letters/s"


async def measure(amqp_url: str, messages: int, body: bytes, letters: int) -> Sample:
    """The raw one-hop relay (`bench.relay`), then bare typst (`bench.paper`), on an idle machine."""
    relay = await relay_rate(amqp_url, messages, body)
    typst = await asyncio.to_thread(bare_typst, letters)
    return Sample(round(relay, 1), round(typst, 1))


def combined(before: Sample, after: Sample) -> dict[str, Any]:
    """The figures the ratios use (the mean of both samples), with both samples beside them."""
    return {
        "relay_per_second": round((before.relay_per_second + after.relay_per_second) / 2, 1),
        "typst_letters_per_second": round((before.typst_letters_per_second + after.typst_letters_per_second) / 2, 1),
        "before_scenarios": asdict(before),
        "after_scenarios": asdict(after),
    }
