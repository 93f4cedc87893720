"""Write-side operations on goals, links, check-ins, teams and conversations.

One function per action; the web pages, the API, the command line, the import and the queue
all call these, so the rules below hold whichever way a change arrives. Every function
writes an :class:`AuditEntry` in the same transaction as the change it records.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from accord.access.models import User
from accord.access.scopes import Scope
from accord.goals import rules
from accord.goals.models import (
    AuditEntry,
    CheckIn,
    Commitment,
    Confidence,
    Contribution,
    Conversation,
    ConversationStatus,
    Direction,
    Goal,
    GoalLink,
    GoalsSeen,
    LinkKind,
    LinkStatus,
    Resolution,
    Team,
    TeamMember,
    Visibility,
)
from accord.org.models import Organisation, Person, Unit

MAX_TEAM_SIZE = 60


class GoalsError(ValueError):
    """A change that cannot be made; the message is for the person who asked.

    ``field`` names the form field or column the problem is about, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class GoalProblems(GoalsError):
    """Several problems with one goal's fields, each with its field."""

    def __init__(self, problems: list[rules.Problem]) -> None:
        super().__init__(" ".join(message for _, message in problems), field=problems[0][0])
        self.problems = problems


# --- audit -------------------------------------------------------------------


def _label(actor: User | None, via: str) -> str:
    if actor is not None:
        return f"{actor.full_name} <{actor.email}>" if actor.full_name else actor.email
    return via or "Accord"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Person | Team | Goal | Unit):
        return str(value)
    return value


def audit(
    *,
    organisation: Organisation,
    actor: User | None,
    via: str = "",
    action: str,
    target: Any,
    summary: str,
    changes: dict[str, Any] | None = None,
    goal: Goal | None = None,
    other_goal: Goal | None = None,
) -> AuditEntry:
    """Record a change. ``goal`` is the goal whose history shows it; ``other_goal`` the other
    goal its summary names, so that history shows it only to those who may see both."""
    return AuditEntry.objects.create(
        organisation=organisation,
        actor=actor,
        actor_label=_label(actor, via)[:200],
        action=action,
        target_type=type(target).__name__,
        target_id=target.pk,
        goal=goal,
        other_goal_id=other_goal.pk if other_goal is not None else None,
        summary=summary[:500],
        changes={key: _plain(value) for key, value in (changes or {}).items()},
    )


# --- goals -------------------------------------------------------------------

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
    for name in ("title", "why", "metric_name", "metric_unit", "period"):
        values[name] = (values[name] or "").strip()
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
    *, goal: Goal, actor: User | None, via: str = "", reveal_weights: bool = True, **fields: Any
) -> Goal:
    """Change a goal's fields; the audit entry keeps each field's value before and after.

    ``reveal_weights=False`` when the editor may not see the owner's incentive weights: a
    refusal then does not say how much the owner's goals carry."""
    unknown = set(fields) - set(GOAL_FIELDS)
    if unknown:
        raise GoalsError(f"Unknown goal fields: {', '.join(sorted(unknown))}.")
    current = {name: getattr(goal, name) for name in GOAL_FIELDS}
    values = _goal_values(**{**current, **fields})
    if values["direction"] != Direction.RANGE:
        values["target_upper"] = None if "target_upper" not in fields else values["target_upper"]
    unit = values["unit"]
    if unit is not None and unit.organisation_id != goal.organisation_id:
        raise GoalsError("That unit belongs to another organisation.", field="unit")
    _check_goal(values, owner=goal.owner, goal=goal, reveal_weights=reveal_weights)
    changes = {
        name: [_plain(current[name]), _plain(values[name])]
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
        summary=f"Checked in on “{goal.title}”: {_plain(value)} ({Confidence(confidence).label})",
        changes={"value": value, "confidence": confidence, "note": note,
                 "recorded_on": recorded_on},
    )  # fmt: skip
    return check_in


# --- up and down -------------------------------------------------------------


def _accountable_person(goal: Goal) -> Person | None:
    if goal.owner is not None:
        return goal.owner
    return goal.team.leader if goal.team is not None else None


def _may_serve(goal: Goal, serves: Goal) -> str:
    """Why ``goal`` may not serve ``serves``, or '' when it may."""
    if serves.owner_kind == "organisation":
        return ""
    person = _accountable_person(goal)
    if person is None:
        return "The organisation's own goals can only serve other organisation goals."
    if serves.owner is not None:
        managers = {int(pk) for pk in person.reporting_path.strip("/").split("/") if pk}
        if serves.owner.pk in managers:
            return ""
        return (
            f"A goal serves the goals of its owner's managers, a team or the organisation; "
            f"{serves.owner.name} is not above {person.name}. Declare a sideways link instead."
        )
    assert serves.team is not None
    if goal.team_id == serves.team_id:
        return "A team's shared goal cannot serve another shared goal of the same team."
    if TeamMember.objects.filter(team=serves.team, person=person).exists():
        return ""
    return f"{person.name} is not a member of {serves.team.name}."


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
    reason = _may_serve(goal, serves)
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


# --- sideways ----------------------------------------------------------------


def _notify(*, to: str, subject: str, body: str) -> None:
    """Queue an email once the transaction has committed (never for a rolled-back change)."""
    if not to:
        return
    from accord.notify.tasks import deliver_email

    transaction.on_commit(lambda: deliver_email(to=[to], subject=subject, body=body))


def _link_url(goal: Goal, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("goal-detail", args=[goal.organisation.slug, goal.pk])


@transaction.atomic
def declare_link(
    *,
    from_goal: Goal,
    to_goal: Goal,
    kind: str,
    note: str,
    actor: User | None,
    via: str = "",
    base_url: str = "",
) -> GoalLink:
    """Declare that one person's goal supports, conflicts with or depends on a peer's goal.

    The other owner is emailed and can confirm or dispute it; until then it is unresolved.
    """
    note = (note or "").strip()
    if kind not in LinkKind.values:
        raise GoalsError(
            f"{kind!r} is not a kind of link: use supports, conflicts or depends.", field="kind"
        )
    if not note:
        raise GoalsError(
            "Add a note: say in a sentence how the two goals affect each other.", field="note"
        )
    if from_goal.organisation_id != to_goal.organisation_id:
        raise GoalsError("That goal belongs to another organisation.", field="to_goal")
    if from_goal.owner is None or to_goal.owner is None:
        raise GoalsError(
            "Sideways links join two people's own goals; a team's or the organisation's goal "
            "is served from below instead.",
            field="to_goal",
        )
    if from_goal.owner_id == to_goal.owner_id:
        raise GoalsError(
            "Both goals are the same person's; a sideways link is between peers.",
            field="to_goal",
        )
    from accord.goals.visibility import goal_scope_of

    if not goal_scope_of(to_goal.owner).goals().filter(pk=from_goal.pk).exists():
        raise GoalsError(
            f"{to_goal.owner.name} may not see “{from_goal.title}”, so they could not answer "
            "the link. Open the goal to the whole organisation first, or talk to them directly.",
            field="to_goal",
        )
    if GoalLink.objects.filter(from_goal=from_goal, to_goal=to_goal, kind=kind).exists():
        raise GoalsError(
            f"“{from_goal.title}” is already declared to {LinkKind(kind).label} “{to_goal.title}”.",
            field="to_goal",
        )
    link = GoalLink.objects.create(
        organisation=from_goal.organisation, from_goal=from_goal, to_goal=to_goal, kind=kind,
        note=note, declared_by=actor,
    )  # fmt: skip
    audit(
        organisation=from_goal.organisation, actor=actor, via=via, action="link.declare",
        target=link, goal=from_goal, other_goal=to_goal,
        summary=f"Declared that “{from_goal.title}” {link.get_kind_display()} "
        f"“{to_goal.title}” ({to_goal.owner.name})",
        changes={"kind": kind, "note": note, "to_goal": to_goal.title},
    )  # fmt: skip
    declarer = from_goal.owner.name
    _notify(
        to=to_goal.owner.email,
        subject=f"{declarer} linked a goal to yours: please confirm or dispute",
        body=(
            f"{declarer} says that their goal “{from_goal.title}” {link.get_kind_display()} "
            f"your goal “{to_goal.title}”.\n\nTheir note: {note}\n\n"
            "Open your goal in Accord to confirm the link or dispute it:\n"
            f"{_link_url(to_goal, base_url)}\n"
        ),
    )
    return link


@transaction.atomic
def respond_to_link(
    *,
    link: GoalLink,
    agree: bool,
    note: str = "",
    actor: User | None,
    via: str = "",
    base_url: str = "",
) -> GoalLink:
    """The other owner confirms a declared link or disputes it (a dispute needs a reason)."""
    note = (note or "").strip()
    if not agree and not note:
        raise GoalsError(
            "Say why you dispute the link, so your colleague can answer.", field="note"
        )
    locked = GoalLink.objects.select_for_update().get(pk=link.pk)
    before = locked.status
    locked.status = LinkStatus.CONFIRMED if agree else LinkStatus.DISPUTED
    locked.response_note = note
    locked.responded_at = timezone.now()
    locked.save(update_fields=["status", "response_note", "responded_at"])
    to_goal, from_goal = locked.to_goal, locked.from_goal
    audit(
        organisation=locked.organisation, actor=actor, via=via,
        action="link.confirm" if agree else "link.dispute", target=locked, goal=to_goal,
        other_goal=from_goal,
        summary=f"{'Confirmed' if agree else 'Disputed'} that “{from_goal.title}” "
        f"{locked.get_kind_display()} “{to_goal.title}”",
        changes={"status": [before, locked.status], "response_note": note},
    )  # fmt: skip
    if from_goal.owner is not None and to_goal.owner is not None:
        _notify(
            to=from_goal.owner.email,
            subject=f"{to_goal.owner.name} {'confirmed' if agree else 'disputed'} your goal link",
            body=(
                f"{to_goal.owner.name} {'confirmed' if agree else 'disputed'} that "
                f"“{from_goal.title}” {locked.get_kind_display()} “{to_goal.title}”."
                + (f"\n\nTheir note: {note}" if note else "")
                + f"\n\n{_link_url(from_goal, base_url)}\n"
            ),
        )
    return locked


@transaction.atomic
def resolve_link(
    *, link: GoalLink, resolution: str, note: str = "", actor: User | None, via: str = ""
) -> GoalLink:
    """Mark a conflict resolved or escalated (or open again)."""
    if resolution not in Resolution.values:
        raise GoalsError(
            f"{resolution!r} is not a resolution: use resolved, escalated or open.",
            field="resolution",
        )
    note = (note or "").strip()
    if len(note) > 2000:
        raise GoalsError("A note is at most 2,000 characters.", field="resolution_note")
    locked = GoalLink.objects.select_for_update().get(pk=link.pk)
    if locked.kind != LinkKind.CONFLICTS:
        raise GoalsError(
            "Only a conflict is resolved or escalated; withdraw or dispute other links.",
            field="resolution",
        )
    before = locked.resolution
    locked.resolution = resolution
    locked.resolution_note = note
    locked.save(update_fields=["resolution", "resolution_note"])
    label = Resolution(resolution).label.lower()
    audit(
        organisation=locked.organisation, actor=actor, via=via, action="link.resolve",
        target=locked, goal=locked.from_goal, other_goal=locked.to_goal,
        summary=f"Marked “{locked.from_goal.title}” {locked.get_kind_display()} "
        f"“{locked.to_goal.title}” as {label}",
        changes={"resolution": [before, resolution], "resolution_note": locked.resolution_note},
    )  # fmt: skip
    return locked


@transaction.atomic
def change_link_note(
    *, link: GoalLink, note: str, actor: User | None, via: str = "", base_url: str = ""
) -> GoalLink:
    """The declaring side rewords a link. An answer given to the old wording no longer holds:
    the link waits for the other owner again, and they are asked again."""
    note = (note or "").strip()
    if not note:
        raise GoalsError(
            "Add a note: say in a sentence how the two goals affect each other.", field="note"
        )
    if len(note) > 2000:
        raise GoalsError("A note is at most 2,000 characters.", field="note")
    locked = (
        GoalLink.objects.select_for_update(of=("self",))
        .select_related("from_goal__owner", "to_goal__owner", "organisation")
        .get(pk=link.pk)
    )
    if locked.note == note:
        return locked
    before = {"note": locked.note, "status": locked.status}
    locked.note = note
    if locked.status != LinkStatus.PROPOSED:
        locked.status = LinkStatus.PROPOSED
        locked.response_note = ""
        locked.responded_at = None
    locked.save(update_fields=["note", "status", "response_note", "responded_at"])
    from_goal, to_goal = locked.from_goal, locked.to_goal
    audit(
        organisation=locked.organisation, actor=actor, via=via, action="link.update",
        target=locked, goal=from_goal, other_goal=to_goal,
        summary=f"Reworded the link “{from_goal.title}” {locked.get_kind_display()} "
        f"“{to_goal.title}”",
        changes={"note": [before["note"], note], "status": [before["status"], locked.status]},
    )  # fmt: skip
    if to_goal.owner is not None and from_goal.owner is not None:
        _notify(
            to=to_goal.owner.email,
            subject=f"{from_goal.owner.name} reworded a link to your goal: please answer again",
            body=(
                f"{from_goal.owner.name} now says that “{from_goal.title}” "
                f"{locked.get_kind_display()} your goal “{to_goal.title}”.\n\n"
                f"Their note: {note}\n\nOpen your goal in Accord to confirm or dispute it:\n"
                f"{_link_url(to_goal, base_url)}\n"
            ),
        )
    return locked


@transaction.atomic
def withdraw_link(*, link: GoalLink, actor: User | None, via: str = "", base_url: str = "") -> None:
    """The declaring side takes a sideways link back; the other owner is told. The audit
    entry keeps what the link said."""
    locked = (
        GoalLink.objects.select_for_update(of=("self",))
        .select_related("from_goal__owner", "to_goal__owner", "organisation")
        .filter(pk=link.pk)
        .first()
    )
    if locked is None:
        raise GoalsError("This link has already been withdrawn.")
    from_goal, to_goal = locked.from_goal, locked.to_goal
    audit(
        organisation=locked.organisation, actor=actor, via=via, action="link.withdraw",
        target=locked, goal=from_goal, other_goal=to_goal,
        summary=f"Withdrew the link “{from_goal.title}” {locked.get_kind_display()} "
        f"“{to_goal.title}”",
        changes={"kind": locked.kind, "note": locked.note, "status": locked.status,
                 "response_note": locked.response_note, "resolution": locked.resolution},
    )  # fmt: skip
    locked.delete()
    if to_goal.owner is not None and from_goal.owner is not None:
        _notify(
            to=to_goal.owner.email,
            subject=f"{from_goal.owner.name} withdrew a link to your goal",
            body=(
                f"{from_goal.owner.name} withdrew the link saying that “{from_goal.title}” "
                f"{locked.get_kind_display()} your goal “{to_goal.title}”; there is nothing "
                f"to answer.\n\n{_link_url(to_goal, base_url)}\n"
            ),
        )


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


# --- teams -------------------------------------------------------------------


def _check_team_fields(
    organisation: Organisation,
    name: str,
    leader: Person,
    members: Sequence[Person],
    window: int,
    *,
    joining: Sequence[Person],
) -> None:
    """``joining``: the people new to the team, who must be active; someone who has since
    left the org chart does not stop the rest of the team from being changed."""
    if not name:
        raise GoalsError("Give the team a name.", field="name")
    if len(name) > 200:
        raise GoalsError("A team name can be at most 200 characters.", field="name")
    if "\x00" in name:
        raise GoalsError("A team name cannot contain NUL characters.", field="name")
    if leader.organisation_id != organisation.pk or any(
        m.organisation_id != organisation.pk for m in members
    ):
        raise GoalsError("Everyone in a team must belong to this organisation.", field="members")
    inactive = [p.name for p in joining if not p.is_active]
    if inactive:
        raise GoalsError(f"Not active in the org chart: {', '.join(inactive)}.", field="members")
    if len({leader.pk, *(m.pk for m in members)}) > MAX_TEAM_SIZE:
        raise GoalsError(f"A leadership team has at most {MAX_TEAM_SIZE} members.", field="members")
    if not 1 <= window <= 730:
        raise GoalsError(
            "Look back between 1 and 730 days for conversations.",
            field="conversation_window_days",
        )


def allowed_in_team(scope: Scope | None, people: Iterable[Person]) -> set[int]:
    """Ids of ``people`` this viewer may put in a team: a leader only people in their own
    scope (members see each other's goals); a program admin, or the command line
    (``scope=None``), anyone in the organisation."""
    people = list(people)
    if scope is None or scope.is_admin:
        return {p.pk for p in people}
    return set(scope.people().filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True))


def _check_may_add(scope: Scope | None, people: Iterable[Person]) -> None:
    people = list(people)
    allowed = allowed_in_team(scope, people)
    refused = [p for p in people if p.pk not in allowed]
    if refused:
        # Only the HR ids the viewer already has: nothing more about people outside their scope.
        ids = ", ".join(sorted(p.external_id for p in refused))
        raise GoalsError(
            f"You can only add people in your part of the organisation to a team: not HR id "
            f"{ids}. Ask a program admin to add them.",
            field="members",
        )


@transaction.atomic
def create_team(
    *,
    organisation: Organisation,
    actor: User | None,
    via: str = "",
    scope: Scope | None = None,
    name: str,
    leader: Person,
    members: Iterable[Person] = (),
    purpose: str = "",
    share_incentive_weights: bool = False,
    conversation_window_days: int = 90,
) -> Team:
    """A leadership team; the leader is a member too."""
    name = name.strip()
    members = list(members)
    _check_team_fields(organisation, name, leader, members, conversation_window_days,
                       joining=[leader, *members])  # fmt: skip
    _check_may_add(scope, [leader, *members])
    if Team.objects.filter(organisation=organisation, name__iexact=name).exists():
        raise GoalsError(f"There is already a team called {name!r}.", field="name")
    try:
        with transaction.atomic():
            team = Team.objects.create(
                organisation=organisation, name=name, leader=leader, purpose=purpose.strip(),
                share_incentive_weights=share_incentive_weights,
                conversation_window_days=conversation_window_days,
            )  # fmt: skip
    except IntegrityError:
        # Created under the same name by someone else a moment ago.
        raise GoalsError(f"There is already a team called {name!r}.", field="name") from None
    people = {leader.pk: leader, **{m.pk: m for m in members}}
    TeamMember.objects.bulk_create(TeamMember(team=team, person=p) for p in people.values())
    audit(
        organisation=organisation, actor=actor, via=via, action="team.create", target=team,
        summary=f"Created the team {name} led by {leader.name}",
        changes={"leader": leader, "members": sorted(p.name for p in people.values()),
                 "share_incentive_weights": share_incentive_weights,
                 "conversation_window_days": conversation_window_days},
    )  # fmt: skip
    return team


@transaction.atomic
def update_team(
    *,
    team: Team,
    actor: User | None,
    via: str = "",
    scope: Scope | None = None,
    name: str | None = None,
    members: Iterable[Person] | None = None,
    purpose: str | None = None,
    share_incentive_weights: bool | None = None,
    conversation_window_days: int | None = None,
) -> Team:
    """Rename a team, change its members (the leader stays) or its settings."""
    before = {
        "name": team.name,
        "purpose": team.purpose,
        "share_incentive_weights": team.share_incentive_weights,
        "conversation_window_days": team.conversation_window_days,
        "members": sorted(team.members.values_list("name", flat=True)),
    }
    new_name = team.name if name is None else name.strip()
    new_members = list(team.members.all()) if members is None else list(members)
    window = (
        team.conversation_window_days
        if conversation_window_days is None
        else conversation_window_days
    )
    present_ids = set(team.members.values_list("pk", flat=True))
    joining = [m for m in new_members if m.pk not in present_ids]
    _check_team_fields(team.organisation, new_name, team.leader, new_members, window,
                       joining=joining)  # fmt: skip
    _check_may_add(scope, joining)
    clash = Team.objects.filter(organisation=team.organisation, name__iexact=new_name)
    if clash.exclude(pk=team.pk).exists():
        raise GoalsError(f"There is already a team called {new_name!r}.", field="name")
    team.name = new_name
    team.conversation_window_days = window
    if purpose is not None:
        team.purpose = purpose.strip()
    if share_incentive_weights is not None:
        team.share_incentive_weights = share_incentive_weights
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError:
        team.refresh_from_db()
        raise GoalsError(f"There is already a team called {new_name!r}.", field="name") from None
    if members is not None:
        wanted = {team.leader_id, *(m.pk for m in new_members)}
        TeamMember.objects.filter(team=team).exclude(person_id__in=wanted).delete()
        present = set(TeamMember.objects.filter(team=team).values_list("person_id", flat=True))
        TeamMember.objects.bulk_create(
            TeamMember(team=team, person_id=pk) for pk in wanted - present
        )
    after = {
        "name": team.name,
        "purpose": team.purpose,
        "share_incentive_weights": team.share_incentive_weights,
        "conversation_window_days": team.conversation_window_days,
        "members": sorted(team.members.values_list("name", flat=True)),
    }
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        audit(
            organisation=team.organisation, actor=actor, via=via, action="team.update",
            target=team, summary=f"Changed {', '.join(sorted(changes))} of the team {team.name}",
            changes=changes,
        )  # fmt: skip
    return team


# --- conversations -----------------------------------------------------------


@dataclass(frozen=True)
class LinkOutcome:
    """What a conversation decided about one link between the pair's goals."""

    link: GoalLink
    action: str  # "confirm", "resolve", "escalate" or "keep"


@dataclass(frozen=True)
class NewCommitment:
    owner: Person
    text: str
    due_date: dt.date


def _pair(a: Person, b: Person) -> tuple[Person, Person]:
    return (a, b) if a.pk < b.pk else (b, a)


@transaction.atomic
def schedule_conversation(
    *,
    organisation: Organisation,
    actor: User | None,
    via: str = "",
    people: tuple[Person, Person],
    starts_at: dt.datetime,
    duration_minutes: int = 45,
    location: str = "",
    team: Team | None = None,
    period: str = "",
    base_url: str = "",
    notify: bool = True,
) -> Conversation:
    """Schedule an alignment conversation: an agenda from both people's goals and links, an
    email invitation with a calendar file to both, and reminders through the queue.

    ``notify=False`` records it without email (the demo logs past conversations this way)."""
    from accord.goals.agenda import build_agenda

    first, second = people
    if first.pk == second.pk:
        raise GoalsError("An alignment conversation takes two different people.", field="person")
    if first.organisation_id != organisation.pk or second.organisation_id != organisation.pk:
        raise GoalsError("Both people must belong to this organisation.", field="person")
    if team is not None:
        in_team = set(
            team.members.filter(pk__in=[first.pk, second.pk]).values_list("pk", flat=True)
        )
        outside = [p.name for p in people if p.pk not in in_team and p.pk != team.leader_id]
        if team.organisation_id != organisation.pk or outside:
            verb = "is" if len(outside) == 1 else "are"
            raise GoalsError(
                f"A conversation for the team {team.name} is between two of its members; "
                f"{' and '.join(outside) or 'they'} {verb} not in it.",
                field="team",
            )
    starts_at = _check_when(starts_at, duration_minutes)
    location = _check_location(location)
    inactive = [p.name for p in people if not p.is_active]
    if inactive:
        raise GoalsError(
            f"{' and '.join(inactive)} {'is' if len(inactive) == 1 else 'are'} no longer active "
            "in the org chart.",
            field="person",
        )
    missing = [p.name for p in people if not p.email]
    if missing:
        raise GoalsError(
            f"No email address in the org chart for {' and '.join(missing)}, so Accord cannot "
            "send the invitation.",
            field="person",
        )
    person_a, person_b = _pair(first, second)
    conversation = Conversation.objects.create(
        organisation=organisation, person_a=person_a, person_b=person_b, team=team,
        starts_at=starts_at, duration_minutes=duration_minutes, location=location,
        agenda=build_agenda(person_a, person_b, period=period),
        uid=f"{secrets.token_hex(12)}@accord", organised_by=actor,
    )  # fmt: skip
    audit(
        organisation=organisation, actor=actor, via=via, action="conversation.schedule",
        target=conversation,
        summary=f"Scheduled an alignment conversation for {person_a.name} and "
        f"{person_b.name} on {timezone.localtime(starts_at):%Y-%m-%d %H:%M}",
        changes={"starts_at": starts_at, "duration_minutes": duration_minutes,
                 "location": conversation.location},
    )  # fmt: skip

    if notify:
        _queue_invitation(conversation, base_url)
    return conversation


def _check_when(starts_at: dt.datetime, duration_minutes: int) -> dt.datetime:
    if timezone.is_naive(starts_at):
        raise GoalsError("Give the time with its time zone.", field="starts_at")
    starts_at = starts_at.replace(second=0, microsecond=0)  # calendars keep whole minutes
    if starts_at < timezone.now():
        raise GoalsError("Choose a time in the future.", field="starts_at")
    if starts_at.date() >= rules.LATEST_DATE:
        raise GoalsError("Choose a date before 2100-12-31.", field="starts_at")
    if not 5 <= duration_minutes <= 480:
        raise GoalsError("A conversation lasts 5 to 480 minutes.", field="duration_minutes")
    return starts_at


def _check_location(location: str) -> str:
    location = (location or "").strip()
    if len(location) > 200:
        raise GoalsError("A location is at most 200 characters.", field="location")
    if "\x00" in location:
        raise GoalsError("A location cannot contain NUL characters.", field="location")
    return location


def _queue_invitation(conversation: Conversation, base_url: str) -> None:
    """Once committed: the invitation (or its update) to both people, and fresh reminders.
    Reminders queued for an earlier sequence find the conversation changed and stay quiet."""
    sequence = conversation.sequence

    def queue() -> None:
        from accord.goals import tasks

        tasks.deliver_invitation(conversation.pk, base_url, sequence)
        tasks.schedule_reminders(conversation)

    transaction.on_commit(queue)


def _lock_scheduled(conversation: Conversation, doing: str) -> Conversation:
    locked = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("person_a", "person_b", "organisation")
        .get(pk=conversation.pk)
    )
    if locked.status == ConversationStatus.HELD:
        raise GoalsError(f"This conversation has already been held, so it cannot be {doing}.")
    if locked.status == ConversationStatus.CANCELLED:
        raise GoalsError(f"This conversation was cancelled, so it cannot be {doing}.")
    return locked


@transaction.atomic
def reschedule_conversation(
    *,
    conversation: Conversation,
    actor: User | None,
    via: str = "",
    starts_at: dt.datetime,
    duration_minutes: int | None = None,
    location: str | None = None,
    base_url: str = "",
) -> Conversation:
    """Move a scheduled conversation. Both people get the updated invitation: the same
    calendar event (same UID) with a higher SEQUENCE, so calendars move it."""
    locked = _lock_scheduled(conversation, "rescheduled")
    duration = locked.duration_minutes if duration_minutes is None else duration_minutes
    starts_at = _check_when(starts_at, duration)
    place = locked.location if location is None else _check_location(location)
    before = {"starts_at": locked.starts_at, "duration_minutes": locked.duration_minutes,
              "location": locked.location}  # fmt: skip
    after = {"starts_at": starts_at, "duration_minutes": duration, "location": place}
    changes = {k: [_plain(before[k]), _plain(after[k])] for k in before if before[k] != after[k]}
    if not changes:
        raise GoalsError(
            "That is when and where it already is: change the time, length or place.",
            field="starts_at",
        )
    locked.starts_at, locked.duration_minutes, locked.location = starts_at, duration, place
    locked.sequence += 1
    locked.save(update_fields=["starts_at", "duration_minutes", "location", "sequence"])
    audit(
        organisation=locked.organisation, actor=actor, via=via, action="conversation.reschedule",
        target=locked,
        summary=f"Moved the alignment conversation of {locked.person_a.name} and "
        f"{locked.person_b.name} to {timezone.localtime(starts_at):%Y-%m-%d %H:%M}",
        changes=changes,
    )  # fmt: skip
    _queue_invitation(locked, base_url)
    return locked


@transaction.atomic
def cancel_conversation(
    *, conversation: Conversation, actor: User | None, via: str = "", note: str = "",
    base_url: str = "",
) -> Conversation:  # fmt: skip
    """Call a scheduled conversation off. Both people are told, with a calendar cancellation
    (METHOD:CANCEL, same UID, higher SEQUENCE) that removes it from their calendars."""
    note = (note or "").strip()
    if len(note) > 2000:
        raise GoalsError("A note is at most 2,000 characters.", field="note")
    locked = _lock_scheduled(conversation, "cancelled")
    locked.status = ConversationStatus.CANCELLED
    locked.cancelled_at = timezone.now()
    locked.cancellation_note = note
    locked.sequence += 1
    locked.save(update_fields=["status", "cancelled_at", "cancellation_note", "sequence"])
    audit(
        organisation=locked.organisation, actor=actor, via=via, action="conversation.cancel",
        target=locked,
        summary=f"Cancelled the alignment conversation of {locked.person_a.name} and "
        f"{locked.person_b.name} planned for {timezone.localtime(locked.starts_at):%Y-%m-%d %H:%M}",
        changes={"status": [ConversationStatus.SCHEDULED, ConversationStatus.CANCELLED],
                 "note": note},
    )  # fmt: skip
    pk, sequence = locked.pk, locked.sequence

    def queue() -> None:
        from accord.goals import tasks

        tasks.deliver_cancellation(pk, base_url, sequence)

    transaction.on_commit(queue)
    return locked


@transaction.atomic
def mark_commitment(
    *, commitment: Commitment, done: bool, actor: User | None, via: str = ""
) -> Commitment:
    """Mark a commitment made in a conversation done, or not done after all."""
    locked = (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("conversation__organisation", "owner")
        .get(pk=commitment.pk)
    )
    if locked.is_done == done:
        return locked
    before = locked.done_at
    locked.done_at = timezone.now() if done else None
    locked.save(update_fields=["done_at"])
    audit(
        organisation=locked.conversation.organisation, actor=actor, via=via,
        action="commitment.done" if done else "commitment.reopen", target=locked,
        summary=f"Marked {locked.owner.name}'s commitment “{locked.text}” "
        f"{'done' if done else 'not done'}",
        changes={"done_at": [_plain(before), _plain(locked.done_at)]},
    )  # fmt: skip
    return locked


@transaction.atomic
def record_conversation(
    *,
    conversation: Conversation,
    actor: User | None,
    via: str = "",
    held_on: dt.date,
    summary: str = "",
    link_outcomes: Sequence[LinkOutcome] = (),
    commitments: Sequence[NewCommitment] = (),
) -> Conversation:
    """Record that a conversation took place and what came of it."""
    locked = Conversation.objects.select_for_update().get(pk=conversation.pk)
    if locked.status == ConversationStatus.HELD:
        raise GoalsError("This conversation has already been recorded.")
    if locked.status == ConversationStatus.CANCELLED:
        raise GoalsError("This conversation was cancelled: schedule a new one.")
    if held_on > timezone.localdate():
        raise GoalsError("The conversation cannot have been held in the future.", field="held_on")
    if held_on < rules.EARLIEST_DATE:
        raise GoalsError("Give the date it was held (after 1900).", field="held_on")
    pair = {locked.person_a_id, locked.person_b_id}
    for outcome in link_outcomes:
        owners = {outcome.link.from_goal.owner_id, outcome.link.to_goal.owner_id}
        if owners != pair:
            raise GoalsError("That link is not between these two people's goals.")
        if outcome.action not in ("confirm", "resolve", "escalate", "keep"):
            raise GoalsError(f"{outcome.action!r} is not an outcome for a link.")
    for commitment in commitments:
        if commitment.owner.pk not in pair:
            raise GoalsError("A commitment belongs to one of the two people.", field="commitments")
        if not commitment.text.strip():
            raise GoalsError("Say what was committed to.", field="commitments")
        if len(commitment.text.strip()) > 300:
            raise GoalsError("A commitment is at most 300 characters.", field="commitments")
        if not rules.EARLIEST_DATE <= commitment.due_date <= rules.LATEST_DATE:
            raise GoalsError("Give a due date between 1900 and 2100.", field="commitments")
    locked.status = ConversationStatus.HELD
    locked.held_on = held_on
    locked.summary = summary.strip()
    locked.save(update_fields=["status", "held_on", "summary"])
    decided = []
    for outcome in link_outcomes:
        link = outcome.link
        if outcome.action == "confirm" and link.status != LinkStatus.CONFIRMED:
            GoalLink.objects.filter(pk=link.pk).update(
                status=LinkStatus.CONFIRMED, responded_at=timezone.now()
            )
            decided.append(f"confirmed: {link}")
        elif outcome.action in ("resolve", "escalate"):
            resolution = (
                Resolution.RESOLVED if outcome.action == "resolve" else Resolution.ESCALATED
            )
            # Talking it through settles whether the link exists, whatever was decided.
            GoalLink.objects.filter(pk=link.pk).update(
                status=LinkStatus.CONFIRMED, resolution=resolution,
                resolution_note=f"In the conversation of {held_on:%Y-%m-%d}.",
            )  # fmt: skip
            decided.append(f"{resolution.label.lower()}: {link}")
    Commitment.objects.bulk_create(
        Commitment(conversation=locked, owner=c.owner, text=c.text.strip(), due_date=c.due_date)
        for c in commitments
    )
    audit(
        organisation=locked.organisation, actor=actor, via=via, action="conversation.record",
        target=locked,
        summary=f"Recorded the conversation of {locked.person_a.name} and {locked.person_b.name}"
        f" held on {held_on:%Y-%m-%d}",
        changes={"held_on": held_on, "summary": locked.summary, "links": decided,
                 "commitments": [f"{c.owner.name}: {c.text.strip()} by {c.due_date:%Y-%m-%d}"
                                 for c in commitments]},
    )  # fmt: skip
    return locked
