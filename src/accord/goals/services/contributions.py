"""Up and down: a goal serves goals above it (its owner's managers', a team's, the
organisation's), never one that already serves it."""

from __future__ import annotations

from django.db import transaction

from accord.access.models import User
from accord.goals import rules
from accord.goals.errors import GoalsError
from accord.goals.models import Contribution, Goal
from accord.goals.services.audit import audit


def _serves_transitively(start: Goal) -> set[int]:
    """Ids of every goal ``start`` serves, directly or through others."""
    seen: set[int] = set()
    frontier = {start.pk}
    while frontier:
        above = set(
            Contribution.objects.filter(goal_id__in=frontier).values_list("serves_id", flat=True)
        )
        frontier = above - seen
        seen |= frontier
    return seen


@transaction.atomic
def add_contribution(
    *, goal: Goal, serves: Goal, actor: User | None, via: str = "", note: str = ""
) -> Contribution:
    """Say that ``goal`` contributes to ``serves``, a goal above it."""
    if goal.organisation_id != serves.organisation_id:
        raise GoalsError("That goal belongs to another organisation.", field="serves")
    if goal.pk == serves.pk:
        raise GoalsError("A goal cannot serve itself.", field="serves")
    reason = rules.serve_problem(goal, serves)
    if reason:
        raise GoalsError(reason, field="serves")
    if goal.pk in _serves_transitively(serves):
        raise GoalsError(
            f"“{serves.title}” already serves “{goal.title}”, directly or through other goals; "
            "a goal cannot serve a goal that serves it.",
            field="serves",
        )
    if Contribution.objects.filter(goal=goal, serves=serves).exists():
        raise GoalsError(f"“{goal.title}” already serves “{serves.title}”.", field="serves")
    contribution = Contribution.objects.create(
        goal=goal, serves=serves, note=(note or "").strip(), created_by=actor
    )
    audit(
        organisation=goal.organisation, actor=actor, via=via, action="contribution.create",
        target=contribution, goal=goal, other_goal=serves,
        summary=f"“{goal.title}” now serves “{serves.title}” ({serves.owner_label})",
        changes={"serves": serves.title, "note": contribution.note},
    )  # fmt: skip
    return contribution


@transaction.atomic
def remove_contribution(*, contribution: Contribution, actor: User | None, via: str = "") -> None:
    goal, serves = contribution.goal, contribution.serves
    audit(
        organisation=goal.organisation, actor=actor, via=via, action="contribution.delete",
        target=contribution, goal=goal, other_goal=serves,
        summary=f"“{goal.title}” no longer serves “{serves.title}”",
    )  # fmt: skip
    contribution.delete()
