"""Running actions at the same instant from several threads, each with its own database connection."""

import threading

from django.core.exceptions import ValidationError
from django.db import connections


def run_together(calls, *, catch=(ValidationError,)):
    """Run the calls in threads released at the same instant; return (results, errors).

    Exceptions of the ``catch`` types are collected in ``errors`` (the refusals a racing user would see);
    anything else fails the thread loudly.
    """
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def worker(call):
        try:
            barrier.wait(timeout=10)
            results.append(call())
        except catch as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors
