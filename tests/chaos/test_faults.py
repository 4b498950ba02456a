"""Every fault of #20 while a stream of submissions flows; then the ledger must be whole:
nothing lost, nothing a receiver would take for two, nothing stuck. `make chaos` runs them all
(CHAOS_MESSAGES each); a short run of a few of them, with a few hundred messages, is part of
`make test` (marked e2e)."""

from pathlib import Path

import pytest

from shared.storage.mongo import Database
from tests.chaos.faults import FAULTS
from tests.chaos.infra import ChaosInfra
from tests.chaos.run import MESSAGES, RATE, Outcome, run_with_fault
from tests.conftest import Sandbox
from tests.support.wire import AgencyAccess

SHORT = ("kill -9 notifier x3", "kill -9 paper x3", "RabbitMQ app restart", "PostgreSQL stopped (immediate) for 10 s")
HEAVY = ("kill -9 notifier x3",)
"""Faults also run at three times the rate and five times the volume: a notifier killed while
thousands of claims are in flight stranded notifications that a run of 600 never showed."""
RUNS = [
    *(pytest.param(f, 200, RATE, id=f"short: {f}", marks=pytest.mark.e2e) for f in SHORT),
    *(pytest.param(f, MESSAGES, RATE, id=f) for f in FAULTS),
    *(pytest.param(f, 5 * MESSAGES, 3 * RATE, id=f"heavy: {f}") for f in HEAVY),
]


@pytest.mark.parametrize(("fault", "messages", "rate"), RUNS)
async def test_fault_loses_nothing(
    fault: str,
    messages: int,
    rate: float,
    chaos_infra: ChaosInfra,
    sandbox: Sandbox,
    db: Database,
    agencies: dict[str, AgencyAccess],
    outcomes: list[Outcome],
    tmp_path: Path,
) -> None:
    seed = len(outcomes) + 1
    outcome = await run_with_fault(
        fault, FAULTS[fault], chaos_infra, sandbox, db, agencies, tmp_path, seed, messages, rate
    )
    outcomes.append(outcome)
    assert outcome.ledger.whole, outcome.ledger.summary()
