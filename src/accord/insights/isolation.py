"""The complete test: which sets of fewer than k respondents a release isolates.

Every released number is a sum over classes of respondents (see :mod:`.suppression`), and
the released groups span exactly the main-effects table over the classes' levels. A set of
classes is *isolated* when its indicator vector lies in that span: then every quantity
summed over it (its answers) follows from released numbers. The class rule and the proof in
:func:`.suppression.protected_classes` are sufficient conditions; this is the criterion
itself, for the tables where it is affordable.

How: a basis of the table's null space is found by elimination modulo a prime, lifted to
integers and checked exactly, so it is the null space over the rationals (the lifted vectors
are independent and there are at least as many as the rationals allow). A set is isolated
exactly when its classes' rows of that basis sum to zero. Rows are compared first through
random integer combinations, exactly computed, and every match is confirmed on the rows
themselves, so the verdict never rests on chance: chance only decides how many sets are
compared twice. The sets themselves are searched by meeting in the middle: every set of at
most k-1 small classes is two halves, each with at most half its classes, and two halves
meet when their combinations cancel; a half of several classes is listed only within a
component of classes linked by shared coordinates, since a set splits into parts that cancel
on their own along those components.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]

PRIME = 2_147_483_647  # 2**31 - 1: products of two residues stay within 63 bits
# Above these the test is not tried (the caller keeps its sufficient condition): the dense
# elimination holds levels x classes residues, and the halves are listed in memory.
MAX_CELLS = 1_500_000
MAX_HALVES = 3_000_000
# Random combinations compared before the exact check; entries below 2**20 keep every sum
# of a lifted row times a combination within 63 bits for rows of modest entries.
HASHES = 3
HASH_BITS = 20
# Lifted null-space entries beyond this are not trusted to stay in 63 bits when combined.
MAX_ENTRY = 1 << 24


@dataclass(frozen=True)
class Isolation:
    """The outcome: ``decided`` is False when the table was too large to test (then nothing
    is known). Otherwise ``sets`` holds isolated sets of classes (each 1..k-1 respondents),
    at most ``limit`` of them, and is empty only when there is none at all. Below the limit
    every class of an isolated set is in one listed: a set is listed as its parts that share
    no null-space coordinate, each isolated on its own."""

    decided: bool
    sets: tuple[tuple[int, ...], ...] = ()

    def classes(self, count: int) -> NDArray[np.bool_]:
        """Per class, whether it belongs to a set found."""
        marked = np.zeros(count, dtype=bool)
        for found in self.sets:
            marked[list(found)] = True
        return marked


def isolated_sets(factors: IntArray, size: IntArray, k: int, limit: int = 200) -> Isolation:
    """Sets of classes holding 1 to k-1 respondents whose indicator lies in the span of the
    main-effects table. ``factors`` is (factors, classes): each class's level per factor, -1
    where the class takes no level of that factor (a dimension not released on its chain)."""
    count = factors.shape[1] if factors.ndim == 2 else 0
    if not ((size > 0) & (size < k)).any():
        return Isolation(True)
    rows = _level_rows(factors)
    levels = int(rows.max()) + 1 if rows.size else 0
    if levels * count > MAX_CELLS:
        return Isolation(False)
    if (rows[0] < 0).any():
        table = np.zeros((levels, count), dtype=np.int64)
        for factor in rows:
            present = np.flatnonzero(factor >= 0)
            table[factor[present], present] = 1
        return isolated_in_table(table, size, k, limit)
    small = np.flatnonzero((size > 0) & (size < k))
    basis = _partitioned_null_basis(rows)
    if basis is None:
        return Isolation(False)
    return _search(basis, np.asarray(size, dtype=np.int64), small, k, limit)


def _partitioned_null_basis(rows: IntArray) -> IntArray | None:
    """:func:`_null_basis` of the one-hot table of ``rows`` when the first factor gives
    every class a level (a position): the first class of each level is solved for, minus the
    others of its level, so the elimination runs on the other factors and the other classes
    only — fewer rows and columns, the same null space."""
    part = rows[0]
    count = len(part)
    first = np.full(int(part.max()) + 1, count, dtype=np.int64)
    np.minimum.at(first, part, np.arange(count))
    lead = np.zeros(count, dtype=bool)
    lead[first] = True
    others = np.flatnonzero(~lead)
    offset = int(first.size)
    rest_levels = int(rows.max()) + 1 - offset
    rest = np.zeros((max(rest_levels, 0), count), dtype=np.int64)
    for factor in rows[1:]:
        present = np.flatnonzero(factor >= 0)
        rest[factor[present] - offset, present] = 1
    # A class's column less its level's first class's: the table once the first is solved.
    reduced = rest[:, others] - rest[:, first[part[others]]]
    inner = _null_basis(reduced)
    if inner is None:
        return None
    basis = np.zeros((count, inner.shape[1]), dtype=np.int64)
    basis[others] = inner
    # Each level sums to zero: its first class takes minus the others'.
    np.subtract.at(basis, first[part[others]], inner)
    return basis


def isolated_in_table(
    table: IntArray, size: IntArray, k: int, limit: int = 200, max_cells: int = MAX_CELLS
) -> Isolation:
    """The same for any table of released groups: (groups, classes), 1 where the group holds
    the class. Sets are of classes with 1 to k-1 people in all; tables of more than
    ``max_cells`` entries are left undecided."""
    size = np.asarray(size, dtype=np.int64)
    small = np.flatnonzero((size > 0) & (size < k))
    if not len(small):
        return Isolation(True)
    if table.size > max_cells:
        return Isolation(False)
    basis = _null_basis(np.asarray(table, dtype=np.int64))
    if basis is None:
        return Isolation(False)
    return _search(basis, size, small, k, limit)


def _level_rows(factors: IntArray) -> IntArray:
    """(factors, classes): each class's row in the one-hot table, -1 for none; the levels of
    all factors numbered apart."""
    out = np.full(factors.shape, -1, dtype=np.int64)
    offset = 0
    for f, levels in enumerate(factors):
        present = levels >= 0
        if not present.any():
            continue
        _, dense = np.unique(levels[present], return_inverse=True)
        out[f, present] = dense + offset
        offset += int(dense.max()) + 1
    return out


def _null_basis(table: IntArray) -> IntArray | None:
    """(classes, free): an integer basis of the table's null space over the rationals, one
    column per free class; None when the lift does not check (then nothing is claimed)."""
    levels, count = table.shape
    # Gauss-Jordan modulo the prime, a level (row) at a time: there are far fewer levels
    # than classes. Each row takes its first non-zero class not yet taken as its pivot.
    work = table % PRIME
    taken = np.zeros(count, dtype=bool)
    pivots: list[int] = []
    leads: list[int] = []
    for row in range(levels):
        nonzero = np.flatnonzero(work[row])
        candidates = nonzero[~taken[nonzero]]
        if not len(candidates):
            continue  # the row depends on those before it
        pivot = int(candidates[0])
        value = int(work[row, pivot])
        if value != 1:
            work[row] = work[row] * pow(value, PRIME - 2, PRIME) % PRIME
        others = np.flatnonzero(work[:, pivot])
        others = others[others != row]
        if len(others):
            update = work[others, pivot][:, None] * work[row][None, :] % PRIME
            work[others] = (work[others] - update) % PRIME
        taken[pivot] = True
        pivots.append(pivot)
        leads.append(row)
    free = np.setdiff1d(np.arange(count), np.asarray(pivots, dtype=np.int64))
    basis = np.zeros((count, len(free)), dtype=np.int64)
    basis[free, np.arange(len(free))] = 1
    if pivots and len(free):
        lifted = work[leads][:, free]  # (pivots, free): the reduced rows at the free columns
        lifted = np.where(lifted > PRIME // 2, lifted - PRIME, lifted)
        basis[pivots] = -lifted
        for fraction in np.flatnonzero((np.abs(lifted) >= MAX_ENTRY).any(axis=0)).tolist():
            # Fractions: each null vector times the least common denominator of its entries.
            vector = _integer_vector(-work[leads, free[fraction]] % PRIME)
            if vector is None:
                return None
            basis[:, fraction] = 0
            basis[free[fraction], fraction] = vector[0]
            basis[pivots, fraction] = vector[1:]
    # The lift is exact only if the table times the basis is zero over the integers.
    group, member = np.nonzero(table)  # by group
    if len(group) and len(free):
        terms = table[group, member][:, None] * basis[member]
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
        if np.add.reduceat(terms, starts, axis=0).any():
            return None
    return basis


def _integer_vector(residues: IntArray) -> IntArray | None:
    """The vector (1, residues...) modulo the prime, read as small fractions and scaled to
    integers: (denominator, numerators...). None when an entry is no small fraction."""
    bound = int((PRIME // 2) ** 0.5)
    numerators, denominators = [], []
    for residue in residues.tolist():
        fraction = _fraction(int(residue), bound)
        if fraction is None:
            return None
        numerators.append(fraction[0])
        denominators.append(fraction[1])
    common = math.lcm(1, *denominators)
    scaled = [common] + [n * (common // d) for n, d in zip(numerators, denominators, strict=True)]
    if max(abs(v) for v in scaled) >= MAX_ENTRY:
        return None
    return np.asarray(scaled, dtype=np.int64)


def _fraction(residue: int, bound: int) -> tuple[int, int] | None:
    """a/b with |a|, b at most ``bound`` and a = b * residue modulo the prime, if any
    (rational reconstruction by the extended Euclidean algorithm)."""
    r0, r1, t0, t1 = PRIME, residue % PRIME, 0, 1
    while r1 > bound:
        q = r0 // r1
        r0, r1, t0, t1 = r1, r0 - q * r1, t1, t0 - q * t1
    if t1 == 0 or abs(t1) > bound:
        return None
    return (r1, t1) if t1 > 0 else (-r1, -t1)


def _search(basis: IntArray, size: IntArray, small: IntArray, k: int, limit: int) -> Isolation:
    rng = np.random.default_rng(int(basis.shape[0]) * 7919 + int(basis.shape[1]))
    weights = rng.integers(0, 1 << HASH_BITS, size=(basis.shape[1], HASHES), dtype=np.int64)
    # A set whose rows cancel splits into parts that do, one per component of classes
    # linked by a shared non-zero coordinate: halves of two or more classes are listed
    # within a component only.
    component = _components(basis[small])
    order = np.lexsort((np.arange(len(small)), component))
    small, component = small[order], component[order]
    run_end = np.searchsorted(component, component, side="right")
    small_basis = basis[small]
    hashes = small_basis @ weights  # (small, HASHES), exact: entries and weights are bounded
    people = size[small]
    halves = _halves(people, hashes, run_end, k)
    if halves is None:
        return Isolation(False)
    members, half_people, half_hash = halves
    order = np.argsort(half_hash[:, 0], kind="stable")
    keys = half_hash[order, 0]
    low = np.searchsorted(keys, -half_hash[:, 0], side="left")
    high = np.searchsorted(keys, -half_hash[:, 0], side="right")
    counts = high - low
    if int(counts.sum()) > MAX_HALVES:
        return Isolation(False)
    first = np.repeat(np.arange(len(members)), counts)
    second = order[np.repeat(low, counts) + ragged_arange(counts)]
    # Each set is met as (first half, second half) with the first half's classes before the
    # second's; other orders and overlapping halves are dropped.
    total = half_people[first] + half_people[second]
    keep = (total >= 1) & (total < k)
    keep &= (half_hash[first] + half_hash[second] == 0).all(axis=1)
    first, second = first[keep], second[keep]
    last_of_first = members[first].max(axis=1)
    first_of_second = np.where(members[second] >= 0, members[second], len(small)).min(axis=1)
    ordered = (members[first] < 0).all(axis=1) | (last_of_first < first_of_second)
    found: dict[tuple[int, ...], None] = {}  # a set may be met split two ways
    for a, b in zip(first[ordered].tolist(), second[ordered].tolist(), strict=True):
        chosen = [int(m) for m in (*members[a], *members[b]) if m >= 0]
        if small_basis[chosen].sum(axis=0).any():
            continue  # the combinations cancelled by chance, the rows do not
        found[tuple(sorted(int(c) for c in small[chosen]))] = None
        if len(found) >= limit:
            break
    return Isolation(True, tuple(found))


def _components(rows: IntArray) -> IntArray:
    """Per row, the smallest row linked to it through rows sharing a non-zero column."""
    label = np.arange(len(rows), dtype=np.int64)
    member, column = np.nonzero(rows)
    if not len(member):
        return label
    first = np.full(rows.shape[1], len(rows), dtype=np.int64)
    np.minimum.at(first, column, member)
    return merge_components(label, member, first[column])


def _halves(
    people: IntArray, hashes: IntArray, run_end: IntArray, k: int
) -> tuple[IntArray, IntArray, IntArray] | None:
    """Every set of at most ceil((k-1)/2) small classes holding at most k-1 people, its
    classes from one component (``run_end``: where each class's component ends in the
    order given), the empty set included: members (sets, width; -1 pads, in increasing
    order), people, combinations."""
    width = k // 2  # ceil((k - 1) / 2)
    count = len(people)
    members = [np.full((1, width), -1, dtype=np.int64)]
    half_people = [np.zeros(1, dtype=np.int64)]
    half_hash = [np.zeros((1, hashes.shape[1]), dtype=np.int64)]
    level = np.full((1, width), -1, dtype=np.int64)
    level_people = np.zeros(1, dtype=np.int64)
    level_hash = np.zeros((1, hashes.shape[1]), dtype=np.int64)
    listed = 1
    for depth in range(width):
        # Extend each set of ``depth`` classes by one class after its last.
        if depth:
            start = level[:, depth - 1] + 1
            room = run_end[level[:, depth - 1]] - start
        else:
            start, room = np.zeros(1, dtype=np.int64), np.full(1, count, dtype=np.int64)
        if int(room.sum()) + listed > MAX_HALVES:
            return None
        parent = np.repeat(np.arange(len(level)), room)
        added = np.repeat(start, room) + ragged_arange(room)
        grown_people = level_people[parent] + people[added]
        fits = grown_people < k
        parent, added = parent[fits], added[fits]
        if not len(parent):
            break
        level = level[parent]
        level[:, depth] = added
        level_people = grown_people[fits]
        level_hash = level_hash[parent] + hashes[added]
        members.append(level)
        half_people.append(level_people)
        half_hash.append(level_hash)
        listed += len(level)
    return np.concatenate(members), np.concatenate(half_people), np.concatenate(half_hash)


def merge_components(label: IntArray, a: IntArray, b: IntArray) -> IntArray:
    """Components of a graph given as ``label`` (each node's smallest node of its component)
    with the edges ``a``-``b`` added: the new smallest node of each, per node."""
    while True:
        la, lb = label[a], label[b]
        differ = la != lb
        if not differ.any():
            return label
        la, lb = la[differ], lb[differ]
        low = np.minimum(la, lb)
        np.minimum.at(label, la, low)
        np.minimum.at(label, lb, low)
        while True:
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped


def ragged_arange(counts: IntArray) -> IntArray:
    """0..c-1 for each c in counts, concatenated."""
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total, dtype=np.int64) - starts
