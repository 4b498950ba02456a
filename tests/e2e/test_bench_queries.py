"""`make bench-queries` finishes on the servers `make up` starts and prints, for each shape of
query the box's pages make, a rate and the database server's CPU per query."""

import re
import subprocess
import sys

from tests.infrastructure import Servers


def test_bench_queries_prints_a_rate_and_the_cpu_of_each_query(infrastructure: Servers) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.queries", "--queries", "100"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for shape in ("by _id", "by an indexed field", "a page of 20"):
        line = next((line for line in result.stdout.splitlines() if line.startswith(shape)), "")
        figures = [float(f) for f in re.findall(r"\d+\.?\d*", line[len(shape) :])]
        assert len(figures) == 4 and figures[0] > 0, result.stdout
