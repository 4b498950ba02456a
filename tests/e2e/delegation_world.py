"""The people of the machtigingen tests: an owner, their helper, a stranger with a box of their
own, and a person under guardianship with the representative the register names."""

import asyncio
import subprocess
import sys
from pathlib import Path

from tests.conftest import Sandbox
from tests.e2e.box_world import POPULATION, TAKEN, citizen

OWNER = citizen("activated", email="eigenaar@example.nl", reminder_opt_in=True, opted_in_agencies=["uwv"],
                paper_copy_agencies=[], push_subscriptions=[])  # fmt: skip
HELPER = citizen("activated", email="helper@example.nl", opted_in_agencies=[], paper_copy_agencies=[],
                 push_subscriptions=[])  # fmt: skip
STRANGER = citizen("activated", email=None, opted_in_agencies=[], paper_copy_agencies=[], push_subscriptions=[])
REPRESENTATIVE = citizen("activated", email="curator@example.nl", opted_in_agencies=[], paper_copy_agencies=[],
                         push_subscriptions=[])  # fmt: skip
WARD = next(a for a in POPULATION if a["state"] != "none" and a["guardianship"] and a["_id"] not in TAKEN)
WARD = {**WARD, "email": None, "push_subscriptions": [], "opted_in_agencies": [], "paper_copy_agencies": []}
PEOPLE = [OWNER, HELPER, STRANGER, REPRESENTATIVE, WARD]


async def load_register(sandbox: Sandbox, folder: Path) -> str:
    """The register naming REPRESENTATIVE for WARD, loaded as an operator does
    (`make representations`); what the command printed, which never names a BSN."""
    register = folder / "register.csv"
    register.write_text(
        f"persoon,vertegenwoordiger,soort,begin,einde\n{WARD['bsn']},{REPRESENTATIVE['bsn']},{WARD['guardianship']},"
        "2026-01-01,\n"
    )
    command = [sys.executable, "-m", "tools.representations", str(register)]
    env = {**sandbox.environment(), "PATH": "/usr/bin:/bin"}
    done = await asyncio.to_thread(subprocess.run, command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert WARD["bsn"] not in done.stdout + done.stderr
    return done.stdout
