"""An attacker's audit of released results, independent of the engine's suppression code.

The attacker knows the org chart — which unit everyone is attached to, and their role group,
profession and tenure band — so the unknowns are the *cells*: the people sharing a unit and
every dimension value, further split by which releases of the cycle they were part of. Every
number a report shows (respondent counts, response rates, per item the answered count and
each option's count) is a linear equation over those cells' unknown totals. A group of people
is exposed when its indicator vector lies in the row space of the equations of one quantity:
then that quantity's total for the group — their answers — follows from released numbers.

The audit looks for any set of cells holding 1 to k-1 people that is derivable, and the
search is complete: when there are few enough sets to enumerate, each is projected on the
row space in floating point and anything close is confirmed with exact rational elimination;
otherwise cells that no released number tells apart are merged and every union of them is
tested at once through the null space (``accord.insights.isolation``, itself checked against
this enumeration in tests/insights/test_isolation.py), every set it reports confirmed again
by exact elimination here. Only when a release is too large for that does the audit fall
back to the candidates an attacker tries first (hidden groups, direct members, remainders
after released sub-groups, unions of hidden siblings, intersections of two breakdowns,
single cells), and it says so (``complete`` is False).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from accord.insights import CommentList, CycleData, Dimension, Report, UnitTree
from accord.insights.isolation import isolated_in_table

BRUTE_FORCE_LIMIT = 150_000


@dataclass(frozen=True)
class Record:
    """One response (or comment) as the attacker's cells see it."""

    unit: int
    attributes: tuple[int, ...]
    releases: frozenset[int]  # which releases included it


@dataclass
class Leak:
    quantity: str
    cells: tuple[int, ...]
    people: int
    description: str


@dataclass
class Audit:
    cells: list[tuple[int, tuple[int, ...], frozenset[int]]]
    sizes: list[int]
    leaks: list[Leak] = field(default_factory=list)
    candidates_checked: int = 0
    complete: bool = False

    @property
    def safe(self) -> bool:
        return not self.leaks


def subtree(parent: Sequence[int], unit: int) -> set[int]:
    members = {unit}
    grew = True
    while grew:
        grew = False
        for u, p in enumerate(parent):
            if p in members and u not in members:
                members.add(u)
                grew = True
    return members


def records_of(data: CycleData, dimensions: Sequence[Dimension], release: int = 0) -> list[Record]:
    return [
        Record(
            int(data.unit[i]),
            tuple(int(data.attributes[d.name][i]) for d in dimensions),
            frozenset({release}),
        )
        for i in range(data.respondents)
    ]


def audit(
    tree: UnitTree,
    dimensions: Sequence[Dimension],
    k: int,
    records: Sequence[Record],
    releases: Sequence[tuple[int, Report]],
    answers: dict[int, np.ndarray] | None = None,
    comment_item: str | None = None,
) -> Audit:
    """Attack the given releases; ``answers[r]`` holds release r's answer rows in record order.

    With ``comment_item`` the records are comments, and the equations are the lengths of the
    released comment lists of that item (each list is the sum of its comments).
    """
    parent = [int(p) for p in tree.parent]
    subtrees = [subtree(parent, u) for u in range(len(parent))]
    keys = sorted({(r.unit, r.attributes, r.releases) for r in records})
    cell_of = {key: i for i, key in enumerate(keys)}
    sizes = [0] * len(keys)
    for r in records:
        sizes[cell_of[(r.unit, r.attributes, r.releases)]] += 1
    result = Audit(keys, sizes)
    dim_index = {d.name: i for i, d in enumerate(dimensions)}

    def members(release: int, unit: int, dimension: str | None, value: str | None) -> np.ndarray:
        row = np.zeros(len(keys))
        code = None
        if dimension is not None:
            code = dimensions[dim_index[dimension]].labels.index(value or "")
        for i, (u, attrs, rel) in enumerate(keys):
            inside = release in rel and u in subtrees[unit]
            if inside and (dimension is None or attrs[dim_index[dimension]] == code):
                row[i] = 1
        return row

    # Equations per quantity, from whatever each report exposes.
    equations: dict[str, list[np.ndarray]] = {}
    hidden_groups: list[np.ndarray] = []
    for release, report in releases:
        if comment_item is not None:
            listed = {c.group: c for c in report.comments if c.item == comment_item}
            for g, group in enumerate(report.groups):
                row = members(release, group.unit, group.dimension, group.value)
                comment: CommentList | None = listed.get(g)
                if comment is not None and comment.texts is not None:
                    equations.setdefault("comments", []).append(row)
                    assert len(comment.texts) == int(row @ np.array(sizes)), "wrong comment list"
                else:
                    hidden_groups.append(row)
            continue
        for group in report.groups:
            row = members(release, group.unit, group.dimension, group.value)
            truth = int(row @ np.array(sizes))
            if group.respondents is not None or group.response_rate is not None:
                equations.setdefault("respondents", []).append(row)
                if group.respondents is not None:
                    assert group.respondents == truth, "a released count is wrong"
            if group.row is None:
                hidden_groups.append(row)
                continue
            for j, item in enumerate(report.items):
                equations.setdefault(f"{item}:answered", []).append(row)
                for code in report.item_codes[j]:
                    equations.setdefault(f"{item}:{code}", []).append(row)
            if answers is not None and release in answers:
                _check_numbers(report, group.row, row, keys, records, answers[release], release)

    # Quantities exposed by the same groups share one row space: test it once.
    by_rows: dict[bytes, list[str]] = {}
    matrices: dict[bytes, np.ndarray] = {}
    for quantity, rows in equations.items():
        matrix = np.unique(np.array(rows), axis=0)
        key = matrix.tobytes()
        by_rows.setdefault(key, []).append(quantity)
        matrices[key] = matrix
    brute_force = sum(_choose(len(sizes), size) for size in range(1, k)) <= BRUTE_FORCE_LIMIT
    found: dict[bytes, list[tuple[tuple[int, ...], str]]] = {}
    if not brute_force:
        result.complete = True
        for key, matrix in matrices.items():
            leaks = _derivable_complete(matrix, sizes, k)
            if leaks is None:
                result.complete = False
                break
            found[key] = leaks
    if not result.complete or brute_force:
        candidates = _candidates(result, tree, dimensions, subtrees, hidden_groups, k)
        result.candidates_checked = len(candidates)
        found = {key: _derivable(matrix, candidates) for key, matrix in matrices.items()}
    for key, quantities in by_rows.items():
        for cells, description in found[key]:
            people = sum(sizes[c] for c in cells)
            result.leaks.append(Leak(", ".join(quantities[:3]), cells, people, description))
    return result


def _derivable_complete(
    matrix: np.ndarray, sizes: Sequence[int], k: int
) -> list[tuple[tuple[int, ...], str]] | None:
    """Every derivable set of 1..k-1 people (up to a few hundred), as cells, or None when the
    release is too large to search completely. Cells with the same column are one class:
    nothing released tells them apart, so a derivable set holds all of a class or none."""
    patterns, class_of = np.unique(matrix.T, axis=0, return_inverse=True)
    class_of = class_of.ravel()
    class_size = np.bincount(class_of, weights=np.asarray(sizes), minlength=len(patterns))
    outcome = isolated_in_table(
        patterns.T, class_size.astype(np.int64), k, limit=500, max_cells=20_000_000
    )
    if not outcome.decided:
        return None
    exact = _ExactRowSpace(matrix) if outcome.sets else None
    leaks = []
    for classes in outcome.sets:
        cells = tuple(int(c) for c in np.flatnonzero(np.isin(class_of, classes)))
        vector = np.zeros(matrix.shape[1])
        vector[list(cells)] = 1
        assert exact is not None and exact.contains(vector), "the null-space search erred"
        leaks.append((cells, "a set of cells (complete search)"))
    return leaks


def _check_numbers(
    report: Report,
    row_index: int,
    row: np.ndarray,
    keys: list[tuple[int, tuple[int, ...], frozenset[int]]],
    records: Sequence[Record],
    answers: np.ndarray,
    release: int,
) -> None:
    """The released option counts are the true counts of the group's answers."""
    in_release = [i for i, r in enumerate(records) if release in r.releases]
    chosen = [
        position
        for position, i in enumerate(in_release)
        if row[keys.index((records[i].unit, records[i].attributes, records[i].releases))]
    ]
    block = answers[chosen]
    for j, codes in enumerate(report.item_codes):
        for code in codes:
            assert report.option_counts[row_index, j, code] == int((block[:, j] == code).sum())


def _candidates(
    result: Audit,
    tree: UnitTree,
    dimensions: Sequence[Dimension],
    subtrees: list[set[int]],
    hidden_groups: list[np.ndarray],
    k: int,
) -> list[tuple[tuple[int, ...], str]]:
    """Sets of cells holding 1..k-1 people that an attacker would try to derive."""
    sizes = result.sizes
    n = len(sizes)
    found: dict[tuple[int, ...], str] = {}

    def consider(cells: Sequence[int], description: str) -> None:
        cells = tuple(sorted(set(cells)))
        people = sum(sizes[c] for c in cells)
        if cells and 1 <= people < k:
            found.setdefault(cells, description)

    # Complete search when it is small enough: every set of at most k-1 cells.
    total = sum(_choose(n, size) for size in range(1, k))
    if total <= BRUTE_FORCE_LIMIT:
        result.complete = True
        for size in range(1, k):
            for cells in itertools.combinations(range(n), size):
                consider(cells, "a set of cells")
        return list(found.items())

    keys = result.cells
    parent = [int(p) for p in tree.parent]
    for c in range(n):
        consider([c], "one cell")
    for row in hidden_groups:
        consider(np.flatnonzero(row).tolist(), "a hidden group")
    for u in range(len(parent)):
        direct = [c for c, key in enumerate(keys) if key[0] == u]
        consider(direct, "direct members of a unit")
        children = [v for v, p in enumerate(parent) if p == u]
        for child in children:
            rest = [c for c in range(n) if keys[c][0] in subtrees[u] - subtrees[child]]
            consider(rest, "a unit minus one child")
        for d in range(len(dimensions)):
            values = {keys[c][1][d] for c in range(n)}
            for value in values:
                consider([c for c in direct if keys[c][1][d] == value], "direct x value")
                inside = [
                    c for c in range(n) if keys[c][0] in subtrees[u] and keys[c][1][d] == value
                ]
                consider(inside, "unit x value")
                rest = [c for c in range(n) if keys[c][0] in subtrees[u] and keys[c][1][d] != value]
                consider(rest, "unit minus one value")
            for d2 in range(d + 1, len(dimensions)):
                pairs = {(keys[c][1][d], keys[c][1][d2]) for c in range(n)}
                for v1, v2 in pairs:
                    consider(
                        [
                            c
                            for c in range(n)
                            if keys[c][0] in subtrees[u]
                            and keys[c][1][d] == v1
                            and keys[c][1][d2] == v2
                        ],
                        "unit x two values",
                    )
    for a, b in itertools.combinations(hidden_groups, 2):
        consider(np.flatnonzero((a + b) > 0).tolist(), "two hidden groups together")
    return list(found.items())


def _choose(n: int, r: int) -> int:
    from math import comb

    return comb(n, r) if 0 <= r <= n else 0


def _derivable(
    matrix: np.ndarray, candidates: list[tuple[tuple[int, ...], str]]
) -> list[tuple[tuple[int, ...], str]]:
    """The candidates whose indicator vector lies in the row space of ``matrix``."""
    if not candidates or not len(matrix):
        return []
    n = matrix.shape[1]
    vectors = np.zeros((len(candidates), n))
    for i, (cells, _) in enumerate(candidates):
        vectors[i, list(cells)] = 1.0
    _, singular, vt = np.linalg.svd(matrix, full_matrices=False)
    rank = int((singular > 1e-9 * max(singular.max(), 1.0)).sum())
    basis = vt[:rank]
    residual = vectors - (vectors @ basis.T) @ basis
    distance = np.linalg.norm(residual, axis=1)
    leaks = []
    exact = _ExactRowSpace(matrix) if (distance < 1e-3).any() else None
    for i in np.flatnonzero(distance < 1e-3):
        assert exact is not None
        if exact.contains(vectors[i]):
            leaks.append(candidates[i])
    return leaks


class _ExactRowSpace:
    """Reduced row echelon form over the rationals: membership without any tolerance."""

    def __init__(self, matrix: np.ndarray) -> None:
        rows = [[Fraction(int(x)) for x in row] for row in matrix]
        pivots: list[int] = []
        basis: list[list[Fraction]] = []
        for row in rows:
            row = self._reduce(row, basis, pivots)
            lead = next((j for j, x in enumerate(row) if x != 0), None)
            if lead is None:
                continue
            scale = row[lead]
            row = [x / scale for x in row]
            for b, other in enumerate(basis):
                factor = other[lead]
                if factor:
                    basis[b] = [x - factor * y for x, y in zip(other, row, strict=True)]
            basis.append(row)
            pivots.append(lead)
        self.basis = basis
        self.pivots = pivots

    @staticmethod
    def _reduce(
        row: list[Fraction], basis: list[list[Fraction]], pivots: list[int]
    ) -> list[Fraction]:
        for b, pivot in zip(basis, pivots, strict=True):
            factor = row[pivot]
            if factor:
                row = [x - factor * y for x, y in zip(row, b, strict=True)]
        return row

    def contains(self, vector: np.ndarray) -> bool:
        row = [Fraction(int(x)) for x in vector]
        return not any(self._reduce(row, self.basis, self.pivots))


def audit_sets(sets: Sequence[np.ndarray], k: int) -> list[tuple[tuple[int, ...], int]]:
    """Released sets of people (indicator rows over the same people, one per released
    number's group) attacked by complete search: every group of 1 to k-1 people that some
    combination of the sets isolates, as (people, size). People who appear in exactly the
    same sets are one cell — nothing released tells them apart — so the search runs over
    unions of cells. For small releases such as one question of a leader's 360."""
    if not len(sets):
        return []
    matrix = np.array(sets, dtype=np.int64)
    patterns, cell_of = np.unique(matrix.T, axis=0, return_inverse=True)
    sizes = np.bincount(cell_of.ravel(), minlength=len(patterns))
    inside = [c for c in range(len(patterns)) if patterns[c].any()]
    cell_matrix = patterns.T  # (sets, cells)
    candidates = []
    for r in range(1, len(inside) + 1):
        for cells in itertools.combinations(inside, r):
            people = int(sizes[list(cells)].sum())
            if 1 <= people < k:
                candidates.append((cells, f"{people} people"))
    leaks = _derivable(cell_matrix.astype(np.float64), candidates)
    return [(cells, int(sizes[list(cells)].sum())) for cells, _ in leaks]
