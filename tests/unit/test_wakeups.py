"""The benchmark's price of a wakeup: it runs on this kernel (the scheduler's counts are there)
and counts both processes' time per round trip."""

from bench.wakeups import wakeup_cost


def test_a_round_trip_costs_both_processes_some_cpu_back_to_back_and_after_sleeping() -> None:
    cost = wakeup_cost(back_to_back=50, after_sleep=5, sleep_seconds=0.001)
    assert set(cost) == {"back_to_back", "after_1_ms_asleep"}
    assert all(0 < microseconds < 1_000_000 for microseconds in cost.values())
