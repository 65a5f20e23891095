"""Benchmark of the receivables rules core (RCV-14): ``assess`` over 50,000 random receivables.

The daily sweep calls ``receivables.policy.assess`` once per open receivable, so its cost bounds the sweep.
Run against a migrated database (the calendar reads the days entered in the app, cached per process):

    DJANGO_SETTINGS_MODULE=marketing_portal.settings_test \\
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<a migrated database> \\
    .venv/bin/python benchmarks/receivables_assess.py [--count 50000] [--seed 1]

It prints the calls per second for a mix of stages (not invoiced / invoiced / collected), and for comparison
the bare cost of the ``period_end`` calls the function is built on.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketing_portal.settings_test")

import django  # noqa: E402

django.setup()

from marketing_portal.periods import period_end  # noqa: E402
from marketing_portal.policy import defaults  # noqa: E402
from receivables.policy import assess  # noqa: E402


def random_inputs(count: int, seed: int, as_of: date) -> list[tuple[date, date | None, date | None]]:
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        accepted_on = as_of - timedelta(days=rng.randint(0, 900))
        invoiced_on = collected_on = None
        if rng.random() < 0.7:
            invoiced_on = accepted_on + timedelta(days=rng.randint(0, 400))
            if rng.random() < 0.4:
                collected_on = invoiced_on + timedelta(days=rng.randint(0, 400))
        rows.append((accepted_on, invoiced_on, collected_on))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 30))
    args = parser.parse_args()

    policy = defaults()  # a sweep reads the policy once and passes it to every call
    rows = random_inputs(args.count, args.seed, args.as_of)
    period_end(args.as_of, days=1)  # load the entered calendar days once, as a running sweep would have

    started = time.perf_counter()
    forfeited = events = 0
    for accepted_on, invoiced_on, collected_on in rows:
        result = assess(accepted_on=accepted_on, invoiced_on=invoiced_on, collected_on=collected_on,
                        as_of=args.as_of, policy=policy)
        forfeited += result.forfeited
        events += len(result.events)
    elapsed = time.perf_counter() - started

    started = time.perf_counter()
    for accepted_on, _invoiced_on, _collected_on in rows:
        period_end(accepted_on, months=1)
    period_elapsed = time.perf_counter() - started

    print(f"assess: {args.count} receivables in {elapsed:.2f} s = {args.count / elapsed:,.0f} calls/s "
          f"({elapsed / args.count * 1e6:.1f} µs per call)")
    print(f"  {forfeited} forfeited, {events} events in all, as of {args.as_of}")
    print(f"period_end alone: {args.count / period_elapsed:,.0f} calls/s "
          f"({period_elapsed / args.count * 1e6:.1f} µs per call); one assess ≈ "
          f"{elapsed / period_elapsed:.1f} period_end calls")


if __name__ == "__main__":
    main()
