"""Trends: changes between two cycles, only for groups released in both, marked past the noise."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pytest

from accord.insights import (
    CycleData,
    InstrumentMeta,
    ItemMeta,
    OutcomeMeta,
    Report,
    UnitTree,
    release_results,
)
from accord.insights.trends import compare_reports, two_proportion_z
from tests.insights.factories import DIMENSIONS, ROLE, SMALL_INSTRUMENT

CLINICIAN = ROLE.labels.index("clinician")
ADMINISTRATOR = ROLE.labels.index("administrator")
AGREE = (1, 2, 3, 4, 5)
# Two items make up "trust", to test the pooled construct test.
TWO_ITEMS = InstrumentMeta(
    items=(
        ItemMeta("trust_a", "trust", "driver", AGREE, (4, 5), AGREE),
        ItemMeta("trust_b", "trust", "driver", AGREE, (4, 5), AGREE),
        ItemMeta("intent_to_leave", "intent_to_leave", "outcome", AGREE, (1, 2), (5, 4, 3, 2, 1)),
        ItemMeta("recommend", "recommend", "outcome", tuple(range(11)), (9, 10), tuple(range(11))),
    ),
    outcomes=(
        OutcomeMeta("intent_to_leave_rate", 2, (4, 5)),
        OutcomeMeta("enps", 3, (9, 10), tuple(range(7))),
    ),
)


class Cycle:
    """A cycle built group by group: people in a unit with a role and set answers."""

    def __init__(self, ids: Sequence[str], parents: Sequence[int], instrument: InstrumentMeta):
        self.ids = tuple(ids)
        self.parents = np.array(parents)
        self.instrument = instrument
        self.rows: list[tuple[int, ...]] = []
        self.units: list[int] = []
        self.roles: list[int] = []

    def add(self, unit: str, count: int, role: int = CLINICIAN, **favourable: int) -> Cycle:
        """``count`` people; the first ``favourable[item]`` of them answer ``item`` favourably.

        Intent to leave: favourable is staying (raw 1), otherwise leaving (raw 5). Recommend:
        ``promoters`` answer 10, ``detractors`` 0, the rest 8.
        """
        for i in range(count):
            row = []
            for item in self.instrument.items:
                if item.id == "recommend":
                    promoters = favourable.get("promoters", 0)
                    detractors = favourable.get("detractors", 0)
                    row.append(10 if i < promoters else 0 if i < promoters + detractors else 8)
                elif item.id == "intent_to_leave":
                    row.append(1 if i < favourable.get(item.id, 0) else 5)
                else:
                    row.append(5 if i < favourable.get(item.id, 0) else 2)
            self.rows.append(tuple(row))
            self.units.append(self.ids.index(unit))
            self.roles.append(role)
        return self

    def release(self) -> Report:
        n = len(self.rows)
        attributes = {d.name: np.zeros(n, dtype=np.int64) for d in DIMENSIONS}
        attributes["role_group"] = np.array(self.roles, dtype=np.int64)
        data = CycleData(
            answers=np.array(self.rows, dtype=np.uint8).reshape(n, len(self.instrument.items)),
            unit=np.array(self.units, dtype=np.int64),
            attributes=attributes,
            response_ids=np.arange(n, dtype=np.int64),
        )
        invited = np.bincount(np.array(self.units), minlength=len(self.ids))
        tree = UnitTree(self.ids, self.parents, invited)
        return release_results(data, tree, DIMENSIONS, self.instrument)


def one_ward(people: int, favourable: int) -> Report:
    cycle = Cycle(("org", "ward"), (-1, 0), SMALL_INSTRUMENT)
    return cycle.add("ward", people, trust_senior_leaders=favourable).release()


def test_a_ten_point_change_on_40_people_is_noise() -> None:
    trends = compare_reports(one_ward(40, 24), one_ward(40, 20), SMALL_INSTRUMENT)
    trend = trends.for_group(1)
    assert trend is not None and trend.respondents == 40 and trend.previous_respondents == 40
    trust = next(c for c in trend.items if c.key == "trust_senior_leaders")
    assert trust.current == pytest.approx(60.0) and trust.previous == pytest.approx(50.0)
    assert trust.change == pytest.approx(10.0)
    assert trust.z == pytest.approx(0.1 / math.sqrt(0.55 * 0.45 * (2 / 40)))
    assert not trust.real and trust.direction == "same"
    construct = next(c for c in trend.constructs if c.key == "trust")
    assert construct.change == pytest.approx(10.0) and not construct.real


def test_a_ten_point_change_on_4000_people_is_real() -> None:
    trends = compare_reports(one_ward(4000, 2400), one_ward(4000, 2000), SMALL_INSTRUMENT)
    trend = trends.for_group(1)
    assert trend is not None
    trust = next(c for c in trend.items if c.key == "trust_senior_leaders")
    assert trust.change == pytest.approx(10.0)
    assert trust.real and trust.direction == "up" and trust.z is not None and trust.z > 1.96
    construct = next(c for c in trend.constructs if c.key == "trust")
    assert construct.real and construct.z == pytest.approx(trust.z)
    assert trust in trend.real_changes() and construct in trend.real_changes()
    falling = compare_reports(one_ward(4000, 2000), one_ward(4000, 2400), SMALL_INSTRUMENT)
    trend = falling.for_group(1)
    assert trend is not None and trend.items[0].direction == "down"


def test_the_threshold_sits_at_z_196() -> None:
    # A change right at the edge: 50% -> 60% needs about 190 people on each side.
    for n, expected in ((150, False), (250, True)):
        z = two_proportion_z(
            np.array([0.6 * n]), np.array([float(n)]), np.array([0.5 * n]), np.array([float(n)])
        )[0]
        trends = compare_reports(
            one_ward(n, int(0.6 * n)), one_ward(n, int(0.5 * n)), SMALL_INSTRUMENT
        )
        trend = trends.for_group(1)
        assert trend is not None and trend.items[0].real is expected
        assert bool(abs(z) > 1.96) is expected
        assert bool(trends.real("items")[0, 0]) is expected


def test_only_groups_released_in_both_cycles_are_compared() -> None:
    ids = ("org", "north", "south", "tiny")
    parents = (-1, 0, 0, 0)
    before = (
        Cycle(ids, parents, SMALL_INSTRUMENT)
        .add("north", 12)
        .add("north", 8, role=ADMINISTRATOR)
        .add("south", 15)
        .add("tiny", 2)  # hidden: below the minimum
        .add("tiny", 2, role=ADMINISTRATOR)
        .release()
    )
    after = (
        Cycle(ids, parents, SMALL_INSTRUMENT)
        .add("north", 14)
        .add("north", 2, role=ADMINISTRATOR)  # administrators now hidden in north
        .add("north", 4, role=ROLE.labels.index("other"))
        .add("south", 15)
        .add("tiny", 8)  # released now
        .add("tiny", 5, role=ADMINISTRATOR)
        .release()
    )
    trends = compare_reports(after, before, SMALL_INSTRUMENT)
    compared = set(zip(trends.unit_ids, trends.dimension, trends.value, strict=True))
    for group in after.groups:
        key = (after.tree.ids[group.unit], group.dimension, group.value)
        earlier = before.group(group.unit, group.dimension, group.value)
        assert (key in compared) == (group.released and earlier.released)
    assert trends.for_group(3) is None  # tiny: hidden before
    assert trends.for_group(1, "role_group", "administrator") is None  # hidden now
    assert trends.for_group(1) is not None
    assert trends.for_group(1, "role_group", "clinician") is not None
    assert len(trends) == len(compared)


def test_units_are_matched_by_id_not_position() -> None:
    before = Cycle(("org", "a", "b"), (-1, 0, 0), SMALL_INSTRUMENT)
    before = before.add("a", 10, trust_senior_leaders=2).add("b", 10, trust_senior_leaders=9)
    after = Cycle(("org", "new", "b", "a"), (-1, 0, 0, 0), SMALL_INSTRUMENT)
    after = after.add("new", 10).add("a", 10, trust_senior_leaders=3)
    after = after.add("b", 10, trust_senior_leaders=8)
    trends = compare_reports(after.release(), before.release(), SMALL_INSTRUMENT)
    a = trends.for_group(3)
    assert a is not None and a.unit_id == "a" and a.previous_unit == 1
    assert a.items[0].change == pytest.approx(10.0)
    b = trends.for_group(2)
    assert b is not None and b.previous_unit == 2 and b.items[0].change == pytest.approx(-10.0)
    assert trends.for_group(1) is None  # "new" has no history


def test_construct_test_pools_items_with_the_average_answered_as_the_sample() -> None:
    def cycle(share: float) -> Report:
        n = 100
        k = int(share * n)
        return (
            Cycle(("org", "ward"), (-1, 0), TWO_ITEMS)
            .add("ward", n, trust_a=k, trust_b=k)
            .release()
        )

    trends = compare_reports(cycle(0.6), cycle(0.5), TWO_ITEMS)
    trend = trends.for_group(1)
    assert trend is not None
    construct = next(c for c in trend.constructs if c.key == "trust")
    expected = two_proportion_z(
        np.array([60.0]), np.array([100.0]), np.array([50.0]), np.array([100.0])
    )
    # Not 200 answers a side: one person answers both items.
    assert construct.z == pytest.approx(float(expected[0]))
    assert construct.change == pytest.approx(10.0)


def test_outcomes_are_tested_as_shares_and_enps_as_a_net_score() -> None:
    def cycle(staying: int, promoters: int, detractors: int) -> Report:
        c = Cycle(("org", "ward"), (-1, 0), TWO_ITEMS)
        return c.add(
            "ward", 400, intent_to_leave=staying, promoters=promoters, detractors=detractors
        ).release()

    now, then = cycle(300, 200, 100), cycle(260, 120, 160)
    trends = compare_reports(now, then, TWO_ITEMS)
    trend = trends.for_group(1)
    assert trend is not None
    leaving = next(c for c in trend.outcomes if c.key == "intent_to_leave_rate")
    assert leaving.current == pytest.approx(25.0) and leaving.previous == pytest.approx(35.0)
    expected = two_proportion_z(
        np.array([100.0]), np.array([400.0]), np.array([140.0]), np.array([400.0])
    )
    assert leaving.z == pytest.approx(float(expected[0])) and leaving.real
    assert leaving.direction == "down"

    enps = next(c for c in trend.outcomes if c.key == "enps")
    assert enps.current == pytest.approx(25.0) and enps.previous == pytest.approx(-10.0)
    m1, m2 = 0.25, -0.1
    v1 = (200 + 100) / 400 - m1**2
    v2 = (120 + 160) / 400 - m2**2
    assert enps.z == pytest.approx((m1 - m2) / math.sqrt(v1 / 400 + v2 / 400))
    assert enps.real


def test_without_the_instrument_only_items_are_tested() -> None:
    trends = compare_reports(one_ward(4000, 2400), one_ward(4000, 2000))
    trend = trends.for_group(1)
    assert trend is not None
    assert trend.items[0].real
    assert all(c.z is None and not c.real for c in (*trend.constructs, *trend.outcomes))
    assert trend.constructs[0].change == pytest.approx(10.0)


def test_two_proportion_z_edges() -> None:
    z = two_proportion_z(
        np.array([0.0, 10.0, 5.0, np.nan]),
        np.array([10.0, 10.0, 0.0, 10.0]),
        np.array([0.0, 10.0, 5.0, 1.0]),
        np.array([10.0, 10.0, 10.0, 10.0]),
    )
    assert z[0] == 0 and z[1] == 0  # both 0%, both 100%: no change, no division by zero
    assert np.isnan(z[2]) and np.isnan(z[3])  # no answers, or no count


def test_the_same_report_twice_changes_nothing() -> None:
    report = one_ward(60, 30)
    trends = compare_reports(report, report, SMALL_INSTRUMENT)
    for kind in ("items", "constructs", "outcomes"):
        assert not trends.real(kind).any()
    trend = trends.for_group(0)
    assert trend is not None
    assert all(c.change == 0 for c in trend.items if c.change is not None)
