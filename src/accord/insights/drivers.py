"""Driver analysis: which drivers most strongly move burnout and intent to leave, per unit.

Method, in one sentence for the page (:data:`METHOD`): *relative weights* (Johnson, 2000)
divide what the drivers together explain of the differences in an outcome (R²) among the
drivers, in a way that stays fair when drivers go hand in hand, so the weights add up to R²
and each reads as "this driver accounts for X% of what the drivers explain".

How it is computed, at release time, for every released whole unit:

* Each respondent's score on a driver construct is the mean of their answers to its items on
  the scored scale (reverse-coded items mirrored); the outcome is their answer to the
  outcome's item on the scored scale, turned so that a higher number means more of what the
  rate counts (more burnout, more intent to leave). People who answered the outcome and at
  least one item of every driver are the *complete cases*; only they count.
* Per unit, the complete cases' moments (count, sums, sums of products) are added up once
  with ``np.bincount`` and summed over each subtree with the engine's :class:`TreeIndex`;
  each eligible unit's correlation matrix follows from its moments, and the relative weights
  from the eigen-decomposition of the drivers' correlation matrix, for all units at once.
* A driver whose answers do not vary in a unit gets no weight there; when the outcome, or
  every driver, does not vary, the unit gets a clear "not enough variation" status instead
  of numbers, and with fewer complete cases than ``minimum_respondents`` a "too few complete
  answers" status. With few people and many drivers R² runs high by chance, so the adjusted
  R² is given too.
* On the benchmark's synthetic health system (10,593 units, 8,117 of them eligible, 240,000
  respondents, 17 driver constructs, two outcomes) the whole table takes about 0.6 s.

Confidence note: with n complete cases a correlation is known to about ±1.96/√n (95%), so
30 people give about ±0.36 and 400 about ±0.10. A driver is marked *clear* when its
correlation with the outcome is larger than that margin. The unit's confidence is "low"
below 100 complete cases, "moderate" below 400, "high" from 400.

Priority view: each driver's weight is set against the unit's released favourable index for
the driver construct (``Report.construct_results``). A driver has *high impact* when it
carries at least an equal share of R² (100% / number of drivers that vary); its score is
*low* when its favourable index is below the median of the unit's driver indices (or below a
fixed ``score_threshold`` when one is given). Then: low score and high impact = "act here
first", high score and high impact = "keep", low score and low impact = "monitor", high score
and low impact = "lower priority".

Anonymity. Driver results exist only for whole units that the release shows and that have at
least ``minimum_respondents`` (30) respondents. Every number behind them — a count, a sum of
scores, a sum of products of two scores — is, like every released count, a sum over the
members of a released group. The release's classes (people grouped by which released groups
contain them) each hold at least k people, so any set whose moments could be worked out by
subtracting one unit's moments from another's is a union of whole classes: it never isolates
fewer than k people. Sums of products say more about how answers go together inside a class
than counts do, but never about fewer than k people, and only the derived weights, R² and
correlations are shown, not the moments.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.insights.data import MISSING, CycleData, InsightsInputError, InstrumentMeta, UnitTree
from accord.insights.engine import Report
from accord.insights.suppression import TreeIndex

MINIMUM_RESPONDENTS = 30
JSON_VERSION = 2  # version 1 (one object per unit) was never released
DEFAULT_OUTCOMES = ("burnout_rate", "intent_to_leave_rate")
Z_95 = 1.96

OK = "ok"
NOT_ENOUGH_VARIATION = "not_enough_variation"
TOO_FEW_COMPLETE = "too_few_complete_answers"
STATUSES = (OK, NOT_ENOUGH_VARIATION, TOO_FEW_COMPLETE)

ACT_FIRST = "act here first"
KEEP = "keep"
MONITOR = "monitor"
LOWER_PRIORITY = "lower priority"
QUADRANTS = (ACT_FIRST, KEEP, MONITOR, LOWER_PRIORITY)

METHOD = (
    "Relative weights divide what the drivers together explain of the differences in the "
    "outcome (R²) among the drivers, in a way that stays fair when drivers go hand in hand; "
    "each driver's figure is its share of that explained part."
)
CONFIDENCE_LEVELS = {  # smallest number of complete cases for each level
    "low": 0,
    "moderate": 100,
    "high": 400,
}
_VARIANCE_TOLERANCE = 1e-9  # on scales of 1 to 11, a variance this small is no variation
_EIGEN_TOLERANCE = 1e-10  # directions of the drivers' correlations that carry no information


@dataclass(frozen=True)
class DriverWeight:
    """One driver construct's part in explaining one outcome in one unit.

    ``weight`` is its relative weight (the weights add up to R²); ``share_pct`` the same as a
    percentage of R² (they add up to 100). ``correlation`` is the plain correlation with the
    outcome (positive: people who score the driver higher report more of the outcome, e.g.
    more burnout), None when the driver's answers did not vary; ``sign`` is its sign (+1, -1
    or 0). ``clear`` says whether the correlation is larger than the unit's 95% margin.
    ``score`` is the unit's released favourable index for the construct (0-100, None when it
    has none) and ``quadrant`` the driver's place in the priority view (None without a score).
    """

    construct: str
    weight: float
    share_pct: float
    correlation: float | None
    sign: int
    clear: bool
    score: float | None
    quadrant: str | None


@dataclass(frozen=True)
class OutcomeDrivers:
    """The drivers of one outcome in one unit.

    ``status`` is "ok", "not_enough_variation" or "too_few_complete_answers", and ``note``
    says in words what the figures rest on or why there are none. ``n`` counts the complete
    cases. When the status is ok: ``r_squared`` is the share (0 to 1) of the outcome's
    differences that the drivers explain together, ``adjusted_r_squared`` the same corrected
    for the number of drivers (never below 0), ``margin`` the approximate 95% margin of a
    correlation (1.96/√n), ``confidence`` "low", "moderate" or "high", and ``drivers`` every
    driver construct, largest weight first. ``impact_threshold_pct`` (an equal share of R²)
    and ``score_threshold`` (the unit's median driver index, or the fixed line) are the lines
    of the priority view.
    """

    outcome: str
    status: str
    note: str
    n: int
    r_squared: float | None = None
    adjusted_r_squared: float | None = None
    margin: float | None = None
    confidence: str | None = None
    drivers: tuple[DriverWeight, ...] = ()
    impact_threshold_pct: float | None = None
    score_threshold: float | None = None

    def priority(self, quadrant: str) -> tuple[DriverWeight, ...]:
        """The drivers in one quadrant of the priority view, largest weight first."""
        return tuple(d for d in self.drivers if d.quadrant == quadrant)


@dataclass(frozen=True)
class UnitDrivers:
    """Driver results for one released unit (its whole subtree) with enough respondents."""

    unit: int  # index in the unit tree
    unit_id: str
    respondents: int  # the released group's respondents (complete cases are per outcome)
    outcomes: tuple[OutcomeDrivers, ...]

    def outcome(self, name: str) -> OutcomeDrivers | None:
        return next((o for o in self.outcomes if o.outcome == name), None)


@dataclass(frozen=True, eq=False)
class DriverTable:
    """Driver results for every eligible unit of one release, kept as arrays.

    ``units`` holds the eligible units' indices in ascending order; per outcome (first axis)
    and eligible unit: ``complete`` (complete cases), ``outcome_varies``, and per driver
    construct (last axis) ``weight`` and ``correlation`` (NaN where there is no figure);
    ``score`` is each unit's released favourable index per driver. :meth:`for_unit` turns one
    unit's row into :class:`UnitDrivers` for display.
    """

    minimum_respondents: int
    outcomes: tuple[str, ...]
    drivers: tuple[str, ...]  # the driver constructs, in instrument order
    units: NDArray[np.int64]
    unit_ids: tuple[str, ...]
    respondents: NDArray[np.int64]
    complete: NDArray[np.int64]
    outcome_varies: NDArray[np.bool_]
    weight: NDArray[np.float64]
    correlation: NDArray[np.float64]
    score: NDArray[np.float64]
    fixed_score_threshold: float | None = None
    method: str = METHOD

    def __post_init__(self) -> None:
        u, o, p = len(self.units), len(self.outcomes), len(self.drivers)
        arrays: dict[str, tuple[Any, tuple[int, ...], type[np.generic]]] = {
            "units": (self.units, (u,), np.int64),
            "respondents": (self.respondents, (u,), np.int64),
            "complete": (self.complete, (o, u), np.int64),
            "outcome_varies": (self.outcome_varies, (o, u), np.bool_),
            "weight": (self.weight, (o, u, p), np.float64),
            "correlation": (self.correlation, (o, u, p), np.float64),
            "score": (self.score, (u, p), np.float64),
        }
        for name, (value, shape, dtype) in arrays.items():
            array: NDArray[Any] = np.asarray(value, dtype=dtype).reshape(shape)
            object.__setattr__(self, name, array)
        if len(self.unit_ids) != u:
            raise ValueError("one unit id per unit is needed")
        if u > 1 and (np.diff(self.units) <= 0).any():
            raise ValueError("units must be in ascending order")

    def __len__(self) -> int:
        return len(self.units)

    def unit_indices(self) -> tuple[int, ...]:
        return tuple(self.units.tolist())

    def for_unit(self, unit_index: int) -> UnitDrivers | None:
        """The unit's results, or None when it has none (hidden, or too few respondents)."""
        i = int(np.searchsorted(self.units, unit_index))
        if i >= len(self.units) or self.units[i] != unit_index:
            return None
        scores = {
            name: float(value)
            for name, value in zip(self.drivers, self.score[i].tolist(), strict=True)
            if not math.isnan(value)
        }
        if self.fixed_score_threshold is not None:
            line: float | None = self.fixed_score_threshold
        else:
            line = statistics.median(scores.values()) if scores else None
        return UnitDrivers(
            unit=int(self.units[i]),
            unit_id=self.unit_ids[i],
            respondents=int(self.respondents[i]),
            outcomes=tuple(self._outcome(o, i, scores, line) for o in range(len(self.outcomes))),
        )

    def __iter__(self) -> Iterator[UnitDrivers]:
        for unit in self.units.tolist():
            found = self.for_unit(unit)
            assert found is not None
            yield found

    def _status(self, outcome: int, i: int) -> str:
        """The status of one outcome (by position) for the i-th eligible unit."""
        if self.complete[outcome, i] < self.minimum_respondents:
            return TOO_FEW_COMPLETE
        if not self.outcome_varies[outcome, i] or np.isnan(self.correlation[outcome, i]).all():
            return NOT_ENOUGH_VARIATION
        return OK

    def _outcome(
        self, o: int, i: int, scores: Mapping[str, float], line: float | None
    ) -> OutcomeDrivers:
        name = self.outcomes[o]
        n = int(self.complete[o, i])
        status = self._status(o, i)
        if status == TOO_FEW_COMPLETE:
            note = (
                f"Only {n} people answered the outcome and every driver; at least "
                f"{self.minimum_respondents} are needed to weigh the drivers."
            )
            return OutcomeDrivers(name, status, note, n)
        if status == NOT_ENOUGH_VARIATION:
            if not self.outcome_varies[o, i]:
                note = (
                    "Everyone here gave the same answer on the outcome, so there are no "
                    "differences for the drivers to explain."
                )
            else:
                note = (
                    "Everyone here answered each driver the same way, so the drivers cannot "
                    "explain differences in the outcome."
                )
            return OutcomeDrivers(name, status, note, n)

        weights = self.weight[o, i].tolist()
        correlations = self.correlation[o, i].tolist()
        varying = sum(not math.isnan(r) for r in correlations)
        r_squared = min(max(math.fsum(w for w in weights if not math.isnan(w)), 0.0), 1.0)
        residual_df = n - varying - 1
        adjusted = (
            max(0.0, 1.0 - (1.0 - r_squared) * (n - 1) / residual_df) if residual_df > 0 else None
        )
        margin = Z_95 / math.sqrt(n)
        level = confidence_level(n)
        impact_line = 100.0 / varying
        drivers = []
        for construct, w, r in zip(self.drivers, weights, correlations, strict=True):
            weight = 0.0 if math.isnan(w) else max(w, 0.0)
            share = 100.0 * weight / r_squared if r_squared > 1e-12 else 0.0
            correlation = None if math.isnan(r) else r
            score = scores.get(construct)
            quadrant = None
            if correlation is not None and score is not None and line is not None:
                quadrant = _quadrant(share >= impact_line, score < line)
            drivers.append(
                DriverWeight(
                    construct=construct,
                    weight=weight,
                    share_pct=share,
                    correlation=correlation,
                    sign=0 if not correlation else (1 if correlation > 0 else -1),
                    clear=correlation is not None and abs(correlation) > margin,
                    score=score,
                    quadrant=quadrant,
                )
            )
        drivers.sort(key=lambda d: -d.weight)
        shown = f"about ±{margin:.2f}" if margin >= 0.01 else "better than ±0.01"
        note = (
            f"Based on {n} people who answered the outcome and every driver. Each correlation "
            f"is known to {shown} (95%), so confidence is {level}."
        )
        return OutcomeDrivers(
            name,
            OK,
            note,
            n,
            r_squared=r_squared,
            adjusted_r_squared=adjusted,
            margin=margin,
            confidence=level,
            drivers=tuple(drivers),
            impact_threshold_pct=impact_line,
            score_threshold=line,
        )

    def to_json(self) -> dict[str, Any]:
        """Plain JSON types only (lists, numbers, strings, booleans, null for no figure)."""
        return {
            "version": JSON_VERSION,
            "minimum_respondents": self.minimum_respondents,
            "outcomes": list(self.outcomes),
            "drivers": list(self.drivers),
            "method": self.method,
            "score_threshold": self.fixed_score_threshold,
            "units": self.units.tolist(),
            "unit_ids": list(self.unit_ids),
            "respondents": self.respondents.tolist(),
            "complete": self.complete.tolist(),
            "outcome_varies": self.outcome_varies.tolist(),
            "weight": _nullable(self.weight),
            "correlation": _nullable(self.correlation),
            "score": _nullable(self.score),
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> DriverTable:
        if raw.get("version") != JSON_VERSION:
            raise ValueError(f"unknown driver table version {raw.get('version')!r}")
        threshold = raw.get("score_threshold")
        return cls(
            minimum_respondents=int(raw["minimum_respondents"]),
            outcomes=tuple(str(o) for o in raw["outcomes"]),
            drivers=tuple(str(d) for d in raw["drivers"]),
            units=np.array(raw["units"], dtype=np.int64),
            unit_ids=tuple(str(u) for u in raw["unit_ids"]),
            respondents=np.array(raw["respondents"], dtype=np.int64),
            complete=np.array(raw["complete"], dtype=np.int64),
            outcome_varies=np.array(raw["outcome_varies"], dtype=np.bool_),
            weight=np.array(raw["weight"], dtype=np.float64),
            correlation=np.array(raw["correlation"], dtype=np.float64),
            score=np.array(raw["score"], dtype=np.float64),
            fixed_score_threshold=None if threshold is None else float(threshold),
            method=str(raw.get("method", METHOD)),
        )


def _nullable(values: NDArray[np.float64]) -> list[Any]:
    """Nested lists with None for NaN (JSON has no NaN)."""
    boxed = values.astype(object)
    boxed[np.isnan(values)] = None
    result: list[Any] = boxed.tolist()
    return result


def _quadrant(high_impact: bool, low_score: bool) -> str:
    if high_impact:
        return ACT_FIRST if low_score else KEEP
    return MONITOR if low_score else LOWER_PRIORITY


def confidence_level(n: int) -> str:
    """ "low", "moderate" or "high" by the number of complete cases (see CONFIDENCE_LEVELS)."""
    level = "low"
    for name, smallest in CONFIDENCE_LEVELS.items():
        if n >= smallest:
            level = name
    return level


def compute_drivers(
    data: CycleData,
    tree: UnitTree,
    instrument: InstrumentMeta,
    report: Report,
    minimum_respondents: int = MINIMUM_RESPONDENTS,
    outcomes: Sequence[str] = DEFAULT_OUTCOMES,
    score_threshold: float | None = None,
) -> DriverTable:
    """Relative weights of the driver constructs for each outcome, per eligible unit.

    Eligible: the unit's whole-subtree group is released in ``report`` — the release of
    ``data`` — with at least ``minimum_respondents`` respondents. ``outcomes`` names the
    outcomes to explain; those the instrument does not define are skipped. ``score_threshold``
    (a favourable index, 0-100) replaces each unit's median driver index as the line between
    low and high scores in the priority view.
    """
    if minimum_respondents < report.minimum_group_size:
        raise InsightsInputError("driver results need at least the release's minimum group size")
    if tuple(tree.ids) != tuple(report.tree.ids):
        raise InsightsInputError("the report was released for a different unit tree")
    if data.answers.shape[1] != len(instrument.items):
        raise InsightsInputError("answers and instrument have different items")
    if tuple(item.id for item in instrument.items) != report.items:
        raise InsightsInputError("the report was released for a different instrument")
    constructs, scores = _driver_scores(data, instrument)
    chosen = [o for o in instrument.outcomes if o.id in outcomes]

    # Released whole units with enough respondents, straight from the report's group table.
    table = report.table
    whole = np.flatnonzero((table.dimension < 0) & table.released)
    rows = table.row[whole]
    respondents = report.respondents[rows]
    enough = respondents >= minimum_respondents
    units, rows, respondents = table.unit[whole][enough], rows[enough], respondents[enough]
    order = np.argsort(units, kind="stable")
    units, rows, respondents = units[order], rows[order], respondents[order]

    count, p = len(units), len(constructs)
    complete = np.zeros((len(chosen), count), dtype=np.int64)
    varies = np.zeros((len(chosen), count), dtype=bool)
    weight = np.full((len(chosen), count, p), np.nan)
    correlation = np.full((len(chosen), count, p), np.nan)
    if count and p:
        index = TreeIndex.build(tree.parent)
        unit_of = np.asarray(data.unit, dtype=np.int64)
        for o, outcome in enumerate(chosen):
            y = _outcome_scores(data, instrument, outcome.item, outcome.counted)
            moments = _unit_moments(scores, y, unit_of, index)[units]
            complete[o], varies[o], weight[o], correlation[o] = _weights_for_units(
                moments, minimum_respondents
            )

    score = np.full((count, p), np.nan)
    for c, name in enumerate(constructs):
        if name in report.constructs:
            score[:, c] = report.construct_index[rows, report.constructs.index(name)]
    return DriverTable(
        minimum_respondents=minimum_respondents,
        outcomes=tuple(o.id for o in chosen),
        drivers=constructs,
        units=units,
        unit_ids=tuple(str(tree.ids[u]) for u in units.tolist()),
        respondents=respondents,
        complete=complete,
        outcome_varies=varies,
        weight=weight,
        correlation=correlation,
        score=score,
        fixed_score_threshold=score_threshold,
    )


def _driver_scores(
    data: CycleData, instrument: InstrumentMeta
) -> tuple[tuple[str, ...], NDArray[np.float64]]:
    """The driver constructs, and each respondent's mean score on each (NaN: none answered)."""
    members: dict[str, list[int]] = {}
    for j, item in enumerate(instrument.items):
        if item.role == "driver" and item.codes:
            members.setdefault(item.construct, []).append(j)
    constructs = tuple(members)
    # Column-major: the moments read one construct at a time.
    scores = np.full((data.respondents, len(constructs)), np.nan, order="F")
    for c, name in enumerate(constructs):
        total = np.zeros(data.respondents)
        count = np.zeros(data.respondents)
        for j in members[name]:
            value = _score_lookup(instrument, j)[data.answers[:, j]]
            answered = ~np.isnan(value)
            total += np.where(answered, value, 0.0)
            count += answered
        with np.errstate(invalid="ignore", divide="ignore"):
            scores[:, c] = np.where(count > 0, total / count, np.nan)
    return constructs, scores


def _score_lookup(instrument: InstrumentMeta, j: int) -> NDArray[np.float64]:
    item = instrument.items[j]
    lookup = np.full(256, np.nan)
    lookup[list(item.codes)] = item.scores
    lookup[MISSING] = np.nan
    return lookup


def _outcome_scores(
    data: CycleData, instrument: InstrumentMeta, j: int, counted: Sequence[int]
) -> NDArray[np.float64]:
    """The outcome item's score, turned so that higher means more of what the rate counts."""
    item = instrument.items[j]
    lookup = _score_lookup(instrument, j)
    pairs = list(zip(item.codes, item.scores, strict=True))
    counted_scores = [s for c, s in pairs if c in counted]
    other_scores = [s for c, s in pairs if c not in counted]
    if counted_scores and other_scores and np.mean(counted_scores) < np.mean(other_scores):
        lookup = -lookup
    return lookup[data.answers[:, j]]


def _unit_moments(
    x: NDArray[np.float64], y: NDArray[np.float64], unit: NDArray[np.int64], index: TreeIndex
) -> NDArray[np.float64]:
    """Per unit subtree: [n, sums of each column, sums of products of each pair of columns].

    The columns are the drivers then the outcome, centred on the complete cases' overall means
    so the sums of products lose no precision; only complete cases count.
    """
    complete = ~np.isnan(y) & ~np.isnan(x).any(axis=1)
    unit = unit[complete]
    z = np.empty((len(unit), x.shape[1] + 1), order="F")
    for c in range(x.shape[1]):
        z[:, c] = x[:, c][complete]
    z[:, -1] = y[complete]
    if len(z):
        z -= z.mean(axis=0)
    width = z.shape[1]
    upper_i, upper_j = np.triu_indices(width)
    direct = np.empty((index.size, 1 + width + len(upper_i)))
    direct[:, 0] = np.bincount(unit, minlength=index.size)
    for c in range(width):
        direct[:, 1 + c] = np.bincount(unit, weights=z[:, c], minlength=index.size)
    for p, (a, b) in enumerate(zip(upper_i.tolist(), upper_j.tolist(), strict=True)):
        direct[:, 1 + width + p] = np.bincount(
            unit, weights=z[:, a] * z[:, b], minlength=index.size
        )
    return index.subtree_sum(direct)


def _weights_for_units(
    moments: NDArray[np.float64], minimum: int
) -> tuple[NDArray[np.int64], NDArray[np.bool_], NDArray[np.float64], NDArray[np.float64]]:
    """Per row of ``moments``: complete cases, whether the outcome varies, weights, correlations.

    Weights and correlations are NaN where there is no result (too few complete cases, or no
    variation); a correlation is also NaN for a driver that does not vary.
    """
    units = moments.shape[0]
    width = (math.isqrt(8 * moments.shape[1] + 1) - 3) // 2  # from 1 + w + w(w+1)/2 columns
    p = width - 1
    n = moments[:, 0]
    upper_i, upper_j = np.triu_indices(width)
    products = np.zeros((units, width, width))
    products[:, upper_i, upper_j] = moments[:, 1 + width :]
    products[:, upper_j, upper_i] = moments[:, 1 + width :]
    safe_n = np.maximum(n, 2.0)
    mean = moments[:, 1 : 1 + width] / safe_n[:, None]
    centred = products - safe_n[:, None, None] * mean[:, :, None] * mean[:, None, :]
    covariance = centred / (safe_n - 1)[:, None, None]
    variance = np.diagonal(covariance, axis1=1, axis2=2)
    varies = variance > _VARIANCE_TOLERANCE
    sd = np.sqrt(np.where(varies, variance, 1.0))
    correlation = covariance / (sd[:, :, None] * sd[:, None, :])
    # A driver that does not vary is cut loose: no correlation with anything, no weight.
    keep = varies[:, :p]
    outcome_varies = varies[:, p]
    count = np.rint(n).astype(np.int64)
    result = (count >= minimum) & outcome_varies & keep.any(axis=1)
    weight = np.full((units, p), np.nan)
    r = np.full((units, p), np.nan)
    if result.any():
        mine = keep[result]
        rxx = correlation[result, :p, :p] * (mine[:, :, None] & mine[:, None, :])
        rxx[:, np.arange(p), np.arange(p)] = 1.0
        rxy = np.where(mine, correlation[result, :p, p], 0.0)
        weight[result] = np.where(mine, np.maximum(relative_weights(rxx, rxy)[0], 0.0), 0.0)
        r[result] = np.where(mine, np.clip(correlation[result, :p, p], -1.0, 1.0), np.nan)
    return count, outcome_varies, weight, r


def relative_weights(
    rxx: NDArray[np.float64], rxy: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Johnson's relative weights from correlation matrices, for a stack of problems.

    ``rxx`` is (..., p, p), the drivers' correlations; ``rxy`` (..., p), their correlations
    with the outcome. With ``rxx = V diag(λ) Vᵀ``, the orthogonal stand-ins for the drivers
    relate to them by ``Λ = V diag(√λ) Vᵀ``; the outcome's regression on the stand-ins is
    ``β = V diag(1/√λ) Vᵀ rxy``, and driver j's weight is ``Σ_k Λ_jk² β_k²``. The weights add
    up to ``R² = rxyᵀ rxx⁻¹ rxy``. Directions with no variance (drivers that move exactly
    together) are left out, as a pseudo-inverse would. Returns the weights and R².
    """
    eigenvalues, vectors = np.linalg.eigh(rxx)
    usable = eigenvalues > _EIGEN_TOLERANCE * rxx.shape[-1]
    root = np.sqrt(np.where(usable, eigenvalues, 0.0))
    inverse_root = np.where(usable, 1.0 / np.where(usable, root, 1.0), 0.0)
    transposed = np.swapaxes(vectors, -1, -2)
    lam = (vectors * root[..., None, :]) @ transposed
    # β = V (diag(1/√λ) (Vᵀ rxy)): two matrix-vector products, no second matrix product.
    rotated = (transposed @ rxy[..., None])[..., 0] * inverse_root
    beta = (vectors @ rotated[..., None])[..., 0]
    weights = ((lam**2) @ (beta**2)[..., None])[..., 0]
    return weights, weights.sum(axis=-1)
