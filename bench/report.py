"""var/bench/report.json, report.md and throughput.png from one benchmark run."""

import json
from pathlib import Path
from typing import Any

import matplotlib

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
        "| scenario | messages | seconds | messages/s | ratio to relay | machine CPU ms/message | letters | notifications |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for s in report["scenarios"]:
        lines.append(
            f"| {s['name']} | {s['messages']} | {s['seconds']} | {s['throughput']} | {s['ratio_to_relay']}"
            f" | {s['machine_cpu_ms_per_message']} | {s['letters']} | {s['notifications']} |"
        )
    lines += [
        "",
        "## Baselines",
        "",
        f"- raw aio-pika one-hop relay: {report['baselines']['relay_per_second']} messages/s",
        f"- bare typst: {report['baselines']['typst_letters_per_second']} letters/s",
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
