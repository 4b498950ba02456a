import asyncio

import pytest

from shared.runtime.periodic import Periodic


async def test_a_failing_run_is_logged_and_the_job_keeps_running(caplog: pytest.LogCaptureFixture) -> None:
    runs: list[int] = []

    async def job() -> None:
        runs.append(len(runs))
        if len(runs) == 1:
            raise RuntimeError("the database went away")

    periodic = Periodic("test job", job, seconds=0.01)
    periodic.start()
    await asyncio.sleep(0.2)
    await periodic.stop()
    assert len(runs) >= 3
    assert "test job failed" in caplog.text
