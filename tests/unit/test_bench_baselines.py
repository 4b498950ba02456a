"""The benchmark samples its baselines before the first scenario and after each: a figure is
compared with the mean of the samples around it, and the report keeps every sample, so the
host's drift over a run shows."""

import asyncio
from typing import Any

from bench.baselines import Bracketing, Sample, combined


def test_a_figure_is_compared_with_the_mean_of_the_samples_around_it() -> None:
    figures = combined(Sample(relay_per_second=800.0, typst_letters_per_second=120.0), Sample(1000.0, 161.0))

    assert (figures["relay_per_second"], figures["typst_letters_per_second"]) == (900.0, 140.5)
    assert figures["before"] == {"relay_per_second": 800.0, "typst_letters_per_second": 120.0, "floor_per_second": None}
    assert figures["after"] == {"relay_per_second": 1000.0, "typst_letters_per_second": 161.0, "floor_per_second": None}
    assert figures["floor_per_second"] is None


def test_the_floor_is_compared_with_the_mean_of_the_samples_that_have_one() -> None:
    assert combined(Sample(800.0, 120.0, 300.0), Sample(1000.0, 161.0, 400.0))["floor_per_second"] == 350.0
    assert combined(Sample(800.0, 120.0, 300.0), Sample(1000.0, 161.0))["floor_per_second"] == 300.0


def test_each_phase_runs_between_the_sample_before_it_and_the_sample_after_it() -> None:
    events: list[str] = []

    async def sample() -> Sample:
        events.append("sample")
        return Sample(relay_per_second=100.0 * len(events), typst_letters_per_second=10.0)

    async def phase(name: str) -> dict[str, Any]:
        events.append(name)
        return {"name": name}

    async def run() -> tuple[dict[str, Any], dict[str, Any], Bracketing]:
        bracketing = Bracketing(sample)
        first = await bracketing.phase("singles", phase("singles"))
        second = await bracketing.phase("batches", phase("batches"))
        return first, second, bracketing

    first, second, bracketing = asyncio.run(run())

    assert events == ["sample", "singles", "sample", "batches", "sample"]
    assert first["baselines"]["relay_per_second"] == 200.0  # samples of 100 and 300
    assert second["baselines"]["relay_per_second"] == 400.0  # the sample after singles is shared: 300 and 500
    assert [s["when"] for s in bracketing.samples] == ["before the first scenario", "after singles", "after batches"]
