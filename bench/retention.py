"""Retention benchmark: how much of a survey's results the release shows, and proof that
nothing smaller than the minimum can be worked out. `make bench`, or
`python bench/retention.py --organisations 30`.

Random organisations from one generator (seeds 1..N): a tree two or three levels deep below
the root, each unit with one to five children; a leaf has 0, 1, 2, 3, 4, 6, 8, 12, 20, 30 or
45 people invited, an inner unit 0 to 3 direct members (none half the time); professions
physician, nurse, advanced practice provider, pharmacist, therapist (clinicians), manager and
support (administrators), weighted 2, 6, 1, 1, 1, 1, 2; one of four tenure bands, uniformly;
three in four respond; k = 5.

The groups counted are the non-empty ones among every unit's subtree, alone and crossed
with one value of role group, profession or tenure. Two releases of the same answers:

* threshold only: a group is shown when it has k respondents (the ceiling, and unsafe);
* Accord's engine under the class rule alone (every class of respondents sharing the same
  released groups holds k), its release before the exact rule;
* Accord's engine, primary and complementary suppression with the exact rule (what a cycle
  releases from its answers, before any coarsening of attributes at opening),

and for each organisation the independent auditor (tests/insights/auditor.py) attacks both
of Accord's releases: any set of 1..k-1 respondents whose answers follow from the released
numbers is a leak. Printed: the share released per kind of group, the respondents whose own
unit is not shown (they count only in the units above), and the verdict. Results are written
to bench/results/retention.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # the auditor and the organisation factory live with the tests

from accord.insights import Dimension, Report  # noqa: E402
from tests.insights.factories import Org  # noqa: E402

K = 5
RESPONSE_RATE = 0.75
LEAF_SIZES = (0, 1, 2, 3, 4, 6, 8, 12, 20, 30, 45)
PROFESSIONS = ("physician", "nurse", "APP", "pharmacist", "therapist", "manager", "support")
PROFESSION_WEIGHTS = np.array([2, 6, 1, 1, 1, 1, 2]) / 14
CLINICIANS = 5  # the first five professions
TENURES = ("under 2 years", "2 to 5 years", "5 to 10 years", "over 10 years")
ROLE = Dimension("role_group", ("clinician", "administrator"))
PROFESSION = Dimension("profession", PROFESSIONS)
TENURE = Dimension("tenure", TENURES)
DIMENSIONS = (ROLE, PROFESSION, TENURE)
KINDS = ("unit", *(d.name for d in DIMENSIONS))


def generate(seed: int) -> Org:
    """One organisation: its units, invitees (through ``Org.invited``) and respondents."""
    rng = np.random.default_rng(seed)
    org = Org(dimensions=DIMENSIONS, seed=seed)
    depth = int(rng.integers(2, 4))
    level = [org.unit("root")]
    for _ in range(depth):
        below = []
        for parent in level:
            for _ in range(int(rng.integers(1, 6))):
                below.append(org.unit(f"u{len(org.names)}", parent))
        level = below
    leaves = set(level)
    for unit in range(len(org.names)):
        if unit in leaves:
            invited = int(rng.choice(LEAF_SIZES))
        else:
            invited = 0 if rng.random() < 0.5 else int(rng.integers(1, 4))
        for _ in range(invited):
            profession = int(rng.choice(len(PROFESSIONS), p=PROFESSION_WEIGHTS))
            values = {
                "role_group": ROLE.labels[0 if profession < CLINICIANS else 1],
                "profession": PROFESSIONS[profession],
                "tenure": TENURES[int(rng.integers(len(TENURES)))],
            }
            if rng.random() < RESPONSE_RATE:
                org.add(unit, 1, **values)
            else:
                org.invited[unit] += 1
    return org


@dataclass
class Tally:
    """Per kind of group: how many non-empty groups there are and how many are shown."""

    groups: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    shown: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    respondents: int = 0
    outside_own_unit: int = 0

    def add(self, other: Tally) -> None:
        for kind in KINDS:
            self.groups[kind] += other.groups[kind]
            self.shown[kind] += other.shown[kind]
        self.respondents += other.respondents
        self.outside_own_unit += other.outside_own_unit

    def share(self, kinds: tuple[str, ...]) -> float:
        groups = sum(self.groups[k] for k in kinds)
        return sum(self.shown[k] for k in kinds) / groups if groups else 0.0


def non_empty_groups(org: Org) -> dict[tuple[int, str | None, str | None], int]:
    """Respondents of every non-empty group: (unit, None, None) and (unit, dimension, value)."""
    parents = org.parents
    counts: dict[tuple[int, str | None, str | None], int] = {}
    for person in org.people:
        unit = person.unit
        while unit >= 0:
            keys = [(unit, None, None)] + [
                (unit, d.name, d.labels[person.attributes[i]]) for i, d in enumerate(DIMENSIONS)
            ]
            for key in keys:
                counts[key] = counts.get(key, 0) + 1
            unit = parents[unit]
    return counts


def tally(org: Org, shown: set[tuple[int, str | None, str | None]]) -> Tally:
    result = Tally(respondents=len(org.people))
    for key in non_empty_groups(org):
        kind = key[1] or "unit"
        result.groups[kind] += 1
        result.shown[kind] += key in shown
    result.outside_own_unit = sum((p.unit, None, None) not in shown for p in org.people)
    return result


def shown_groups(report: Report) -> set[tuple[int, str | None, str | None]]:
    return {(g.unit, g.dimension, g.value) for g in report.groups if g.released}


def run(organisations: int) -> dict[str, object]:
    threshold, by_class, accord = Tally(), Tally(), Tally()
    leaking, leaks, audit_seconds, engine_seconds, class_seconds = 0, 0, 0.0, 0.0, 0.0
    sizes = []
    for seed in range(1, organisations + 1):
        org = generate(seed)
        sizes.append(len(org.people))
        counts = non_empty_groups(org)
        threshold.add(tally(org, {key for key, n in counts.items() if n >= K}))
        started = time.perf_counter()
        class_report = org.release(k=K, exact=False)
        class_seconds += time.perf_counter() - started
        by_class.add(tally(org, shown_groups(class_report)))
        started = time.perf_counter()
        report = org.release(k=K)
        engine_seconds += time.perf_counter() - started
        accord.add(tally(org, shown_groups(report)))
        started = time.perf_counter()
        verdicts = [org.attack(report, k=K), org.attack(class_report, k=K)]
        audit_seconds += time.perf_counter() - started
        leaking += not all(verdict.safe for verdict in verdicts)
        leaks += sum(len(verdict.leaks) for verdict in verdicts)
    rows = {}
    releases = (
        ("threshold only (unsafe)", threshold),
        ("Accord, class rule", by_class),
        ("Accord, exact rule", accord),
    )
    for name, result in releases:
        rows[name] = {
            "unit groups": result.share(("unit",)),
            "filter groups": result.share(tuple(d.name for d in DIMENSIONS)),
            **{d.name: result.share((d.name,)) for d in DIMENSIONS},
            "respondents outside their own unit": result.outside_own_unit / result.respondents,
        }
    return {
        "organisations": organisations,
        "respondents": {"min": min(sizes), "median": float(np.median(sizes)), "max": max(sizes)},
        "k": K,
        "released": rows,
        "groups": {kind: accord.groups[kind] for kind in KINDS},
        "audit": {"organisations leaking": leaking, "leaks": leaks},
        "seconds": {"engine": engine_seconds, "class rule": class_seconds, "audit": audit_seconds},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=30)
    args = parser.parse_args()
    result = run(args.organisations)
    sizes = result["respondents"]
    print(
        f"Retention on {result['organisations']} random organisations "
        f"({sizes['min']} to {sizes['max']} respondents, median {sizes['median']:.0f}), k = {K}"
    )
    header = ["release", "unit groups", "filter groups", *(d.name for d in DIMENSIONS),
              "respondents outside their own unit"]  # fmt: skip
    print(" | ".join(header))
    for name, row in result["released"].items():
        print(" | ".join([name, *(f"{row[h]:.0%}" for h in header[1:])]))
    audit = result["audit"]
    print(
        f"Auditor on Accord's releases: {audit['leaks']} derivable groups of 1 to {K - 1}, "
        f"{audit['organisations leaking']} of {result['organisations']} organisations leaking"
    )
    seconds = result["seconds"]
    print(
        f"Engine {seconds['engine']:.2f} s in all (class rule alone {seconds['class rule']:.2f} s);"
        f" audit {seconds['audit']:.1f} s"
    )
    out = BENCH_DIR / "results" / "retention.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"Written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
