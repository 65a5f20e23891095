"""After a write to the contracts, what the director's next dashboard view computes again (issue 13: the figures'
data version per area, ``marketing_portal.figures_cache``). On a seed_bench database migrated to portal 0010, read
only (one transaction rolled back at the end):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_copy REDIS_URL=redis://127.0.0.1:6379/11 \\
        .venv/bin/python benchmarks/figures_areas.py [--repeat 5]

prints, for the dashboard of this year: a cold view (figures forgotten), a warm one, and the view right after a
statement updating one contract (its version moves, as an approval's does; uncommitted, in this transaction, so the
sections reading the contracts are computed again at every view and stored only on a commit) — each with the sections
computed, the SQL queries and the milliseconds (median of ``--repeat``)."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import drain, production_environment  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    production_environment()
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from dashboards import figures
    from marketing_portal.figures_cache import forget
    from marketing_portal.management.commands.seed_bench import check_target

    check_target(os.environ["DATABASE_URL"])
    computed: list[str] = []
    for key, builder in list(figures.BUILDERS.items()):
        def spy(*a, _key=key, _builder=builder):
            computed.append(_key)
            return _builder(*a)
        figures.BUILDERS[key] = spy
    url = reverse("dashboards:dashboard")
    print(f"director's dashboard, this year, on {connection.settings_dict['NAME']}; load average "
          f"{os.getloadavg()[0]:.1f}; median of {args.repeat}")
    with transaction.atomic():
        client = Client()
        client.force_login(get_user_model().objects.get(username="director"))
        drain(client.get(url))  # warm-up
        with connection.cursor() as cursor:
            cursor.execute("SELECT min(id) FROM contracts_contract")
            contract_id = cursor.fetchone()[0]

        def run(label, before):
            times, queries, sections = [], 0, set()
            for _ in range(args.repeat):
                before()
                computed.clear()
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    drain(client.get(url))
                    times.append((time.perf_counter() - start) * 1000)
                queries, sections = len(captured), set(computed)
            print(f"{label:<40}{queries:>4} queries {statistics.median(times):>7.0f} ms   computed: "
                  f"{', '.join(sorted(sections)) or 'nothing'}", flush=True)

        def write():  # as an approval's statements do: the contracts' version moves
            with connection.cursor() as cursor:
                cursor.execute("UPDATE contracts_contract SET title = title WHERE id = %s", [contract_id])

        run("cold (figures forgotten)", forget)
        run("warm (repeat view)", lambda: None)
        run("after an UPDATE of one contract", write)
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
