"""One benchmark run's report: its figures and targets (`build_report`), written to
var/bench/report.json, report.md and throughput.png (`write_report`), the key figures printed
last (`print_key_figures`)."""

import json
from pathlib import Path
from typing import Any

import matplotlib

from bench.baselines import Sample
from bench.machine import facts

matplotlib.use("Agg")
import matplotlib.pyplot as plt

SMOOTHING = 10


def plot(timelines: dict[str, list[tuple[float, int]]], path: Path) -> None:
    figure, axes = plt.subplots(figsize=(8, 4.5))
    for name, points in timelines.items():
        if len(points) > 1:
            # RabbitMQ refreshes queue statistics every few seconds: rate over a 10-sample window
            rates = [
                (t1, (n1 - n0) / (t1 - t0))
                for (t0, n0), (t1, n1) in zip(points, points[SMOOTHING:], strict=False)
                if t1 > t0
            ]
            axes.plot([t for t, _ in rates], [r for _, r in rates], label=name)
    axes.set_xlabel("seconds since the first publish")
    axes.set_ylabel("messages routed per second")
    axes.set_title("Berichtenbox mass mailing: throughput over time")
    axes.legend()
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def write_report(out: Path, report: dict[str, Any], timelines: dict[str, list[tuple[float, int]]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=2, default=str))
    plot(timelines, out / "throughput.png")
    lines = [
        "# Berichtenbox benchmark",
        "",
        f"Machine: {report['machine']}",
        "",
        "| scenario | messages | seconds | messages/s | relay around it | ratio to relay | floor around it"
        " | ratio to floor | machine CPU ms/message | of it outside the five services | letters | notifications |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for s in report["scenarios"]:
        lines.append(
            f"| {s['name']} | {s['messages']} | {s['seconds']} | {s['throughput']}"
            f" | {s['baselines']['relay_per_second']} | {s['ratio_to_relay']}"
            f" | {s['baselines'].get('floor_per_second')} | {s.get('ratio_to_floor')}"
            f" | {s['machine_cpu_ms_per_message']} | {s['outside_services_cpu_ms_per_message']}"
            f" | {s['letters']} | {s['notifications']} |"
        )
    ratios = report["batches_over_single"]
    lines += [
        "",
        f"Batches over single submissions: {ratios['throughput']}x in messages/s,"
        f" {ratios['ratio_to_relay']}x in ratio to the relay around each.",
    ]
    lines += [
        "",
        "## Baselines",
        "",
        "Sampled on the idle pipeline before the first scenario and after each; a figure is compared with",
        "the mean of the two samples around it.",
        "",
        "| sampled | raw aio-pika one-hop relay, messages/s | bare typst, letters/s | the floor, messages/s |",
        "|---|---|---|---|",
        *[
            f"| {x['when']} | {x['relay_per_second']} | {x['typst_letters_per_second']} | {x.get('floor_per_second')} |"
            for x in report["baselines"]["samples"]
        ],
        "",
        f"- the price of a wakeup (bench/wakeups.py), CPU µs per loopback round trip of two processes: {report['baselines']['wakeup_round_trip_cpu_us']}",
        "",
        "## Paper, from a full queue (one render process, the rest of the pipeline idle)",
        "",
        f"- {report['paper_from_full_queue']}",
        "",
        "## Latency, publish to the route's `routed_at` (ms: stamped when the router decided, before it inserts the route)",
        "",
    ]
    for name, latency in report["latency_ms"].items():
        lines.append(f"- {name}: {latency}")
    lines += ["", "## Per service", "", "| service | CPU seconds by scenario | peak RSS MB |", "|---|---|---|"]
    for service, figures in report["services"].items():
        lines.append(f"| {service} | {figures['cpu_seconds']} | {figures['peak_rss_mb']} |")
    lines += [
        "",
        f"## The rest of the machine (CPU seconds by scenario; the machine has {report['machine'].get('cores')} cores)",
        "",
    ]
    lines += [f"- {s['name']}: {s.get('other_cpu_seconds')}" for s in report["scenarios"]]
    lines += ["", "## Targets", ""] + [
        f"- {'holds' if ok else 'MISSED'}: {target}" for target, ok in report["targets"].items()
    ]
    lines += ["", "![throughput over time](throughput.png)", ""]
    (out / "report.md").write_text("\n".join(lines))


def build_report(
    size: dict[str, int],
    pace: str,
    baselines: dict[str, Any],
    scenarios: list[dict[str, Any]],
    drain: dict[str, Any],
    peak: dict[str, float],
    mails: int,
    pushes: int,
) -> dict[str, Any]:
    single, batched, _, paced = scenarios
    per_service = {
        s: {"cpu_seconds": {x["name"]: x["cpu_seconds"].get(s) for x in scenarios}, "peak_rss_mb": peak[s]}
        for s in peak
    }
    paper_rate, typst = drain["letters_per_second"], drain["baselines"]["typst_letters_per_second"]
    for s in scenarios:
        s["ratio_to_relay"] = round(s["throughput"] / s["baselines"]["relay_per_second"], 3)
        floor = s["baselines"].get("floor_per_second")
        s["ratio_to_floor"] = round(s["throughput"] / floor, 3) if floor else None
    floor_share = _floor_share(single["baselines"])
    batches_over_single = batched["throughput"] / single["throughput"]
    return {
        "machine": facts(),
        "size": size,
        "baselines": baselines,
        "scenarios": [{k: v for k, v in s.items() if k != "timeline"} for s in scenarios],
        "batches_over_single": {
            "throughput": round(batches_over_single, 2),
            "ratio_to_relay": round(batched["ratio_to_relay"] / single["ratio_to_relay"], 2),
        },
        "paper_from_full_queue": {**drain, "ratio_to_typst": round(paper_rate / typst, 3)},
        "latency_ms": {s["name"]: s["latency_ms"] for s in scenarios},
        "services": per_service,
        "side_effects": {"emails_received": mails, "pushes_received": pushes},
        "targets": {
            f"single submissions >= 50% of the relay ({single['ratio_to_relay']:.1%}; {floor_share})": single[
                "ratio_to_relay"
            ]
            >= 0.5,
            f"batches of 1,000 >= 2x the relay ({batched['ratio_to_relay']:.2f}x)": batched["ratio_to_relay"] >= 2,
            f"p99 publish-to-route < 250 ms at {pace} ({paced['latency_ms'].get('p99')} ms)": paced["latency_ms"].get(
                "p99", 1e9
            )
            < 250,
            f"paper >= 90% of bare typst per process ({paper_rate / typst:.0%}, from a full queue;"
            f" {_paper_ceiling(drain, typst)})": paper_rate >= 0.9 * typst,
            f"no service above 300 MB RSS (max {max(peak.values()):.0f} MB)": max(peak.values()) <= 300,
        },
    }


def _paper_ceiling(drain: dict[str, Any], typst: float) -> str:
    """What the machine allows: its cores filled at the CPU each letter took in the drain."""
    allows = drain.get("machine_allows_letters_per_second")
    if not allows:
        return "no CPU measured"
    machine = drain["cpu_ms_per_letter"]["machine busy"]
    return f"at {machine} ms of machine CPU per letter the cores allow {allows}/s, {allows / typst:.0%} of bare typst"


def _floor_share(baselines: dict[str, Any]) -> str:
    """What the floor allows: the hops with no logic, as a share of the relay around them."""
    floor = baselines.get("floor_per_second")
    if not floor:
        return "no floor measured"
    return f"the floor itself reaches {floor / baselines['relay_per_second']:.0%} of the relay"


def print_key_figures(out: Path, report: dict[str, Any]) -> None:
    print(f"\nreport: {out}/report.md, {out}/report.json, {out}/throughput.png")
    for sample in report["baselines"]["samples"]:
        figures = {k: v for k, v in sample.items() if k != "when"}
        print(f"baselines {sample['when']}: {Sample(**figures)}")
    for s in report["scenarios"]:
        print(
            f"{s['name']}: {s['throughput']} msg/s ({s['ratio_to_relay']:.1%} of relay, {s.get('ratio_to_floor')} of"
            f" the floor), {s['letters']} letters,"
            f" machine CPU {s['machine_cpu_ms_per_message']} ms/message, latency {s['latency_ms']}"
        )
    paper = report["paper_from_full_queue"]
    print(
        f"paper from a full queue: {paper['letters_per_second']} letters/s ({paper['ratio_to_typst']:.0%} of bare typst)"
    )
    for target, ok in report["targets"].items():
        print(f"{'holds ' if ok else 'MISSED'} {target}")
