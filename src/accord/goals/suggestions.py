"""Interactions between goals that Accord can see without being told.

Pure functions over goals already loaded: no queries. Each suggestion says which rule found
it, in words a leader can check; the pages label them clearly as Accord's suggestions, not
links anyone declared.

The rules:

* **opposite pushes** — the same metric, one goal raising it and the other lowering it;
* **a constraint** — one goal keeps a metric within a range while another pushes it;
* **same push** — the same metric pushed the same way: likely support;
* **shared ground** — both goals are measured in the same part of the organisation (one
  unit, or one inside the other), on different metrics.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from accord.goals.models import Direction, Goal, LinkKind
from accord.goals.rules import normalise_metric


@dataclass(frozen=True)
class Suggestion:
    goal: Goal
    other: Goal
    kind: str  # a LinkKind value: what the link would likely be
    reason: str

    @property
    def kind_label(self) -> str:
        """The kind as a verb after "may": "may conflict with"."""
        return {"supports": "support", "conflicts": "conflict with", "depends": "depend on"}[
            self.kind
        ]


def _pushes(goal: Goal) -> bool:
    return goal.direction in (Direction.INCREASE, Direction.DECREASE)


def suggest_for_pair(goal: Goal, other: Goal) -> Suggestion | None:
    """What Accord suspects about two goals of different owners, if anything."""
    metric = normalise_metric(goal.metric_name)
    same_metric = metric == normalise_metric(other.metric_name)
    name = goal.metric_name
    if same_metric and _pushes(goal) and _pushes(other):
        if goal.direction != other.direction:
            return Suggestion(
                goal, other, LinkKind.CONFLICTS,
                f"Both goals move {name}, in opposite directions.",
            )  # fmt: skip
        return Suggestion(goal, other, LinkKind.SUPPORTS, f"Both goals push {name} the same way.")
    if same_metric and (goal.direction == Direction.RANGE) != (other.direction == Direction.RANGE):
        ranged, pushed = (goal, other) if goal.direction == Direction.RANGE else (other, goal)
        way = "up" if pushed.direction == Direction.INCREASE else "down"
        return Suggestion(
            goal, other, LinkKind.CONFLICTS,
            f"“{pushed.title}” pushes {name} {way}, which “{ranged.title}” keeps within a range.",
        )  # fmt: skip
    if (
        not same_metric
        and goal.unit is not None
        and other.unit is not None
        and (
            goal.unit.path.startswith(other.unit.path) or other.unit.path.startswith(goal.unit.path)
        )
    ):
        shared = goal.unit if len(goal.unit.path) >= len(other.unit.path) else other.unit
        return Suggestion(
            goal, other, LinkKind.DEPENDS,
            f"Both goals are measured in {shared.name}: work on one is likely to move the other.",
        )  # fmt: skip
    return None


def suggestions(
    goals: Iterable[Goal], linked_pairs: set[frozenset[int]], *, limit: int = 200
) -> list[Suggestion]:
    """Suggestions between goals of different people, leaving out pairs already linked.

    Goals are grouped by metric and by unit first, so a team of 60 goals compares only the
    goals that could match rather than every pair.
    """
    people_goals = [g for g in goals if g.owner_id is not None]
    by_metric: dict[str, list[Goal]] = defaultdict(list)
    with_unit: list[Goal] = []
    for goal in people_goals:
        by_metric[normalise_metric(goal.metric_name)].append(goal)
        if goal.unit is not None:
            with_unit.append(goal)
    candidates: set[tuple[int, int]] = set()
    by_id = {g.pk: g for g in people_goals}
    for group in by_metric.values():
        for i, goal in enumerate(group):
            for other in group[i + 1 :]:
                candidates.add((min(goal.pk, other.pk), max(goal.pk, other.pk)))
    for i, goal in enumerate(with_unit):
        for other in with_unit[i + 1 :]:
            candidates.add((min(goal.pk, other.pk), max(goal.pk, other.pk)))
    found: list[Suggestion] = []
    for first, second in sorted(candidates):
        goal, other = by_id[first], by_id[second]
        if goal.owner_id == other.owner_id or frozenset((first, second)) in linked_pairs:
            continue
        suggestion = suggest_for_pair(goal, other)
        if suggestion is not None:
            found.append(suggestion)
            if len(found) >= limit:
                break
    return found
