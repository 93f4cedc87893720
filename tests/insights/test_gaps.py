"""The perception gap: only where both sides are released, biggest gap first."""

from __future__ import annotations

import numpy as np
import pytest

from accord.insights import CycleData, Report, UnitTree, release_results
from accord.insights.gaps import perception_gap
from tests.insights.factories import DIMENSIONS, ROLE, SMALL_INSTRUMENT

CLINICIAN = ROLE.labels.index("clinician")
ADMINISTRATOR = ROLE.labels.index("administrator")
OTHER = ROLE.labels.index("other")

# SMALL_INSTRUMENT: trust (agree5, favourable 4-5), intent to leave (agree5 reverse-coded,
# favourable raw 1-2), recommend (0-10, favourable 9-10).


def people(count: int, favourable: dict[str, int]) -> list[tuple[int, int, int]]:
    """``count`` answer rows; the first favourable[item] answer that item favourably."""
    rows = []
    for i in range(count):
        trust = 5 if i < favourable.get("trust", 0) else 2
        leave = 1 if i < favourable.get("leave", 0) else 4
        recommend = 10 if i < favourable.get("recommend", 0) else 5
        rows.append((trust, leave, recommend))
    return rows


def ward(groups: list[tuple[int, int, list[tuple[int, int, int]]]]) -> Report:
    """One organisation: root 0 with wards 1 and 2. ``groups`` are (unit, role, answer rows)."""
    answers = [row for _, _, rows in groups for row in rows]
    units = [unit for unit, _, rows in groups for _ in rows]
    roles = [role for _, role, rows in groups for _ in rows]
    n = len(answers)
    attributes = {d.name: np.zeros(n, dtype=np.int64) for d in DIMENSIONS}
    attributes["role_group"] = np.array(roles, dtype=np.int64)
    data = CycleData(
        answers=np.array(answers, dtype=np.uint8),
        unit=np.array(units, dtype=np.int64),
        attributes=attributes,
        response_ids=np.arange(n, dtype=np.int64),
    )
    invited = np.bincount(np.array(units), minlength=3)
    tree = UnitTree(("org", "north", "south"), np.array([-1, 0, 0]), invited)
    return release_results(data, tree, DIMENSIONS, SMALL_INSTRUMENT)


def test_gap_per_item_sorted_by_size() -> None:
    report = ward(
        [
            (1, CLINICIAN, people(20, {"trust": 4, "leave": 10, "recommend": 9})),
            (1, ADMINISTRATOR, people(10, {"trust": 8, "leave": 4, "recommend": 5})),
            (2, CLINICIAN, people(15, {"trust": 7})),
            (2, ADMINISTRATOR, people(8, {"trust": 4})),
        ]
    )
    gap = perception_gap(report, 1)
    assert gap is not None
    assert (gap.a, gap.b, gap.dimension) == ("clinician", "administrator", "role_group")
    assert gap.a_respondents == 20 and gap.b_respondents == 10
    lines = {line.key: line for line in gap.items}
    assert lines["trust_senior_leaders"].a == pytest.approx(20.0)
    assert lines["trust_senior_leaders"].b == pytest.approx(80.0)
    assert lines["trust_senior_leaders"].gap == pytest.approx(-60.0)
    assert lines["intent_to_leave"].gap == pytest.approx(50.0 - 40.0)
    assert lines["recommend"].gap == pytest.approx(45.0 - 50.0)
    assert [line.key for line in gap.items] == [
        "trust_senior_leaders",
        "intent_to_leave",
        "recommend",
    ]
    assert gap.largest is not None and gap.largest.key == "trust_senior_leaders"
    constructs = {line.key: line for line in gap.constructs}
    assert constructs["trust"].gap == pytest.approx(-60.0)
    assert abs(gap.constructs[0].gap or 0) >= abs(gap.constructs[-1].gap or 0)
    outcomes = {line.key: line for line in gap.outcomes}
    assert outcomes["intent_to_leave_rate"].a == pytest.approx(50.0)
    assert outcomes["intent_to_leave_rate"].b == pytest.approx(60.0)

    # The other way round, and the whole organisation.
    swapped = perception_gap(report, 1, a="administrator", b="clinician")
    assert swapped is not None and swapped.items[0].gap == pytest.approx(60.0)
    whole = perception_gap(report, 0)
    assert whole is not None and whole.a_respondents == 35 and whole.b_respondents == 18


def test_none_when_administrators_are_suppressed_but_clinicians_released() -> None:
    report = ward(
        [
            (1, CLINICIAN, people(20, {"trust": 10})),
            (1, ADMINISTRATOR, people(3, {"trust": 3})),
            (1, OTHER, people(4, {"trust": 1})),
            (2, CLINICIAN, people(12, {"trust": 5})),
            (2, ADMINISTRATOR, people(9, {"trust": 5})),
        ]
    )
    assert report.group(1, "role_group", "clinician").released
    assert not report.group(1, "role_group", "administrator").released
    assert perception_gap(report, 1) is None
    # Clinicians against "other" there: "other" (4) is hidden as well.
    assert perception_gap(report, 1, b="other") is None


def test_none_when_clinicians_are_the_hidden_side() -> None:
    report = ward(
        [
            (1, CLINICIAN, people(3, {"trust": 1})),
            (1, ADMINISTRATOR, people(20, {"trust": 10})),
            (1, OTHER, people(4, {})),
            (2, CLINICIAN, people(12, {"trust": 5})),
            (2, ADMINISTRATOR, people(9, {"trust": 5})),
        ]
    )
    assert report.group(1, "role_group", "administrator").released
    assert perception_gap(report, 1) is None


def test_none_when_the_unit_itself_is_hidden() -> None:
    report = ward(
        [
            (1, CLINICIAN, people(2, {})),
            (1, ADMINISTRATOR, people(1, {})),
            (2, CLINICIAN, people(12, {"trust": 5})),
            (2, ADMINISTRATOR, people(9, {"trust": 5})),
        ]
    )
    assert not report.group(1).released
    assert perception_gap(report, 1) is None


def test_unknown_dimensions_and_values_are_refused() -> None:
    report = ward(
        [
            (1, CLINICIAN, people(12, {})),
            (2, ADMINISTRATOR, people(12, {})),
        ]
    )
    with pytest.raises(ValueError, match="no dimension"):
        perception_gap(report, 1, dimension="shoe size")
    with pytest.raises(ValueError, match="not a value offered"):
        perception_gap(report, 1, b="not recorded")
    with pytest.raises(ValueError, match="two different"):
        perception_gap(report, 1, b="clinician")
    with pytest.raises(ValueError, match="not in the report"):
        perception_gap(report, 7)


def test_an_item_nobody_answered_on_one_side_sorts_last() -> None:
    rows_a = [(5, 255, 10)] * 10  # nobody in this group answered intent to leave
    rows_b = people(10, {"trust": 5, "leave": 5, "recommend": 5})
    report = ward([(1, CLINICIAN, rows_a), (1, ADMINISTRATOR, rows_b), (2, OTHER, people(9, {}))])
    gap = perception_gap(report, 1)
    assert gap is not None
    assert gap.items[-1].key == "intent_to_leave"
    assert gap.items[-1].a is None and gap.items[-1].gap is None and gap.items[-1].b == 50.0
