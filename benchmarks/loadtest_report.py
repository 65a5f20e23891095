"""Sum up a locust run (benchmarks/loadtest.sh): per request kind, count, failures, p50 / p95 / p99 against the
targets of issue 13 (list and detail pages p95 ≤ 150 ms, the dashboard ≤ 300 ms, no errors)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

TARGETS = {"dashboard": 300}
DEFAULT_TARGET = 150
NO_TARGET = ("login", "login page", "upload an import file", "approve a step", "import template")


def main(stats_path: str, failures_path: str) -> int:
    rows = list(csv.DictReader(Path(stats_path).open(encoding="utf-8")))
    print(f"{'request':<32}{'count':>7}{'fail':>6}{'p50':>7}{'p95':>7}{'p99':>7}{'target':>8}  ")
    missed = 0
    for row in rows:
        name = row["Name"]
        if name == "Aggregated":
            continue
        count, fails = int(row["Request Count"]), int(row["Failure Count"])
        p50, p95, p99 = (row.get(k, "") for k in ("50%", "95%", "99%"))
        target = None if name in NO_TARGET or name.startswith("register export") else TARGETS.get(name, DEFAULT_TARGET)
        verdict = ""
        if target is not None and p95 and p95 != "N/A":
            verdict = "ok" if float(p95) <= target else "MISSED"
            missed += verdict == "MISSED"
        print(f"{name:<32}{count:>7}{fails:>6}{p50:>7}{p95:>7}{p99:>7}{target or '—':>8}  {verdict}")
    total = next((r for r in rows if r["Name"] == "Aggregated"), None)
    if total:
        print(f"{'all':<32}{total['Request Count']:>7}{total['Failure Count']:>6}{total['50%']:>7}{total['95%']:>7}"
              f"{total['99%']:>7}   ({float(total['Requests/s']):.1f} requests/s)")
    failures = list(csv.DictReader(Path(failures_path).open(encoding="utf-8"))) if Path(failures_path).exists() else []
    for f in failures[:20]:
        print(f"  failure: {f['Method']} {f['Name']}: {f['Error'][:160]} × {f['Occurrences']}")
    print(f"targets missed: {missed}; failed requests: {total['Failure Count'] if total else '?'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
