"""Every released number, recounted person by person: the engine's counting shortcuts (one
pass over the answer matrix per view, whole units from the runs of one dimension, only the
covered respondents for the others, per-item columns) must not change a single figure."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.insights import (
    MISSING,
    Dimension,
    InsightsInputError,
    InstrumentMeta,
    ItemMeta,
    OutcomeMeta,
    release_results,
)
from tests.insights.factories import Org

ROLE = Dimension("role_group", ("clinician", "administrator", "not recorded"))
PROFESSION = Dimension("profession", ("nurse", "physician", "pharmacist", "manager", "support"))
TENURE = Dimension("tenure", ("under 2 years", "2 to 5 years", "over 5 years", "not recorded"))
AGREE = (1, 2, 3, 4, 5)
INSTRUMENT = InstrumentMeta(
    items=(
        ItemMeta("trust", "trust", "driver", AGREE, (4, 5), AGREE),
        ItemMeta("leave", "intent_to_leave", "outcome", AGREE, (1, 2), (5, 4, 3, 2, 1)),
        ItemMeta("recommend", "recommend", "outcome", tuple(range(11)), (9, 10), tuple(range(11))),
        ItemMeta("workload", "trust", "driver", (0, 1, 2, 3), (0, 1), (3, 2, 1, 0)),
        ItemMeta("fairness", "fairness", "driver", (2, 3, 4), (), (1, 2, 3)),
    ),
    outcomes=(
        OutcomeMeta("intent_to_leave_rate", 1, (4, 5)),
        OutcomeMeta("enps", 2, (9, 10), tuple(range(7))),
    ),
)


@st.composite
def organisations(draw: st.DrawFn) -> Org:
    org = Org(
        dimensions=(ROLE, PROFESSION, TENURE),
        instrument=INSTRUMENT,
        seed=draw(st.integers(0, 2**16)),
    )
    units = draw(st.integers(1, 9))
    for u in range(units):
        org.unit(f"u{u}", None if u == 0 else draw(st.integers(0, u - 1)))
    for u in range(units):
        for _ in range(draw(st.integers(0, 4))):
            values = {
                d.name: d.labels[draw(st.integers(0, len(d.labels) - 1))] for d in org.dimensions
            }
            org.add(u, draw(st.integers(1, 12)), **values)
    skipped = draw(st.floats(0, 0.4))
    for person in org.people:
        person.answers = tuple(
            MISSING if org.rng.random() < skipped else answer for answer in person.answers
        )
    return org


def chains(org: Org) -> list[set[int]]:
    result = []
    for unit in range(len(org.parents)):
        chain = set()
        while unit >= 0:
            chain.add(unit)
            unit = org.parents[unit]
        result.append(chain)
    return result


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations(), st.integers(3, 5))
def test_every_released_number_matches_a_recount(org: Org, k: int) -> None:
    if not org.people:
        return
    report = org.release(k=k)
    up = chains(org)
    answers = np.array([p.answers for p in org.people], dtype=np.int64)
    for group in report.released_groups():
        members = [
            i
            for i, person in enumerate(org.people)
            if group.unit in up[person.unit]
            and (
                group.dimension is None
                or org.dimensions[[d.name for d in org.dimensions].index(group.dimension)].labels[
                    person.attributes[[d.name for d in org.dimensions].index(group.dimension)]
                ]
                == group.value
            )
        ]
        assert group.respondents == len(members)
        block = answers[members]
        results = report.item_results(group)
        for j, (item, result) in enumerate(zip(INSTRUMENT.items, results, strict=True)):
            given = block[:, j][block[:, j] != MISSING]
            assert result.answered == len(given)
            assert result.option_counts == {c: int((given == c).sum()) for c in item.codes}
            if len(given):
                scores = dict(zip(item.codes, item.scores, strict=True))
                assert result.mean == pytest.approx(np.mean([scores[c] for c in given]))
                if item.favourable:
                    liked = np.isin(given, item.favourable).mean() * 100
                    assert result.favourable_pct == pytest.approx(liked)
                else:
                    assert result.favourable_pct is None
            else:
                assert result.mean is None and result.favourable_pct is None
        outcomes = report.outcome_results(group)
        leave = block[:, 1][block[:, 1] != MISSING]
        if len(leave):
            rate = np.isin(leave, (4, 5)).mean() * 100
            assert outcomes["intent_to_leave_rate"] == pytest.approx(rate)
        trust = report.construct_results(group)["trust"]
        shares = [
            r.favourable_pct for r in (results[0], results[3]) if r.favourable_pct is not None
        ]
        assert trust == (pytest.approx(np.mean(shares)) if shares else None)


def test_an_answer_off_its_items_scale_is_refused_even_below_the_highest_code() -> None:
    org = Org(instrument=INSTRUMENT)
    unit = org.unit("Ward")
    org.add(unit, 6)
    org.people[0].answers = (1, 1, 1, 7, 2)  # workload goes 0..3; 7 is on another item's scale
    with pytest.raises(InsightsInputError, match="outside its scale"):
        org.release()
    org.people[0].answers = (1, 1, 1, 1, 200)  # above every scale, and not "missing"
    with pytest.raises(InsightsInputError, match="outside its scale"):
        org.release()


def test_no_respondents_at_all_is_an_empty_release() -> None:
    org = Org(instrument=INSTRUMENT)
    org.unit("Ward")
    data = org.data()
    report = release_results(data, org.tree(), org.dimensions, INSTRUMENT)
    assert not report.released_groups()
    assert report.option_counts.shape == (0, len(INSTRUMENT.items), 11)
