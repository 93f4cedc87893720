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
with one value of role group, profession or tenure. The releases of the same answers:

* threshold only: a group is shown when it has k respondents (the ceiling, and unsafe);
* Accord's engine under the class rule alone (every class of respondents sharing the same
  released groups holds k), its release before the exact rule;
* Accord's engine, primary and complementary suppression with the exact rule (what a cycle
  releases from its answers, before any coarsening of attributes at opening),
* Accord's cycle: the invitees' attributes generalised at opening as a survey cycle does
  (``accord.surveys.audience.generalise``), then the engine's release. Its groups are counted
  against the generator's two ways: by name (the cycle shows a group of that unit and value,
  whoever it counted in it: a team shown without the manager who was reported with the
  department counts) and with exactly the generator's people,

and for each organisation the independent auditor (tests/insights/auditor.py) attacks all
three of Accord's releases (the cycle's on what the cycle holds): any set of 1..k-1
respondents whose answers follow from the released numbers is a leak, and the auditor
says whether its search covered every such set (complete) or only an attacker's usual
candidates. Printed: the share released per kind of group, the respondents whose own
unit is not shown (they count only in the units above), and the verdict. Results are written
to bench/results/retention.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
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

from accord.insights import NOT_RECORDED, Dimension, Report  # noqa: E402
from accord.surveys.audience import (  # noqa: E402
    TENURE_BANDS,
    Invitee,
    ReportingAttributes,
    generalise,
)
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


@dataclass(frozen=True)
class Invited:
    """One invitee as the generator made them: unit, attribute values, and whether they
    answered (then ``respondent`` is their index in ``Org.people``)."""

    unit: int
    values: dict[str, str]
    respondent: int | None


def generate(seed: int) -> tuple[Org, list[Invited]]:
    """One organisation: its units, invitees and respondents."""
    rng = np.random.default_rng(seed)
    org = Org(dimensions=DIMENSIONS, seed=seed)
    invitees: list[Invited] = []
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
                invitees.append(Invited(unit, values, len(org.people) - 1))
            else:
                org.invited[unit] += 1
                invitees.append(Invited(unit, values, None))
    return org, invitees


# The generator's tenure bands as hire dates for the collection side, which bands them again.
OPENED = dt.date(2026, 1, 1)
HIRED = dict(zip(TENURES, (OPENED.replace(year=y) for y in (2025, 2023, 2019, 2010)), strict=True))
BAND = dict(zip((label for label, _, _ in TENURE_BANDS), TENURES, strict=True))


def collected(org: Org, invitees: list[Invited]) -> tuple[Org, list[int]]:
    """What a cycle would hold: the invitees' attributes generalised at opening
    (``accord.surveys.audience.generalise``), each respondent reported under them.

    Returns the organisation as the engine sees it (same units; pooled professions, joined
    tenure bands and "not recorded" as values of their own) and, for each of its
    respondents, their index in ``org.people``."""
    parents = {unit: (None if parent < 0 else parent) for unit, parent in enumerate(org.parents)}
    reported = generalise(
        [
            Invitee(
                i,
                person.unit,
                person.values["role_group"],
                person.values["profession"],
                HIRED[person.values["tenure"]],
            )
            for i, person in enumerate(invitees)
        ],
        parents=parents,
        k=K,
        on=OPENED,
    )
    values: dict[str, set[str]] = {d.name: set() for d in DIMENSIONS}
    for attributes in reported.values():
        for name, value in zip(values, _values(attributes), strict=True):
            values[name].add(value)
    dimensions = tuple(
        Dimension(d.name, (*sorted(values[d.name] - {NOT_RECORDED}), NOT_RECORDED))
        for d in DIMENSIONS
    )
    pipeline = Org(dimensions=dimensions, seed=org.seed)
    for unit, parent in enumerate(org.parents):
        pipeline.unit(org.names[unit], None if parent < 0 else parent)
    origin = []
    for i, person in enumerate(invitees):
        attributes = reported[i]
        if person.respondent is None:
            pipeline.invited[attributes.unit_id] += 1
            continue
        label = dict(zip(values, _values(attributes), strict=True))
        (added,) = pipeline.add(attributes.unit_id, 1, **label)
        added.answers = org.people[person.respondent].answers
        origin.append(person.respondent)
    return pipeline, origin


def _values(attributes: ReportingAttributes) -> tuple[str, str, str]:
    """The generator's labels for a generalised invitee; a joined band keeps its own label."""
    tenure = BAND.get(attributes.tenure_band, attributes.tenure_band)
    return (attributes.role_group or NOT_RECORDED, attributes.profession or NOT_RECORDED,
            tenure or NOT_RECORDED)  # fmt: skip


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


Key = tuple[int, str | None, str | None]


def group_members(org: Org, origin: list[int] | None = None) -> dict[Key, set[int]]:
    """The respondents of every non-empty group, (unit, None, None) and (unit, dimension,
    value), as indexes into the generator's people (``origin`` maps a collected copy's)."""
    parents = org.parents
    members: dict[Key, set[int]] = {}
    for index, person in enumerate(org.people):
        unit = person.unit
        values = [d.labels[person.attributes[i]] for i, d in enumerate(org.dimensions)]
        while unit >= 0:
            keys = [(unit, None, None)] + [
                (unit, d.name, value) for d, value in zip(org.dimensions, values, strict=True)
            ]
            for key in keys:
                members.setdefault(key, set()).add(index if origin is None else origin[index])
            unit = parents[unit]
    return members


def tally(org: Org, members: dict[Key, set[int]], shown: set[Key]) -> Tally:
    """Shown and non-empty groups per kind; ``members`` is ``group_members(org)``."""
    result = Tally(respondents=len(org.people))
    for key in members:
        kind = key[1] or "unit"
        result.groups[kind] += 1
        result.shown[kind] += key in shown
    result.outside_own_unit = sum((p.unit, None, None) not in shown for p in org.people)
    return result


def shown_groups(report: Report) -> set[Key]:
    return {(g.unit, g.dimension, g.value) for g in report.groups if g.released}


def run(organisations: int) -> dict[str, object]:
    threshold, by_class, accord, by_name, exactly = Tally(), Tally(), Tally(), Tally(), Tally()
    moved = 0
    leaking, leaks, audit_seconds, engine_seconds, class_seconds = 0, 0, 0.0, 0.0, 0.0
    audits, complete = 0, 0
    sizes = []
    for seed in range(1, organisations + 1):
        org, invitees = generate(seed)
        sizes.append(len(org.people))
        members = group_members(org)
        threshold.add(
            tally(org, members, {key for key, people in members.items() if len(people) >= K})
        )
        started = time.perf_counter()
        class_report = org.release(k=K, exact=False)
        class_seconds += time.perf_counter() - started
        by_class.add(tally(org, members, shown_groups(class_report)))
        started = time.perf_counter()
        report = org.release(k=K)
        engine_seconds += time.perf_counter() - started
        accord.add(tally(org, members, shown_groups(report)))
        pipeline, origin = collected(org, invitees)
        moved += sum(pipeline.people[i].unit != org.people[o].unit for i, o in enumerate(origin))
        cycle_report = pipeline.release(k=K)
        # The cycle's groups measured against the generator's: by name, a group of the same
        # unit and value is shown (whoever the cycle counted in it); exactly, it holds the
        # generator's people — not when pooling, "not recorded" or a move changed them.
        collected_members = group_members(pipeline, origin)
        by_name.add(tally(org, members, shown_groups(cycle_report)))
        exactly.add(
            tally(
                org,
                members,
                {
                    key
                    for key in shown_groups(cycle_report)
                    if collected_members[key] == members.get(key)
                },
            )
        )
        started = time.perf_counter()
        verdicts = [org.attack(report, k=K), org.attack(class_report, k=K),
                    pipeline.attack(cycle_report, k=K)]  # fmt: skip
        audit_seconds += time.perf_counter() - started
        leaking += not all(verdict.safe for verdict in verdicts)
        leaks += sum(len(verdict.leaks) for verdict in verdicts)
        audits += len(verdicts)
        complete += sum(verdict.complete for verdict in verdicts)
    rows = {}
    releases = (
        ("threshold only (unsafe)", threshold),
        ("Accord, class rule", by_class),
        ("Accord, exact rule", accord),
        ("Accord's cycle, by name", by_name),
        ("Accord's cycle, exactly its people", exactly),
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
        "respondents reported under another unit": moved / sum(sizes),
        "audit": {
            "organisations leaking": leaking,
            "leaks": leaks,
            "releases": audits,
            "complete searches": complete,
        },
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
    print(
        f"At opening, {result['respondents reported under another unit']:.0%} of respondents "
        "were reported under another unit than their own"
    )
    audit = result["audit"]
    print(
        f"Auditor on Accord's releases: {audit['leaks']} derivable groups of 1 to {K - 1}, "
        f"{audit['organisations leaking']} of {result['organisations']} organisations leaking; "
        f"the search was complete for {audit['complete searches']} of {audit['releases']} releases"
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
