"""The insights engine: a cycle's answers in, released results out.

``release_results`` counts every group — each unit's whole subtree, alone and crossed with
one filter dimension value at a time — decides which groups may be shown (primary and
complementary suppression, closed against earlier releases of the cycle), and returns a
:class:`Report`. Numbers exist in the report only for released groups: a hidden group carries
a reason in plain words and nothing else.

Pure NumPy, no Django: the survey side turns stored responses into :class:`CycleData`.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.insights.data import (
    MISSING,
    Comment,
    CycleData,
    Dimension,
    InsightsInputError,
    InstrumentMeta,
    UnitTree,
    validate,
)
from accord.insights.ledger import ReleaseRecord, close_against_ledger, record_release
from accord.insights.suppression import (
    Cells,
    Closure,
    ReleaseState,
    TreeIndex,
    primary_state,
)

DEFAULT_MINIMUM_GROUP_SIZE = 5
DEFAULT_COMMENT_MINIMUM = 10
SMALLEST_MINIMUM_GROUP_SIZE = 3

BELOW_MINIMUM = "below_minimum"
PROTECTS_SMALLER_GROUP = "protects_smaller_group"
UNIT_HIDDEN = "unit_hidden"
CHANGED_SINCE_RELEASE = "changed_since_release"
TOO_FEW_COMMENTS = "too_few_comments"

REASONS = {
    BELOW_MINIMUM: "Fewer than {k} people answered in this group, so its results are not shown.",
    PROTECTS_SMALLER_GROUP: (
        "Hidden so that a group of fewer than {k} people cannot be worked out by subtracting "
        "results that are shown from one another."
    ),
    UNIT_HIDDEN: "The unit as a whole is hidden, so its breakdowns are hidden too.",
    TOO_FEW_COMMENTS: "Fewer than {k} comments were written in this group, so none are shown.",
    CHANGED_SINCE_RELEASE: (
        "Too few answers have changed since this cycle's results were first released to show "
        "new figures without revealing the changed answers; the earlier figures stand."
    ),
}


@dataclass(frozen=True)
class ReleasePolicy:
    minimum_group_size: int = DEFAULT_MINIMUM_GROUP_SIZE
    comment_minimum: int = DEFAULT_COMMENT_MINIMUM

    def __post_init__(self) -> None:
        if self.minimum_group_size < SMALLEST_MINIMUM_GROUP_SIZE:
            raise InsightsInputError(
                f"the minimum group size cannot be below {SMALLEST_MINIMUM_GROUP_SIZE}"
            )
        if self.comment_minimum < self.minimum_group_size:
            raise InsightsInputError("the comment minimum cannot be below the minimum group size")


@dataclass(frozen=True)
class UnitInfo:
    index: int
    id: str
    path: str  # materialised path of ids, "/root/child/"
    parent_path: str | None
    direct_invited: int


@dataclass(frozen=True)
class DimensionInfo:
    name: str
    values: tuple[str, ...]  # the values offered as filters (never "not recorded")


@dataclass(frozen=True)
class GroupResult:
    """One group: a unit's subtree, optionally narrowed to one dimension value.

    Released groups carry ``respondents`` and ``row`` (their row in the report's arrays);
    hidden ones carry ``reason_code`` and ``reason`` and no numbers at all.
    """

    unit: int
    unit_path: str
    dimension: str | None
    value: str | None
    released: bool
    respondents: int | None = None
    invited: int | None = None
    response_rate: float | None = None
    row: int | None = None
    reason_code: str | None = None
    reason: str | None = None

    @property
    def filters(self) -> dict[str, str]:
        return {self.dimension: self.value} if self.dimension and self.value else {}


@dataclass(frozen=True)
class ItemResult:
    item: str
    answered: int
    option_counts: dict[int, int]  # raw answer code → count
    favourable_pct: float | None
    mean: float | None  # on the scored scale (reverse-coded items mirrored)


@dataclass(frozen=True)
class CommentList:
    group: int  # index into Report.groups
    item: str
    released: bool
    texts: tuple[str, ...] | None = None  # in a random order, unrelated to submission
    reason_code: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class GroupTable:
    """Every group in report order, as arrays: unit, dimension (-1: whole unit), value code."""

    unit: NDArray[np.int64]
    dimension: NDArray[np.int64]
    value: NDArray[np.int64]
    released: NDArray[np.bool_]
    reason: NDArray[np.int64]  # index into REASON_CODES, -1 when released
    row: NDArray[np.int64]  # row in the statistics arrays, -1 when hidden


REASON_CODES = tuple(REASONS)


@dataclass(frozen=True)
class Report:
    """A cycle's released results.

    ``groups`` lists every group (released or not) in report order: per unit, the whole unit,
    then each dimension's offered values. Per-group numbers live in arrays with one row per
    *released* group (``GroupResult.row``): ``respondents``, ``answered`` (rows x items),
    ``option_counts`` (rows x items x answer code), ``favourable_pct`` and ``mean``
    (rows x items), ``construct_index`` (rows x constructs) and ``outcome_values``
    (rows x outcomes). A value with no answers behind it is NaN.
    """

    minimum_group_size: int
    comment_minimum: int
    tree: UnitTree = field(repr=False)
    dimensions: tuple[DimensionInfo, ...]
    items: tuple[str, ...]
    item_codes: tuple[tuple[int, ...], ...]
    constructs: tuple[str, ...]
    outcomes: tuple[str, ...]
    dimension_labels: tuple[tuple[str, ...], ...]
    table: GroupTable = field(repr=False)
    invited: NDArray[np.int64] = field(repr=False)  # per unit subtree (the org chart's own)
    respondents: NDArray[np.int64] = field(repr=False)
    answered: NDArray[np.int64] = field(repr=False)
    option_counts: NDArray[np.int64] = field(repr=False)
    favourable_pct: NDArray[np.float64] = field(repr=False)
    mean: NDArray[np.float64] = field(repr=False)
    construct_index: NDArray[np.float64] = field(repr=False)
    outcome_values: NDArray[np.float64] = field(repr=False)
    comments: tuple[CommentList, ...] = ()
    ledger_entry: ReleaseRecord | None = None
    suppression_rounds: int = 0

    @functools.cached_property
    def units(self) -> tuple[UnitInfo, ...]:
        return _unit_infos(self.tree)

    @functools.cached_property
    def groups(self) -> tuple[GroupResult, ...]:
        t = self.table
        k = self.minimum_group_size
        reasons = [_reason(code, k) for code in REASON_CODES]
        names = [d.name for d in self.dimensions]
        respondents = self.respondents.tolist()
        invited = self.invited.tolist()
        result = []
        for unit, d, value, shown, reason, row in zip(
            t.unit.tolist(), t.dimension.tolist(), t.value.tolist(), t.released.tolist(),
            t.reason.tolist(), t.row.tolist(), strict=True,
        ):  # fmt: skip
            path = self.units[unit].path
            dimension = names[d] if d >= 0 else None
            label = self.dimension_labels[d][value] if d >= 0 else None
            if not shown:
                code = REASON_CODES[reason]
                result.append(
                    GroupResult(
                        unit,
                        path,
                        dimension,
                        label,
                        False,
                        reason_code=code,
                        reason=reasons[reason],
                    )
                )
            elif d >= 0:
                result.append(
                    GroupResult(unit, path, dimension, label, True, respondents[row], row=row)
                )
            else:
                rate = respondents[row] / invited[unit] if invited[unit] >= k else None
                count = respondents[row]
                result.append(
                    GroupResult(unit, path, None, None, True, count, invited[unit], rate, row=row)
                )
        return tuple(result)

    @functools.cached_property
    def _group_index(self) -> dict[tuple[int, str | None, str | None], int]:
        return {(g.unit, g.dimension, g.value): i for i, g in enumerate(self.groups)}

    def group(
        self, unit: int, dimension: str | None = None, value: str | None = None
    ) -> GroupResult:
        return self.groups[self._group_index[(unit, dimension, value)]]

    def released_groups(self) -> list[GroupResult]:
        return [group for group in self.groups if group.released]

    def item_results(self, group: GroupResult) -> tuple[ItemResult, ...]:
        if group.row is None:
            raise ValueError("a hidden group has no results")
        row = group.row
        return tuple(
            ItemResult(
                item=item,
                answered=int(self.answered[row, j]),
                option_counts={c: int(self.option_counts[row, j, c]) for c in codes},
                favourable_pct=_optional(self.favourable_pct[row, j]),
                mean=_optional(self.mean[row, j]),
            )
            for j, (item, codes) in enumerate(zip(self.items, self.item_codes, strict=True))
        )

    def construct_results(self, group: GroupResult) -> dict[str, float | None]:
        if group.row is None:
            raise ValueError("a hidden group has no results")
        return {
            name: _optional(self.construct_index[group.row, c])
            for c, name in enumerate(self.constructs)
        }

    def outcome_results(self, group: GroupResult) -> dict[str, float | None]:
        if group.row is None:
            raise ValueError("a hidden group has no results")
        return {
            name: _optional(self.outcome_values[group.row, o])
            for o, name in enumerate(self.outcomes)
        }


def _optional(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def release_results(
    data: CycleData,
    tree: UnitTree,
    dimensions: Sequence[Dimension],
    instrument: InstrumentMeta,
    policy: ReleasePolicy | None = None,
    previous_releases: Sequence[ReleaseRecord] = (),
    comment_seed: int | None = None,
) -> Report:
    """Every group's results, released only where no group below the minimum can be derived.

    ``previous_releases`` are the ledger entries of earlier releases of the same cycle; the
    new release is closed against them (they need ``data.response_ids``). ``comment_seed``
    fixes the comment order for tests; by default it is fresh randomness.
    """
    return _release(
        data,
        tree,
        dimensions,
        instrument,
        policy or ReleasePolicy(),
        previous_releases,
        comment_seed,
        complementary=True,
    )


@dataclass
class _Headcounts:
    """Respondents per unit subtree and per unit subtree x dimension value."""

    units: NDArray[np.int64]  # (units,)
    filters: list[NDArray[np.int64]]  # per dimension (units, values)


def _release(
    data: CycleData,
    tree: UnitTree,
    dimensions: Sequence[Dimension],
    instrument: InstrumentMeta,
    policy: ReleasePolicy,
    previous_releases: Sequence[ReleaseRecord],
    comment_seed: int | None,
    *,
    complementary: bool,
    exact: bool = True,
) -> Report:
    """The engine. ``complementary=False`` exists only so tests can show what it prevents,
    ``exact=False`` so tests and benchmarks can set the exact rule beside the class rule."""
    validate(data, tree, dimensions, instrument)
    if previous_releases and data.response_ids is None:
        raise InsightsInputError("a re-release needs the response ids of this release")
    k = policy.minimum_group_size
    index = TreeIndex.build(tree.parent)
    value_counts = [len(dimension.labels) for dimension in dimensions]
    offered = [
        np.isin(np.arange(len(dimension.labels)), dimension.offered) for dimension in dimensions
    ]
    cells, cell_of_respondent = Cells.from_rows(
        data.unit, [data.attributes[d.name] for d in dimensions], value_counts
    )
    headcounts = _headcounts(cells, index, value_counts)
    closure = Closure(index, cells, value_counts, headcounts.units, headcounts.filters)
    primary = primary_state(headcounts.units, headcounts.filters, offered, k)
    state, rounds = closure.close(primary, k, exact=exact) if complementary else (primary.copy(), 0)
    before_ledger = state.copy()
    if previous_releases:
        assert data.response_ids is not None
        state, _ = close_against_ledger(
            closure, state, k, cell_of_respondent, np.asarray(data.response_ids), previous_releases
        )
    ledger_entry = None
    if data.response_ids is not None:
        ledger_entry = record_release(
            closure, state, cell_of_respondent, np.asarray(data.response_ids), k
        )

    table = _group_table(dimensions, headcounts, primary, before_ledger, state, k)
    released = table.released
    stats = _statistics(_tally(data, index, dimensions, instrument, table), instrument)
    invited = index.subtree_sum(tree.direct_invited)
    respondents = np.where(
        table.dimension[released] < 0,
        headcounts.units[table.unit[released]],
        0,
    )
    for d in range(len(dimensions)):
        mine = table.dimension[released] == d
        respondents[mine] = headcounts.filters[d][
            table.unit[released][mine], table.value[released][mine]
        ]
    report = Report(
        minimum_group_size=k,
        comment_minimum=policy.comment_minimum,
        tree=tree,
        dimensions=tuple(
            DimensionInfo(d.name, tuple(d.labels[c] for c in d.offered)) for d in dimensions
        ),
        items=tuple(item.id for item in instrument.items),
        item_codes=tuple(item.codes for item in instrument.items),
        constructs=instrument.constructs,
        outcomes=tuple(outcome.id for outcome in instrument.outcomes),
        dimension_labels=tuple(d.labels for d in dimensions),
        table=table,
        invited=invited,
        respondents=respondents,
        comments=(),
        ledger_entry=ledger_entry,
        suppression_rounds=rounds,
        **stats,
    )
    if data.comments:
        comment_lists = _comments(
            data.comments, index, dimensions, table, state, policy, comment_seed,
            complementary,
        )  # fmt: skip
        object.__setattr__(report, "comments", comment_lists)
    return report


def _headcounts(cells: Cells, index: TreeIndex, value_counts: Sequence[int]) -> _Headcounts:
    units = index.subtree_sum(np.bincount(cells.unit, weights=cells.size, minlength=index.size))
    filters = []
    for d, values in enumerate(value_counts):
        direct = np.bincount(
            cells.unit * values + cells.values[d], weights=cells.size, minlength=index.size * values
        )
        filters.append(index.subtree_sum(direct.reshape(index.size, values)).astype(np.int64))
    return _Headcounts(units.astype(np.int64), filters)


def _group_table(
    dimensions: Sequence[Dimension],
    headcounts: _Headcounts,
    primary: ReleaseState,
    before_ledger: ReleaseState,
    final: ReleaseState,
    k: int,
) -> GroupTable:
    """Per unit: the whole unit, then each dimension's offered values, with reasons."""
    units = len(final.units)
    per_unit = [(-1, -1)] + [(d, v) for d, dim in enumerate(dimensions) for v in dim.offered]
    width = len(per_unit)
    dimension = np.tile(np.array([d for d, _ in per_unit], dtype=np.int64), units)
    value = np.tile(np.array([v for _, v in per_unit], dtype=np.int64), units)
    unit = np.repeat(np.arange(units, dtype=np.int64), width)
    released = np.zeros(len(unit), dtype=bool)
    passed_primary = np.zeros(len(unit), dtype=bool)
    passed_closure = np.zeros(len(unit), dtype=bool)
    whole = dimension < 0
    released[whole] = final.units
    passed_primary[whole] = primary.units
    passed_closure[whole] = before_ledger.units
    for d in range(len(dimensions)):
        mine = dimension == d
        released[mine] = final.filters[d][unit[mine], value[mine]]
        passed_closure[mine] = before_ledger.filters[d][unit[mine], value[mine]]
        # A breakdown below the minimum says so even when its unit is hidden as well.
        passed_primary[mine] = headcounts.filters[d][unit[mine], value[mine]] >= k
    unit_shown = final.units[unit] | whole
    code = np.full(len(unit), -1, dtype=np.int64)
    hidden = ~released
    code[hidden] = REASON_CODES.index(CHANGED_SINCE_RELEASE)
    code[hidden & ~passed_closure] = REASON_CODES.index(PROTECTS_SMALLER_GROUP)
    code[hidden & ~unit_shown] = REASON_CODES.index(UNIT_HIDDEN)
    code[hidden & ~passed_primary] = REASON_CODES.index(BELOW_MINIMUM)
    row = np.full(len(unit), -1, dtype=np.int64)
    row[released] = np.arange(int(released.sum()))
    return GroupTable(unit, dimension, value, released, code, row)


@dataclass(frozen=True)
class _Tally:
    """Per released row (and item): what the statistics are computed from."""

    counts: NDArray[np.int32]  # (rows, items, codes + 1): each answer code, then "missing"
    answered: NDArray[np.int64]  # (rows, items)
    favourable: NDArray[np.int64]  # (rows, items)
    score_sum: NDArray[np.float64]  # (rows, items)


def _tally(
    data: CycleData,
    index: TreeIndex,
    dimensions: Sequence[Dimension],
    instrument: InstrumentMeta,
    table: GroupTable,
) -> _Tally:
    """Per released group and item, the count of each answer code, the answered count, the
    favourable count and the sum of scores.

    Per view (each dimension) the respondents fall into cells — one per occupied unit x
    value — numbered value by value in the tree's pre-order, so that every subtree x value is
    a contiguous run of cells and a released group's counts are the difference of two running
    sums. Whole units come from the same tally of the dimension with the fewest values, its
    cells reordered unit first (a whole subtree is then one run), so the whole answer matrix
    is read once; the other views read only the respondents some released group of theirs
    covers. Counting one item at a time, with only the item's own answer codes as columns,
    keeps each tally small enough to stay in cache.
    """
    answers = data.answers
    respondents, items = answers.shape
    highest = [max(item.codes) for item in instrument.items]
    codes = 1 + max(highest)
    if codes > MISSING:
        raise InsightsInputError("answer codes must be below 255")
    width = codes + 1
    # Per item, raw code -> column: its codes 0..highest, then "missing", then "on no scale".
    lookups = []
    scores = []
    for item, top in zip(instrument.items, highest, strict=True):
        lookup = np.full(256, top + 2, dtype=np.intp)
        lookup[: top + 1] = np.arange(top + 1)
        lookup[MISSING] = top + 1
        lookups.append(lookup)
        score = np.zeros(top + 1)
        score[list(item.codes)] = item.scores
        scores.append(score)
    favourable = [list(item.favourable) for item in instrument.items]
    columns = np.ascontiguousarray(answers.T)  # items x respondents, still one byte each
    order, end = index.preorder()
    rank = np.empty(index.size, dtype=np.int64)
    rank[order] = np.arange(index.size)
    unit_rank = rank[np.asarray(data.unit, dtype=np.int64)]
    released = np.flatnonzero(table.released)
    rows_total = len(released)
    result = _Tally(
        np.zeros((rows_total, items, width), dtype=np.int32),
        np.zeros((rows_total, items), dtype=np.int64),
        np.zeros((rows_total, items), dtype=np.int64),
        np.zeros((rows_total, items), dtype=np.float64),
    )
    totals = [np.zeros(top + 3, dtype=np.int64) for top in highest]
    whole = released[table.dimension[released] < 0]
    sizes = [len(dim.labels) for dim in dimensions]
    base = int(np.argmin(sizes)) if dimensions else -1

    views = [(-1, np.zeros(respondents, dtype=np.int64), 1)] if base < 0 else []
    views += [
        (d, np.asarray(data.attributes[dim.name], dtype=np.int64), len(dim.labels))
        for d, dim in enumerate(dimensions)
    ]
    for d, value_of, values in views:
        mine = released[table.dimension[released] == d] if d >= 0 else whole
        reads_all = d == base or d < 0
        if not len(mine) and not reads_all:
            continue
        if reads_all:
            subset = None
            position = value_of * index.size + unit_rank
        else:
            # Only respondents inside some released group of this view count here.
            shown = np.zeros((index.size, values), dtype=bool)
            shown[table.unit[mine], table.value[mine]] = True
            subset = np.flatnonzero(index.top_down(shown)[data.unit, value_of])
            position = value_of[subset] * index.size + unit_rank[subset]
        # Occupied cells in key order, and each respondent's cell (keys are small: no sort).
        occupied = np.zeros(values * index.size, dtype=bool)
        occupied[position] = True
        cell_keys = np.flatnonzero(occupied)
        cell = (np.cumsum(occupied) - 1)[position]
        targets = []
        if len(mine):
            value = table.value[mine] if d >= 0 else np.zeros(len(mine), dtype=np.int64)
            start = value * index.size + rank[table.unit[mine]]
            stop = start + end[table.unit[mine]]
            targets.append(_Target(mine, cell_keys, start, stop, None))
        if d >= 0 and reads_all and len(whole):
            # A whole unit is one run once the cells are ordered by unit first, then value.
            by_unit = (cell_keys % index.size) * values + cell_keys // index.size
            order_by_unit = np.argsort(by_unit)
            start = rank[table.unit[whole]] * values
            stop = start + end[table.unit[whole]] * values
            targets.append(_Target(whole, by_unit[order_by_unit], start, stop, order_by_unit))
        _fill(
            result, table, targets, columns, subset, cell, len(cell_keys),
            lookups, highest, favourable, scores, totals if reads_all else None,
        )  # fmt: skip
    _check_codes(totals, instrument)
    return result


class _Target:
    """Released groups counted in one view: each is the run of cells [lo, hi) in an order of
    the view's cells (``order``; None for the view's own order)."""

    def __init__(
        self,
        groups: NDArray[np.int64],
        keys: NDArray[np.int64],
        start: NDArray[np.int64],
        stop: NDArray[np.int64],
        order: NDArray[np.int64] | None,
    ) -> None:
        self.groups = groups
        self.lo = np.searchsorted(keys, start)
        self.hi = np.searchsorted(keys, stop)
        self.order = order


def _fill(
    result: _Tally,
    table: GroupTable,
    targets: list[_Target],
    columns: NDArray[np.uint8],
    subset: NDArray[np.int64] | None,
    cell: NDArray[np.int64],
    cells: int,
    lookups: list[NDArray[np.intp]],
    highest: list[int],
    favourable: list[list[int]],
    scores: list[NDArray[np.float64]],
    totals: list[NDArray[np.int64]] | None,
) -> None:
    """Count every item of one view, once, for each target's groups."""
    items = len(lookups)
    width = result.counts.shape[2]
    running = np.zeros((max(highest) + 3) * cells + 1, dtype=np.int64)
    blocks = [
        (
            np.zeros((items, width, len(t.groups)), dtype=np.int32),
            np.zeros((items, len(t.groups)), dtype=np.int64),
            np.zeros((items, len(t.groups)), dtype=np.int64),
            np.zeros((items, len(t.groups))),
        )
        for t in targets
    ]
    gathers: dict[tuple[int, int], tuple[NDArray[np.int64], NDArray[np.int64]]] = {}
    for j in range(items):
        top = highest[j]
        answers = columns[j] if subset is None else columns[j, subset]
        tally = np.bincount((lookups[j] * cells)[answers] + cell, minlength=(top + 3) * cells)
        if totals is not None:
            totals[j] += tally.reshape(top + 3, cells).sum(axis=1)
        for t, (target, (counts, answered, liked, score_sum)) in enumerate(
            zip(targets, blocks, strict=True)
        ):
            if (t, top) not in gathers:
                column = (np.arange(top + 2) * cells)[:, None]
                gathers[t, top] = (column + target.hi[None], column + target.lo[None])
            upper, lower = gathers[t, top]
            ordered = tally if target.order is None else tally.reshape(-1, cells)[:, target.order]
            np.cumsum(ordered, out=running[1 : tally.size + 1])
            block = running[upper] - running[lower]  # (top + 2, groups)
            given = block[: top + 1]
            counts[j, : top + 1] = given
            counts[j, -1] = block[top + 1]
            answered[j] = given.sum(axis=0)
            liked[j] = given[favourable[j]].sum(axis=0)
            score_sum[j] = scores[j] @ given
    for target, (counts, answered, liked, score_sum) in zip(targets, blocks, strict=True):
        rows = table.row[target.groups]
        result.counts[rows] = counts.transpose(2, 0, 1)
        result.answered[rows] = answered.T
        result.favourable[rows] = liked.T
        result.score_sum[rows] = score_sum.T


def _check_codes(totals: list[NDArray[np.int64]], instrument: InstrumentMeta) -> None:
    """``totals[j]``: item j's answers per column (its codes, missing, any other code)."""
    for total, item in zip(totals, instrument.items, strict=True):
        top = len(total) - 3
        off_scale = np.ones(top + 1, dtype=bool)
        off_scale[list(item.codes)] = False
        if total[-1] or total[: top + 1][off_scale].any():
            raise InsightsInputError(f"item {item.id!r} has answer codes outside its scale")


def _unit_infos(tree: UnitTree) -> tuple[UnitInfo, ...]:
    paths: list[str] = [""] * len(tree)
    for level in TreeIndex.build(tree.parent).levels:
        for u in level.tolist():
            parent = int(tree.parent[u])
            paths[u] = (paths[parent] if parent >= 0 else "/") + f"{tree.ids[u]}/"
    return tuple(
        UnitInfo(
            index=u,
            id=str(tree.ids[u]),
            path=paths[u],
            parent_path=paths[int(tree.parent[u])] if tree.parent[u] >= 0 else None,
            direct_invited=int(tree.direct_invited[u]),
        )
        for u in range(len(tree))
    )


def _reason(code: str, k: int) -> str:
    return REASONS[code].format(k=k)


def _statistics(tally: _Tally, instrument: InstrumentMeta) -> dict[str, Any]:
    """Per released row: option counts, answered, favourable %, mean, indices and outcomes."""
    rows = len(tally.answered)
    option_counts = tally.counts[:, :, :-1]
    answered = tally.answered
    has_favourable = np.array([bool(item.favourable) for item in instrument.items], dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        denominator = np.where(answered > 0, answered, np.nan)
        favourable = tally.favourable / denominator * 100
        favourable[:, ~has_favourable] = np.nan
        mean = tally.score_sum / denominator
        constructs = instrument.constructs
        present = ~np.isnan(favourable)
        known = np.where(present, favourable, 0.0)
        construct_index = np.full((rows, len(constructs)), np.nan)
        for c, name in enumerate(constructs):
            mine = [
                j
                for j, item in enumerate(instrument.items)
                if item.construct == name and item.favourable
            ]
            if mine:
                counted = present[:, mine].sum(axis=1)
                total = known[:, mine].sum(axis=1)
                construct_index[:, c] = np.where(
                    counted > 0, total / np.maximum(counted, 1), np.nan
                )
        outcome_values = np.full((rows, len(instrument.outcomes)), np.nan)
        for o, outcome in enumerate(instrument.outcomes):
            j = outcome.item
            numerator = option_counts[:, j, list(outcome.counted)].sum(axis=1)
            if outcome.subtracted:
                numerator = numerator - option_counts[:, j, list(outcome.subtracted)].sum(axis=1)
            outcome_values[:, o] = numerator / denominator[:, j] * 100
    return {
        "answered": answered,
        "option_counts": option_counts,
        "favourable_pct": favourable,
        "mean": mean,
        "construct_index": construct_index,
        "outcome_values": outcome_values,
    }


def _comments(
    comments: Sequence[Comment],
    index: TreeIndex,
    dimensions: Sequence[Dimension],
    table: GroupTable,
    answer_state: ReleaseState,
    policy: ReleasePolicy,
    seed: int | None,
    complementary: bool,
) -> tuple[CommentList, ...]:
    """Comment lists per released group and open item, closed with the comment minimum.

    Comments are their own unknowns (texts, not answer rows), so they get their own classes:
    a list is shown only for a group whose answers are shown, with at least the comment
    minimum of comments, and only while no class of comments falls below that minimum.
    """
    if not comments:
        return ()
    k = policy.comment_minimum
    rng = np.random.default_rng(seed if seed is not None else secrets.randbits(64))
    value_counts = [len(d.labels) for d in dimensions]
    offered = [np.isin(np.arange(len(d.labels)), d.offered) for d in dimensions]
    results: list[CommentList] = []
    for item in sorted({c.item for c in comments}):
        mine = [c for c in comments if c.item == item]
        unit = np.array([c.unit for c in mine], dtype=np.int64)
        values = [
            np.array([c.attributes[d.name] for c in mine], dtype=np.int64) for d in dimensions
        ]
        cells, _ = Cells.from_rows(unit, values, value_counts)
        unit_size = index.subtree_sum(np.bincount(unit, minlength=index.size))
        filter_size = [
            index.subtree_sum(
                np.bincount(unit * v + codes, minlength=index.size * v).reshape(index.size, v)
            )
            for v, codes in zip(value_counts, values, strict=True)
        ]
        start = primary_state(unit_size, filter_size, offered, k)
        start.units &= answer_state.units
        for released, answers_shown in zip(start.filters, answer_state.filters, strict=True):
            released &= answers_shown
        closure = Closure(index, cells, value_counts, unit_size, filter_size)
        # The class rule, not the exact one: lists of texts can be intersected, not only
        # added and subtracted, so every class of comments must hold the minimum.
        state, _ = closure.close(start, k) if complementary else (start.copy(), 0)
        texts = np.array([c.text for c in mine], dtype=object)
        # Each comment sits in its unit and every ancestor: list them by ancestor, once.
        ancestors = index.ancestors[unit]
        level_of = np.nonzero(ancestors >= 0)
        holder = ancestors[level_of]
        comment = level_of[0]
        order = np.argsort(holder, kind="stable")
        holder, comment = holder[order], comment[order]
        bounds = np.searchsorted(holder, np.arange(index.size + 1))
        for i, u, d, code in zip(
            np.flatnonzero(table.released).tolist(),
            table.unit[table.released].tolist(),
            table.dimension[table.released].tolist(),
            table.value[table.released].tolist(),
            strict=True,
        ):
            members = comment[bounds[u] : bounds[u + 1]]
            if d < 0:
                shown, was_primary = bool(state.units[u]), bool(start.units[u])
            else:
                shown = bool(state.filters[d][u, code])
                was_primary = bool(start.filters[d][u, code])
                members = members[values[d][members] == code]
            if shown:
                chosen = texts[members][rng.permutation(len(members))]
                results.append(CommentList(i, item, True, tuple(chosen.tolist())))
            else:
                reason = TOO_FEW_COMMENTS if not was_primary else PROTECTS_SMALLER_GROUP
                results.append(
                    CommentList(i, item, False, reason_code=reason, reason=_reason(reason, k))
                )
    return tuple(results)
