"""Sum up a locust run (benchmarks/loadtest.sh) against the targets of issue 13, point 3.

    .venv/bin/python benchmarks/loadtest_report.py var/loadtest/phases.json [var/loadtest/locust_failures.csv]

``phases.json`` (written by benchmarks/locustfile.py) holds every request's time by phase: **ramp-up** (users
starting and logging in: the password hash is slow on purpose, so logins are reported apart and have no target)
and **steady** (everyone working). The targets are checked on the steady state, per page class: lists and
details p95 ≤ 150 ms, the dashboard ≤ 300 ms, no failed request; exports, uploads and approvals (writes and
files) are reported without a target. Exit status 1 when a target is missed or a request failed.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path

# Page class of each request name of the locustfile, and the class's p95 target in ms (None: reported only).
CLASSES = {
    "login page": "login", "login": "login",
    "dashboard": "dashboard",
    "home": "home",
    "contract page": "detail", "project page": "detail", "phone: a ticket": "detail",
    "import template": "file", "upload an import file": "write", "approve a step": "write",
    "register export (own)": "file", "register export (to archive)": "file",
}
TARGETS = {"list": 150, "detail": 150, "home": 150, "dashboard": 300, "login": None, "file": None, "write": None}


def page_class(name: str) -> str:
    if name.startswith("home: "):  # the home page, by role ("home: sales", "home: managers"…)
        return "home"
    return CLASSES.get(name, "list")  # the contract, project, ticket lists, their searches and filtered views


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (as locust reports it)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)] if ordered else float("nan")


def row(label: str, samples: list, target: int | None = None) -> tuple[str, int]:
    times = [t for t, _failed in samples]
    failed = sum(1 for _t, f in samples if f)
    p95 = percentile(times, 95)
    verdict = ""
    if target is not None:
        verdict = "ok" if p95 <= target and not failed else "MISSED"
    line = (f"  {label:<38}{len(times):>7}{failed:>6}{percentile(times, 50):>8.0f}{p95:>8.0f}"
            f"{percentile(times, 99):>8.0f}{max(times, default=0):>8.0f}{target if target else '—':>8}  {verdict}")
    return line, verdict == "MISSED"


HEADER = f"  {'':<38}{'count':>7}{'fail':>6}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}{'target':>8}   (ms)"


def main(phases_path: str, failures_path: str = "") -> int:
    phases = json.loads(Path(phases_path).read_text(encoding="utf-8"))
    missed = failed = 0
    ramp = phases.get("ramp-up", {})
    print("ramp-up (users starting and logging in; no targets)")
    print(HEADER)
    for name in sorted(ramp, key=lambda n: (page_class(n) != "login", n)):
        print(row(name, ramp[name])[0])
    steady = phases.get("steady", {})
    print("\nsteady state, by request")
    print(HEADER)
    for name in sorted(steady, key=lambda n: (page_class(n), n)):
        print(row(f"[{page_class(name)}] {name}", steady[name])[0])
        failed += sum(1 for _t, f in steady[name] if f)
    print("\nsteady state, by page class (the targets of issue 13)")
    print(HEADER)
    for cls, target in TARGETS.items():
        samples = [s for name, values in steady.items() if page_class(name) == cls for s in values]
        if samples:
            line, miss = row(cls, samples, target)
            print(line)
            missed += miss
    total = [s for values in steady.values() for s in values]
    seconds = sum(t for t, _f in total) / 1000
    print(f"\nsteady state: {len(total):,} requests, {failed} failed; server time summed {seconds:.0f} s")
    ramp_failed = sum(1 for values in ramp.values() for _t, f in values if f)
    if failures_path and Path(failures_path).exists():
        for f in list(csv.DictReader(Path(failures_path).open(encoding="utf-8")))[:20]:
            print(f"  failure: {f['Method']} {f['Name']}: {f['Error'][:160]} × {f['Occurrences']}")
    print(f"targets missed: {missed}; failed requests: {failed} steady, {ramp_failed} during ramp-up")
    return 1 if missed or failed or ramp_failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
