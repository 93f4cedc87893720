"""Which groups may be released: primary and complementary suppression.

Every released number (a respondent count, an answered count, an option count) is a sum over
the respondents of one released group. Group the respondents into *classes* by the set of
released groups that contain them: any sum or difference of released numbers is then a sum
over whole classes, so if every non-empty class holds at least k respondents, no group of 1
to k-1 respondents can be worked out from the release — not by subtracting children from a
parent, filter values from a unit, nor any chain of both. :func:`close_release` hides groups
until that holds; docs/privacy.md explains the model.

The work is done on *cells*: respondents with the same unit and the same value in every
dimension. Cells never split a class, and there are far fewer of them than respondents.

Two facts keep the class computation cheap. A filter group (unit x one dimension value) is
released only while its unit is, so the released units containing a cell are exactly the
released ancestors of its *position* — its deepest released unit. And per dimension, a cell is
told apart from its neighbours only by whether some unit on that chain releases the cell's own
value. A class is therefore ``(position, one bucket per dimension)``, where a bucket is the
cell's value when that value is released somewhere on the chain, and "unsplit" otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

UNSPLIT = -1
UNIT_WEIGHT = 8.0
# Filter dimensions in the order given (most valued first) weigh 4, 2, 1, 1…: cheaper to hide.
DIMENSION_WEIGHTS = (4.0, 2.0, 1.0)
# A move that does not merge the class at once still makes progress, at a higher price.
LONE_FACTOR = 1.5
LONE_EXTRA = 0.5
# Hiding the whole organisation is the last resort.
FALLBACK_PENALTY = 1e9


@dataclass(frozen=True)
class TreeIndex:
    """Depths, ancestors and the level order of a unit tree, for vectorised walks."""

    parent: IntArray
    depth: IntArray
    ancestors: IntArray  # (units, levels): the ancestor at each depth, -1 below the unit's own
    levels: tuple[IntArray, ...]  # the units at each depth
    # Per level below the root: children sorted by parent, where each parent's run starts, and
    # the parents themselves — for summing children into parents with np.add.reduceat.
    _runs: tuple[tuple[IntArray, IntArray, IntArray], ...] = field(repr=False)

    @classmethod
    def build(cls, parent: IntArray) -> TreeIndex:
        parent = np.asarray(parent, dtype=np.int64)
        count = len(parent)
        depth = np.full(count, -1, dtype=np.int64)
        depth[parent == -1] = 0
        safe_parent = np.where(parent < 0, 0, parent)
        for _ in range(count):
            todo = (depth == -1) & (depth[safe_parent] >= 0) & (parent >= 0)
            if not todo.any():
                break
            depth[todo] = depth[safe_parent[todo]] + 1
        if (depth < 0).any():
            raise ValueError("the unit tree has a cycle: some units never reach the root")
        height = int(depth.max()) + 1
        levels = tuple(np.flatnonzero(depth == level) for level in range(height))
        ancestors = np.full((count, height), -1, dtype=np.int64)
        runs = []
        for level, units in enumerate(levels):
            if level:
                ancestors[units, :level] = ancestors[parent[units], :level]
            ancestors[units, level] = units
            if level:
                children = units[np.argsort(parent[units], kind="stable")]
                parents, starts = np.unique(parent[children], return_index=True)
                runs.append((children, starts, parents))
        return cls(parent, depth, ancestors, levels, tuple(runs))

    @property
    def size(self) -> int:
        return len(self.parent)

    def subtree_sum(self, direct: NDArray[Any]) -> NDArray[Any]:
        """Per unit, the sum of ``direct`` rows over the unit's whole subtree."""
        total = direct.copy()
        for children, starts, parents in reversed(self._runs):
            total[parents] += np.add.reduceat(total[children], starts, axis=0)
        return total

    def preorder(self) -> tuple[IntArray, IntArray]:
        """Units in depth-first pre-order, and each unit's subtree size (its run's length)."""
        order = np.lexsort(self.ancestors.T[::-1]).astype(np.int64)
        size = self.subtree_sum(np.ones(self.size, dtype=np.int64))
        return order, size

    def top_down(self, own: BoolArray) -> BoolArray:
        """Per unit, whether ``own`` holds for the unit or any of its ancestors."""
        result = own.copy()
        for level in self.levels[1:]:
            result[level] |= result[self.parent[level]]
        return result


@dataclass(frozen=True)
class Cells:
    """Respondents (or comments) grouped by unit and every dimension value, with counts."""

    unit: IntArray
    values: IntArray  # (dimensions, cells)
    size: IntArray

    @classmethod
    def from_rows(
        cls, unit: IntArray, values: Sequence[IntArray], bases: Sequence[int]
    ) -> tuple[Cells, IntArray]:
        """The cells of the given rows, and which cell each row is in."""
        key = np.asarray(unit, dtype=np.int64)
        for codes, base in zip(values, bases, strict=True):
            key = key * base + np.asarray(codes, dtype=np.int64)
        unique, index, size = np.unique(key, return_inverse=True, return_counts=True)
        parts = []
        rest = unique
        for base in reversed(bases):
            parts.append(rest % base)
            rest = rest // base
        stacked = np.array(parts[::-1], dtype=np.int64).reshape(len(bases), len(unique))
        return cls(rest.astype(np.int64), stacked, size.astype(np.int64)), index.astype(np.int64)


@dataclass
class ReleaseState:
    """Which groups are released: whole units, and unit x dimension value."""

    units: BoolArray
    filters: list[BoolArray]  # per dimension, (units, values)

    def copy(self) -> ReleaseState:
        return ReleaseState(self.units.copy(), [f.copy() for f in self.filters])

    def hide_units(self, units: IntArray) -> None:
        self.units[units] = False
        for released in self.filters:
            released[units] = False

    def count(self) -> int:
        return int(self.units.sum()) + sum(int(f.sum()) for f in self.filters)


@dataclass(frozen=True)
class Classes:
    """The partition of cells by the released groups that contain them."""

    of_cell: IntArray  # class index per cell, -1 for cells in no released group
    key: IntArray  # sorted, unique
    position: IntArray  # deepest released unit of the class
    bucket: IntArray  # (dimensions, classes): the value, or UNSPLIT
    size: IntArray


class Closure:
    """Computes classes and hides groups until every class holds at least k respondents."""

    def __init__(
        self,
        tree: TreeIndex,
        cells: Cells,
        value_counts: Sequence[int],
        unit_size: IntArray,
        filter_size: Sequence[IntArray],
    ) -> None:
        self.tree = tree
        self.cells = cells
        self.value_counts = tuple(value_counts)
        self.bases = tuple(v + 1 for v in self.value_counts)
        weights = [
            DIMENSION_WEIGHTS[min(d, len(DIMENSION_WEIGHTS) - 1)]
            for d in range(len(self.value_counts))
        ]
        self.unit_cost = UNIT_WEIGHT * np.log2(2.0 + unit_size)
        self.filter_cost = [w * np.log2(2.0 + s) for w, s in zip(weights, filter_size, strict=True)]
        offsets = [tree.size]
        for values in self.value_counts:
            offsets.append(offsets[-1] + tree.size * values)
        self.offsets = tuple(offsets)
        self.group_cost = np.concatenate([self.unit_cost, *(c.ravel() for c in self.filter_cost)])
        self.cell_ancestors = tree.ancestors[cells.unit]

    # --- classes ------------------------------------------------------------

    def chain_split(self, state: ReleaseState) -> list[BoolArray]:
        """Per dimension, (units, values): is the value released on the unit's released chain?"""
        return [self.tree.top_down(released & state.units[:, None]) for released in state.filters]

    def positions(self, state: ReleaseState) -> IntArray:
        """Per unit, its deepest released unit-or-ancestor (-1 if none)."""
        position = np.where(state.units, np.arange(self.tree.size), -1)
        for level in self.tree.levels[1:]:
            inherited = position[self.tree.parent[level]]
            position[level] = np.where(state.units[level], level, inherited)
        return position

    def encode(self, position: IntArray, buckets: Sequence[IntArray]) -> IntArray:
        key = position.astype(np.int64) + 1
        for bucket, base in zip(buckets, self.bases, strict=True):
            key = key * base + (bucket + 1)
        return key

    def classify(self, state: ReleaseState) -> Classes:
        cells = self.cells
        unit_position = self.positions(state)
        position = unit_position[cells.unit]
        split = self.chain_split(state)
        buckets = [
            np.where(split[d][cells.unit, cells.values[d]], cells.values[d], UNSPLIT)
            for d in range(len(self.value_counts))
        ]
        key = self.encode(position, buckets)
        inside = position >= 0
        unique, first, inverse = np.unique(key[inside], return_index=True, return_inverse=True)
        of_cell = np.full(len(key), -1, dtype=np.int64)
        of_cell[inside] = inverse
        size = np.bincount(inverse, weights=cells.size[inside], minlength=len(unique))
        rows = np.flatnonzero(inside)[first]
        bucket = np.array([b[rows] for b in buckets], dtype=np.int64).reshape(
            len(self.value_counts), len(unique)
        )
        return Classes(of_cell, unique, position[rows], bucket, size.astype(np.int64))

    # --- the greedy ---------------------------------------------------------

    def close(self, state: ReleaseState, k: int) -> tuple[ReleaseState, int]:
        """Hide groups until no class holds 1 to k-1 respondents; returns the state and rounds."""
        state = state.copy()
        for released in state.filters:
            released &= state.units[:, None]
        rounds = 0
        while True:
            classes = self.classify(state)
            small = np.flatnonzero(classes.size < k)
            if not len(small):
                return state, rounds
            before = state.count()
            self.hide(state, self.choose_moves(state, classes, small))
            if state.count() >= before:  # cannot happen: every move hides a released group
                raise AssertionError("complementary suppression made no progress")
            rounds += 1

    def choose_moves(self, state: ReleaseState, classes: Classes, small: IntArray) -> IntArray:
        """For each small class, the cheapest set of released groups whose hiding merges it."""
        moves = _Moves()
        split = self.chain_split(state)
        unit_position = self.positions(state)
        filter_cost_sum = np.zeros(self.tree.size)
        for released, cost in zip(state.filters, self.filter_cost, strict=True):
            filter_cost_sum += (released * cost).sum(axis=1)
        keys = classes.key
        dims = range(len(self.value_counts))
        position = classes.position[small]

        def exists(candidate: IntArray) -> BoolArray:
            where = np.searchsorted(keys, candidate)
            where = np.minimum(where, len(keys) - 1)
            return keys[where] == candidate

        # Filter moves, least valued dimension first so that ties hide it first.
        for d in reversed(dims):
            bucket = classes.bucket[d]
            values = self.value_counts[d]
            # In: drop this class's own value along its chain; it joins its unit's others.
            wild = [classes.bucket[e] if e != d else np.full(len(keys), values) for e in dims]
            wild_key = self.encode(classes.position, wild)
            _, wild_index, wild_count = np.unique(wild_key, return_inverse=True, return_counts=True)
            chosen = small[bucket[small] != UNSPLIT]
            lone = wild_count[wild_index[chosen]] < 2
            self.add_filter_moves(moves, state, d, chosen, classes.bucket[d][chosen], classes, lone)
            # Out: for an unsplit class, drop a value released on its chain so that the
            # people with that value join it (at once if they differ in nothing else).
            unsplit = small[bucket[small] == UNSPLIT]
            for value in range(values):
                found = unsplit[split[d][classes.position[unsplit], value]]
                target = [
                    classes.bucket[e][found] if e != d else np.full(len(found), value) for e in dims
                ]
                lone = ~exists(self.encode(classes.position[found], target))
                self.add_filter_moves(
                    moves, state, d, found, np.full(len(found), value), classes, lone
                )

        # Unit moves. Where would each class go if its position were hidden?
        parent = self.tree.parent[classes.position]
        parent_position = np.where(parent < 0, -1, unit_position[np.maximum(parent, 0)])
        coarse = [
            np.where(
                (classes.bucket[d] != UNSPLIT)
                & (parent_position >= 0)
                & split[d][np.maximum(parent_position, 0), np.maximum(classes.bucket[d], 0)],
                classes.bucket[d],
                UNSPLIT,
            )
            for d in dims
        ]
        coarse_key = self.encode(parent_position, coarse)
        _, coarse_index, coarse_count = np.unique(
            coarse_key, return_inverse=True, return_counts=True
        )
        # In: hide the class's own position (with its breakdowns); last resort for the root.
        merges = (coarse_count[coarse_index[small]] >= 2) | exists(coarse_key[small])
        moves.add(
            small,
            [position],
            filter_cost_sum[position],
            lone=~merges,
            penalty=np.where(parent_position[small] < 0, FALLBACK_PENALTY, 0.0),
        )
        # Out: hide a released unit just below the class whose people would join it.
        below = np.flatnonzero(parent_position >= 0)
        order = below[np.argsort(coarse_key[below], kind="stable")]
        sorted_keys = coarse_key[order]
        lo = np.searchsorted(sorted_keys, keys[small], side="left")
        hi = np.searchsorted(sorted_keys, keys[small], side="right")
        counts = hi - lo
        owner = np.repeat(small, counts)
        picks = order[np.repeat(lo, counts) + _ragged_arange(counts)]
        child = classes.position[picks]
        moves.add(owner, [child], filter_cost_sum[child])
        return moves.pick(self.group_cost, len(self.group_cost))

    def add_filter_moves(
        self,
        moves: _Moves,
        state: ReleaseState,
        d: int,
        owners: IntArray,
        values: IntArray,
        classes: Classes,
        lone: BoolArray,
    ) -> None:
        if not len(owners):
            return
        chain = self.tree.ancestors[classes.position[owners]]  # (owners, levels)
        safe = np.maximum(chain, 0)
        released = (chain >= 0) & state.units[safe] & state.filters[d][safe, values[:, None]]
        gids = self.offsets[d] + safe * self.value_counts[d] + values[:, None]
        moves.add(owners, [np.where(released, gids, -1).T], np.zeros(len(owners)), lone=lone)

    def hide(self, state: ReleaseState, gids: IntArray) -> None:
        units = gids[gids < self.tree.size]
        state.hide_units(units)
        for d, values in enumerate(self.value_counts):
            mine = gids[(gids >= self.offsets[d]) & (gids < self.offsets[d + 1])] - self.offsets[d]
            state.filters[d][mine // values, mine % values] = False


class _Moves:
    """Candidate moves: an owner (small class) and the groups the move hides, plus extra cost."""

    def __init__(self) -> None:
        self.owners: list[IntArray] = []
        self.groups: list[IntArray] = []  # (moves, width) with -1 for unused slots
        self.extra: list[NDArray[np.float64]] = []
        self.lone: list[BoolArray] = []
        self.penalty: list[NDArray[np.float64]] = []

    def add(
        self,
        owners: IntArray,
        columns: list[IntArray],
        extra: NDArray[np.float64],
        lone: BoolArray | None = None,
        penalty: NDArray[np.float64] | None = None,
    ) -> None:
        """``lone``: the move does not merge the class at once (it still makes progress)."""
        if not len(owners):
            return
        stacked = np.vstack([np.atleast_2d(c) for c in columns]).T
        self.owners.append(owners)
        self.groups.append(stacked)
        self.extra.append(np.asarray(extra, dtype=np.float64))
        self.lone.append(np.zeros(len(owners), dtype=bool) if lone is None else lone)
        self.penalty.append(np.zeros(len(owners)) if penalty is None else penalty)

    def pick(self, group_cost: NDArray[np.float64], group_count: int) -> IntArray:
        """The groups of each owner's cheapest move, costs shared among the owners needing them.

        A group that many small classes need (a large filter cell high in the tree) costs each
        of them little; a unit only one class needs costs that class its full price.
        """
        width = max(g.shape[1] for g in self.groups)
        groups = np.vstack(
            [np.pad(g, ((0, 0), (0, width - g.shape[1])), constant_values=-1) for g in self.groups]
        )
        owners = np.concatenate(self.owners)
        extra = np.concatenate(self.extra)
        lone = np.concatenate(self.lone)
        penalty = np.concatenate(self.penalty)
        used = groups >= 0
        keep = used.any(axis=1)
        groups, owners, extra, used = groups[keep], owners[keep], extra[keep], used[keep]
        lone, penalty = lone[keep], penalty[keep]
        move_of_entry = np.nonzero(used)[0]
        gid = groups[used]
        pairs = distinct(owners[move_of_entry] * group_count + gid)
        demand = np.bincount(pairs % group_count, minlength=group_count)
        shared = group_cost[gid] / demand[gid]
        cost = extra + np.bincount(move_of_entry, weights=shared, minlength=len(owners))
        cost = np.where(lone, cost * LONE_FACTOR + LONE_EXTRA, cost) + penalty
        order = np.lexsort((np.arange(len(owners)), cost, owners))
        first = order[np.r_[True, owners[order][1:] != owners[order][:-1]]]
        chosen = groups[first]
        return np.asarray(distinct(chosen[chosen >= 0]), dtype=np.int64)


def distinct(values: NDArray[np.generic]) -> NDArray[np.generic]:
    """The sorted distinct values. (np.unique without return arrays may hash, which is far
    slower on wide integer keys.)"""
    ordered = np.sort(values, kind="stable")
    if len(ordered) < 2:
        return ordered
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]]


def unique_inverse(values: IntArray) -> tuple[IntArray, IntArray]:
    """The sorted distinct values, and for each input its index among them."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]] if len(ordered) else np.zeros(0, bool)
    inverse = np.empty(len(values), dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse


def _ragged_arange(counts: IntArray) -> IntArray:
    """0..c-1 for each c in counts, concatenated."""
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total, dtype=np.int64) - starts


def primary_state(
    unit_size: IntArray, filter_size: Sequence[IntArray], offered: Sequence[BoolArray], k: int
) -> ReleaseState:
    """Release every group of at least k; a filter value only if offered and its unit is released."""
    units = unit_size >= k
    filters = [
        (size >= k) & mask[None, :] & units[:, None]
        for size, mask in zip(filter_size, offered, strict=True)
    ]
    return ReleaseState(units, filters)
