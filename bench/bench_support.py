"""What the page benchmarks share (`expectations.py`, `shadowing.py`): a throwaway Accord
with its own data folder and database, a request timed as a median with its query count
beside a reference, and the line each prints."""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
TARGET_MS = 200.0


def _out_of_time(signum: int, frame: Any) -> None:
    raise SystemExit("The benchmark ran out of time (--timeout) and stopped.")


def start_accord(*, name: str, database_url: str, timeout: int) -> None:
    """Django set up on a migrated throwaway database (SQLite in a temporary folder, or the
    PostgreSQL database named), stopping the process after ``timeout`` seconds."""
    signal.signal(signal.SIGALRM, _out_of_time)
    signal.alarm(timeout)
    data_dir = tempfile.mkdtemp(prefix=f"accord-bench-{name}-")
    atexit.register(shutil.rmtree, data_dir, True)
    os.environ["ACCORD_DATA_DIR"] = data_dir
    os.environ["ACCORD_TESTING"] = "1"
    os.environ.pop("DEBUG", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "accord.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()
    call_command("migrate", interactive=False, verbosity=0)


def page(user: Any, url: str) -> Callable[[], object]:
    """A GET of ``url`` signed in as ``user``, failing on anything but a 200."""
    from django.test import Client

    client = Client()
    client.force_login(user)

    def get() -> object:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return get


def measure(
    call: Callable[[], object], repeat: int, reference: Callable[[], object]
) -> dict[str, float]:
    """``call``'s median and 90th percentile over ``repeat`` runs (after three to warm up),
    its queries, and ``reference``'s median. BENCH_PROFILE=1 prints a profile of one call,
    BENCH_SHOW_QUERIES=1 its three slowest queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        call()
    # Read now: the profiled request below starts a request, which empties the query log.
    captured = list(queries.captured_queries)
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        profile = cProfile.Profile()
        profile.runcall(call)
        pstats.Stats(profile).sort_stats("tottime").print_stats(8)
    if os.environ.get("BENCH_SHOW_QUERIES"):
        for query in sorted(captured, key=lambda q: -float(q["time"]))[:3]:
            print(f"    {float(query['time']) * 1000:6.1f} ms  {query['sql'][:300]}")
    references = []
    for _ in range(repeat):
        started = time.perf_counter()
        reference()
        references.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"median": statistics.median(times), "p90": times[int(0.9 * (len(times) - 1))],
            "queries": len(captured), "reference": statistics.median(references)}  # fmt: skip


def report(name: str, result: dict[str, float], *, targeted: bool, width: int = 38) -> bool:
    """Print one line; whether it failed its target."""
    verdict = ("PASS" if result["median"] < TARGET_MS else "FAIL") if targeted else "(no target)"
    print(f"  {name:<{width}} median {result['median']:6.1f} ms, p90 {result['p90']:6.1f} ms, "
          f"{result['queries']:>2} queries; reference {result['reference']:5.1f} ms "
          f"({result['median'] / max(result['reference'], 0.01):.1f}x)  {verdict}")  # fmt: skip
    return verdict == "FAIL"
