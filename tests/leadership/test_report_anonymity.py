"""The 360 report attacked by the independent auditor: in hypothesis-generated 360s (group
sizes 0-12, declines, not observed and skipped answers, raised minimums) no group of 1 to
k-1 raters other than the manager is derivable from any competency's or behaviour's figures,
and every figure shown is the true one."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.leadership.report import GROUPS, Framework, Round, build_reports
from tests.insights.auditor import audit_sets

FRAMEWORK = Framework(
    competencies=("a", "b", "c"),
    behaviours=tuple(f"b{i}" for i in range(13)),
    competency_of=(0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2),
    questions=("strengths", "develop"),
)
BEHAVIOURS = len(FRAMEWORK.behaviours)
ANSWERS = st.sampled_from([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 0, 255])


@st.composite
def rounds(draw: st.DrawFn) -> tuple[Round, int]:
    k = draw(st.sampled_from([3, 3, 3, 4, 5]))
    sizes = [draw(st.integers(0, 1))] + [draw(st.integers(0, 12)) for _ in GROUPS[1:]]
    groups = np.repeat(np.arange(len(GROUPS)), sizes)
    answers = np.array(
        [[draw(ANSWERS) for _ in range(BEHAVIOURS)] for _ in groups], dtype=np.uint8
    ).reshape(len(groups), BEHAVIOURS)
    declined = [draw(st.integers(0, 2)) for _ in GROUPS]
    asked = {g: sizes[i] + declined[i] for i, g in enumerate(GROUPS)}
    writers = draw(st.integers(0, len(groups)))
    comments = [("strengths", f"Person {i} says this. And that.") for i in range(writers)]
    own = np.array([draw(ANSWERS) for _ in range(BEHAVIOURS)], dtype=np.uint8)
    return Round(groups, answers, asked, k, self_answers=own, comments=comments), k


def column_members(report: dict, round_: Round, column: str) -> np.ndarray:
    """Which responses a column speaks for, read from the report's own words: its groups,
    the groups it says were pooled, and the raters nominated as others."""
    pooled = {g["group"] for g in report["groups"] if g["pooled"]} | {"other"}
    names = np.array(GROUPS)[round_.groups]
    if column == "all_others":
        return names != "manager"
    if column == "others":
        return np.isin(names, sorted(pooled))
    return names == column


def counted(round_: Round, competency: int) -> np.ndarray:
    mine = np.array(FRAMEWORK.competency_of) == competency
    rated = (round_.answers[:, mine] >= 1) & (round_.answers[:, mine] <= 5)
    return rated.sum(axis=1) * 2 >= mine.sum()


def check(report: dict, round_: Round, k: int) -> None:
    columns = [c for c in report["columns"] if c not in ("self", "manager")]
    for c, competency in enumerate(report["competencies"]):
        base = counted(round_, c)
        sets = []
        for column in columns:
            cell = competency["cells"][column]
            members = column_members(report, round_, column) & base
            if cell.get("hidden"):
                continue
            assert cell["n"] == members.sum() >= k, (column, cell)
            sets.append(members)
        assert not audit_sets(sets, k), f"competency {competency['id']}"
        for behaviour in competency["behaviours"]:
            b = FRAMEWORK.behaviours.index(behaviour["id"])
            answers = round_.answers[:, b]
            rated = base & (answers >= 1) & (answers <= 5)
            sets = []
            for column in columns:
                cell = behaviour["cells"][column]
                members = column_members(report, round_, column) & rated
                if cell.get("hidden"):
                    continue
                assert cell["n"] == members.sum() >= k
                truth = np.bincount(answers[members], minlength=6)[1:6]
                assert cell["dist"] == truth.tolist()
                sets.append(members)
            assert not audit_sets(sets, k), f"behaviour {behaviour['id']}"
    for comments in report["comments"]:
        writers = sum(q == comments["question"] for q, _ in round_.comments)
        assert (comments["writers"] is not None) == (writers >= k)


@settings(max_examples=250, deadline=None)
@given(rounds())
def test_no_rater_group_below_the_minimum_is_derivable(generated: tuple[Round, int]) -> None:
    round_, k = generated
    (report,) = build_reports(FRAMEWORK, [round_], random.Random(0))
    check(report, round_, k)


def test_subtraction_from_all_others_is_closed() -> None:
    """The issue's own case: all others 9, peers 4, reports 3 — partners 2 must not be the
    difference. Something else is hidden, and all others and peers stay."""
    groups = np.repeat(np.arange(5), [1, 4, 3, 2, 0])
    answers = np.full((len(groups), BEHAVIOURS), 4, dtype=np.uint8)
    round_ = Round(groups, answers, {"manager": 1, "peer": 4, "direct_report": 3, "partner": 2})
    (report,) = build_reports(FRAMEWORK, [round_], random.Random(0))
    cells = report["competencies"][0]["cells"]
    assert cells["all_others"]["n"] == 9 and cells["peer"]["n"] == 4
    assert cells["others"]["hidden"] == "few"
    assert cells["direct_report"]["hidden"] == "protect"
    check(report, round_, 3)


def test_a_batch_gives_each_leader_the_report_they_get_alone() -> None:
    rng = np.random.default_rng(3)
    made = []
    for _ in range(20):
        groups = np.repeat(
            np.arange(5),
            rng.integers(0, 7, size=5).clip(0, None) * [0, 1, 1, 1, 1] + [1, 0, 0, 0, 0],
        )
        answers = rng.integers(0, 6, size=(len(groups), BEHAVIOURS)).astype(np.uint8)
        made.append(Round(groups, answers, {"peer": 3}, int(rng.choice([3, 4]))))
    together = build_reports(FRAMEWORK, made, random.Random(0))
    alone = [build_reports(FRAMEWORK, [r], random.Random(0))[0] for r in made]
    assert together == alone
