"""Figure (2) of bench/insights.py: the engine's full report straight from the database.

Writes the benchmark's synthetic cycle into a throwaway database as Accord stores it — one
row per response with the answers packed one byte per item — then times loading it with the
same function the release uses (`accord.insights.loading.load_answers`): once from the rows
(the first load after close, which keeps the cycle's columnar snapshot), then from the
snapshot, each followed by the engine on what was loaded. SQLite in a temporary directory by default; PostgreSQL when
``--database-url`` names a throwaway database.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
import uuid
from typing import Any

import numpy as np


def measure_from_database(args: argparse.Namespace, system: Any) -> dict[str, float] | None:
    data, tree, dimensions, instrument = system
    os.environ["ACCORD_DATA_DIR"] = tempfile.mkdtemp(prefix="accord-bench-insights-")
    os.environ["ACCORD_TESTING"] = "1"
    os.environ.pop("DEBUG", None)
    database_url = getattr(args, "database_url", "") or ""
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "accord.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from accord.insights import CycleData, Dimension, ReleasePolicy, release_results
    from accord.insights.loading import load_answers
    from accord.surveys.models import Response

    call_command("migrate", interactive=False, verbosity=0)
    print(f"(2) writing {data.respondents:,} responses to {connection.vendor}…", flush=True)
    started = time.perf_counter()
    with transaction.atomic():
        cycle, unit_pks = _cycle_with_units(tree)
        labels = {d.name: d.labels for d in dimensions}
        columns = {"role_group": "role_group", "profession": "profession", "tenure": "tenure_band"}
        texts = {
            column: np.array(
                [("" if v == "not recorded" else v) for v in labels[name]], dtype=object
            )
            for name, column in columns.items()
        }
        values = {column: texts[column][data.attributes[name]] for name, column in columns.items()}
        packed = [row.tobytes() for row in data.answers]
        units = np.asarray(unit_pks, dtype=np.int64)[data.unit]
        batch = 20_000
        for start in range(0, data.respondents, batch):
            stop = min(start + batch, data.respondents)
            Response.objects.bulk_create(
                [
                    Response(
                        id=uuid.uuid4(),
                        cycle_id=cycle.pk,
                        submitted_on=cycle.closes_at.date(),
                        reporting_unit_id=int(units[i]),
                        role_group=values["role_group"][i],
                        profession=values["profession"][i],
                        tenure_band=values["tenure_band"][i],
                        answers=packed[i],
                    )
                    for i in range(start, stop)
                ],
                batch_size=5_000,
            )
    print(f"    written in {time.perf_counter() - started:.1f} s", flush=True)

    loaded_dimensions = [
        Dimension(columns[d.name], d.labels) for d in dimensions
    ]  # named after the columns the loader reads
    index_of = {pk: i for i, pk in enumerate(unit_pks)}
    # The first load after close reads the rows and keeps them as the cycle's columnar
    # snapshot; every later load (each release, each re-release) reads the snapshot.
    started = time.perf_counter()
    load_answers(cycle, index_of, loaded_dimensions, len(instrument.items))
    from_rows = time.perf_counter() - started
    loads, totals = [], []
    for _ in range(max(1, args.repeat)):
        started = time.perf_counter()
        loaded = load_answers(cycle, index_of, loaded_dimensions, len(instrument.items))
        loaded_at = time.perf_counter()
        renamed = CycleData(
            loaded.answers,
            loaded.unit,
            {name: loaded.attributes[column] for name, column in columns.items()},
            loaded.response_ids,
        )
        release_results(renamed, tree, dimensions, instrument, ReleasePolicy())
        finished = time.perf_counter()
        loads.append(loaded_at - started)
        totals.append(finished - started)
    _check_same_rows(data, renamed)
    load, total = float(np.median(loads)), float(np.median(totals))
    print(
        f"    first load from the rows (keeps the snapshot) {from_rows:.3f} s; "
        f"load {load:.3f} s, load + engine {total:.3f} s (median of {len(loads)})"
    )
    return {
        "first_load_from_rows_seconds": from_rows,
        "load_seconds": load,
        "load_and_engine_seconds": total,
        "database": connection.vendor,
    }


def _cycle_with_units(tree: Any) -> tuple[Any, list[int]]:
    import datetime as dt

    from django.utils import timezone

    from accord.org.models import Organisation, Unit, UnitKind
    from accord.surveys.models import Cycle

    organisation = Organisation.objects.create(name="Benchmark Health", slug="bench-insights")
    kind = UnitKind.objects.create(organisation=organisation, name="Unit")
    pks: list[int] = [0] * len(tree)
    # Parents before children: the tree's levels in order.
    depth = np.zeros(len(tree), dtype=np.int64)
    for u in range(len(tree)):
        p, d = int(tree.parent[u]), 0
        while p >= 0:
            p, d = int(tree.parent[p]), d + 1
        depth[u] = d
    for level in range(int(depth.max()) + 1):
        members = np.flatnonzero(depth == level).tolist()
        created = Unit.objects.bulk_create(
            [
                Unit(
                    organisation=organisation,
                    parent_id=pks[int(tree.parent[u])] if tree.parent[u] >= 0 else None,
                    kind=kind,
                    name=f"Unit {u}",
                    depth=level,
                    full_name=f"Unit {u}",
                )
                for u in members
            ]
        )
        for u, unit in zip(members, created, strict=True):
            pks[u] = unit.pk
    now = timezone.now()
    cycle = Cycle.objects.create(
        organisation=organisation,
        name="Benchmark pulse",
        instrument_id="bench",
        instrument_version=1,
        instrument_digest="-",
        status=Cycle.Status.CLOSED,
        opens_at=now - dt.timedelta(days=14),
        closes_at=now,
        min_group_size=5,
        min_comment_group_size=10,
    )
    return cycle, pks


def _check_same_rows(expected: Any, loaded: Any) -> None:
    """The database hands rows back in its own order: compare them as sorted multisets."""

    def table(data: Any) -> np.ndarray:
        columns = [data.answers, data.unit[:, None]]
        columns += [data.attributes[name][:, None] for name in sorted(data.attributes)]
        rows = np.hstack([c.astype(np.int64) for c in columns])
        return rows[np.lexsort(rows.T[::-1])]

    if not np.array_equal(table(expected), table(loaded)):
        raise AssertionError("the rows loaded from the database differ from those written")
