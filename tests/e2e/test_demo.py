"""`make demo` is the main job: it must run to the end and say where every sample went."""

import subprocess
import sys

from tests.infrastructure import Servers


def test_demo_runs_and_reports_every_sample(infrastructure: Servers) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "scripts.demo"], capture_output=True, text=True, timeout=240, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    for expected in (
        "mandatory_sender_not_opted_in",
        "guardianship_exempt",
        "paper_copy_requested_by_citizen",
        "duplicate",
        "invalid_bsn (recipient_bsn)",
        "message_type_not_allowed (message_type)",
        "email sent",
        "print batch",
        "Subject: Nieuw bericht van",
        "services stopped",
    ):
        assert expected in out, expected
