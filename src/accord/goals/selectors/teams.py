"""A leadership team's page: each shared goal with the members' goals that serve it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from accord.goals.models import (
    Contribution,
    Goal,
    Team,
)
from accord.goals.selectors.goals import GoalRow, goal_rows, visible_goals
from accord.goals.visibility import GoalScope
from accord.org.models import Person

# --- teams -------------------------------------------------------------------


@dataclass
class SharedGoalBlock:
    goal: GoalRow
    contributions: list[tuple[Person, list[GoalRow]]]  # each member, their contributing goals


@dataclass
class TeamPage:
    team: Team
    members: list[Person]
    period: str
    periods: list[str]
    shared: list[SharedGoalBlock]
    not_serving: list[GoalRow]  # members' goals that serve none of the shared goals


def team_members(team: Team) -> list[Person]:
    """The leader first, then members by name."""
    members = list(team.members.select_related("unit").order_by("name"))
    return sorted(members, key=lambda p: (p.pk != team.leader_id, p.name))


def periods_of(people: Iterable[Person], team: Team | None = None) -> list[str]:
    goals = Goal.objects.filter(owner__in=[p.pk for p in people])
    if team is not None:
        goals = Goal.objects.filter(Q(pk__in=goals.values("pk")) | Q(team=team))
    return sorted(set(goals.values_list("period", flat=True)), reverse=True)


def team_page(gscope: GoalScope, team: Team, *, period: str = "") -> TeamPage:
    members = team_members(team)
    periods = periods_of(members, team)
    period = period if period in periods else (periods[0] if periods else "")
    shared = list(visible_goals(gscope, team=team, period=period))
    member_goals = list(
        visible_goals(gscope, period=period).filter(owner__in=[m.pk for m in members])
    )
    rows = {row.goal.pk: row for row in goal_rows(gscope, shared + member_goals)}
    serving: dict[int, set[int]] = defaultdict(set)
    for goal_id, serves_id in Contribution.objects.filter(
        goal_id__in=[g.pk for g in member_goals], serves_id__in=[g.pk for g in shared]
    ).values_list("goal_id", "serves_id"):
        serving[serves_id].add(goal_id)
    blocks = []
    serving_any = set().union(*serving.values()) if serving else set()
    for goal in shared:
        per_member = [
            (
                m,
                [
                    rows[g.pk]
                    for g in member_goals
                    if g.owner_id == m.pk and g.pk in serving[goal.pk]
                ],
            )
            for m in members
        ]
        blocks.append(SharedGoalBlock(rows[goal.pk], per_member))
    return TeamPage(
        team=team,
        members=members,
        period=period,
        periods=periods,
        shared=blocks,
        not_serving=[rows[g.pk] for g in member_goals if g.pk not in serving_any],
    )
