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
* A group's competency score is the mean of the group's shown behaviour means: a function
  of figures already on the page, so it adds nothing an attacker could subtract (a mean of
  raters' own means would: when every rater rated every behaviour it is the behaviours' sum
  over five, and a group hidden on some behaviours and not others falls out). It is shown
  when the competency's tree shows the group and at least half its behaviours have a mean.
* Columns and answered counts come from who was asked and which groups reached the minimum;
  a pooled group's count, and "nobody" against "one or two", are never shown.
* Open answers are shown per question, never per group, split into sentences and shuffled,
  only when at least ``minimum`` raters wrote on that question.
"""

from __future__ import annotations

import gc
import random
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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
# Why a group's cell is hidden: shown, too few (nobody counts as too few: telling "nobody"
# from "one or two" would say whether a pooled rater answered), or to protect a smaller group.
_WHY = ("", "few", "few", "protect")
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
    reports: list[dict[str, Any] | None] = [None] * len(rounds)
    for chosen, batch in report_batches(framework, rounds, rng):
        for i, report in zip(chosen, batch, strict=True):
            reports[i] = report
    return [report for report in reports if report is not None]


def report_batches(
    framework: Framework,
    rounds: Sequence[Round],
    rng: random.Random | None = None,
    size: int | None = None,
) -> Iterator[tuple[list[int], list[dict[str, Any]]]]:
    """The reports a batch at a time — rounds sharing a minimum, at most ``size`` of them —
    each with its rounds' indices. A report does not depend on the others of its batch, and
    the batches come in the order ``build_reports`` takes them, so the same ``rng`` gives
    the same reports either way."""
    rng = rng or random.SystemRandom()
    for minimum in sorted({r.minimum for r in rounds}):
        chosen = [i for i, r in enumerate(rounds) if r.minimum == minimum]
        step = size or len(chosen)
        for start in range(0, len(chosen), step):
            part = chosen[start : start + step]
            yield part, _Batch(framework, [rounds[i] for i in part], minimum).reports(rng)


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
        none = np.zeros(0, dtype=np.int64)
        self.groups = np.concatenate(
            [np.asarray(r.groups, dtype=np.int64) for r in rounds] or [none]
        )
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
        self.manager_means = self._manager_means(member)
        self.dist = self._distributions()
        self._as_lists()
        with collector_paused():
            return [self._report(r, rng) for r in range(len(self.rounds))]

    def _as_lists(self) -> None:
        """The arrays a report reads as Python lists, one flat list per round: a report is
        hundreds of small dicts, and reading a list costs a fraction of indexing an array."""
        competencies = len(self.framework.competencies)
        manager = np.zeros((len(self.rounds), competencies), dtype=bool)
        has_manager = self.manager_row >= 0
        manager[has_manager] = self.counted[self.manager_row[has_manager]]
        self._manager_counted: list[list[bool]] = manager.tolist()
        # Why each (point, node) is hidden, an index into _WHY: 0 shown, 1 nobody, 2 too
        # few, 3 to protect a smaller group.
        why = np.where(self.shown, 0, np.where(self.size == 0, 1, np.where(self.below, 2, 3)))
        self._why: list[list[int]] = _per_round(why)  # [point * _NODES + node]
        self._size: list[list[int]] = _per_round(self.size)
        self._manager_mean: list[list[float]] = self.manager_means.tolist()
        self._dist: list[list[int]] = _per_round(self.dist)  # [(b * (_NODES + 1) + slot) * 6]
        self._answered: list[list[int]] = self.answered.tolist()
        self._pooled: list[list[bool]] = self.pooled.tolist()
        of = self.framework.competency_of
        self._behaviours_of = [
            [b for b in range(len(of)) if of[b] == c] for c in range(competencies)
        ]

    def _manager_means(self, member: NDArray[np.bool_]) -> NDArray[np.float64]:
        """(rounds, competencies): the manager's own mean of each competency they count for
        (a group's score is the mean of its shown behaviour means, in ``_competency_cell``)."""
        competencies = len(self.framework.competencies)
        scores = np.where(self.rated, self.answers, 0).astype(np.float64)
        total = np.zeros((len(self.answers), competencies))
        np.add.at(total.T, self.of, scores.T)
        rated = np.zeros((len(self.answers), competencies))
        np.add.at(rated.T, self.of, self.rated.T.astype(np.float64))
        own_mean = np.divide(total, rated, out=np.zeros_like(total), where=rated > 0)
        means = np.zeros((len(self.rounds), competencies))
        rows, comp = np.nonzero(member[:, :competencies] & (self.column < 0)[:, None])
        means[self.review[rows], comp] = own_mean[rows, comp]
        return means

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
        np.add.at(dist, (self.review[rows[inside]], beh[inside], 0, code[inside]), 1)  # type: ignore[arg-type]
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
            # How many answered, per group shown on its own (and the manager, whose answers
            # are theirs); a pooled group's count would say whether its one or two answered.
            "groups": [
                {
                    "group": group,
                    "asked": int(round_.asked.get(group, 0)),
                    "answered": answered[g] if g == MANAGER or not pooled[g] else None,
                    "pooled": pooled[g] and group not in ("manager", "other"),
                }
                for g, group in enumerate(GROUPS)
                if round_.asked.get(group, 0) or answered[g]
            ],
            "columns": present,
            "competencies": [],
        }
        for c, competency in enumerate(framework.competencies):
            behaviours: list[dict[str, Any]] = []
            by_column: list[dict[str, dict[str, Any]]] = []
            for b in self._behaviours_of[c]:
                beh = self._behaviour_cells(r, b, competencies + b, others)
                if mine is not None:
                    beh["self"] = _own_behaviour(mine[b])
                by_column.append(beh)
                behaviours.append({"id": framework.behaviours[b], "cells": beh, "flag": _flag(beh)})
            cells = {
                column: self._competency_cell(r, c, column, [beh[column] for beh in by_column])
                for column in others
            }
            if mine is not None:
                cells["self"] = _own_competency([mine[b] for b in self._behaviours_of[c]])
            report["competencies"].append(
                {"id": competency, "cells": cells, "behaviours": behaviours}
            )
        report["comments"] = _comments(framework, round_, self.k, rng)
        report["self_comments"] = {
            q: round_.self_comments[q] for q in framework.questions if q in round_.self_comments
        }
        return report

    def _present_columns(self, r: int) -> list[str]:
        """The report's columns, from who was asked and which groups reached the minimum —
        never from whether a pooled group's one or two answered."""
        round_ = self.rounds[r]
        answered, pooled = self._answered[r], self._pooled[r]
        asked = [round_.asked.get(group, 0) for group in GROUPS]
        columns = []
        if round_.self_answers is not None:
            columns.append("self")
        if asked[MANAGER] or answered[MANAGER]:
            columns.append("manager")
        for g, group in enumerate(GROUPS[1:4], start=1):
            if not pooled[g]:
                columns.append(group)
        if any((asked[g] or answered[g]) and pooled[g] for g in range(1, len(GROUPS))):
            columns.append("others")
        if sum(asked[1:]) or sum(answered[1:]):
            columns.append("all_others")
        return columns

    def _node(self, column: str) -> int:
        return _COLUMN_NODE[column]

    def _competency_cell(
        self, r: int, c: int, column: str, behaviours: Sequence[dict[str, Any]]
    ) -> dict[str, Any]:
        """A competency's score in one column: the manager's own mean; for a group, the mean
        of the group's shown behaviour means — a function of figures already shown, so a
        behaviour hidden in the group is never the difference of the competency and the
        others — when its tree shows the group and at least half its behaviours have one."""
        if column == "manager":
            if not self._manager_counted[r][c]:
                return {"n": 0, "hidden": "none"}
            return {"n": 1, "mean": round(self._manager_mean[r][c], 2)}
        hidden = self._hidden(r, c, self._node(column))
        if hidden:
            return {"n": None, "hidden": hidden}
        means = [cell["mean"] for cell in behaviours if cell.get("mean") is not None]
        if len(means) * 2 < len(behaviours):
            return {"n": None, "hidden": "few"}
        n = self._size[r][c * _NODES + self._node(column)]
        return {"n": n, "mean": round(sum(means) / len(means), 2)}

    def _behaviour_cells(
        self, r: int, b: int, point: int, columns: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        """A behaviour's cells in ``columns`` (all but "self"); the hot loop of a cohort."""
        why, dist = self._why[r], self._dist[r]
        cells: dict[str, dict[str, Any]] = {}
        for column in columns:
            if column == "manager":
                slot = _NODES
            else:
                slot = _COLUMN_NODE[column]
                hidden = why[point * _NODES + slot]
                if hidden:
                    cells[column] = {"n": None, "hidden": _WHY[hidden]}
                    continue
            at = (b * (_NODES + 1) + slot) * 6
            ones, twos, threes, fours, fives, not_observed = dist[at : at + 6]
            rated = ones + twos + threes + fours + fives
            if slot == _NODES and not rated:
                cells[column] = {"n": 0, "hidden": "none", "not_observed": not_observed}
                continue
            # Integer sums, divided once: the same float as the mean of the counts.
            total = ones + 2 * twos + 3 * threes + 4 * fours + 5 * fives
            cells[column] = {
                "n": rated,
                "mean": round(total / rated, 2) if rated else None,
                "dist": [ones, twos, threes, fours, fives],
                "not_observed": not_observed,
            }
        return cells

    def _hidden(self, r: int, point: int, node: int) -> str:
        """ "" when shown; why not otherwise: nobody, too few, or to protect a smaller group."""
        return _WHY[self._why[r][point * _NODES + node]]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for a while. A cohort's reports are hundreds of
    thousands of small dicts and lists, all kept and none in a reference cycle: the collector
    would scan the growing heap again and again (for 2,000 reports, about as long as building
    them took). Reference counting still frees everything as usual; a caller that drops the
    reports before the pause ends spares the collector even its one pass over them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _per_round(array: NDArray[Any]) -> list[list[Any]]:
    """(rounds, ...) → a flat list of each round's values, in C order."""
    return array.reshape(array.shape[0], -1 if array.shape[0] else 0).tolist()


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
    result: list[dict[str, Any]] = []
    for question in framework.questions:
        texts = [text for q, text in round_.comments if q == question and text.strip()]
        if len(texts) < k:
            result.append({"question": question, "writers": None, "sentences": []})
            continue
        parts = [s for text in texts for s in sentences(text)]
        rng.shuffle(parts)
        result.append({"question": question, "writers": len(texts), "sentences": parts})
    return result
