"""Trends: what changed since the previous cycle, for the same unit and group.

Two stored releases are compared group by group: the same unit (matched by unit id, so a
unit keeps its history across re-organisations of the tree around it) and the same filter
(dimension and value, or the whole unit). A group is compared only when it is released in
*both* cycles: each figure is then one the release already shows, so a trend reveals nothing
new about anyone.

When a change counts as real. A change is marked only when it is larger than the noise: a
two-proportion z-test at 95% (|z| > 1.96) on the favourable counts of the two cycles, with
the two cycles' answers treated as independent samples (many of the same people answer both
times, which makes the test cautious rather than bold).

* Items: favourable answers out of answered, per cycle.
* Constructs: the index is the mean of its items' favourable shares; the test pools the
  items' favourable and answered counts into one share per cycle. Counting every answer as a
  separate person would overstate the sample, since one person answers all the items of a
  construct and their answers go together; the test therefore uses the average number of
  people who answered an item of the construct as the sample size. This is an
  approximation: it is cautious when a person's answers agree, as they usually do.
* Outcomes that are shares (burnout, intent to leave, feeling valued): the same test on the
  outcome item's counted answers. The employee net promoter score is a difference of two
  shares; it is tested as a difference of means of a score of +1 (promoter), 0 or -1
  (detractor), with each cycle's own variance.

Construct and outcome tests need the instrument (which items make a construct, which answers
an outcome counts); without it their changes are shown but never marked.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from accord.insights.data import InstrumentMeta
from accord.insights.engine import Report

Z_95 = 1.96

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Change:
    """One figure in both cycles and the change in points (current - previous).

    ``z`` is the test statistic (None when it cannot be tested); ``real`` is True only when
    the change is larger than the noise (|z| > 1.96). A figure is None when nobody answered.
    """

    key: str
    current: float | None
    previous: float | None
    change: float | None
    z: float | None
    real: bool

    @property
    def direction(self) -> str:
        """Whether a marked change went "up" or "down"; "same" for any change not marked."""
        if not self.real or self.change is None or self.change == 0:
            return "same"
        return "up" if self.change > 0 else "down"


@dataclass(frozen=True)
class GroupTrend:
    """One group released in both cycles: its respondents then and now, and the changes."""

    unit: int  # index in the current report's tree
    previous_unit: int  # index in the previous report's tree
    unit_id: str
    dimension: str | None
    value: str | None
    respondents: int
    previous_respondents: int
    items: tuple[Change, ...]
    constructs: tuple[Change, ...]
    outcomes: tuple[Change, ...]

    def real_changes(self) -> tuple[Change, ...]:
        """Every marked change: constructs, outcomes, then items."""
        return tuple(c for c in (*self.constructs, *self.outcomes, *self.items) if c.real)


@dataclass(frozen=True, eq=False)
class Trends:
    """Every group released in both cycles, as arrays with one row per compared group.

    ``items``, ``constructs`` and ``outcomes`` name the columns (those both reports have);
    per kind, ``*_current`` and ``*_previous`` hold the figures (NaN: nobody answered) and
    ``*_z`` the test statistics (NaN: not tested). :meth:`for_group` builds one group's
    :class:`GroupTrend` for display.
    """

    items: tuple[str, ...]
    constructs: tuple[str, ...]
    outcomes: tuple[str, ...]
    unit: NDArray[np.int64]
    previous_unit: NDArray[np.int64]
    unit_ids: tuple[str, ...]
    dimension: tuple[str | None, ...]
    value: tuple[str | None, ...]
    respondents: NDArray[np.int64]
    previous_respondents: NDArray[np.int64]
    item_current: FloatArray
    item_previous: FloatArray
    item_z: FloatArray
    construct_current: FloatArray
    construct_previous: FloatArray
    construct_z: FloatArray
    outcome_current: FloatArray
    outcome_previous: FloatArray
    outcome_z: FloatArray

    def __len__(self) -> int:
        return len(self.unit)

    def real(self, kind: str) -> NDArray[np.bool_]:
        """Which changes of one kind ("items", "constructs", "outcomes") are marked."""
        z = {"items": self.item_z, "constructs": self.construct_z, "outcomes": self.outcome_z}[kind]
        with np.errstate(invalid="ignore"):
            return np.abs(np.nan_to_num(z, nan=0.0)) > Z_95

    def for_group(
        self, unit_index: int, dimension: str | None = None, value: str | None = None
    ) -> GroupTrend | None:
        """The group's trend (unit index in the current report), or None if not compared."""
        row = self._rows.get((unit_index, dimension, value))
        if row is None:
            return None
        return GroupTrend(
            unit=int(self.unit[row]),
            previous_unit=int(self.previous_unit[row]),
            unit_id=self.unit_ids[row],
            dimension=self.dimension[row],
            value=self.value[row],
            respondents=int(self.respondents[row]),
            previous_respondents=int(self.previous_respondents[row]),
            items=_changes(self.items, self.item_current, self.item_previous, self.item_z, row),
            constructs=_changes(
                self.constructs,
                self.construct_current,
                self.construct_previous,
                self.construct_z,
                row,
            ),
            outcomes=_changes(
                self.outcomes, self.outcome_current, self.outcome_previous, self.outcome_z, row
            ),
        )

    def change(
        self, unit_index: int, dimension: str | None, value: str | None, key: str
    ) -> Change | None:
        """One figure of one group — the outcome, theme or question ``key``, looked for in
        that order — without building the group's other figures; None if not compared."""
        row = self._rows.get((unit_index, dimension, value))
        found = self._columns.get(key)
        if row is None or found is None:
            return None
        current, previous, z, column = found
        return _change(key, current[row, column], previous[row, column], z[row, column])

    @functools.cached_property
    def _rows(self) -> dict[tuple[int, str | None, str | None], int]:
        keys = zip(self.unit.tolist(), self.dimension, self.value, strict=True)
        return {key: row for row, key in enumerate(keys)}

    @functools.cached_property
    def _columns(self) -> dict[str, tuple[FloatArray, FloatArray, FloatArray, int]]:
        columns = {}
        for keys, current, previous, z in (
            (self.items, self.item_current, self.item_previous, self.item_z),
            (self.constructs, self.construct_current, self.construct_previous, self.construct_z),
            (self.outcomes, self.outcome_current, self.outcome_previous, self.outcome_z),
        ):
            for column, key in enumerate(keys):  # later kinds win: outcomes are looked at first
                columns[key] = (current, previous, z, column)
        return columns


def _changes(
    keys: tuple[str, ...],
    current: FloatArray,
    previous: FloatArray,
    z: FloatArray,
    row: int,
) -> tuple[Change, ...]:
    return tuple(
        _change(key, now, before, statistic)
        for key, now, before, statistic in zip(
            keys, current[row].tolist(), previous[row].tolist(), z[row].tolist(), strict=True
        )
    )


def _change(key: str, now: float, before: float, statistic: float) -> Change:
    now_value = None if math.isnan(now) else float(now)
    before_value = None if math.isnan(before) else float(before)
    change = (
        now_value - before_value if now_value is not None and before_value is not None else None
    )
    tested = None if math.isnan(statistic) else float(statistic)
    real = tested is not None and change is not None and abs(tested) > Z_95
    return Change(key, now_value, before_value, change, tested, real)


def compare_reports(
    current: Report, previous: Report, instrument: InstrumentMeta | None = None
) -> Trends:
    """Changes from ``previous`` to ``current`` for every group released in both.

    ``instrument`` (the current cycle's) tells which items make up each construct and which
    answers each outcome counts; without it, construct and outcome changes are not tested.
    """
    mine, theirs = _matching_groups(current, previous)
    table = current.table
    a = table.row[mine]  # rows in the current report's arrays
    b = previous.table.row[theirs]
    units = table.unit[mine]
    names = [d.name for d in current.dimensions]
    dimension_codes = table.dimension[mine].tolist()
    value_codes = table.value[mine].tolist()

    items = tuple(item for item in current.items if item in previous.items)
    ia = _positions(current.items, items)
    ib = _positions(previous.items, items)
    item_now = current.favourable_pct[np.ix_(a, ia)]
    item_before = previous.favourable_pct[np.ix_(b, ib)]
    answered_now = current.answered[np.ix_(a, ia)].astype(np.float64)
    answered_before = previous.answered[np.ix_(b, ib)].astype(np.float64)
    favourable_now = _counts(item_now, answered_now)
    favourable_before = _counts(item_before, answered_before)
    item_z = two_proportion_z(favourable_now, answered_now, favourable_before, answered_before)

    constructs = tuple(c for c in current.constructs if c in previous.constructs)
    ca = _positions(current.constructs, constructs)
    cb = _positions(previous.constructs, constructs)
    construct_now = current.construct_index[np.ix_(a, ca)]
    construct_before = previous.construct_index[np.ix_(b, cb)]
    construct_z = np.full(construct_now.shape, np.nan)
    if instrument is not None:
        membership = _membership(instrument, items, constructs)
        construct_z = _pooled_z(
            favourable_now, answered_now, favourable_before, answered_before, membership
        )

    outcomes = tuple(o for o in current.outcomes if o in previous.outcomes)
    oa = _positions(current.outcomes, outcomes)
    ob = _positions(previous.outcomes, outcomes)
    outcome_now = current.outcome_values[np.ix_(a, oa)]
    outcome_before = previous.outcome_values[np.ix_(b, ob)]
    outcome_z = np.full(outcome_now.shape, np.nan)
    if instrument is not None:
        for o, name in enumerate(outcomes):
            outcome_z[:, o] = _outcome_z(current, previous, instrument, name, a, b)

    return Trends(
        items=items,
        constructs=constructs,
        outcomes=outcomes,
        unit=units,
        previous_unit=previous.table.unit[theirs],
        unit_ids=tuple(str(current.tree.ids[u]) for u in units.tolist()),
        dimension=tuple(names[d] if d >= 0 else None for d in dimension_codes),
        value=tuple(
            current.dimension_labels[d][v] if d >= 0 else None
            for d, v in zip(dimension_codes, value_codes, strict=True)
        ),
        respondents=current.respondents[a].astype(np.int64),
        previous_respondents=previous.respondents[b].astype(np.int64),
        item_current=item_now,
        item_previous=item_before,
        item_z=item_z,
        construct_current=construct_now,
        construct_previous=construct_before,
        construct_z=construct_z,
        outcome_current=outcome_now,
        outcome_previous=outcome_before,
        outcome_z=outcome_z,
    )


def _positions(names: tuple[str, ...], wanted: Sequence[str]) -> NDArray[np.int64]:
    return np.array([names.index(name) for name in wanted], dtype=np.int64)


def _matching_groups(
    current: Report, previous: Report
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Positions in each report's group table of the groups released in both, paired.

    Groups match by unit id, dimension name and value label; each group gets one integer key
    in the current report's numbering so the pairing is a sorted search, not a loop.
    """
    unit_index = {str(unit_id): u for u, unit_id in enumerate(current.tree.ids)}
    unit_map = np.array(
        [unit_index.get(str(unit_id), -1) for unit_id in previous.tree.ids], dtype=np.int64
    )
    now_names = [d.name for d in current.dimensions]
    dimension_map = np.full(len(previous.dimensions) + 1, -1, dtype=np.int64)  # last: whole
    every = (*current.dimension_labels, *previous.dimension_labels)
    widest = max([len(labels) for labels in every], default=0) + 1
    value_map = np.full((len(previous.dimensions) + 1, widest + 1), -1, dtype=np.int64)
    value_map[-1, :] = widest  # the whole unit: one value of its own
    for d, info in enumerate(previous.dimensions):
        if info.name in now_names:
            now = now_names.index(info.name)
            dimension_map[d] = now
            labels = current.dimension_labels[now]
            for v, label in enumerate(previous.dimension_labels[d]):
                if label in labels:
                    value_map[d, v] = labels.index(label)
    dimension_map[-1] = len(now_names)

    def keys(
        units: NDArray[np.int64], dimensions: NDArray[np.int64], values: NDArray[np.int64]
    ) -> NDArray[np.int64]:
        whole = dimensions < 0
        d = np.where(whole, len(now_names), dimensions)
        v = np.where(whole, widest, values)
        return (units * (len(now_names) + 1) + d) * (widest + 1) + v

    after = current.table
    mine = np.flatnonzero(after.released)
    now_keys = keys(after.unit[mine], after.dimension[mine], after.value[mine])

    before = previous.table
    theirs = np.flatnonzero(before.released)
    d_before = before.dimension[theirs]
    row_of = np.where(d_before < 0, len(previous.dimensions), d_before)
    units = unit_map[before.unit[theirs]]
    dimensions = dimension_map[row_of]
    values = value_map[row_of, np.where(d_before < 0, widest, before.value[theirs])]
    known = (units >= 0) & (dimensions >= 0) & (values >= 0)
    theirs = theirs[known]
    before_keys = keys(
        units[known], np.where(d_before[known] < 0, -1, dimensions[known]), values[known]
    )

    order = np.argsort(before_keys, kind="stable")
    position = np.searchsorted(before_keys[order], now_keys)
    found = position < len(order)
    found[found] = before_keys[order][position[found]] == now_keys[found]
    return mine[found], theirs[order][position[found]]


def _counts(percent: FloatArray, answered: FloatArray) -> FloatArray:
    """Favourable counts back from the released share (exact: the share came from them)."""
    return np.rint(percent * answered / 100.0)


def two_proportion_z(x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray) -> FloatArray:
    """z for the difference of two shares x1/n1 - x2/n2, with the pooled share's variance.

    NaN where either side has no answers (or no count); 0 where both shares are 0% or 100%.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        p1 = x1 / n1
        p2 = x2 / n2
        pooled = (x1 + x2) / (n1 + n2)
        se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2))
        z = np.where(se > 0, (p1 - p2) / np.where(se > 0, se, 1.0), 0.0)
    untestable = (n1 <= 0) | (n2 <= 0) | np.isnan(x1) | np.isnan(x2)
    return np.where(untestable, np.nan, z)


def _membership(
    instrument: InstrumentMeta, items: Sequence[str], constructs: Sequence[str]
) -> FloatArray:
    """items x constructs: 1 where an item with a favourable reading belongs to a construct."""
    membership = np.zeros((len(items), len(constructs)))
    meta = {item.id: item for item in instrument.items}
    for j, item_id in enumerate(items):
        item = meta.get(item_id)
        if item is not None and item.favourable and item.construct in constructs:
            membership[j, list(constructs).index(item.construct)] = 1.0
    return membership


def _pooled_z(
    x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, membership: FloatArray
) -> FloatArray:
    """Construct tests: pooled shares, with the average answered per item as the sample."""

    def pooled(x: FloatArray, n: FloatArray) -> tuple[FloatArray, FloatArray]:
        present = (n > 0) & ~np.isnan(x)
        favourable = np.where(present, x, 0.0) @ membership
        answered = np.where(present, n, 0.0) @ membership
        items = present.astype(np.float64) @ membership
        with np.errstate(invalid="ignore", divide="ignore"):
            share = favourable / answered
            people = np.where(items > 0, answered / np.where(items > 0, items, 1.0), 0.0)
        return share * people, people

    a_count, a_people = pooled(x1, n1)
    b_count, b_people = pooled(x2, n2)
    return two_proportion_z(a_count, a_people, b_count, b_people)


def _outcome_z(
    current: Report,
    previous: Report,
    instrument: InstrumentMeta,
    name: str,
    a: NDArray[np.int64],
    b: NDArray[np.int64],
) -> FloatArray:
    outcome = next((o for o in instrument.outcomes if o.id == name), None)
    if outcome is None:
        return np.full(len(a), np.nan)
    item_id = instrument.items[outcome.item].id
    if item_id not in current.items or item_id not in previous.items:
        return np.full(len(a), np.nan)

    def tally(report: Report, rows: NDArray[np.int64]) -> tuple[FloatArray, ...]:
        j = report.items.index(item_id)
        width = report.option_counts.shape[2]
        counted = [c for c in outcome.counted if c < width]
        subtracted = [c for c in outcome.subtracted if c < width]
        answered = report.answered[rows, j].astype(np.float64)
        plus = report.option_counts[rows, j][:, counted].sum(axis=1).astype(np.float64)
        minus = report.option_counts[rows, j][:, subtracted].sum(axis=1).astype(np.float64)
        return answered, plus, minus

    n1, plus1, minus1 = tally(current, a)
    n2, plus2, minus2 = tally(previous, b)
    if not outcome.subtracted:
        return two_proportion_z(plus1, n1, plus2, n2)
    # A net score: each person scores +1, 0 or -1; compare the means, each with its variance.
    with np.errstate(invalid="ignore", divide="ignore"):
        mean1 = (plus1 - minus1) / n1
        mean2 = (plus2 - minus2) / n2
        variance1 = (plus1 + minus1) / n1 - mean1**2
        variance2 = (plus2 + minus2) / n2 - mean2**2
        se = np.sqrt(variance1 / n1 + variance2 / n2)
        difference = mean1 - mean2
        z = np.where(
            se > 0,
            difference / np.where(se > 0, se, 1.0),
            np.where(difference == 0, 0.0, np.sign(difference) * np.inf),
        )
    return np.where((n1 > 0) & (n2 > 0), z, np.nan)
