"""`make chaos`: its own servers (started here, on ports of their own, stopped at the end),
and the table of what each fault did, printed after the last run."""

from collections.abc import AsyncIterator, Iterator

import pytest

from shared.storage.mongo import Database
from tests.chaos.infra import ChaosInfra
from tests.chaos.run import Outcome
from tests.conftest import Sandbox
from tests.infrastructure import Servers
from tests.support.wire import AgencyAccess, register_agencies, remove_agency_users

OUTCOMES: list[Outcome] = []
SWEEP_OUTCOMES: list[str] = []
"""Rows of the sweeps' table (test_sweeps.py)."""
BOX_OUTCOMES: list[str] = []
"""Rows of the box's table (test_box.py): each fault, then the ledger."""


@pytest.fixture(scope="session")
def chaos_infra() -> Iterator[ChaosInfra]:
    """Stopped at the end only if this session started it: another run may be using it."""
    infra = ChaosInfra()
    already_up = infra.running()
    infra.up()
    yield infra
    if not already_up:
        infra.down()


@pytest.fixture(scope="session")
def infrastructure(chaos_infra: ChaosInfra) -> Servers:
    """The shared fixtures (sandbox, db) on the chaos servers, never on those of `make up`."""
    return chaos_infra.servers


@pytest.fixture
async def agencies(sandbox: Sandbox, db: Database) -> AsyncIterator[dict[str, AgencyAccess]]:
    access = await register_agencies(sandbox, db)
    yield access
    remove_agency_users(sandbox, access)


@pytest.fixture(scope="session")
def outcomes() -> list[Outcome]:
    return OUTCOMES


def table(outcomes: list[Outcome]) -> list[str]:
    lines = [
        "| fault | messages | letters | e-mails | pushes | notifications failed (with reason) | lost | duplicated "
        "| stuck | resent (same id) | time to recover |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for o in outcomes:
        recovered = "never" if o.recovered_after is None else f"{o.recovered_after:.0f} s"
        ledger = o.ledger
        lines.append(
            f"| {o.fault} | {ledger.messages} | {ledger.seen['letters']} | {ledger.seen['e-mails']} "
            f"| {ledger.seen['pushes']} | {ledger.seen['failed']} | {len(ledger.lost)} | {len(ledger.duplicated)} "
            f"| {len(ledger.stuck)} | {ledger.resent} | {recovered} |"
        )
    lost = sum(len(o.ledger.lost) for o in outcomes)
    duplicated = sum(len(o.ledger.duplicated) for o in outcomes)
    stuck = sum(len(o.ledger.stuck) for o in outcomes)
    return [*lines, "", f"chaos: {len(outcomes)} faults, lost {lost}, duplicated {duplicated}, stuck {stuck}"]


SWEEP_HEADER = [
    "| sweep fault | letters | skipped | extra | in two batches | receipts to the agency | time to finish |",
    "|---|---:|---:|---:|---:|---:|---:|",
]


BOX_HEADER = [
    "| box fault | outage | answers | pages | 503 with Retry-After | refused (box down) | logged out | failed "
    "| first page after it was back |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if OUTCOMES or SWEEP_OUTCOMES or BOX_OUTCOMES:
        terminalreporter.section("chaos")
    if OUTCOMES:
        for line in table(OUTCOMES):
            terminalreporter.write_line(line)
    if SWEEP_OUTCOMES:
        terminalreporter.write_line("")
        for line in [*SWEEP_HEADER, *SWEEP_OUTCOMES]:
            terminalreporter.write_line(line)
    if BOX_OUTCOMES:
        terminalreporter.write_line("")
        for line in [*BOX_HEADER, *BOX_OUTCOMES]:
            terminalreporter.write_line(line)
