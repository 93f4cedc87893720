"""Org-chart import benchmark: `make bench`, or `python bench/run.py --people 50000`.

One run generates a deterministic roster with accord.demo.generator, then measures,
each beside a reference that does the least work that could give the same answer:

* the raw scan: csv.reader over the same bytes, touching every cell (the floor any
  CSV import pays);
* validation (plan_org_import) and writing (apply_org_import) into a fresh,
  migrated SQLite database — and into a throwaway PostgreSQL database when
  DATABASE_URL points at a PostgreSQL server (the database named there is not touched);
* re-importing the identical file (everything unchanged: validation plus a no-op write);
* the people in a hospital's subtree by a unit path prefix, against the same answer
  from a recursive Python walk over parent links.

Each database runs in its own process so Django is configured once per database.
Results are printed as a table and written to bench/results/ as JSON.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
sys.path.insert(0, str(ROOT / "src"))

MIN_UNITS_FOR_SUBTREE = 5_000
WORKER_TIMEOUT_SECONDS = 900


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=300_000, help="roster size (default 300,000)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs of each subtree query; the median is kept"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile one more import; stats go to bench/results/import-<database>.prof",
    )
    parser.add_argument("--worker", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--roster", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(run_worker(args)))
        return

    from accord.demo.generator import generate_demo_roster

    print(f"Generating {args.people:,} people (seed {args.seed})…", flush=True)
    started = time.perf_counter()
    content = generate_demo_roster(people=args.people, seed=args.seed).to_csv()
    print(f"  {len(content) / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s", flush=True)
    scan_seconds, cells = raw_scan(content)
    results: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "people": args.people,
        "seed": args.seed,
        "file_bytes": len(content),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "raw_scan": {"seconds": scan_seconds, "cells": cells},
        "databases": {},
    }
    with tempfile.TemporaryDirectory(prefix="accord-bench-") as workdir:
        roster = Path(workdir) / "roster.csv"
        roster.write_bytes(content)
        for database in targets():
            print(f"Importing into {database}…", flush=True)
            results["databases"][database] = run_in_subprocess(database, roster, workdir, args)
    print_table(results)
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"import-{args.people}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nResults written to {out.relative_to(ROOT)}")


def raw_scan(content: bytes) -> tuple[float, int]:
    """Decode and split every cell, as cheaply as Python can: the reference for validation."""
    started = time.perf_counter()
    cells = 0
    characters = 0
    for row in csv.reader(io.StringIO(content.decode("utf-8"), newline="")):
        for cell in row:
            characters += len(cell)
        cells += len(row)
    return time.perf_counter() - started, cells


def targets() -> list[str]:
    found = ["sqlite"]
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        found.append("postgresql")
    return found


def run_in_subprocess(
    database: str, roster: Path, workdir: str, args: argparse.Namespace
) -> dict[str, Any]:
    data_dir = Path(workdir) / database
    data_dir.mkdir()
    env = {
        **os.environ,
        "ACCORD_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "accord.settings",
        "SECRET_KEY": secrets.token_urlsafe(40),  # a throwaway key for a throwaway database
        "DEBUG": "false",  # DEBUG would keep every SQL statement in memory
        "LOG_LEVEL": "WARNING",
    }
    throwaway_postgres = None
    if database == "sqlite":
        env["DATABASE_URL"] = f"sqlite:///{data_dir / 'bench.sqlite3'}"
    else:
        throwaway_postgres = create_postgres_database(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = throwaway_postgres
    command = [sys.executable, __file__, "--worker", database, "--roster", str(roster),
               "--repeat", str(args.repeat)]  # fmt: skip
    if args.profile:
        command.append("--profile")
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=WORKER_TIMEOUT_SECONDS
        )
    finally:
        if throwaway_postgres:
            drop_postgres_database(os.environ["DATABASE_URL"], throwaway_postgres)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"The {database} run failed (exit code {done.returncode}).")
    return json.loads(done.stdout.strip().splitlines()[-1])


def create_postgres_database(server_url: str) -> str:
    import psycopg

    name = f"accord_bench_{os.getpid()}"
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def drop_postgres_database(server_url: str, database_url: str) -> None:
    import psycopg

    name = urlsplit(database_url).path.lstrip("/")
    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


# --- inside the worker process ----------------------------------------------


def run_worker(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accord.org.importing import plan_org_import
    from accord.org.services import apply_org_import, create_organisation

    call_command("migrate", interactive=False, verbosity=0)
    content = args.roster.read_bytes()
    organisation = create_organisation(name="Benchmark Health", slug="bench")

    def timed(work: Any) -> tuple[float, Any]:
        started = time.perf_counter()
        result = work()
        return time.perf_counter() - started, result

    validate, plan = timed(
        lambda: plan_org_import(organisation=organisation, filename="roster.csv", content=content)
    )
    apply, _ = timed(lambda: apply_org_import(plan=plan))
    revalidate, replan = timed(
        lambda: plan_org_import(organisation=organisation, filename="roster.csv", content=content)
    )
    reapply, _ = timed(lambda: apply_org_import(plan=replan))
    unchanged = replan.summary()["unchanged"]
    if unchanged != len(plan.rows):
        raise SystemExit(f"Re-import found {len(plan.rows) - unchanged} changes; expected none.")
    if args.profile:
        profile_import(content, args.worker)
    return {
        "vendor": connection.vendor,
        "server_version": _server_version(connection),
        "rows": len(plan.rows),
        "units": len(plan.new_units),
        "validate_seconds": validate,
        "apply_seconds": apply,
        "revalidate_seconds": revalidate,
        "reapply_seconds": reapply,
        "subtree": subtree_benchmark(organisation, repeat=args.repeat),
    }


def profile_import(content: bytes, database: str) -> None:
    """Import once more, into a second organisation, under cProfile (slower: not timed)."""
    import cProfile

    from accord.org.services import create_organisation, import_org_chart

    organisation = create_organisation(name="Profiled Health", slug="profiled")
    profiler = cProfile.Profile()
    profiler.enable()
    import_org_chart(organisation=organisation, filename="roster.csv", content=content)
    profiler.disable()
    RESULTS_DIR.mkdir(exist_ok=True)
    profiler.dump_stats(RESULTS_DIR / f"import-{database}.prof")


def _server_version(connection: Any) -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version
    return str(connection.pg_version)


def subtree_benchmark(organisation: Any, *, repeat: int) -> dict[str, Any]:
    """People in the hospital with most units: one path-prefix query vs a walk of parent links."""
    from collections import Counter

    from accord.org.models import Person, Unit

    units = Unit.objects.filter(organisation=organisation)
    # The second level of every path is the hospital (or system office) it belongs to.
    sizes = Counter(
        path.split("/")[2] for path in units.filter(depth__gte=1).values_list("path", flat=True)
    )
    hospital = units.get(pk=int(sizes.most_common(1)[0][0]))

    def by_path_prefix() -> set[int]:
        return set(
            Person.objects.filter(
                organisation=organisation, unit__path__startswith=hospital.path
            ).values_list("pk", flat=True)
        )

    def by_path_prefix_subquery() -> set[int]:
        subtree_units = units.filter(path__startswith=hospital.path).values("pk")
        return set(Person.objects.filter(unit__in=subtree_units).values_list("pk", flat=True))

    def by_parent_walk() -> set[int]:
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in units.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)

        def walk(unit_id: int) -> list[int]:
            found = [unit_id]
            for child in children.get(unit_id, []):
                found += walk(child)
            return found

        subtree = walk(hospital.pk)
        people: set[int] = set()
        for start in range(0, len(subtree), 500):  # within every database's parameter limit
            people.update(
                Person.objects.filter(unit_id__in=subtree[start : start + 500]).values_list(
                    "pk", flat=True
                )
            )
        return people

    def median_seconds(query: Any) -> tuple[float, set[int]]:
        times, answer = [], set()
        for _ in range(repeat):
            started = time.perf_counter()
            answer = query()
            times.append(time.perf_counter() - started)
        return statistics.median(times), answer

    prefix_seconds, prefix_answer = median_seconds(by_path_prefix)
    subquery_seconds, subquery_answer = median_seconds(by_path_prefix_subquery)
    walk_seconds, walk_answer = median_seconds(by_parent_walk)
    if not prefix_answer == subquery_answer == walk_answer:
        raise SystemExit("The path-prefix queries and the parent walk disagree.")
    return {
        "hospital": hospital.full_name,
        "units_in_organisation": units.count(),
        "units_in_subtree": units.filter(path__startswith=hospital.path).count(),
        "people_in_subtree": len(prefix_answer),
        "prefix_query_seconds": prefix_seconds,
        "prefix_subquery_seconds": subquery_seconds,
        "parent_walk_seconds": walk_seconds,
    }


# --- report ---------------------------------------------------------------


def print_table(results: dict[str, Any]) -> None:
    people = results["people"]
    scan = results["raw_scan"]["seconds"]
    print(f"\nOrg-chart import, {people:,} people, {results['file_bytes'] / 1e6:.1f} MB CSV")
    print(f"{'figure':<44}{'seconds':>10}{'rows/s':>12}{'x reference':>13}")
    print("-" * 79)
    print(f"{'raw scan: csv.reader, every cell (reference)':<44}{scan:>10.2f}"
          f"{people / scan:>12,.0f}{1:>13.1f}")  # fmt: skip
    for name, figures in results["databases"].items():
        rows = [
            ("validate (plan_org_import)", figures["validate_seconds"]),
            ("write (apply_org_import)", figures["apply_seconds"]),
            ("import = validate + write", figures["validate_seconds"] + figures["apply_seconds"]),
            ("re-import unchanged: validate", figures["revalidate_seconds"]),
            ("re-import unchanged: write", figures["reapply_seconds"]),
        ]
        print(f"{name} {figures['server_version']}, {figures['units']:,} units")
        for label, seconds in rows:
            print(f"  {label:<42}{seconds:>10.2f}{people / seconds:>12,.0f}{seconds / scan:>13.1f}")
        subtree = figures["subtree"]
        walk = subtree["parent_walk_seconds"]
        prefix = subtree["prefix_query_seconds"]
        note = (
            "" if subtree["units_in_organisation"] >= MIN_UNITS_FOR_SUBTREE else "  (< 5,000 units)"
        )
        print(
            f"  subtree of {subtree['hospital'].split('/')[-1]}: {subtree['units_in_subtree']:,} "
            f"of {subtree['units_in_organisation']:,} units, "
            f"{subtree['people_in_subtree']:,} people{note}"
        )
        print(f"    {'parent-link walk (reference)':<40}{walk:>10.4f}{'':>12}{1:>13.1f}")
        subquery = subtree["prefix_subquery_seconds"]
        print(
            f"    {'path prefix, joined to units':<40}{prefix:>10.4f}{'':>12}{prefix / walk:>13.2f}"
        )
        print(f"    {'path prefix, units as a subquery':<40}{subquery:>10.4f}{'':>12}"
              f"{subquery / walk:>13.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
