"""Which groups may be released: primary and complementary suppression.

Every released number (a respondent count, an answered count, an option count) is a sum over
the respondents of one released group. Group the respondents into *classes* by the set of
released groups that contain them: any sum or difference of released numbers is then a sum
over whole classes, so if every non-empty class holds at least k respondents, no group of 1
to k-1 respondents can be worked out from the release — not by subtracting children from a
parent, filter values from a unit, nor any chain of both. :meth:`Closure.close` hides groups
until that holds; docs/privacy.md explains the model.

The work is done on *cells*: respondents with the same unit and the same value in every
dimension. Cells never split a class, and there are far fewer of them than respondents.

Two facts keep the class computation cheap. A filter group (unit x one dimension value) is
released only while its unit is, so the released units containing a cell are exactly the
released ancestors of its *position* — its deepest released unit. And per dimension, a cell is
told apart from its neighbours only by whether some unit on that chain releases the cell's own
value. A class is therefore ``(position, one bucket per dimension)``, where a bucket is the
cell's value when that value is released somewhere on the chain, and "unsplit" otherwise.

Closing is a greedy followed by a repair. The greedy lets every class below k take its
cheapest move — a set of released groups whose hiding merges it with neighbours — where a
group's price is the number of people it speaks for times its kind's weight, shared among
the small classes that choose it. It decides all small classes of a round at once, so it
can hide more than needed; the repair then shows again, most valued first, every hidden
group that fits (the least valued dimension joins only here), which leaves nothing hidden
that could be shown on its own. Both steps are checked by the class rule itself, so prices
only decide what is lost.

The class rule is sufficient, not necessary: two breakdowns of one unit (role group and
tenure) make small intersections that no sum or difference of released numbers isolates.
The exact step (:meth:`Closure.show_protected`) shows more where a proof allows it (hidden
units, then the top levels' breakdowns): it treats the release as a table of main effects
and shows a group only when every class below k is provably out of reach of every
combination (:func:`protected_classes`). Below the top it proves each branch of the tree on
its own (:func:`protected_by_branch`), which is sound for the whole and names the culprit
branch of a failed round, so no round is spent bisecting. A hidden unit or system-wide
breakdown the proof refuses may still be shown by a trade (:meth:`Closure._swap_in`):
cheaper groups of no more valued kind are hidden in its place when the release gains.
Where the release is small enough (``COMPLETE_CLASSES``), the proof's refusals go to the
complete test (:func:`unprotected_classes`, :mod:`.isolation`), which refuses only what some
combination really isolates, and the pass covers every level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .isolation import isolated_sets, merge_components

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

UNSPLIT = -1
# Per person a group speaks for: a whole unit weighs 8, filter dimensions in the order given
# (most valued first) 4, 2, 1, 1…, so less valued breakdowns are hidden first.
UNIT_WEIGHT = 8.0
DIMENSION_WEIGHTS = (4.0, 2.0, 1.0)
# A move that does not merge the class at once still makes progress, at a higher price.
LONE_FACTOR = 1.5
LONE_EXTRA = 0.5
# The exact rule's pass over breakdowns runs on the system and the level below it
# (hospitals): their breakdowns speak for the most people, the class rule costs them the most
# (every unit below would need k of each value), and each level costs a few whole-system
# checks per value.
PROTECTED_LEVELS = 2
# Releases of at most this many classes of respondents after the class rule get the thorough
# exact pass: the complete test where the proof refuses (:mod:`.isolation`), the breakdowns of
# every level, hidden units under hidden parents, and a culprit's groups tried again. The demo
# generator's health system has about 550 classes at 10,000 people (2.7 s) and 1,200 at
# 20,000. Larger ones keep the proof alone on the top levels: the complete test's elimination
# grows with the square of the classes, and at 300,000 people it would cost minutes.
COMPLETE_CLASSES = 1_000
# At most this many complete tests per release (each a few milliseconds to a few tens): then
# the proof alone decides, so that no release waits long on them. The largest organisation of
# the retention benchmark (737 respondents) takes about 360.
COMPLETE_TESTS = 800
# Showing a group the exact rule refuses, by hiding cheaper ones instead: at most this many
# rounds of the greedy's moves.
SWAP_ROUNDS = 4
# Hiding the whole organisation is the last resort.
FALLBACK_PENALTY = 1e18
# A shared price is first split among the classes that could use the group, then once more
# among those that chose it: a big group is not hidden for a few classes with other ways out.
SHARE_ROUNDS = 2


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

    def assign(self, other: ReleaseState) -> None:
        """Take ``other``'s groups, in place (callers keep a reference to this state)."""
        self.units[:] = other.units
        for mine, theirs in zip(self.filters, other.filters, strict=True):
            mine[:] = theirs

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
    unit_position: IntArray = field(repr=False)  # per unit, its deepest released unit-or-ancestor
    split: list[BoolArray] = field(repr=False)  # per dimension: released on the unit's chain?


class Closure:
    """Computes classes and hides groups until every class holds at least k respondents.

    What to hide is chosen by value: a group is worth the number of people it speaks for,
    times the weight of its kind (a whole unit most, then each filter dimension in the order
    given). Every choice is checked by the class rule, so the prices decide only what is lost,
    never whether the release is closed.
    """

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
        # Linear in people: a small class is closed by hiding the smallest groups that do it,
        # so a figure for thousands (a system-wide breakdown) is not traded for a team's.
        self.unit_cost = UNIT_WEIGHT * np.asarray(unit_size, dtype=np.float64)
        self.filter_cost = [
            w * np.asarray(s, dtype=np.float64) for w, s in zip(weights, filter_size, strict=True)
        ]
        # Per kind of group (a whole unit, then each dimension), its weight.
        self.kind_weight = np.asarray([UNIT_WEIGHT, *weights])
        offsets = [tree.size]
        for values in self.value_counts:
            offsets.append(offsets[-1] + tree.size * values)
        self.offsets = tuple(offsets)
        self.group_cost = np.concatenate([self.unit_cost, *(c.ravel() for c in self.filter_cost)])
        self.cell_ancestors = tree.ancestors[cells.unit]
        # Whether the exact pass decides with the complete test, and how many tests it may
        # still run (see show_protected).
        self.complete = False
        self.tests_left = 0

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
        inside = np.flatnonzero(position >= 0)
        unique, inverse = unique_inverse(key[inside])
        of_cell = np.full(len(key), -1, dtype=np.int64)
        of_cell[inside] = inverse
        size = np.bincount(inverse, weights=cells.size[inside], minlength=len(unique))
        rows = np.empty(len(unique), dtype=np.int64)
        rows[inverse] = inside
        bucket = np.array([b[rows] for b in buckets], dtype=np.int64).reshape(
            len(self.value_counts), len(unique)
        )
        return Classes(
            of_cell, unique, position[rows], bucket, size.astype(np.int64), unit_position, split
        )

    # --- closing ------------------------------------------------------------

    def close(
        self, state: ReleaseState, k: int, *, exact: bool = False
    ) -> tuple[ReleaseState, int]:
        """Hide groups of ``state`` until every class holds 0 or at least k respondents.

        Two steps, each ending closed: hide greedily (the least valued dimension left out),
        then show again, most valued first, every hidden group that fits. The result is
        maximal: no group of ``state`` that it hides (a unit, or a filter value of a unit it
        shows) could be shown on its own without leaving a class below k. With ``exact``, a
        third step shows hidden units, then hidden breakdowns of the top levels, where the
        classes below k they leave are ones no combination of released numbers can isolate
        (:func:`protected_classes`). Returns the state and the rounds taken.
        """
        allowed = state.copy()
        for released in allowed.filters:
            released &= allowed.units[:, None]
        state = allowed.copy()
        if len(state.filters) > 1:
            # The least valued dimension joins last, wherever it fits: the greedy would hide
            # its groups first anyway, and without them it sees far fewer, larger classes.
            state.filters[-1][:] = False
        classes, rounds = self.hide_small(state, k)
        state, classes, more = self.show_fitting(state, allowed, classes, k)
        if exact:
            more += self.show_protected(state, allowed, classes, k)
        return state, rounds + more

    def hide_small(self, state: ReleaseState, k: int) -> tuple[Classes, int]:
        """The greedy, in place: hide the cheapest moves until no class is below k."""
        rounds = 0
        while True:
            classes = self.classify(state)
            small = np.flatnonzero(classes.size < k)
            if not len(small):
                return classes, rounds
            before = state.count()
            self.hide(state, self.choose_moves(state, classes, small))
            if state.count() >= before:  # cannot happen: every move hides a released group
                raise AssertionError("complementary suppression made no progress")
            rounds += 1

    def show_fitting(
        self, state: ReleaseState, allowed: ReleaseState, classes: Classes, k: int
    ) -> tuple[ReleaseState, Classes, int]:
        """Show hidden groups of ``allowed`` while they fit; the result stays closed."""
        rounds = 0
        while True:
            gids = self.fitting(state, allowed, classes, k)
            if not len(gids):
                return state, classes, rounds
            trial = state.copy()
            self.show(trial, gids)
            checked = self.classify(trial)
            if (checked.size < k).any():  # a safety net: keep the closed state as it was
                return state, classes, rounds
            state, classes = trial, checked
            rounds += 1

    def show_protected(
        self, state: ReleaseState, allowed: ReleaseState, classes: Classes, k: int
    ) -> int:
        """Show hidden groups, most valued first, while the exact rule holds (:meth:`exposed`
        finds nothing); in place (``classes`` are ``state``'s). Returns the rounds taken.

        First the hidden units whose parent is shown, level by level from the top; then the
        hidden filter groups of shown units on the top levels, one value per unit a round,
        the deeper level first and the system's own last. A group changes only the classes
        under the unit that holds it (the parent, for a unit), and those subtrees are
        disjoint within a level, so each round tries a group per holder at once and takes
        back those under which a class became exposed (:meth:`_show_by_branch` below the
        top, where each branch is proved on its own; :meth:`_show_batches` elsewhere).
        """
        rounds = 0
        self.complete = len(classes.size) <= COMPLETE_CLASSES
        self.tests_left = COMPLETE_TESTS
        for level in self.tree.levels[1:]:
            hidden = level[allowed.units[level] & ~state.units[level]]
            if not self.complete:
                hidden = hidden[state.units[self.tree.parent[hidden]]]
            if len(hidden):
                pairs = np.c_[self.tree.parent[hidden], hidden]
                rounds += self._show_batches(state, pairs, int(self.tree.depth[level[0]]) - 1, k)
        # Breakdowns, the deeper level first. Below the top, each branch (the subtree of a
        # unit one level below the root) can be proved on its own, which takes a group back
        # exactly where it exposes a class; the system's own breakdowns come last and need
        # the whole proof, since they reach into every branch.
        levels = self.tree.levels if self.complete else self.tree.levels[:PROTECTED_LEVELS]
        for level in reversed(levels):
            pairs = self._hidden_breakdowns(state, allowed, level)
            if not len(pairs):
                continue
            depth = int(self.tree.depth[level[0]])
            apart = depth >= 1 and self._branches_proved(state, k)
            # Per unit, most valued first.
            order = np.lexsort((-self.group_cost[pairs[:, 1]], pairs[:, 0]))
            pairs = pairs[order]
            starts = np.r_[True, pairs[1:, 0] != pairs[:-1, 0]]
            rank = np.arange(len(pairs)) - np.maximum.accumulate(
                np.where(starts, np.arange(len(pairs)), 0)
            )
            for r in range(int(rank.max()) + 1):
                if apart:
                    rounds += self._show_by_branch(state, pairs[rank == r], k)
                else:
                    rounds += self._show_batches(state, pairs[rank == r], depth, k)
        return rounds

    def _hidden_breakdowns(
        self, state: ReleaseState, allowed: ReleaseState, level: IntArray
    ) -> IntArray:
        """(holder, group) pairs: the hidden filter groups of ``allowed`` on shown units of
        ``level``."""
        candidates = []
        for d, values in enumerate(self.value_counts):
            hidden_filters = allowed.filters[d][level] & ~state.filters[d][level]
            hidden_filters &= state.units[level][:, None]
            row, value = np.nonzero(hidden_filters)
            gid = self.offsets[d] + level[row] * values + value
            candidates.append(np.c_[level[row], gid])
        return np.concatenate(candidates) if candidates else np.empty((0, 2), np.int64)

    # --- the exact rule branch by branch ----------------------------------------
    #
    # Cut the main-effects model into branches: a class belongs to the branch of its
    # position (the unit one level below the root above it, or the root's own branch), and
    # every level a class of the branch uses becomes the branch's own copy. A dangerous
    # combination of the whole release, restricted to one branch, is 0 there or is a
    # dangerous combination of that branch's model alone (fewer than k people, 0 or 1 on
    # each class). So when every branch is proved on its own, the whole release is. Showing
    # a breakdown below the top changes only the classes of its own branch, so a round
    # needs to prove only the branches it touches, and the groups of a failing branch are
    # the culprits, with no bisection. The price: a branch alone cannot borrow the links
    # other branches give, so the system's own breakdowns, which shared levels carry into
    # every branch, are proved whole.

    def _branch_of(self, classes: Classes) -> IntArray:
        return self.tree.ancestors[classes.position, 1]

    def _branch_exposed(
        self, state: ReleaseState, classes: Classes, k: int, branches: IntArray | None = None
    ) -> BoolArray:
        """Per class: not proven safe by its own branch's model (only classes of
        ``branches``, all when None, are looked at; the others come back False)."""
        branch = self._branch_of(classes)
        looked = np.ones(len(branch), dtype=bool) if branches is None else np.isin(branch, branches)
        bad = np.zeros(len(branch), dtype=bool)
        if not (looked & (classes.size < k)).any():
            return bad
        columns = np.flatnonzero(looked)
        factors = self.factors(state, classes)[:, columns]
        bad[columns] = ~protected_by_branch(factors, classes.size[columns], branch[columns], k)
        # Where the proof refuses, the complete test on the branch alone (sound for the
        # whole, as the proof by branch is).
        for refused in distinct(branch[bad]) if self.complete else ():
            if not self.tests_left:
                break
            self.tests_left -= 1
            mine = np.flatnonzero(branch[columns] == refused)
            bad[columns[mine]] = unprotected_classes(
                factors[:, mine], classes.size[columns][mine], k
            )
        return bad

    def _branches_proved(self, state: ReleaseState, k: int) -> bool:
        """Does every branch hold on its own? (Then breakdowns below the top may be shown
        branch by branch.)"""
        return not self._branch_exposed(state, self.classify(state), k).any()

    def _show_by_branch(self, state: ReleaseState, pairs: IntArray, k: int) -> int:
        """Show the groups ``pairs[:, 1]`` (held by units ``pairs[:, 0]`` below the top) of the
        branches that still hold on their own with them; in place, one round. Every branch
        must hold on its own beforehand."""
        trial = state.copy()
        self.show(trial, pairs[:, 1])
        holder_branch = self.tree.ancestors[pairs[:, 0], 1]
        classes = self.classify(trial)
        bad = self._branch_exposed(trial, classes, k, holder_branch)
        keep = ~np.isin(holder_branch, self._branch_of(classes)[bad])
        self.show(state, pairs[keep, 1])
        return 1

    def _show_batches(self, state: ReleaseState, pairs: IntArray, depth: int, k: int) -> int:
        """Show the groups ``pairs[:, 1]`` (held by the units ``pairs[:, 0]``, all at ``depth``)
        that the exact rule allows, trying them together first; in place. Returns the rounds."""
        rounds = 0
        pending = [pairs]
        while pending:
            batch = pending.pop()
            trial = state.copy()
            self.show(trial, batch[:, 1])
            classes = self.classify(trial)
            rounds += 1
            bad = self.exposed(trial, classes, k)
            if not bad.any():
                state.assign(trial)
                continue
            if len(batch) == 1:
                rounds += self._swap_in(state, trial, classes, bad, int(batch[0, 1]), k)
                continue
            culprits = self.tree.ancestors[classes.position[bad], depth]
            keep = ~np.isin(batch[:, 0], culprits)
            if keep.any() and not keep.all():
                # The others first; with the complete test, the culprits' groups are then
                # tried again without them.
                pending.extend([batch[~keep], batch[keep]] if self.complete else [batch[keep]])
            else:
                # A class elsewhere lost its protection: halve the batch.
                half = len(batch) // 2
                pending.extend([batch[half:], batch[:half]])
        return rounds

    def _swap_in(
        self,
        state: ReleaseState,
        trial: ReleaseState,
        classes: Classes,
        bad: BoolArray,
        gid: int,
        k: int,
    ) -> int:
        """Show ``gid`` anyway, hiding cheaper groups to protect the classes it exposes
        (``trial`` is ``state`` showing it, ``classes`` and ``bad`` its classes and the
        exposed ones): the greedy's cheapest moves for the exposed classes, never ``gid``
        itself, until the exact rule holds. Kept, in place, only when the release is then
        worth more than before. A few rounds at most, each of which must at least halve the
        exposed classes (a trade that closes slowly is not one). Returns the rounds taken."""
        before = self.worth(state)
        for rounds in range(1, SWAP_ROUNDS + 1):
            exposed = int(bad.sum())
            moves = self.choose_moves(trial, classes, np.flatnonzero(bad))
            moves = moves[moves != gid]
            if not len(moves) or not self.may_trade(moves, gid):
                return rounds
            self.hide(trial, moves)
            if not self.shown(trial, gid) or self.worth(trial) <= before:
                return rounds
            classes = self.classify(trial)
            bad = self.exposed(trial, classes, k)
            if not bad.any():
                state.assign(trial)
                return rounds
            if 2 * int(bad.sum()) > exposed:
                return rounds
        return SWAP_ROUNDS

    def may_trade(self, hidden: IntArray, gid: int) -> bool:
        """May ``hidden`` be given up to show ``gid``? Only groups each priced below it (a
        team's figure for the system's nurses, never the reverse), and no breakdown of a
        more valued dimension (the role groups the perception gap needs are not traded for
        a tenure band)."""
        kind = self.kind(hidden)
        gid_weight = self.kind_weight[self.kind(np.array([gid]))[0]]
        return bool(
            (self.group_cost[hidden] < self.group_cost[gid]).all()
            and (self.kind_weight[kind[kind > 0]] <= gid_weight).all()
        )

    def kind(self, gids: IntArray) -> IntArray:
        """Per group, 0 for a whole unit, else 1 + its dimension."""
        return np.searchsorted(np.asarray(self.offsets), gids, side="right")

    def worth(self, state: ReleaseState) -> float:
        """What a release is worth: the price of every group it shows."""
        units = state.units
        return float(self.unit_cost[units].sum()) + sum(
            float(cost[units][released[units]].sum())
            for cost, released in zip(self.filter_cost, state.filters, strict=True)
        )

    def shown(self, state: ReleaseState, gid: int) -> bool:
        d = int(self.kind(np.array([gid]))[0]) - 1
        if d < 0:
            return bool(state.units[gid])
        unit, value = divmod(gid - self.offsets[d], self.value_counts[d])
        return bool(state.units[unit] and state.filters[d][unit, value])

    # --- the exact rule: small classes that no combination can isolate -----------

    def owners(self, state: ReleaseState) -> list[IntArray]:
        """Per dimension, (units, values): the deepest unit on the unit's chain releasing the
        value (-1 if none)."""
        result = []
        units = np.arange(self.tree.size)[:, None]
        for released in state.filters:
            own = released & state.units[:, None]
            owner = np.where(own, units, -1)
            for level in self.tree.levels[1:]:
                owner[level] = np.where(own[level], owner[level], owner[self.tree.parent[level]])
            result.append(owner)
        return result

    def factors(self, state: ReleaseState, classes: Classes) -> IntArray:
        """(factors, classes): each class's levels in :func:`protected_classes`' model — its
        position, then per dimension the deepest unit on its chain releasing its value and
        the value (``owner * values + value``), or -1 where its value is not split."""
        factors = [classes.position]
        for d, owner in enumerate(self.owners(state)):
            bucket = classes.bucket[d]
            value = np.maximum(bucket, 0)
            level = owner[classes.position, value] * self.value_counts[d] + value
            factors.append(np.where(bucket == UNSPLIT, -1, level))
        return np.array(factors, dtype=np.int64).reshape(len(factors), len(classes.size))

    def exposed(self, state: ReleaseState, classes: Classes, k: int) -> BoolArray:
        """Per class: not proven safe (only classes below k). The proof first
        (:func:`protected_classes`); where it refuses, the complete test decides if the table
        is small enough (:func:`.isolation.isolated_sets`), and then only the classes of a
        set it isolates are exposed."""
        small = classes.size < k
        if not small.any():
            return small
        if not (self.complete and self.tests_left):
            return ~protected_classes(self.factors(state, classes), classes.size, k)
        self.tests_left -= 1
        return unprotected_classes(self.factors(state, classes), classes.size, k)

    # --- what could be shown ---------------------------------------------------

    def fitting(
        self, state: ReleaseState, allowed: ReleaseState, classes: Classes, k: int
    ) -> IntArray:
        """Hidden groups of ``allowed`` that can be shown together, keeping every class >= k.

        Showing a filter value (u, v) splits each class inside u not yet split by v into its
        v people and the rest; showing a hidden unit moves its people out of each class of
        the released unit above it. A group fits when every part it creates holds 0 or at
        least k. Groups that touch no common class are independent, so the most valued fitting
        group of each class is shown in the same round.
        """
        cells = self.cells
        count = len(classes.size)
        shown: list[IntArray] = []
        pair_gid: list[IntArray] = []
        pair_class: list[IntArray] = []
        inside = classes.of_cell >= 0
        of_cell = np.where(inside, classes.of_cell, 0)
        units = self.tree.size
        for d, values in enumerate(self.value_counts):
            hidden = allowed.filters[d] & ~state.filters[d] & state.units[:, None]
            if not hidden.any():
                continue
            split = classes.split[d]
            # Already split on the chain above: showing it changes no class.
            shown.append(self.offsets[d] + np.flatnonzero((hidden & split).ravel()))
            todo = hidden & ~split
            if not todo.any():
                continue
            mine = inside & (classes.bucket[d][of_cell] == UNSPLIT)
            with_value = np.bincount(
                of_cell[mine] * values + cells.values[d][mine],
                weights=cells.size[mine],
                minlength=count * values,
            ).reshape(count, values)
            rest = classes.size[:, None] - with_value
            touched = with_value > 0
            bad = touched & ((with_value < k) | ((rest > 0) & (rest < k)))
            slot = (classes.position[:, None] * values + np.arange(values)[None, :]).ravel()
            bad_at = np.bincount(slot, weights=bad.ravel(), minlength=units * values)
            blocked = self.tree.subtree_sum(bad_at.reshape(units, values)) > 0
            fits = todo & ~blocked
            if not fits.any():
                continue
            # The (class, value) pairs touched by some fitting group on the class's chain.
            reachable = self.tree.top_down(fits)
            owner, value = np.nonzero(touched & reachable[classes.position])
            chain = self.tree.ancestors[classes.position[owner]]
            safe = np.maximum(chain, 0)
            ok = (chain >= 0) & fits[safe, value[:, None]]
            rows = np.nonzero(ok)[0]
            touching = self.offsets[d] + safe[ok] * values + value[rows]
            pair_gid.append(touching)
            pair_class.append(owner[rows])
            # A fitting value that no class holds changes nothing either.
            untouched = fits.ravel().copy()
            untouched[touching - self.offsets[d]] = False
            shown.append(self.offsets[d] + np.flatnonzero(untouched))
        self.unit_pairs(state, allowed, classes, k, pair_gid, pair_class)
        every_gid = np.concatenate(pair_gid) if pair_gid else np.zeros(0, dtype=np.int64)
        if len(every_gid):
            every_class = np.concatenate(pair_class)
            # Per class, the most valued candidate touching it; a candidate that is not the
            # first choice of every class it touches waits for a later round.
            order = np.lexsort((every_gid, -self.group_cost[every_gid], every_class))
            ordered_class = every_class[order]
            first = np.r_[True, ordered_class[1:] != ordered_class[:-1]]
            best = np.empty(count + 1, dtype=np.int64)
            best[ordered_class[first]] = every_gid[order][first]
            losing = np.zeros(len(self.group_cost), dtype=bool)
            losing[every_gid[best[every_class] != every_gid]] = True
            shown.append(np.asarray(distinct(every_gid[~losing[every_gid]]), dtype=np.int64))
        return np.concatenate(shown) if shown else np.zeros(0, dtype=np.int64)

    def unit_pairs(
        self,
        state: ReleaseState,
        allowed: ReleaseState,
        classes: Classes,
        k: int,
        pair_gid: list[IntArray],
        pair_class: list[IntArray],
    ) -> None:
        """Hidden units that fit, as (unit, class it takes people from) pairs."""
        hidden = allowed.units & ~state.units
        if not hidden.any():
            return
        cells = self.cells
        count = len(classes.size)
        # People outside every released unit form no class; a unit shown above them gathers
        # them into one (all unsplit), which needs k like any other.
        of_cell = np.where(classes.of_cell >= 0, classes.of_cell, count)
        size = np.r_[classes.size, np.zeros(1, dtype=np.int64)]
        chain = self.cell_ancestors  # (cells, levels)
        position = classes.unit_position[cells.unit]
        depth = np.where(position >= 0, self.tree.depth[np.maximum(position, 0)], -1)
        levels = np.arange(chain.shape[1])[None, :]
        between = (chain >= 0) & (levels > depth[:, None])  # hidden units under the position
        between &= hidden[np.maximum(chain, 0)]
        rows, columns = np.nonzero(between)
        if not len(rows):
            return
        unit = chain[rows, columns]
        key = unit * (count + 1) + of_cell[rows]
        pairs, inverse = unique_inverse(key)
        moved = np.bincount(inverse, weights=cells.size[rows], minlength=len(pairs))
        pair_unit = pairs // (count + 1)
        pair_of = pairs % (count + 1)
        rest = size[pair_of] - moved
        bad = (moved < k) | ((pair_of < count) & (rest > 0) & (rest < k))
        failing = np.zeros(self.tree.size, dtype=bool)
        failing[pair_unit[bad]] = True
        fine = ~failing[pair_unit]
        pair_gid.append(pair_unit[fine])
        pair_class.append(pair_of[fine])

    def show(self, state: ReleaseState, gids: IntArray) -> None:
        state.units[gids[gids < self.tree.size]] = True
        for d, values in enumerate(self.value_counts):
            mine = gids[(gids >= self.offsets[d]) & (gids < self.offsets[d + 1])] - self.offsets[d]
            state.filters[d][mine // values, mine % values] = True

    # --- the greedy's moves ------------------------------------------------------

    def choose_moves(self, state: ReleaseState, classes: Classes, small: IntArray) -> IntArray:
        """For each small class, the cheapest set of released groups whose hiding merges it."""
        moves = _Moves(self.tree.size)
        split = classes.split
        unit_position = classes.unit_position
        filter_cost_sum = np.zeros(self.tree.size)
        for released, price in zip(state.filters, self.filter_cost, strict=True):
            filter_cost_sum += np.where(released, price, 0.0).sum(axis=1)
        keys = classes.key
        dims = range(len(self.value_counts))
        position = classes.position[small]

        def exists(candidate: IntArray) -> BoolArray:
            where = np.searchsorted(keys, candidate)
            where = np.minimum(where, len(keys) - 1)
            return keys[where] == candidate

        # Only classes near a small one matter below; late rounds have few small classes.
        at_small = np.zeros(self.tree.size, dtype=bool)
        at_small[position] = True
        near = np.flatnonzero(at_small[classes.position])

        # Filter moves, least valued dimension first so that ties hide it first.
        for d in reversed(dims):
            bucket = classes.bucket[d]
            values = self.value_counts[d]
            # In: drop this class's own value along its chain; it joins its unit's others.
            chosen = small[bucket[small] != UNSPLIT]
            if len(chosen):
                wild = [
                    classes.bucket[e][near] if e != d else np.full(len(near), values) for e in dims
                ]
                wild_key = np.sort(self.encode(classes.position[near], wild))
                mine = [
                    classes.bucket[e][chosen] if e != d else np.full(len(chosen), values)
                    for e in dims
                ]
                mine_key = self.encode(classes.position[chosen], mine)
                twins = np.searchsorted(wild_key, mine_key, side="right") - np.searchsorted(
                    wild_key, mine_key, side="left"
                )
                self.add_filter_moves(
                    moves, state, d, chosen, classes.bucket[d][chosen], classes, twins < 2
                )
            # Out: for an unsplit class, drop a value released on its chain so that the
            # people with that value join it (at once if they differ in nothing else).
            unsplit = small[bucket[small] == UNSPLIT]
            for value in range(values):
                found = unsplit[split[d][classes.position[unsplit], value]]
                if not len(found):
                    continue
                target = [
                    classes.bucket[e][found] if e != d else np.full(len(found), value) for e in dims
                ]
                lone = ~exists(self.encode(classes.position[found], target))
                self.add_filter_moves(
                    moves, state, d, found, np.full(len(found), value), classes, lone
                )

        # Unit moves. Where would a class go if its position were hidden?
        def coarsened(members: IntArray) -> tuple[IntArray, IntArray]:
            parent = self.tree.parent[classes.position[members]]
            above = np.where(parent < 0, -1, unit_position[np.maximum(parent, 0)])
            coarse = [
                np.where(
                    (classes.bucket[d][members] != UNSPLIT)
                    & (above >= 0)
                    & split[d][np.maximum(above, 0), np.maximum(classes.bucket[d][members], 0)],
                    classes.bucket[d][members],
                    UNSPLIT,
                )
                for d in dims
            ]
            return above, self.encode(above, coarse)

        small_above, small_coarse = coarsened(small)
        # Classes that would land where a small one lands: their positions share its parent.
        lands = np.zeros(self.tree.size + 1, dtype=bool)
        lands[small_above + 1] = True
        parent_all = self.tree.parent[classes.position]
        above_all = np.where(parent_all < 0, -1, unit_position[np.maximum(parent_all, 0)])
        _, sibling_coarse = coarsened(np.flatnonzero(lands[above_all + 1]))
        sibling_coarse = np.sort(sibling_coarse)
        together = np.searchsorted(sibling_coarse, small_coarse, side="right") - np.searchsorted(
            sibling_coarse, small_coarse, side="left"
        )
        # In: hide the class's own position (with its breakdowns); last resort for the root.
        merges = (together >= 2) | exists(small_coarse)
        moves.add(
            small,
            [position],
            filter_cost_sum[position],
            lone=~merges,
            penalty=np.where(small_above < 0, FALLBACK_PENALTY, 0.0),
        )
        # Out: hide released units below the class so that people of a deeper class join it:
        # the unit just below, or a deeper one with the released units in between (remainders
        # then pool where they are instead of climbing the tree).
        chain_all = self.tree.ancestors[classes.position]
        under = np.flatnonzero(((chain_all >= 0) & at_small[np.maximum(chain_all, 0)]).any(axis=1))
        chain = chain_all[under]  # (classes under a small one, levels)
        safe = np.maximum(chain, 0)
        released_chain = (chain >= 0) & state.units[safe]
        depth = self.tree.depth[classes.position[under]]
        small_keys = keys[small]
        for level in range(chain.shape[1] - 1):
            pick = np.flatnonzero(released_chain[:, level] & (depth > level))
            if not len(pick):
                continue
            deeper = under[pick]
            above = chain[pick, level]
            coarse = [
                np.where(
                    (classes.bucket[d][deeper] != UNSPLIT)
                    & split[d][above, np.maximum(classes.bucket[d][deeper], 0)],
                    classes.bucket[d][deeper],
                    UNSPLIT,
                )
                for d in dims
            ]
            joined = self.encode(above, coarse)
            where = np.minimum(np.searchsorted(small_keys, joined), len(small_keys) - 1)
            hit = small_keys[where] == joined
            if not hit.any():
                continue
            donors = pick[hit]
            beyond = np.arange(chain.shape[1]) > level
            path = np.where(released_chain[donors] & beyond, chain[donors], -1)
            extra = np.where(path >= 0, filter_cost_sum[np.maximum(path, 0)], 0.0).sum(axis=1)
            moves.add(small[where[hit]], [path.T], extra)
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
    """Candidate moves: an owner (small class), the groups the move hides, and its pricing."""

    def __init__(self, unit_count: int) -> None:
        self.unit_count = unit_count
        self.owners: list[IntArray] = []
        self.groups: list[IntArray] = []  # (moves, width) with -1 for unused slots
        self.extra: list[NDArray[np.float64]] = []
        self.scale: list[NDArray[np.float64]] = []
        self.offset: list[NDArray[np.float64]] = []

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
        useful = (stacked >= 0).any(axis=1)  # a move must hide something
        if not useful.all():
            owners, stacked = owners[useful], stacked[useful]
            extra = np.asarray(extra)[useful]
            lone = None if lone is None else lone[useful]
            penalty = None if penalty is None else penalty[useful]
        lone = np.zeros(len(owners), dtype=bool) if lone is None else lone
        self.owners.append(owners)
        self.groups.append(stacked)
        self.extra.append(np.asarray(extra, dtype=np.float64))
        self.scale.append(np.where(lone, LONE_FACTOR, 1.0))
        self.offset.append(np.where(lone, LONE_EXTRA, 0.0) + (0.0 if penalty is None else penalty))

    def pick(self, group_cost: NDArray[np.float64], group_count: int) -> IntArray:
        """The groups of each owner's cheapest move, costs shared among the owners choosing them.

        A group that many small classes choose (a large filter cell high in the tree) costs
        each of them its share; a group only one class chooses costs that class its full price.
        Shares start from every class that could use the group and are then recomputed from
        the classes that actually chose it, until the choices settle: a big group is hidden
        only when, shared among its choosers, it is each one's cheapest way out.
        """
        owners = np.concatenate(self.owners)
        if not len(owners):
            return np.zeros(0, dtype=np.int64)
        width = max(g.shape[1] for g in self.groups)
        groups = np.full((len(owners), width), -1, dtype=np.int64)
        row = 0
        for chunk in self.groups:
            groups[row : row + len(chunk), : chunk.shape[1]] = chunk
            row += len(chunk)
        extra = np.concatenate(self.extra)
        scale = np.concatenate(self.scale)
        offset = np.concatenate(self.offset)
        owner_count = int(owners.max()) + 1
        move_of_entry, column = np.nonzero(groups >= 0)
        gid = groups[move_of_entry, column]
        entry_owner = owners[move_of_entry]
        # Classes that could use each group. Only units recur among one owner's moves (deeper
        # donors share the units in between), so only they need deduplicating.
        demand = np.bincount(gid, minlength=group_count)
        unit = gid < self.unit_count
        repeated = entry_owner[unit] * self.unit_count + gid[unit]
        demand[: self.unit_count] = np.bincount(
            distinct(repeated) % self.unit_count, minlength=self.unit_count
        )
        price = group_cost[gid]
        moves = np.arange(len(owners))
        chosen_moves = np.zeros(0, dtype=np.int64)
        for _ in range(SHARE_ROUNDS):
            shared = price / demand[gid]
            cost = extra + np.bincount(move_of_entry, weights=shared, minlength=len(owners))
            cost = cost * scale + offset
            lowest = np.full(owner_count, np.inf)
            np.minimum.at(lowest, owners, cost)
            best = np.flatnonzero(cost <= lowest[owners])
            # Ties go to the move offered first.
            first = np.full(owner_count, len(owners))
            np.minimum.at(first, owners[best], moves[best])
            picked = first[first < len(owners)]
            if np.array_equal(picked, chosen_moves):
                break
            chosen_moves = picked
            chosen = np.zeros(len(owners), dtype=bool)
            chosen[picked] = True
            # One move per owner, and no move names a group twice: no pairs to deduplicate.
            choosers = np.bincount(gid[chosen[move_of_entry]], minlength=group_count)
            demand = np.minimum(demand, np.maximum(choosers, 1))
        selected = groups[chosen_moves]
        return np.asarray(distinct(selected[selected >= 0]), dtype=np.int64)


def protected_classes(factors: IntArray, size: IntArray, k: int) -> BoolArray:
    """Classes that no set of 1 to k-1 respondents worked out from the release can contain.

    Every released number is a sum over classes, and the released groups' indicators span
    exactly the vectors ``x[c] = a[position(c)] + sum over d of b_d[level_d(c)]``: a table
    with main effects only, whose factors are a class's position and, per dimension, its
    level — the value it shows with the deepest unit releasing that value on its chain, or
    one shared level for values not split. ``factors`` holds each class's level per factor.

    A set of fewer than k respondents that can be worked out is such a vector, 0 or 1 on each
    class; call it dangerous. A class is *trusted* when every dangerous vector is 0 on it —
    to begin with, every class of k or more. Two trusted classes that differ in one factor
    only force equal weights on their two levels in every dangerous vector; levels linked
    by a chain of such pairs form a component. Classes with the same component in every
    factor take the same value in every dangerous vector, so such a group is trusted when
    one of its classes is, or when together they hold k or more (a dangerous vector cannot
    be 1 on all of them). Trusting more links more; this repeats until nothing changes.
    When every class is trusted, the only dangerous vector is zero: nothing below k can be
    worked out, however the released numbers are combined.
    """
    return _protection(factors, size, k)[0]


def _protection(factors: IntArray, size: IntArray, k: int) -> tuple[BoolArray, IntArray]:
    """:func:`protected_classes`, and the components it linked: per factor, each class's
    component. Every dangerous vector takes one weight per component (see
    :func:`unprotected_classes`)."""
    count = factors.shape[1]
    if not count:
        return np.ones(0, dtype=bool), np.zeros(factors.shape, dtype=np.int64)
    codes = np.array([_dense(f) for f in factors], dtype=np.int64)
    sizes = codes.max(axis=1) + 1
    factor_count = len(codes)
    # Per factor, each class's run: the classes that agree with it on every other factor.
    runs = []
    for f in range(factor_count):
        rest = [g for g in range(factor_count) if g != f]
        runs.append(_tuple_ids(codes[rest], sizes[rest]) if rest else np.zeros(count, np.int64))
    # Trust only grows, so components only merge: each round links just the classes trusted
    # since the last one, each to the level of one trusted class of its run (its anchor),
    # which joins every trusted level of a run as linking them pairwise would.
    labels = [np.arange(levels, dtype=np.int64) for levels in sizes.tolist()]
    anchors = [np.full(int(run.max()) + 1, -1, dtype=np.int64) for run in runs]
    trusted = size >= k
    newly = np.flatnonzero(trusted)
    while True:
        for f in range(factor_count):
            run, level = runs[f][newly], codes[f][newly]
            anchor = anchors[f]
            unanchored = anchor[run] < 0
            anchor[run[unanchored]] = level[unanchored]
            other = anchor[run]
            linked = other != level
            labels[f] = merge_components(labels[f], level[linked], other[linked])
        components = np.array([labels[f][codes[f]] for f in range(factor_count)])
        key = _tuple_ids(components, sizes)
        held = np.bincount(key, weights=size, minlength=count) >= k
        held |= np.bincount(key, weights=trusted, minlength=count) > 0
        widened = held[key]
        if widened.all() or np.array_equal(widened, trusted):
            return widened, components
        newly = np.flatnonzero(widened & ~trusted)
        trusted = widened


def unprotected_classes(factors: IntArray, size: IntArray, k: int) -> BoolArray:
    """Per class, whether it may be in a set of 1 to k-1 respondents that the release
    isolates: the classes the proof (:func:`protected_classes`) leaves unproven, narrowed
    by the complete test (:func:`.isolation.isolated_sets`) to those of a set it isolates
    when the table is small enough to test.

    The proof's work shrinks the table first. A dangerous vector is 0 on every class the
    proof trusts, so within each component it linked, a factor's levels take one weight:
    the levels of a component become one level, the trusted classes with the same levels
    one class, and only the unproven classes can be in a set. The table's span shrinks,
    but never loses a dangerous vector, and a set isolated in it is isolated in the whole.
    """
    trusted, components = _protection(factors, size, k)
    if trusted.all():
        return np.zeros(len(trusted), dtype=bool)
    unproven = np.flatnonzero(~trusted)
    held = np.flatnonzero(trusted)
    keys = _combined(components[:, held], components.max(axis=1) + 1)
    kept = np.r_[unproven, held[np.unique(keys, return_index=True)[1]]]
    kept_size = np.where(trusted[kept], k, size[kept])
    found = isolated_sets(components[:, kept], kept_size, k)
    if not found.decided:
        return ~trusted
    exposed = np.zeros(len(trusted), dtype=bool)
    exposed[kept] = found.classes(len(kept))
    return exposed


def protected_by_branch(factors: IntArray, size: IntArray, branch: IntArray, k: int) -> BoolArray:
    """:func:`protected_classes` with every branch proved on its own: each class's levels
    become its branch's own copies, so no level links two branches. Sound for the whole
    table: a dangerous vector of the whole, cut to one branch, is 0 or dangerous there."""
    if not factors.shape[1]:
        return np.ones(0, dtype=bool)
    own = _dense(branch)
    branches = int(own.max()) + 1
    apart = []
    for levels in factors:
        code = _dense(levels)
        count = int(code.max()) + 1
        # Only a level that classes of two branches use needs copies (the unsplit level, a
        # system-wide value); the others already belong to one branch. Fewer, denser levels.
        low = np.full(count, branches, dtype=np.int64)
        high = np.full(count, -1, dtype=np.int64)
        np.minimum.at(low, code, own)
        np.maximum.at(high, code, own)
        shared = np.flatnonzero(low[code] != high[code])
        if len(shared):
            code[shared] = count + _dense(code[shared]) * branches + own[shared]
        apart.append(code)
    return protected_classes(np.array(apart, dtype=np.int64), size, k)


def _dense(values: IntArray) -> IntArray:
    """Each value's rank among the distinct values: 0, 1, 2… (a table where the values span
    a small range, as levels do; a sort where they do not)."""
    low = int(values.min())
    if int(values.max()) - low > 8 * len(values):
        return unique_inverse(values)[1]
    present = np.zeros(int(values.max()) - low + 1, dtype=np.int64)
    present[values - low] = 1
    return (np.cumsum(present) - 1)[values - low]


def _combined(keys: IntArray, sizes: IntArray) -> IntArray:
    """One integer per column of ``keys`` (rows of codes below ``sizes``) that sorts like the
    column, first row first, and whose last row is its remainder by the last size."""
    combined = np.zeros(keys.shape[1], dtype=np.int64)
    bound = 1
    for row, levels in zip(keys, sizes.tolist(), strict=True):
        if bound * levels >= 2**62:  # renumber the rows so far, in order, to stay in 63 bits
            combined = unique_inverse(combined)[1]
            bound = int(combined.max()) + 1
        combined = combined * levels + row
        bound *= levels
    return combined


def _tuple_ids(keys: IntArray, sizes: IntArray) -> IntArray:
    """Per column of ``keys``, the rank of its tuple among the distinct tuples."""
    return unique_inverse(_combined(keys, sizes))[1]


def distinct(values: NDArray[np.generic]) -> NDArray[np.generic]:
    """The sorted distinct values. (np.unique without return arrays may hash, which is far
    slower on wide integer keys.)"""
    ordered = np.sort(values)
    if len(ordered) < 2:
        return ordered
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]]


def unique_inverse(values: IntArray) -> tuple[IntArray, IntArray]:
    """The sorted distinct values, and for each input its index among them."""
    # Stable, a merge sort: not for ties, but because keys here mostly arrive in sorted runs
    # (classes by position), which it uses; about twice as fast as the default here.
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.r_[True, ordered[1:] != ordered[:-1]] if len(ordered) else np.zeros(0, bool)
    inverse = np.empty(len(values), dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    return ordered[first], inverse


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


def releasable_groups(
    parent: IntArray, members: IntArray, minimum: IntArray, k: int
) -> tuple[BoolArray, IntArray]:
    """Which groups of a forest of nested groups may be shown, and each group's size.

    A node's people are those placed directly in it (``members``: one node per person) and
    everyone in its children. ``minimum`` is the least number of people each node is shown
    with (a total may need more than ``k``; a node never shown, such as a forest's common
    root, takes a number above everyone). Groups below their minimum are hidden, then the
    closure hides more until every class holds 0 or at least ``k`` people, so no group of 1
    to k-1 can be worked out by subtracting shown groups from one another. A leader's 360
    uses it for its rater groups, one small tree per competency and behaviour.
    """
    index = TreeIndex.build(np.asarray(parent, dtype=np.int64))
    cells, _ = Cells.from_rows(np.asarray(members, dtype=np.int64), [], [])
    direct = np.bincount(cells.unit, weights=cells.size, minlength=index.size)
    size = index.subtree_sum(direct).astype(np.int64)
    closure = Closure(index, cells, (), size, [])
    primary = ReleaseState((size >= np.maximum(minimum, k)) & (size > 0), [])
    state, _ = closure.close(primary, k)
    return state.units, size
