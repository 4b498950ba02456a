"""The benchmark's baselines are sampled before and after the scenarios: the ratios use the
mean, and the report keeps both samples so the host's drift over the run shows."""

from bench.baselines import Sample, combined


def test_the_ratios_use_the_mean_of_both_samples_and_the_report_keeps_both() -> None:
    before, after = Sample(relay_per_second=800.0, typst_letters_per_second=120.0), Sample(1000.0, 161.0)

    figures = combined(before, after)

    assert figures["relay_per_second"] == 900.0
    assert figures["typst_letters_per_second"] == 140.5
    assert figures["before_scenarios"] == {"relay_per_second": 800.0, "typst_letters_per_second": 120.0}
    assert figures["after_scenarios"] == {"relay_per_second": 1000.0, "typst_letters_per_second": 161.0}
