"""What the seeded demo's executive sees: `make bench`, or `python bench/demo_release.py`.

Seeds the demo health system exactly as `accord generate-demo` does (2,000 people, seed 7)
into a throwaway SQLite database and reads, for each published system-wide pulse, the release
an executive's heatmap shows (the whole organisation): the hidden units with how many
answered in each (counted from the stored responses, rolled up the tree), the system's own
breakdowns, and the perception gap's coverage — units where clinicians and administrators are
both shown, against units where both answered at least the minimum group size. Writes
bench/results/demo-release.json.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from bench_support import ROOT, start_accord  # noqa: E402

LEVELS = ("system", "hospitals", "departments", "units", "teams")


def measure() -> list[dict[str, Any]]:
    from accord.demo.services import seed_demo
    from accord.insights.selectors import whole_release
    from accord.surveys.models import Cycle, Response

    seed_demo(people=2000, seed=7)
    pulses = Cycle.objects.filter(
        status=Cycle.Status.PUBLISHED, instrument_id="accord-core"
    ).exclude(name__startswith="Emergency")
    results = []
    for cycle in pulses.order_by("opens_at"):
        report = whole_release(cycle).report
        tree = report.tree
        index = {int(pk): i for i, pk in enumerate(tree.ids)}
        depth = [0] * len(tree)
        for unit in range(len(tree)):
            above = int(tree.parent[unit])
            while above >= 0:
                depth[unit] += 1
                above = int(tree.parent[above])
        answered: Counter[tuple[int, str | None]] = Counter()
        rows = Response.objects.filter(cycle=cycle).values_list("reporting_unit_id", "role_group")
        for unit_id, role_group in rows:
            unit = index[unit_id]
            while unit >= 0:
                answered[(unit, None)] += 1
                answered[(unit, role_group)] += 1
                unit = int(tree.parent[unit])
        k = report.minimum_group_size
        hidden = sorted(
            (
                (answered[(g.unit, None)], tree.names[g.unit])
                for g in report.groups
                if g.dimension is None and not g.released and answered[(g.unit, None)]
            ),
            reverse=True,
        )
        system = next(u for u in range(len(tree)) if tree.parent[u] < 0)
        breakdowns = {
            name: {
                "shown": sorted(
                    g.value or ""
                    for g in report.groups
                    if g.unit == system and g.dimension == name and g.released
                ),
                "values": sum(1 for g in report.groups if g.unit == system and g.dimension == name),
            }
            for name in (d.name for d in report.dimensions)
        }
        gap: dict[str, list[int]] = {}
        for unit in range(len(tree)):
            both_answered = all(
                answered[(unit, role)] >= k for role in ("clinician", "administrator")
            )
            if not both_answered:
                continue
            level = LEVELS[min(depth[unit], len(LEVELS) - 1)]
            shown = all(
                report.group(unit, "role_group", role).released
                for role in ("clinician", "administrator")
            )
            counts = gap.setdefault(level, [0, 0])
            counts[0] += shown
            counts[1] += 1
        results.append(
            {
                "cycle": cycle.name,
                "respondents": answered[(system, None)],
                "hidden units (respondents, name)": hidden,
                "units of 50 or more respondents hidden": sum(n >= 50 for n, _ in hidden),
                "system breakdowns shown": breakdowns,
                "perception gap shown / eligible": gap,
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=int, default=1800, help="stop after this many seconds")
    args = parser.parse_args()
    start_accord(name="demo-release", database_url="", timeout=args.timeout)
    results = measure()
    for result in results:
        hidden = result["hidden units (respondents, name)"]
        largest = f"{hidden[0][1]} ({hidden[0][0]} respondents)" if hidden else "none"
        print(f"{result['cycle']}: {result['respondents']} respondents")
        print(f"  hidden units with respondents: {len(hidden)}; the largest: {largest}")
        print(
            f"  units of 50 or more respondents hidden: {result['units of 50 or more respondents hidden']}"
        )
        for name, breakdown in result["system breakdowns shown"].items():
            shown = breakdown["shown"]
            print(
                f"  the system by {name}: {len(shown)} of {breakdown['values']} values shown "
                f"({', '.join(shown) or 'none'})"
            )
        gap = result["perception gap shown / eligible"]
        print(
            "  perception gap (clinicians and administrators both shown / both answered): "
            + ", ".join(f"{level} {shown}/{eligible}" for level, (shown, eligible) in gap.items())
        )
    out = BENCH_DIR / "results" / "demo-release.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
