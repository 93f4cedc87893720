"""A 360's report from its raters' answers: per competency and behaviour, the leader's own
ratings beside the manager's, each rater group's and all others', with no group of fewer than
the minimum derivable. Pure NumPy and the insights engine, no Django: the same code runs for
one leader on a page and for a cohort of thousands in a benchmark.

The rules, as the report page states them:

* The manager's ratings are shown as the manager's. Every other group is shown with at least
  ``minimum`` raters (3 unless the cohort raised it); a group with fewer is pooled with the
  raters nominated as "others", and that pool is shown under the same rule. "All others" —
  every rater but the leader and the manager — needs at least 4 (and the minimum).
* A rater counts toward a competency only if they rated at least half of its behaviours
  (not observed and skipped are not ratings); a behaviour's figures are those of the raters
  counted for its competency who rated it.
* Each competency and each behaviour is a small tree — all others above the groups — closed by
  the engine's complementary suppression (:func:`accord.insights.releasable_groups`), so no
  group below the minimum is the difference of shown ones (all others 9, peers 4, reports 3:
  partners 2 are not left to be worked out). Every tree of a batch is closed in one call.
* A competency's score is the mean of each counted rater's own mean, never a sum of the
  behaviours' figures, so a behaviour hidden in one group is not the difference of shown
  numbers either.
* Open answers are shown per question, never per group, split into sentences and shuffled,
  only when at least ``minimum`` raters wrote on that question.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.insights import releasable_groups

# Rater groups in the order a response's group code indexes them.
GROUPS = ("manager", "peer", "direct_report", "partner", "other")
MANAGER = 0
# Columns of the report. "others" is the pool of small groups and the raters nominated as
# others; "all_others" every rater but the leader and the manager.
COLUMNS = ("self", "manager", "peer", "direct_report", "partner", "others", "all_others")
# A tree per data point: all others, then peers, direct reports, partners and the pool.
_NODES = 5
_POOL = 4
_COLUMN_NODE = {"all_others": 0, "peer": 1, "direct_report": 2, "partner": 3, "others": _POOL}
ALL_OTHERS_MINIMUM = 4
# Others rating a behaviour this much lower than the leader does is a blind spot; this much
# higher, a hidden strength (on the 1-5 scale).
GAP = 1.0
SKIPPED = 255
NOT_OBSERVED = 0
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


@dataclass(frozen=True)
class Framework:
    """What a report needs of the framework: behaviours in the order answers are packed."""

    competencies: tuple[str, ...]
    behaviours: tuple[str, ...]
    competency_of: tuple[int, ...]  # per behaviour, its competency's index
    questions: tuple[str, ...]  # the open questions


@dataclass
class Round:
    """One leader's answers: the raters' (no link to who gave them) and the leader's own."""

    groups: NDArray[np.int64]  # per response, an index into GROUPS
    answers: NDArray[np.uint8]  # (responses, behaviours): 1-5, 0 not observed, 255 skipped
    asked: dict[str, int]  # raters asked per group (declines left out)
    minimum: int = 3
    self_answers: NDArray[np.uint8] | None = None
    comments: Sequence[tuple[str, str]] = ()  # (question, text), names already redacted
    self_comments: dict[str, str] = field(default_factory=dict)


def build_reports(
    framework: Framework, rounds: Sequence[Round], rng: random.Random | None = None
) -> list[dict[str, Any]]:
    """Every round's report, as JSON-ready dicts of ids and numbers (worded when shown)."""
    rng = rng or random.SystemRandom()
    reports: list[dict[str, Any] | None] = [None] * len(rounds)
    for minimum in sorted({r.minimum for r in rounds}):
        chosen = [i for i, r in enumerate(rounds) if r.minimum == minimum]
        batch = _Batch(framework, [rounds[i] for i in chosen], minimum)
        for i, report in zip(chosen, batch.reports(rng), strict=True):
            reports[i] = report
    return [report for report in reports if report is not None]


class _Batch:
    """Rounds sharing a minimum, closed together: one forest of small trees."""

    def __init__(self, framework: Framework, rounds: Sequence[Round], minimum: int) -> None:
        self.framework = framework
        self.rounds = rounds
        self.k = minimum
        behaviours = len(framework.behaviours)
        competencies = len(framework.competencies)
        self.points = competencies + behaviours
        self.of = np.asarray(framework.competency_of, dtype=np.int64)
        sizes = [len(r.groups) for r in rounds]
        self.review = np.repeat(np.arange(len(rounds)), sizes)
        empty = np.zeros((0, behaviours), dtype=np.uint8)
        self.answers = np.concatenate(
            [r.answers.reshape(-1, behaviours) for r in rounds] or [empty]
        )
        self.groups = np.concatenate([np.asarray(r.groups, dtype=np.int64) for r in rounds] or [[]])
        self.groups = self.groups.astype(np.int64)
        self.rated = (self.answers >= 1) & (self.answers <= 5)
        self.counted = _counted(self.rated, self.of, competencies)
        self.column = self._columns()
        self.manager_row = np.full(len(rounds), -1, dtype=np.int64)
        managers = np.flatnonzero(self.groups == MANAGER)
        self.manager_row[self.review[managers]] = managers

    def _columns(self) -> NDArray[np.int64]:
        """Per response, its node in a data point's tree: 1-3 its own group, 4 the pool."""
        per_group = np.zeros((len(self.rounds), len(GROUPS)), dtype=np.int64)
        np.add.at(per_group, (self.review, self.groups), 1)
        self.answered = per_group
        pooled = per_group < self.k
        pooled[:, GROUPS.index("other")] = True
        self.pooled = pooled
        node = np.where(pooled[self.review, self.groups], _POOL, self.groups)
        return np.where(self.groups == MANAGER, -1, node)

    def membership(self) -> NDArray[np.bool_]:
        """(responses, data points): does the response count there?"""
        competency = self.counted
        behaviour = self.counted[:, self.of] & self.rated
        return np.concatenate([competency, behaviour], axis=1)

    def reports(self, rng: random.Random) -> list[dict[str, Any]]:
        member = self.membership()
        others = member & (self.column >= 0)[:, None]
        rows, points = np.nonzero(others)
        trees = len(self.rounds) * self.points
        parent = np.full(1 + trees * _NODES, -1, dtype=np.int64)
        roots = 1 + np.arange(trees, dtype=np.int64) * _NODES
        parent[roots] = 0
        for child in range(1, _NODES):
            parent[roots + child] = roots
        minimum = np.full(len(parent), self.k, dtype=np.int64)
        minimum[0] = np.iinfo(np.int64).max
        minimum[roots] = max(ALL_OTHERS_MINIMUM, self.k)
        tree = self.review[rows] * self.points + points
        nodes = 1 + tree * _NODES + self.column[rows]
        shown, size = releasable_groups(parent, nodes, minimum, self.k)
        self.shown = shown[1:].reshape(len(self.rounds), self.points, _NODES)
        self.size = size[1:].reshape(len(self.rounds), self.points, _NODES)
        self.below = self.size < minimum[1:].reshape(self.shown.shape)
        self.sums = self._rater_means(member)
        self.dist = self._distributions()
        self._as_lists()
        return [self._report(r, rng) for r in range(len(self.rounds))]

    def _as_lists(self) -> None:
        """The arrays a report reads, as nested Python lists: a report is thousands of small
        dicts, and reading one cell of a list costs a fraction of indexing an array."""
        competencies = len(self.framework.competencies)
        manager = np.zeros((len(self.rounds), competencies), dtype=bool)
        has_manager = self.manager_row >= 0
        manager[has_manager] = self.counted[self.manager_row[has_manager]]
        self._manager_counted: list[list[bool]] = manager.tolist()
        self._shown: list[list[list[bool]]] = self.shown.tolist()
        self._size: list[list[list[int]]] = self.size.tolist()
        self._below: list[list[list[bool]]] = self.below.tolist()
        self._sums: list[list[list[float]]] = self.sums.tolist()
        self._dist: list[list[list[list[int]]]] = self.dist.tolist()
        self._answered: list[list[int]] = self.answered.tolist()
        self._pooled: list[list[bool]] = self.pooled.tolist()
        of = self.framework.competency_of
        self._behaviours_of = [
            [b for b in range(len(of)) if of[b] == c] for c in range(competencies)
        ]

    def _rater_means(self, member: NDArray[np.bool_]) -> NDArray[np.float64]:
        """(rounds, competencies, nodes + manager): the sum of counted raters' own means."""
        competencies = len(self.framework.competencies)
        scores = np.where(self.rated, self.answers, 0).astype(np.float64)
        total = np.zeros((len(self.answers), competencies))
        np.add.at(total.T, self.of, scores.T)
        rated = np.zeros((len(self.answers), competencies))
        np.add.at(rated.T, self.of, self.rated.T.astype(np.float64))
        own_mean = np.divide(total, rated, out=np.zeros_like(total), where=rated > 0)
        sums = np.zeros((len(self.rounds), competencies, _NODES + 1))
        rows, comp = np.nonzero(member[:, :competencies])
        node = self.column[rows]
        slot = np.where(node < 0, _NODES, node)  # the manager's own slot
        np.add.at(sums, (self.review[rows], comp, slot), own_mean[rows, comp])
        # every other rater is in all others too
        inside = node >= 0
        np.add.at(sums, (self.review[rows[inside]], comp[inside], 0), own_mean[rows, comp][inside])
        return sums

    def _distributions(self) -> NDArray[np.int64]:
        """(rounds, behaviours, nodes + manager, 5 answers + not observed), over the raters
        counted for the behaviour's competency."""
        behaviours = len(self.framework.behaviours)
        dist = np.zeros((len(self.rounds), behaviours, _NODES + 1, 6), dtype=np.int64)
        counted = self.counted[:, self.of]
        rows, beh = np.nonzero(counted & (self.rated | (self.answers == NOT_OBSERVED)))
        answer = self.answers[rows, beh].astype(np.int64)
        code = np.where(answer == NOT_OBSERVED, 5, answer - 1)
        node = self.column[rows]
        slot = np.where(node < 0, _NODES, node)
        np.add.at(dist, (self.review[rows], beh, slot, code), 1)
        inside = node >= 0
        np.add.at(dist, (self.review[rows[inside]], beh[inside], 0, code[inside]), 1)
        return dist

    # --- one report -----------------------------------------------------------------

    def _report(self, r: int, rng: random.Random) -> dict[str, Any]:
        round_ = self.rounds[r]
        framework = self.framework
        competencies = len(framework.competencies)
        present = self._present_columns(r)
        others = [column for column in present if column != "self"]
        own = round_.self_answers
        mine: list[int] | None = own.tolist() if "self" in present and own is not None else None
        answered, pooled = self._answered[r], self._pooled[r]
        report: dict[str, Any] = {
            "minimum": self.k,
            "all_others_minimum": max(ALL_OTHERS_MINIMUM, self.k),
            "gap": GAP,
            "groups": [
                {
                    "group": group,
                    "asked": int(round_.asked.get(group, 0)),
                    "answered": answered[g],
                    "pooled": pooled[g] and group not in ("manager", "other"),
                }
                for g, group in enumerate(GROUPS)
                if round_.asked.get(group, 0) or answered[g]
            ],
            "columns": present,
            "competencies": [],
        }
        for c, competency in enumerate(framework.competencies):
            cells = {column: self._competency_cell(r, c, column) for column in others}
            if mine is not None:
                cells["self"] = _own_competency([mine[b] for b in self._behaviours_of[c]])
            behaviours = []
            for b in self._behaviours_of[c]:
                beh = {
                    column: self._behaviour_cell(r, b, competencies + b, column)
                    for column in others
                }
                if mine is not None:
                    beh["self"] = _own_behaviour(mine[b])
                behaviours.append({"id": framework.behaviours[b], "cells": beh, "flag": _flag(beh)})
            report["competencies"].append(
                {"id": competency, "cells": cells, "behaviours": behaviours}
            )
        report["comments"] = _comments(framework, round_, self.k, rng)
        report["self_comments"] = {
            q: round_.self_comments[q] for q in framework.questions if q in round_.self_comments
        }
        return report

    def _present_columns(self, r: int) -> list[str]:
        round_ = self.rounds[r]
        answered, pooled = self._answered[r], self._pooled[r]
        columns = []
        if round_.self_answers is not None:
            columns.append("self")
        if round_.asked.get("manager") or answered[MANAGER]:
            columns.append("manager")
        for g, group in enumerate(GROUPS[1:4], start=1):
            if answered[g] and not pooled[g]:
                columns.append(group)
        if any(answered[g] and pooled[g] for g in range(1, len(GROUPS))):
            columns.append("others")
        if sum(answered[1:]):
            columns.append("all_others")
        return columns

    def _node(self, column: str) -> int:
        return _COLUMN_NODE[column]

    def _competency_cell(self, r: int, c: int, column: str) -> dict[str, Any]:
        if column == "manager":
            if not self._manager_counted[r][c]:
                return {"n": 0, "hidden": "none"}
            return {"n": 1, "mean": round(self._sums[r][c][_NODES], 2)}
        node = self._node(column)
        hidden = self._hidden(r, c, node)
        if hidden:
            return {"n": None, "hidden": hidden}
        n = self._size[r][c][node]
        return {"n": n, "mean": round(self._sums[r][c][node] / n, 2)}

    def _behaviour_cell(self, r: int, b: int, point: int, column: str) -> dict[str, Any]:
        slot = _NODES if column == "manager" else self._node(column)
        if column != "manager":
            hidden = self._hidden(r, point, slot)
            if hidden:
                return {"n": None, "hidden": hidden}
        ones, twos, threes, fours, fives, not_observed = self._dist[r][b][slot]
        rated = ones + twos + threes + fours + fives
        if column == "manager" and not rated:
            return {"n": 0, "hidden": "none", "not_observed": not_observed}
        # Integer sums, divided once: the same float as the mean of the counts.
        total = ones + 2 * twos + 3 * threes + 4 * fours + 5 * fives
        return {
            "n": rated,
            "mean": round(total / rated, 2) if rated else None,
            "dist": [ones, twos, threes, fours, fives],
            "not_observed": not_observed,
        }

    def _hidden(self, r: int, point: int, node: int) -> str:
        """ "" when shown; why not otherwise: nobody, too few, or to protect a smaller group."""
        if self._shown[r][point][node]:
            return ""
        if not self._size[r][point][node]:
            return "none"
        return "few" if self._below[r][point][node] else "protect"


def _counted(
    rated: NDArray[np.bool_], of: NDArray[np.int64], competencies: int
) -> NDArray[np.bool_]:
    """(responses, competencies): rated at least half of the competency's behaviours."""
    per = np.zeros((len(rated), competencies), dtype=np.int64)
    np.add.at(per.T, of, rated.T.astype(np.int64))
    behaviours = np.bincount(of, minlength=competencies)
    return per * 2 >= np.maximum(behaviours, 1)[None, :]


def _own_competency(answers: list[int]) -> dict[str, Any]:
    """The leader's own mean over a competency's behaviours (their answers, in order)."""
    rated = [answer for answer in answers if 1 <= answer <= 5]
    if not rated or len(rated) * 2 < len(answers):
        return {"n": 0, "hidden": "none"}
    return {"n": 1, "mean": round(sum(rated) / len(rated), 2)}


def _own_behaviour(answer: int) -> dict[str, Any]:
    if 1 <= answer <= 5:
        dist = [0] * 5
        dist[answer - 1] = 1
        return {"n": 1, "mean": float(answer), "dist": dist, "not_observed": 0}
    return {"n": 0, "hidden": "none", "not_observed": int(answer == NOT_OBSERVED)}


def _flag(cells: dict[str, dict[str, Any]]) -> str:
    """A blind spot when all others rate the behaviour ``GAP`` or more below the leader's own
    rating, a hidden strength when ``GAP`` or more above; "" otherwise or when either is
    missing."""
    own = cells.get("self", {}).get("mean")
    others = cells.get("all_others", {}).get("mean")
    if own is None or others is None:
        return ""
    if others <= own - GAP:
        return "blind_spot"
    if others >= own + GAP:
        return "hidden_strength"
    return ""


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part and part.strip()]


def _comments(
    framework: Framework, round_: Round, k: int, rng: random.Random
) -> list[dict[str, Any]]:
    result = []
    for question in framework.questions:
        texts = [text for q, text in round_.comments if q == question and text.strip()]
        if len(texts) < k:
            result.append({"question": question, "writers": None, "sentences": []})
            continue
        parts = [s for text in texts for s in sentences(text)]
        rng.shuffle(parts)
        result.append({"question": question, "writers": len(texts), "sentences": parts})
    return result
