"""The perception gap: two groups of one unit, side by side on the same items.

Typically clinicians and administrators: per item the favourable share of each side and the
gap between them in percentage points, biggest gap first — the trust deficit made visible.

A gap is shown only when *both* sides are released groups of the report. Both are then
numbers the release already shows on its own, so the gap adds nothing that could be
subtracted to find a smaller group; when either side is hidden there is no gap at all
(showing one side against the unit's total would give the hidden side away).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from accord.insights.engine import Report

DEFAULT_DIMENSION = "role_group"


@dataclass(frozen=True)
class GapLine:
    """One item, construct or outcome: each side's figure and ``gap`` = a - b, in points.

    For items and constructs the figures are favourable percentages (0-100); for outcomes
    they are the outcome's own figure (a rate, or a net score for eNPS). A figure is None
    when nobody on that side answered; the gap is then None too.
    """

    key: str
    a: float | None
    b: float | None
    gap: float | None


@dataclass(frozen=True)
class Gap:
    """Side ``a`` against side ``b`` of ``dimension`` within one unit's whole subtree.

    ``items`` and ``constructs`` are sorted by the size of the gap, largest first (lines with
    no gap last); ``outcomes`` keep the report's order. ``a_respondents`` and
    ``b_respondents`` are the two released groups' respondents.
    """

    unit: int
    unit_path: str
    dimension: str
    a: str
    b: str
    a_respondents: int
    b_respondents: int
    items: tuple[GapLine, ...]
    constructs: tuple[GapLine, ...]
    outcomes: tuple[GapLine, ...]

    @property
    def largest(self) -> GapLine | None:
        """The item with the largest gap, if any item has one."""
        return self.items[0] if self.items and self.items[0].gap is not None else None


def perception_gap(
    report: Report,
    unit_index: int,
    dimension: str = DEFAULT_DIMENSION,
    a: str = "clinician",
    b: str = "administrator",
) -> Gap | None:
    """The gap between groups ``a`` and ``b`` of ``dimension`` in one unit, or None.

    None unless both groups are released. An unknown unit, dimension or value (one the
    report never offers as a filter, such as "not recorded") raises ``ValueError``.
    """
    if not 0 <= unit_index < len(report.tree):
        raise ValueError(f"unit {unit_index} is not in the report's unit tree")
    info = next((d for d in report.dimensions if d.name == dimension), None)
    if info is None:
        raise ValueError(f"the report has no dimension {dimension!r}")
    for value in (a, b):
        if value not in info.values:
            raise ValueError(f"{value!r} is not a value offered for {dimension}")
    if a == b:
        raise ValueError("compare two different values")
    # Straight from the report's group table: no need to build every group's object.
    table = report.table
    d = [info.name for info in report.dimensions].index(dimension)
    labels = report.dimension_labels[d]
    mine = np.flatnonzero((table.unit == unit_index) & (table.dimension == d))
    by_value = {labels[int(table.value[g])]: int(g) for g in mine}
    first, second = by_value[a], by_value[b]
    if not (table.released[first] and table.released[second]):
        return None
    x, y = int(table.row[first]), int(table.row[second])

    items = _lines(report.items, report.favourable_pct[x], report.favourable_pct[y])
    constructs = _lines(report.constructs, report.construct_index[x], report.construct_index[y])
    outcomes = _lines(report.outcomes, report.outcome_values[x], report.outcome_values[y])
    return Gap(
        unit=unit_index,
        unit_path=report.units[unit_index].path,
        dimension=dimension,
        a=a,
        b=b,
        a_respondents=int(report.respondents[x]),
        b_respondents=int(report.respondents[y]),
        items=_by_size(items),
        constructs=_by_size(constructs),
        outcomes=tuple(outcomes),
    )


def _lines(keys: tuple[str, ...], a: NDArray[np.float64], b: NDArray[np.float64]) -> list[GapLine]:
    lines = []
    for key, left, right in zip(keys, a.tolist(), b.tolist(), strict=True):
        left_value = None if math.isnan(left) else float(left)
        right_value = None if math.isnan(right) else float(right)
        gap = (
            left_value - right_value if left_value is not None and right_value is not None else None
        )
        lines.append(GapLine(key, left_value, right_value, gap))
    return lines


def _by_size(lines: list[GapLine]) -> tuple[GapLine, ...]:
    # Stable: equal gaps keep the instrument's order.
    return tuple(sorted(lines, key=lambda line: (line.gap is None, -abs(line.gap or 0.0))))
