"""Insights engine benchmark: `make bench`, or `python bench/insights.py --people 50000`.

One run builds a deterministic health system with accord.demo.generator (300,000 people by
default), lets about 80% of them answer a 40-item pulse, then measures in one process:

1. the engine's full report from warm data — every unit's subtree, alone and crossed with
   each filter value, with primary and complementary suppression; beside it (1b) the same
   under the class rule alone (the release before the exact rule's extra pass), timed and
   counted in the same run;
2. the same from the database: ``insights_database.measure_from_database`` (a sibling module)
   stores the cycle as Accord does, then times loading it and running the engine;
3. a straightforward pandas implementation of the same numbers (every group, no
   suppression), the reference; the engine's released numbers are checked against it;
4. a raw NumPy scan of the answer matrix (per-item answer counts for everyone), the floor.

It prints the figures, the ratios, and how many groups survive suppression per dimension
and per tree level, and writes everything to bench/results/ as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
sys.path.insert(0, str(ROOT / "src"))

from insights_database import measure_from_database  # noqa: E402  (figure 2, next to this one)

from accord.insights import (  # noqa: E402
    MISSING,
    NOT_RECORDED,
    CycleData,
    Dimension,
    InstrumentMeta,
    ItemMeta,
    ReleasePolicy,
    Report,
    UnitTree,
    release_results,
)
from accord.insights.adapters import instrument_meta  # noqa: E402
from accord.insights.engine import _release  # noqa: E402  (the class rule, for comparison)
from accord.surveys.instruments import core_instrument  # noqa: E402

ITEMS = 40
RESPONSE_RATE = 0.8
TENURE_BANDS = ("under 1 year", "1 to 2 years", "2 to 5 years", "5 to 10 years", "over 10 years")
ROLL_UP_BELOW = 3  # units with fewer invitees than this are merged into their parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=300_000, help="employees (default 300,000)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    parser.add_argument("--repeat", type=int, default=3, help="engine runs; the median is kept")
    parser.add_argument("--skip-pandas", action="store_true", help="skip the pandas reference")
    parser.add_argument("--skip-database", action="store_true", help="skip figure (2)")
    parser.add_argument(
        "--database-url", default="", help="a throwaway PostgreSQL database for figure (2)"
    )
    args = parser.parse_args()

    print(f"Generating {args.people:,} people (seed {args.seed})…", flush=True)
    started = time.perf_counter()
    system = build_system(args.people, args.seed)
    data, tree, dimensions, instrument = system
    print(
        f"  {len(tree):,} units, {int(index_depth(tree)) + 1} levels, "
        f"{data.respondents:,} respondents x {len(instrument.items)} items "
        f"in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    policy = ReleasePolicy()

    engine_times = []
    report: Report | None = None
    for _ in range(args.repeat):
        started = time.perf_counter()
        report = release_results(data, tree, dimensions, instrument, policy)
        engine_times.append(time.perf_counter() - started)
    assert report is not None
    engine = statistics.median(engine_times)
    started = time.perf_counter()
    groups = report.groups
    materialise = time.perf_counter() - started
    print(f"(1) engine: {engine:.3f} s (runs: {', '.join(f'{t:.3f}' for t in engine_times)})")
    class_times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        class_report = _release(
            data, tree, dimensions, instrument, policy, (), None, complementary=True, exact=False
        )
        class_times.append(time.perf_counter() - started)
    class_engine = statistics.median(class_times)
    print(f"(1b) engine, class rule alone: {class_engine:.3f} s")

    database = None
    if args.skip_database:
        print("(2) database: not measured (--skip-database)")
    else:
        database = measure_from_database(args, system)
        print(f"(2) database: {_figures(database)}")
    scan = raw_scan(data, instrument)
    print(f"(4) raw scan: {scan:.4f} s")

    reference = None
    if not args.skip_pandas:
        print("(3) pandas reference…", flush=True)
        reference, reference_counts = pandas_reference(data, tree, dimensions, instrument)
        print(f"    {reference:.2f} s")
        checked = compare(report, reference_counts, dimensions)
        print(f"    engine and pandas agree on all {checked:,} released groups")

    retention = retention_table(report, tree, dimensions)
    class_retention = retention_table(class_report, tree, dimensions)
    results: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "people": args.people,
        "seed": args.seed,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "units": len(tree),
        "levels": int(index_depth(tree)) + 1,
        "respondents": data.respondents,
        "items": len(instrument.items),
        "groups": len(groups),
        "released_groups": int(report.table.released.sum()),
        "suppression_rounds": report.suppression_rounds,
        "engine_seconds": engine,
        "engine_runs": engine_times,
        "class_rule_engine_seconds": class_engine,
        "class_rule_retention": class_retention,
        "materialise_group_objects_seconds": materialise,
        "database": database,
        "pandas_seconds": reference,
        "raw_scan_seconds": scan,
        "retention": retention,
    }
    print_table(results)
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"insights-{args.people}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nResults written to {out.relative_to(ROOT)}")


# --- the synthetic health system ---------------------------------------------


def build_system(
    people: int, seed: int
) -> tuple[CycleData, UnitTree, list[Dimension], InstrumentMeta]:
    from accord.demo.generator import generate_demo_roster

    rows = generate_demo_roster(people=people, seed=seed).rows
    rng = np.random.default_rng(seed)

    # The unit tree from the people's unit paths (every ancestor path is a unit).
    paths: dict[str, int] = {}
    parents: list[int] = []
    for row in rows:
        parts = row["unit_path"].split("/")
        for depth in range(1, len(parts) + 1):
            path = "/".join(parts[:depth])
            if path not in paths:
                paths[path] = len(parents)
                parents.append(paths["/".join(parts[: depth - 1])] if depth > 1 else -1)
    parent = np.array(parents, dtype=np.int64)
    unit = np.array([paths[row["unit_path"]] for row in rows], dtype=np.int64)
    unit = roll_up_tiny_units(unit, parent)
    invited = np.bincount(unit, minlength=len(parent))

    role_labels = ("clinician", "administrator", "other", NOT_RECORDED)
    professions = sorted({row["profession"] for row in rows})
    profession_labels = (*professions, NOT_RECORDED)
    role = np.array([role_labels.index(row["role_group"]) for row in rows], dtype=np.int64)
    profession = np.array([professions.index(row["profession"]) for row in rows], dtype=np.int64)
    today = dt.date(2026, 6, 30)
    years = np.array(
        [(today - dt.date.fromisoformat(row["hire_date"])).days / 365.25 for row in rows]
    )
    tenure = np.searchsorted(np.array([1.0, 2.0, 5.0, 10.0]), years, side="right")
    # The collection side generalises rare values; here a sprinkle of "not recorded".
    tenure[rng.random(len(rows)) < 0.01] = len(TENURE_BANDS)
    profession[rng.random(len(rows)) < 0.005] = len(professions)

    instrument = forty_items()
    # Units answer at different rates around 80%.
    unit_rate = np.clip(rng.normal(RESPONSE_RATE, 0.08, len(parent)), 0.3, 1.0)
    responds = rng.random(len(rows)) < unit_rate[unit]
    count = int(responds.sum())
    answers = np.empty((count, len(instrument.items)), dtype=np.uint8)
    mood = rng.normal(0, 0.8, len(parent))[unit[responds]]  # units differ
    for j, item in enumerate(instrument.items):
        codes = np.array(item.codes)
        centre = (len(codes) - 1) / 2 + mood * len(codes) / 5
        picked = np.clip(np.rint(rng.normal(centre, len(codes) / 4)), 0, len(codes) - 1)
        answers[:, j] = codes[picked.astype(int)]
    answers[rng.random(answers.shape) < 0.03] = MISSING
    data = CycleData(
        answers=answers,
        unit=unit[responds],
        attributes={
            "role_group": role[responds],
            "profession": profession[responds],
            "tenure": tenure[responds],
        },
        response_ids=rng.choice(2**62, size=count, replace=False),
    )
    tree = UnitTree(tuple(str(i) for i in range(len(parent))), parent, invited)
    dimensions = [
        Dimension("role_group", role_labels),
        Dimension("profession", profession_labels),
        Dimension("tenure", (*TENURE_BANDS, NOT_RECORDED)),
    ]
    return data, tree, dimensions, instrument


def roll_up_tiny_units(unit: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Attach the people of units with very few invitees to the nearest larger ancestor."""
    size = np.bincount(unit, minlength=len(parent))
    target = np.arange(len(parent))
    for u in range(len(parent)):
        t = u
        while 0 < size[t] < ROLL_UP_BELOW and parent[t] >= 0:
            t = parent[t]
        target[u] = t
    return target[unit]


def forty_items() -> InstrumentMeta:
    core = instrument_meta(core_instrument())
    extra = tuple(
        ItemMeta(f"extra_{n}", f"extra_{n % 5}", "driver", (1, 2, 3, 4, 5), (4, 5), (1, 2, 3, 4, 5))
        for n in range(ITEMS - len(core.items))
    )
    return InstrumentMeta(core.items + extra, core.outcomes)


def index_depth(tree: UnitTree) -> int:
    from accord.insights.suppression import TreeIndex

    return int(TreeIndex.build(tree.parent).depth.max())


# --- (3) the pandas reference and (4) the raw scan -------------------------------


def pandas_reference(
    data: CycleData, tree: UnitTree, dimensions: list[Dimension], instrument: InstrumentMeta
) -> tuple[float, dict[tuple[str, ...], Any]]:
    """Every group's per-item option counts, favourable % and mean, the plain pandas way.

    Each respondent is repeated once per ancestor unit (a subtree is then a plain group),
    and each view (whole unit, each dimension) is a groupby with value_counts per item.
    """
    import pandas as pd

    started = time.perf_counter()
    items = [item.id for item in instrument.items]
    frame = pd.DataFrame(data.answers, columns=items).replace(MISSING, np.nan)
    frame["unit"] = data.unit
    for d in dimensions:
        frame[d.name] = data.attributes[d.name]
    links = []
    for u in range(len(tree)):
        a = u
        while a >= 0:
            links.append((u, a))
            a = int(tree.parent[a])
    ancestry = pd.DataFrame(links, columns=["unit", "group_unit"])
    exploded = frame.merge(ancestry, on="unit")
    favourable = {item.id: set(item.favourable) for item in instrument.items}
    scores = {item.id: dict(zip(item.codes, item.scores, strict=True)) for item in instrument.items}
    results: dict[tuple[str, ...], Any] = {}
    for view in [None, *(d.name for d in dimensions)]:
        keys = ["group_unit"] if view is None else ["group_unit", view]
        grouped = exploded.groupby(keys)
        results[("respondents", str(view))] = grouped.size()
        for item in items:
            counts = grouped[item].value_counts()
            results[(item, str(view))] = counts
            table = counts.unstack(fill_value=0)
            answered = table.sum(axis=1)
            fav_columns = [c for c in table.columns if int(c) in favourable[item]]
            results[(item, str(view), "favourable")] = table[fav_columns].sum(axis=1) / answered
            weights = pd.Series({c: scores[item][int(c)] for c in table.columns})
            results[(item, str(view), "mean")] = (table * weights).sum(axis=1) / answered
    return time.perf_counter() - started, results


def compare(
    report: Report, reference: dict[tuple[str, ...], Any], dimensions: list[Dimension]
) -> int:
    """Check the engine's released numbers against the pandas reference; returns groups checked."""
    table = report.table
    released = np.flatnonzero(table.released)
    names = [None, *(d.name for d in dimensions)]
    for j, item in enumerate(report.items):
        for d, name in enumerate(names, start=-1):
            mine = released[table.dimension[released] == d]
            if not len(mine):
                continue
            counts = reference[(item, str(name))]
            sizes = reference[("respondents", str(name))]
            rows = table.row[mine]
            if d < 0:
                index = pd_index(table.unit[mine])
                expected_n = sizes.reindex(index).to_numpy()
            else:
                index = pd_index(table.unit[mine], table.value[mine])
                expected_n = sizes.reindex(index).to_numpy()
            if j == 0 and not np.array_equal(expected_n, report.respondents[rows]):
                raise SystemExit(f"respondents differ from pandas ({name})")
            wide = counts.unstack(fill_value=0).reindex(index, fill_value=0)
            for code in report.item_codes[j]:
                column = wide[float(code)] if float(code) in wide.columns else 0
                if not np.array_equal(np.asarray(column), report.option_counts[rows, j, code]):
                    raise SystemExit(f"{item} code {code} differs from pandas ({name})")
            favourable = reference[(item, str(name), "favourable")].reindex(index).to_numpy()
            engine_favourable = report.favourable_pct[rows, j] / 100
            if not np.allclose(favourable, engine_favourable, equal_nan=True):
                raise SystemExit(f"{item} favourable % differs from pandas ({name})")
    return len(released)


def pd_index(units: np.ndarray, values: np.ndarray | None = None) -> Any:
    import pandas as pd

    if values is None:
        return pd.Index(units, name="group_unit")
    return pd.MultiIndex.from_arrays([units, values])


def raw_scan(data: CycleData, instrument: InstrumentMeta) -> float:
    """Per-item answer counts for everyone: one pass over the matrix, the least work possible."""
    items = len(instrument.items)
    offsets = (np.arange(items, dtype=np.int32) * 256)[None, :]
    times = []
    for _ in range(3):
        started = time.perf_counter()
        np.bincount((data.answers.astype(np.int32) + offsets).ravel(), minlength=items * 256)
        times.append(time.perf_counter() - started)
    return min(times)


# --- retention ---------------------------------------------------------------


def retention_table(report: Report, tree: UnitTree, dimensions: list[Dimension]) -> dict[str, Any]:
    """Released share of the groups that pass the minimum, per dimension and per tree level."""
    from accord.insights.engine import REASON_CODES

    table = report.table
    from accord.insights.suppression import TreeIndex

    depth = TreeIndex.build(tree.parent).depth[table.unit]
    below = table.reason == REASON_CODES.index("below_minimum")
    eligible = ~below
    names = ["whole unit", *(d.name for d in dimensions)]
    result: dict[str, Any] = {}
    for d, name in enumerate(names, start=-1):
        mine = table.dimension == d
        per_level = {}
        for level in range(int(depth.max()) + 1):
            here = mine & (depth == level)
            per_level[str(level)] = {
                "groups": int(here.sum()),
                "eligible": int((here & eligible).sum()),
                "released": int((here & table.released).sum()),
            }
        result[name] = {
            "groups": int(mine.sum()),
            "eligible": int((mine & eligible).sum()),
            "released": int((mine & table.released).sum()),
            "levels": per_level,
        }
    # The perception gap needs clinicians and administrators of the same scope, both shown;
    # a scope is eligible when both groups reach the minimum.
    role = [d.name for d in dimensions].index("role_group")
    labels = dimensions[role].labels
    pair = {}
    for label in ("clinician", "administrator"):
        mine = (table.dimension == role) & (table.value == labels.index(label))
        pair[label] = (
            set(table.unit[mine & table.released].tolist()),
            set(table.unit[mine & eligible].tolist()),
        )
    both = sorted(pair["clinician"][0] & pair["administrator"][0])
    possible = sorted(pair["clinician"][1] & pair["administrator"][1])
    unit_depth = TreeIndex.build(tree.parent).depth
    gap_levels = {}
    for level in range(int(unit_depth.max()) + 1):
        gap_levels[str(level)] = {
            "groups": int((unit_depth == level).sum()),
            "eligible": int((unit_depth[possible] == level).sum()),
            "released": int((unit_depth[both] == level).sum()),
        }
    result["perception gap"] = {
        "groups": len(tree),
        "eligible": len(possible),
        "released": len(both),
        "levels": gap_levels,
    }
    return result


def print_table(results: dict[str, Any]) -> None:
    engine = results["engine_seconds"]
    scan = results["raw_scan_seconds"]
    pandas_seconds = results["pandas_seconds"]
    database = results["database"]
    print(
        f"\nInsights report, {results['people']:,} employees, {results['respondents']:,} "
        f"respondents x {results['items']} items, {results['units']:,} units in "
        f"{results['levels']} levels: {results['groups']:,} groups, "
        f"{results['released_groups']:,} released ({results['suppression_rounds']} rounds)"
    )
    print(f"{'figure':<48}{'seconds':>10}{'x engine':>10}")
    print("-" * 68)
    print(f"{'(1) engine: full report with suppression':<48}{engine:>10.3f}{1:>10.1f}")
    class_engine = results["class_rule_engine_seconds"]
    print(
        f"{'(1b) engine, class rule alone':<48}{class_engine:>10.3f}{class_engine / engine:>10.2f}"
    )
    if database:
        for name, value in database.items():
            if isinstance(value, int | float):
                label = f"(2) from the database: {name.removesuffix('_seconds')}"
                print(f"{label:<48}{value:>10.3f}{value / engine:>10.2f}")
    else:
        print(f"{'(2) from the database':<48}{'—':>10}")
    if pandas_seconds is not None:
        print(f"{'(3) pandas reference (no suppression)':<48}{pandas_seconds:>10.2f}"
              f"{pandas_seconds / engine:>10.1f}")  # fmt: skip
    print(f"{'(4) raw NumPy scan of the answer matrix':<48}{scan:>10.4f}{scan / engine:>10.3f}")
    print("\nRatios:")
    if pandas_seconds is not None:
        print(f"  pandas reference / engine: {pandas_seconds / engine:.1f}x faster")
    print(f"  engine / raw scan:         {engine / scan:.1f}x the floor")
    if pandas_seconds is not None:
        print(f"  pandas reference / raw scan: {pandas_seconds / scan:.0f}x the floor")
    print(f"  building {results['groups']:,} group objects afterwards: "
          f"{results['materialise_group_objects_seconds']:.2f} s")  # fmt: skip
    for title, key in (("exact rule", "retention"), ("class rule alone", "class_rule_retention")):
        _print_retention(title, results[key])


def _print_retention(title: str, retention: dict[str, Any]) -> None:
    print(f"\nReleased / eligible (≥ minimum) groups, per dimension and tree level, {title}:")
    levels = sorted({level for r in retention.values() for level in r["levels"]}, key=int)
    print(f"{'':<14}" + "".join(f"{'level ' + level:>18}" for level in levels) + f"{'all':>18}")
    for name, figures in retention.items():
        cells = []
        for level in levels:
            f = figures["levels"][level]
            cells.append(_share(f["released"], f["eligible"]))
        cells.append(_share(figures["released"], figures["eligible"]))
        print(f"{name:<14}" + "".join(f"{c:>18}" for c in cells))


def _figures(database: dict[str, Any] | None) -> str:
    if not database:
        return "not measured"
    return ", ".join(
        f"{name} {value:.3f} s" if isinstance(value, int | float) else f"{name} {value}"
        for name, value in database.items()
    )


def _share(released: int, eligible: int) -> str:
    if not eligible:
        return "—"
    return f"{released:,}/{eligible:,} {100 * released / eligible:.0f}%"


if __name__ == "__main__":
    main()
