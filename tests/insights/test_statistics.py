"""The figures of a released group, computed by hand for a small ward."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from accord.insights import (
    MISSING,
    CycleData,
    InsightsInputError,
    ReleaseRecord,
    UnitTree,
    release_results,
)
from accord.insights.adapters import instrument_meta
from accord.surveys.instruments import core_instrument
from tests.insights.factories import DIMENSIONS, SMALL_INSTRUMENT


def ward(answers: list[tuple[int, int, int]]) -> CycleData:
    n = len(answers)
    return CycleData(
        answers=np.array(answers, dtype=np.uint8),
        unit=np.zeros(n, dtype=np.int64),
        attributes={d.name: np.zeros(n, dtype=np.int64) for d in DIMENSIONS},
        response_ids=np.arange(n, dtype=np.int64),
    )


TREE = UnitTree(("ward",), np.array([-1]), np.array([8]))


def test_counts_favourable_share_mean_and_outcomes() -> None:
    # trust (agree5), intent to leave (agree5, reverse-coded), recommend (0-10)
    data = ward([(5, 1, 10), (4, 5, 9), (2, 4, 6), (1, MISSING, 0), (4, 2, 8), (3, 3, MISSING)])
    report = release_results(data, TREE, DIMENSIONS, SMALL_INSTRUMENT)
    group = report.group(0)
    assert group.released and group.respondents == 6 and group.response_rate == 6 / 8
    trust, leave, recommend = report.item_results(group)
    assert recommend.answered == 5 and recommend.favourable_pct == pytest.approx(40.0)
    assert trust.answered == 6 and trust.option_counts == {1: 1, 2: 1, 3: 1, 4: 2, 5: 1}
    assert trust.favourable_pct == pytest.approx(50.0)
    assert trust.mean == pytest.approx(19 / 6)
    # Reverse-coded: raw 1 and 2 are favourable, and the mean is on the mirrored scale.
    assert leave.answered == 5 and leave.favourable_pct == pytest.approx(40.0)
    assert leave.mean == pytest.approx((5 + 1 + 2 + 4 + 3) / 5)
    outcomes = report.outcome_results(group)
    assert outcomes["intent_to_leave_rate"] == pytest.approx(40.0)  # raw 4 and 5 of 5
    assert outcomes["enps"] == pytest.approx((2 - 2) / 5 * 100)  # 10, 9 vs 6, 0
    constructs = report.construct_results(group)
    assert constructs["trust"] == pytest.approx(50.0)


def test_answers_off_the_scale_are_refused() -> None:
    data = ward([(6, 1, 1)] * 5)
    with pytest.raises(InsightsInputError, match="outside its scale"):
        release_results(data, TREE, DIMENSIONS, SMALL_INSTRUMENT)


def test_core_instrument_outcomes_read_the_raw_codes() -> None:
    meta = instrument_meta(core_instrument())
    outcomes = {o.id: o for o in meta.outcomes}
    items = [item.id for item in meta.items]
    assert "leaders_keep_doing" not in items  # open questions are not answer columns
    assert outcomes["burnout_rate"].counted == (3, 4, 5)
    assert outcomes["intent_to_leave_rate"].counted == (4, 5)
    leave = meta.items[outcomes["intent_to_leave_rate"].item]
    assert leave.favourable == (1, 2) and leave.scores == (5, 4, 3, 2, 1)
    assert outcomes["enps"].counted == (9, 10)
    assert outcomes["enps"].subtracted == tuple(range(7))


def test_release_records_survive_json() -> None:
    data = ward([(5, 1, 10)] * 6)
    report = release_results(data, TREE, DIMENSIONS, SMALL_INSTRUMENT)
    assert report.ledger_entry is not None
    again = ReleaseRecord.from_json(report.ledger_entry.to_json())
    assert np.array_equal(again.response_ids, report.ledger_entry.response_ids)
    assert np.array_equal(again.levels, report.ledger_entry.levels)


def test_release_records_of_the_class_format_are_read_as_one_factor() -> None:
    # Entries stored before the exact rule hold a class label per response.
    ids = np.array([3, 7, 9], dtype=np.int64)
    labels = np.array([0, 0, 1], dtype="<i8")
    old = {
        "format": "accord.release-ledger/1",
        "minimum_group_size": 5,
        "id_dtype": ids.dtype.str,
        "response_ids": base64.b64encode(ids.tobytes()).decode("ascii"),
        "class_labels": base64.b64encode(labels.tobytes()).decode("ascii"),
    }
    record = ReleaseRecord.from_json(old)
    assert record.levels.tolist() == [[0], [0], [1]]
    old["class_labels"] = base64.b64encode(labels[:2].tobytes()).decode("ascii")
    with pytest.raises(ValueError, match="every response id"):
        ReleaseRecord.from_json(old)
