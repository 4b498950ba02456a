"""`make bench-paper` must finish and measure letters that were made: it once ran in a vhost
where no agency's receipts queue existed, every receipt came back unroutable, every letter was
dead-lettered, and the bench waited for letters that would never be counted."""

import subprocess
import sys

from tests.infrastructure import Servers


def test_bench_paper_renders_every_letter_and_reports_what_the_machine_allows(infrastructure: Servers) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.paper", "-n", "200"], capture_output=True, text=True, timeout=240, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for expected in ("paper service:", "CPU ms per letter: {'paper':", "the machine's cores at that CPU per letter:"):
        assert expected in result.stdout, result.stdout
