"""Driver analysis: relative weights per released unit of 30 or more, and the priority view."""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pytest
from numpy.typing import NDArray

from accord.insights import (
    MISSING,
    CycleData,
    InsightsInputError,
    InstrumentMeta,
    Report,
    UnitTree,
    release_results,
)
from accord.insights.adapters import instrument_meta
from accord.insights.drivers import (
    ACT_FIRST,
    KEEP,
    LOWER_PRIORITY,
    MONITOR,
    NOT_ENOUGH_VARIATION,
    OK,
    TOO_FEW_COMPLETE,
    DriverTable,
    OutcomeDrivers,
    compute_drivers,
    confidence_level,
    relative_weights,
)
from accord.surveys.instruments import core_instrument
from tests.insights.factories import DIMENSIONS

META = instrument_meta(core_instrument())
DRIVERS = tuple(dict.fromkeys(i.construct for i in META.items if i.role == "driver"))
ITEM = {item.id: j for j, item in enumerate(META.items)}


def answers_for(
    latent: dict[str, NDArray[np.float64]],
    burnout: NDArray[np.float64],
    leaving: NDArray[np.float64],
    rng: np.random.Generator,
    instrument: InstrumentMeta = META,
) -> NDArray[np.uint8]:
    """Raw answer codes from scores: each driver item = its construct's latent + noise.

    ``burnout`` and ``leaving`` are on "more is worse" scales; every other outcome is noise.
    """
    n = len(burnout)
    answers = np.empty((n, len(instrument.items)), dtype=np.uint8)
    for j, item in enumerate(instrument.items):
        codes = np.array(item.codes)
        scores = np.array(item.scores)
        if item.role == "driver":
            wanted = 3 + latent[item.construct] + rng.normal(0, 0.4, n)
        elif item.construct == "burnout":
            wanted = 3 + burnout
        elif item.construct == "intent_to_leave":
            wanted = 3 - leaving  # the item is reverse-coded: a low score is leaving
        else:
            wanted = rng.normal(scores.mean(), 1.5, n)
        position = np.abs(np.rint(wanted)[:, None] - scores[None, :]).argmin(axis=1)
        answers[:, j] = codes[position]
    return answers


def synthetic(
    sizes: Sequence[int],
    parents: Sequence[int],
    seed: int = 3,
    efficiency_mean: float = 0.0,
) -> tuple[CycleData, UnitTree, NDArray[np.float64]]:
    """People attached directly to each unit; burnout is driven by practice efficiency only,
    intent to leave by trust in senior leaders only. Returns the latent efficiency too."""
    rng = np.random.default_rng(seed)
    n = int(sum(sizes))
    unit = np.repeat(np.arange(len(sizes)), sizes)
    latent = {c: rng.normal(0, 0.9, n) for c in DRIVERS}
    latent["practice_efficiency"] = latent["practice_efficiency"] + efficiency_mean
    burnout = -1.3 * latent["practice_efficiency"] + rng.normal(0, 0.6, n)
    leaving = -1.3 * latent["trust_senior_leaders"] + rng.normal(0, 0.6, n)
    data = CycleData(
        answers=answers_for(latent, burnout, leaving, rng),
        unit=unit.astype(np.int64),
        attributes={d.name: np.zeros(n, dtype=np.int64) for d in DIMENSIONS},
        response_ids=np.arange(n, dtype=np.int64),
    )
    tree = UnitTree(
        tuple(f"u{i}" for i in range(len(sizes))),
        np.array(parents),
        np.array(sizes, dtype=np.int64),
    )
    return data, tree, latent["practice_efficiency"]


def release(data: CycleData, tree: UnitTree) -> Report:
    return release_results(data, tree, DIMENSIONS, META)


# root 0 -> A 1 (300), B 2 (250), small C 3 (12), P 4 (2 people) -> Q 5 (40)
SIZES = (0, 300, 250, 12, 2, 40)
PARENTS = (-1, 0, 0, 0, 0, 4)


World = tuple[CycleData, UnitTree, Report, DriverTable]


@pytest.fixture(scope="module")
def world() -> World:
    data, tree, _ = synthetic(SIZES, PARENTS)
    report = release(data, tree)
    return data, tree, report, compute_drivers(data, tree, META, report)


def test_burnout_is_driven_by_practice_efficiency(world: World) -> None:
    _, _, _, table = world
    for unit in (0, 1, 2):
        found = table.for_unit(unit)
        assert found is not None
        burnout = found.outcome("burnout_rate")
        assert burnout is not None and burnout.status == OK
        top = burnout.drivers[0]
        assert top.construct == "practice_efficiency"
        assert top.share_pct > 70
        # More efficient work goes with less burnout; the outcome is turned "more is worse".
        assert top.sign == -1 and top.clear
        leaving = found.outcome("intent_to_leave_rate")
        assert leaving is not None and leaving.drivers[0].construct == "trust_senior_leaders"
        assert leaving.drivers[0].sign == -1  # intent to leave is reverse-coded, and turned


def test_weights_add_up_to_r_squared_and_shares_to_100(world: World) -> None:
    _, _, _, table = world
    for found in table:
        for outcome in found.outcomes:
            if outcome.status != OK:
                continue
            assert outcome.r_squared is not None
            assert sum(d.weight for d in outcome.drivers) == pytest.approx(outcome.r_squared)
            assert sum(d.share_pct for d in outcome.drivers) == pytest.approx(100.0)
            weights = [d.weight for d in outcome.drivers]
            assert weights == sorted(weights, reverse=True)
            assert outcome.adjusted_r_squared is not None
            assert 0 <= outcome.adjusted_r_squared <= outcome.r_squared <= 1


def test_r_squared_and_correlations_match_a_direct_regression(world: World) -> None:
    data, tree, _, table = world
    # Unit 4's subtree: its own 2 people and unit 5's 40, if it is released.
    for unit in table.unit_indices():
        members = np.isin(data.unit, _subtree(tree, unit))
        x, y = _complete_cases(data, members, "burnout")
        found = table.for_unit(unit)
        assert found is not None
        burnout = found.outcome("burnout_rate")
        assert burnout is not None and burnout.n == len(y)
        design = np.column_stack([np.ones(len(y)), x])
        fitted = design @ np.linalg.lstsq(design, y, rcond=None)[0]
        r_squared = 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()
        assert burnout.r_squared == pytest.approx(r_squared, abs=1e-9)
        by_name = {d.construct: d for d in burnout.drivers}
        for c, name in enumerate(DRIVERS):
            expected = np.corrcoef(x[:, c], y)[0, 1]
            assert by_name[name].correlation == pytest.approx(expected, abs=1e-9)


def test_no_results_for_hidden_units_or_units_below_30(world: World) -> None:
    _, _, report, table = world
    hidden_but_large = 0
    for group in report.groups:
        if group.dimension is not None:
            continue
        eligible = group.released and (group.respondents or 0) >= 30
        assert (table.for_unit(group.unit) is not None) == eligible
        if not group.released and SIZES[group.unit] + (40 if group.unit == 4 else 0) >= 30:
            hidden_but_large += 1
    # The 2 people attached to P force P or Q to be hidden, though both have 40 or more.
    assert hidden_but_large == 1
    assert table.for_unit(3) is None  # 12 people
    assert table.for_unit(99) is None


def test_the_table_survives_json(world: World) -> None:
    _, _, _, table = world
    raw = json.loads(json.dumps(table.to_json(), allow_nan=False))
    again = DriverTable.from_json(raw)
    assert again.to_json() == table.to_json()
    for unit in table.unit_indices():
        assert again.for_unit(unit) == table.for_unit(unit)
    assert again.method == table.method and "R²" in again.method
    with pytest.raises(ValueError, match="version"):
        DriverTable.from_json({"version": 99})


def test_an_empty_table_survives_json() -> None:
    data, tree, _ = synthetic((20,), (-1,))
    report = release(data, tree)
    table = compute_drivers(data, tree, META, report)
    assert len(table) == 0 and table.for_unit(0) is None
    again = DriverTable.from_json(json.loads(json.dumps(table.to_json())))
    assert len(again) == 0 and again.drivers == table.drivers


def test_a_constant_outcome_gives_not_enough_variation() -> None:
    data, tree, _ = synthetic((0, 60, 50), (-1, 0, 0))
    answers = data.answers.copy()
    answers[data.unit == 1, ITEM["burnout"]] = 2  # everyone in unit 1: the same answer
    data = _with_answers(data, answers)
    table = compute_drivers(data, tree, META, release(data, tree))
    found = table.for_unit(1)
    assert found is not None
    burnout = found.outcome("burnout_rate")
    assert burnout is not None
    assert burnout.status == NOT_ENOUGH_VARIATION and "the outcome" in burnout.note
    assert burnout.drivers == () and burnout.r_squared is None
    # Intent to leave still varies; the root mixes both units, so burnout varies there.
    assert outcome_of(table, 1, "intent_to_leave_rate").status == OK
    assert outcome_of(table, 0, "burnout_rate").status == OK


def test_a_constant_driver_gets_no_weight_and_every_constant_driver_no_result() -> None:
    data, tree, _ = synthetic((0, 60, 50), (-1, 0, 0))
    answers = data.answers.copy()
    for j, item in enumerate(META.items):
        if item.construct == "practice_efficiency":
            answers[data.unit == 1, j] = item.codes[2]
    data = _with_answers(data, answers)
    table = compute_drivers(data, tree, META, release(data, tree))
    burnout = outcome_of(table, 1, "burnout_rate")
    assert burnout is not None and burnout.status == OK
    efficiency = next(d for d in burnout.drivers if d.construct == "practice_efficiency")
    assert efficiency.weight == 0 and efficiency.correlation is None and efficiency.sign == 0
    assert efficiency.quadrant is None and not efficiency.clear
    assert burnout.impact_threshold_pct == pytest.approx(100 / (len(DRIVERS) - 1))

    for j, item in enumerate(META.items):
        if item.role == "driver":
            answers[data.unit == 1, j] = item.codes[2]
    data = _with_answers(data, answers)
    table = compute_drivers(data, tree, META, release(data, tree))
    burnout = outcome_of(table, 1, "burnout_rate")
    assert burnout is not None and burnout.status == NOT_ENOUGH_VARIATION
    assert "each driver" in burnout.note


def test_too_few_complete_answers_is_said_in_words() -> None:
    data, tree, _ = synthetic((0, 34, 50), (-1, 0, 0))
    answers = data.answers.copy()
    skipped = np.flatnonzero(data.unit == 1)[:6]
    answers[skipped, ITEM["burnout"]] = MISSING
    data = _with_answers(data, answers)
    table = compute_drivers(data, tree, META, release(data, tree))
    found = table.for_unit(1)
    assert found is not None and found.respondents == 34
    burnout = found.outcome("burnout_rate")
    assert burnout is not None and burnout.status == TOO_FEW_COMPLETE and burnout.n == 28
    assert "28" in burnout.note and "30" in burnout.note
    assert outcome_of(table, 1, "intent_to_leave_rate").status == OK


def test_a_missing_item_of_a_construct_still_counts_the_person() -> None:
    data, tree, _ = synthetic((40,), (-1,))
    answers = data.answers.copy()
    answers[:10, ITEM["staffing_enough"]] = MISSING  # practice efficiency has two more items
    answers[10:13, ITEM["trust_direct_leader"]] = MISSING  # a one-item construct: not complete
    data = _with_answers(data, answers)
    table = compute_drivers(data, tree, META, release(data, tree))
    burnout = outcome_of(table, 0, "burnout_rate")
    assert burnout is not None and burnout.n == 37


def test_priority_view_quadrants_follow_the_stated_lines() -> None:
    # Practice efficiency scores low here, and drives burnout: act here first.
    data, tree, _ = synthetic((0, 300, 250), (-1, 0, 0), efficiency_mean=-1.2)
    table = compute_drivers(data, tree, META, release(data, tree))
    burnout = outcome_of(table, 1, "burnout_rate")
    assert burnout is not None
    assert burnout.drivers[0].construct == "practice_efficiency"
    assert burnout.drivers[0].quadrant == ACT_FIRST
    assert burnout.priority(ACT_FIRST)[0].construct == "practice_efficiency"
    line = burnout.score_threshold
    assert line is not None and burnout.impact_threshold_pct is not None
    scores = sorted(d.score for d in burnout.drivers if d.score is not None)
    assert line == pytest.approx(float(np.median(scores)))
    for d in burnout.drivers:
        assert d.score is not None
        high = d.share_pct >= burnout.impact_threshold_pct
        low = d.score < line
        expected = {(True, True): ACT_FIRST, (True, False): KEEP}.get(
            (high, low), MONITOR if low else LOWER_PRIORITY
        )
        assert d.quadrant == expected

    # A fixed line instead of the median; the scores are the report's construct indices.
    report = release(data, tree)
    fixed = compute_drivers(data, tree, META, report, score_threshold=101.0)
    burnout = outcome_of(fixed, 1, "burnout_rate")
    assert burnout is not None and burnout.score_threshold == 101.0
    assert {d.quadrant for d in burnout.drivers} <= {ACT_FIRST, MONITOR}
    indices = report.construct_results(report.group(1))
    for d in burnout.drivers:
        assert d.score == pytest.approx(indices[d.construct])


def test_confidence_note() -> None:
    assert confidence_level(30) == "low"
    assert confidence_level(99) == "low"
    assert confidence_level(100) == "moderate"
    assert confidence_level(400) == "high"
    data, tree, _ = synthetic((0, 60, 50), (-1, 0, 0))
    table = compute_drivers(data, tree, META, release(data, tree))
    burnout = outcome_of(table, 1, "burnout_rate")
    assert burnout is not None and burnout.margin is not None
    assert burnout.margin == pytest.approx(1.96 / np.sqrt(burnout.n))
    assert burnout.confidence == "low"
    assert f"±{burnout.margin:.2f}" in burnout.note
    for d in burnout.drivers:
        assert d.clear == (d.correlation is not None and abs(d.correlation) > burnout.margin)


def test_other_outcomes_on_request_and_a_different_minimum() -> None:
    data, tree, _ = synthetic((0, 60, 50), (-1, 0, 0))
    report = release(data, tree)
    table = compute_drivers(
        data, tree, META, report, minimum_respondents=55, outcomes=("enps", "no_such")
    )
    assert table.outcomes == ("enps",)
    assert table.unit_indices() == (0, 1)
    with pytest.raises(InsightsInputError, match="minimum group size"):
        compute_drivers(data, tree, META, report, minimum_respondents=2)


def test_relative_weights_by_the_textbook_route() -> None:
    """Johnson's definition from the data's singular value decomposition, not the eigen route."""
    rng = np.random.default_rng(5)
    n, p = 500, 4
    mix = rng.normal(size=(p, p))
    x = rng.normal(size=(n, p)) @ mix  # correlated drivers
    y = x @ np.array([0.5, -0.2, 0.0, 0.3]) + rng.normal(size=n)
    xs = (x - x.mean(0)) / x.std(0, ddof=1) / np.sqrt(n - 1)
    ys = (y - y.mean()) / y.std(ddof=1) / np.sqrt(n - 1)
    u, _, vt = np.linalg.svd(xs, full_matrices=False)
    z = u @ vt  # the orthogonal stand-ins closest to the drivers
    beta = z.T @ ys
    lam = z.T @ xs  # the drivers regressed on the stand-ins
    expected = (lam**2 * (beta**2)[:, None]).sum(axis=0)
    weights, r_squared = relative_weights(xs.T @ xs, xs.T @ ys)
    assert weights == pytest.approx(expected, abs=1e-12)
    assert r_squared == pytest.approx(float(ys @ xs @ np.linalg.solve(xs.T @ xs, xs.T @ ys)))


def test_relative_weights_of_uncorrelated_and_duplicate_drivers() -> None:
    r = np.array([0.3, -0.4, 0.1])
    weights, r_squared = relative_weights(np.eye(3), r)
    assert weights == pytest.approx(r**2) and r_squared == pytest.approx(0.26)
    # Two drivers that are the same question split its weight evenly; no crash.
    rxx = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    weights, r_squared = relative_weights(rxx, np.array([0.4, 0.4, 0.2]))
    assert weights[0] == pytest.approx(weights[1]) == pytest.approx(0.08)
    assert r_squared == pytest.approx(0.16 + 0.04)


def test_a_report_for_another_tree_is_refused() -> None:
    data, tree, _ = synthetic((0, 60, 50), (-1, 0, 0))
    report = release(data, tree)
    other = UnitTree(("x", "y", "z"), tree.parent, tree.direct_invited)
    with pytest.raises(InsightsInputError, match="different unit tree"):
        compute_drivers(data, other, META, report)


def outcome_of(table: DriverTable, unit: int, outcome: str) -> OutcomeDrivers:
    found = table.for_unit(unit)
    assert found is not None
    result = found.outcome(outcome)
    assert result is not None
    return result


def _subtree(tree: UnitTree, unit: int) -> list[int]:
    members = [unit]
    for u in range(len(tree)):
        v = u
        while v >= 0 and v != unit:
            v = int(tree.parent[v])
        if v == unit and u != unit:
            members.append(u)
    return members


def _complete_cases(
    data: CycleData, members: NDArray[np.bool_], outcome_item: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Driver construct means and the outcome score, by a plain loop, for complete cases."""
    rows_x, rows_y = [], []
    for row in np.flatnonzero(members):
        scores: dict[str, list[float]] = {}
        for j, item in enumerate(META.items):
            code = int(data.answers[row, j])
            if item.role == "driver" and code != MISSING:
                scores.setdefault(item.construct, []).append(item.scores[item.codes.index(code)])
        code = int(data.answers[row, ITEM[outcome_item]])
        if code == MISSING or set(scores) != set(DRIVERS):
            continue
        rows_x.append([float(np.mean(scores[c])) for c in DRIVERS])
        item = META.items[ITEM[outcome_item]]
        rows_y.append(float(item.scores[item.codes.index(code)]))
    return np.array(rows_x), np.array(rows_y)


def _with_answers(data: CycleData, answers: NDArray[np.uint8]) -> CycleData:
    return CycleData(answers, data.unit, data.attributes, data.response_ids, data.comments)
