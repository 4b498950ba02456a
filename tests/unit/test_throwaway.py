"""Which throwaway vhosts and databases a run may remove: only those a process on this
machine made and that process has ended."""

import pytest

from tools.throwaway import Throwaway, abandoned, new_throwaway

HERE, ELSEWHERE = "a1b2c3", "d4e5f6"
ENDED, RUNNING = 4242, 4343


def alive(pid: int) -> bool:
    return pid == RUNNING


@pytest.mark.parametrize(
    ("name", "removed"),
    [
        (f"test-{HERE}-{ENDED}-0123abcd", True),
        (f"test_{HERE}_{ENDED}_0123abcd", True),  # its database
        (f"bench-box-{HERE}-{ENDED}-0123abcd", True),
        (f"test-{HERE}-{RUNNING}-0123abcd", False),  # a run going on beside this one
        (f"test-{ELSEWHERE}-{ENDED}-0123abcd", False),  # another machine's process ids mean nothing here
        ("berichtenbox-demo", False),
        ("berichtenbox", False),
        ("/", False),
        ("test-0123abcd4567", False),  # named before names carried a process
    ],
)
def test_what_a_run_sweeps(name: str, removed: bool) -> None:
    assert bool(abandoned([name], HERE, alive)) is removed


def test_a_vhost_and_its_database_are_one_throwaway() -> None:
    made = new_throwaway("bench-box")
    assert Throwaway.parse(made.vhost) == Throwaway.parse(made.database_name) == made
    assert abandoned([made.vhost, made.database_name], made.machine, lambda pid: False) == {made}
