"""Goals and their check-ins: adding a goal (and who may own the one a viewer adds),
changing it, checking in on it, and remembering who has seen whose goals."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from accord.access.models import User
from accord.goals import rules
from accord.goals.errors import GoalProblems, GoalsError, checked_text
from accord.goals.models import CheckIn, Confidence, Direction, Goal, GoalsSeen, Team, Visibility
from accord.goals.services.audit import audit, audit_value
from accord.goals.visibility import GoalScope
from accord.org.models import Organisation, Person

GOAL_FIELDS = (
    "title", "why", "period", "metric_name", "metric_unit", "baseline", "target",
    "target_upper", "direction", "due_date", "incentive_weight", "visibility", "unit",
)  # fmt: skip


def default_period(today: dt.date | None = None) -> str:
    return f"FY{(today or timezone.localdate()).year}"


def _other_weights(owner: Person, period: str, exclude: Goal | None = None) -> Decimal:
    goals = Goal.objects.filter(owner=owner, period=period)
    if exclude is not None:
        goals = goals.exclude(pk=exclude.pk)
    return goals.aggregate(total=Sum("incentive_weight"))["total"] or Decimal(0)


def _check_goal(
    values: dict[str, Any], *, owner: Person | None, goal: Goal | None, reveal_weights: bool = True
) -> None:
    problems = rules.goal_problems(
        title=values["title"],
        metric_name=values["metric_name"],
        period=values["period"],
        direction=values["direction"],
        baseline=values["baseline"],
        target=values["target"],
        target_upper=values["target_upper"],
        incentive_weight=values["incentive_weight"],
        visibility=values["visibility"],
        due_date=values["due_date"],
        owned_by_person=owner is not None,
    )
    if problems:
        raise GoalProblems(problems)
    if owner is not None and values["incentive_weight"]:
        # Lock the owner so two goals saved at once cannot both pass the 100% check.
        Person.objects.select_for_update().filter(pk=owner.pk).first()
        message = rules.weight_problem(
            already=_other_weights(owner, values["period"], exclude=goal),
            adding=values["incentive_weight"],
            owner_name=owner.name,
            period=values["period"],
        )
        if message and not reveal_weights:
            # Moving a goal whose weight the editor may not see: say no, without the numbers.
            message = (
                f"This would tie more than 100% of {owner.name}'s bonus to goals in "
                f"{values['period']}; ask {owner.name} or their manager to change it."
            )
            raise GoalsError(message, field="period")
        if message:
            raise GoalsError(message, field="incentive_weight")


def _goal_values(**fields: Any) -> dict[str, Any]:
    values = {name: fields.get(name) for name in GOAL_FIELDS}
    for name in ("title", "metric_name", "metric_unit", "period"):
        values[name] = checked_text(values[name], name)
    values["why"] = checked_text(values["why"], "why", multiline=True)
    values["incentive_weight"] = values["incentive_weight"] or Decimal(0)
    values["visibility"] = values["visibility"] or Visibility.TEAM
    return values


@transaction.atomic
def create_goal(
    *,
    organisation: Organisation,
    actor: User | None,
    via: str = "",
    owner: Person | None = None,
    team: Team | None = None,
    **fields: Any,
) -> Goal:
    """A new goal for a person, a team (a shared goal) or the organisation itself."""
    if owner is not None and team is not None:
        raise GoalsError("A goal belongs to a person or to a team, not both.")
    for thing in (owner, team, fields.get("unit")):
        if thing is not None and thing.organisation_id != organisation.pk:
            raise GoalsError("That belongs to another organisation.")
    values = _goal_values(**fields)
    _check_goal(values, owner=owner, goal=None)
    goal = Goal.objects.create(
        organisation=organisation, owner=owner, team=team, created_by=actor, **values
    )
    audit(
        organisation=organisation, actor=actor, via=via, action="goal.create", target=goal,
        goal=goal, summary=f"Added the goal “{goal.title}” for {goal.owner_label} ({goal.period})",
        changes={name: values[name] for name in GOAL_FIELDS if values[name] not in (None, "")},
    )  # fmt: skip
    return goal


@transaction.atomic
def update_goal(
    *,
    goal: Goal,
    actor: User | None,
    via: str = "",
    gscope: GoalScope | None = None,
    **fields: Any,
) -> Goal:
    """Change a goal's fields; the audit entry keeps each field's value before and after.

    ``gscope``: the editor's, from a page or the API (the command line and the import have
    none). An editor who may not see the owner's incentive weights cannot change the weight,
    and a refusal does not say how much the owner's goals carry."""
    unknown = set(fields) - set(GOAL_FIELDS)
    if unknown:
        raise GoalsError(f"Unknown goal fields: {', '.join(sorted(unknown))}.")
    reveal_weights = gscope is None or gscope.can_see_weight(goal)
    if "incentive_weight" in fields and not reveal_weights:
        assert gscope is not None
        gscope.require_weights_of(goal.owner)
    current = {name: getattr(goal, name) for name in GOAL_FIELDS}
    values = _goal_values(**{**current, **fields})
    if values["direction"] != Direction.RANGE:
        values["target_upper"] = None if "target_upper" not in fields else values["target_upper"]
    unit = values["unit"]
    if unit is not None and unit.organisation_id != goal.organisation_id:
        raise GoalsError("That unit belongs to another organisation.", field="unit")
    _check_goal(values, owner=goal.owner, goal=goal, reveal_weights=reveal_weights)
    changes = {
        name: [audit_value(current[name]), audit_value(values[name])]
        for name in GOAL_FIELDS
        if current[name] != values[name]
    }
    if not changes:
        return goal
    for name, value in values.items():
        setattr(goal, name, value)
    goal.save()
    audit(
        organisation=goal.organisation, actor=actor, via=via, action="goal.update", target=goal,
        goal=goal, summary=f"Changed {', '.join(sorted(changes))} of “{goal.title}”",
        changes=changes,
    )  # fmt: skip
    return goal


@transaction.atomic
def record_check_in(
    *,
    goal: Goal,
    actor: User | None,
    via: str = "",
    value: Decimal,
    confidence: str,
    note: str = "",
    recorded_on: dt.date | None = None,
) -> CheckIn:
    """The metric's value today (or on ``recorded_on``), with the owner's confidence."""
    note = (note or "").strip()
    recorded_on = recorded_on or timezone.localdate()
    if confidence not in Confidence.values:
        raise GoalsError(
            f"{confidence!r} is not a confidence: use on_track, at_risk or off_track.",
            field="confidence",
        )
    if confidence != Confidence.ON_TRACK and not note:
        label = Confidence(confidence).label.lower()
        raise GoalsError(
            f"A check-in marked “{label}” needs a note: say what is in the way and what "
            "would help.",
            field="note",
        )
    if recorded_on > timezone.localdate():
        raise GoalsError("A check-in cannot be dated in the future.", field="recorded_on")
    if recorded_on < rules.EARLIEST_DATE:
        raise GoalsError("A check-in cannot be dated before 1900.", field="recorded_on")
    check_in = CheckIn.objects.create(
        goal=goal, value=value, confidence=confidence, note=note, recorded_on=recorded_on,
        recorded_by=actor,
    )  # fmt: skip
    audit(
        organisation=goal.organisation, actor=actor, via=via, action="check_in.create",
        target=check_in, goal=goal,
        summary=f"Checked in on “{goal.title}”: {audit_value(value)} ({Confidence(confidence).label})",
        changes={"value": value, "confidence": confidence, "note": note,
                 "recorded_on": recorded_on},
    )  # fmt: skip
    return check_in


# --- who owns a goal the viewer adds ------------------------------------------


@dataclass(frozen=True)
class NewGoalOwner:
    """Whose goal the viewer is adding (a person's, a team's, or the organisation's when
    both are None), and whether they may give it an incentive weight."""

    person: Person | None
    team: Team | None
    may_set_weight: bool

    def label(self, organisation: Organisation) -> str:
        if self.person is not None:
            return self.person.name
        return self.team.name if self.team is not None else organisation.name


def new_goal_owner(
    gscope: GoalScope,
    *,
    person_id: int | None = None,
    team_id: int | None = None,
    organisation: bool = False,
) -> NewGoalOwner:
    """The owner of a goal the viewer adds from a page or the API: a team they manage, the
    organisation (admins and executives), or a person — themselves when no one is named —
    whose goals they may add. Only someone who may see the person's incentive weights sets
    one: the 100% check would otherwise tell them what the person's other goals carry."""
    if team_id is not None:
        return NewGoalOwner(person=None, team=gscope.team_to_manage(team_id), may_set_weight=False)
    if organisation:
        gscope.require_organisation_goals()
        return NewGoalOwner(person=None, team=None, may_set_weight=False)
    person = gscope.get_person(person_id) if person_id is not None else gscope.me()
    gscope.require_goals_for(person)
    return NewGoalOwner(person=person, team=None, may_set_weight=gscope.can_see_weights_of(person))


def add_goal(
    *, gscope: GoalScope, owner: NewGoalOwner, actor: User | None, via: str = "", **fields: Any
) -> Goal:
    """A goal the viewer adds, for ``owner`` from :func:`new_goal_owner`."""
    if fields.get("incentive_weight") and owner.person is not None and not owner.may_set_weight:
        gscope.require_weights_of(owner.person)
    return create_goal(
        organisation=gscope.organisation, actor=actor, via=via, owner=owner.person,
        team=owner.team, **fields,
    )  # fmt: skip


def record_goals_seen(*, viewer: Person | None, owner: Person) -> None:
    """Remember that ``viewer`` opened ``owner``'s goals (a read, so not audited)."""
    if viewer is None or viewer.pk == owner.pk:
        return
    updated = GoalsSeen.objects.filter(owner=owner, viewer=viewer).update(
        last_seen_at=timezone.now()
    )
    if not updated:
        try:
            with transaction.atomic():
                GoalsSeen.objects.create(owner=owner, viewer=viewer)
        except IntegrityError:
            pass  # opened twice at once: the other request recorded it
