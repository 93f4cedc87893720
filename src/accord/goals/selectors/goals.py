"""Goals as the viewer sees them: lists with their latest check-in, the goals home page,
the goal page (chart, what it serves and what serves it, links, history) and the audit trail."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accord.goals.models import (
    AuditEntry,
    CheckIn,
    Contribution,
    Conversation,
    ConversationStatus,
    Direction,
    Goal,
    GoalLink,
    LinkStatus,
    Team,
    TeamMember,
)
from accord.goals.rules import accountable_person, serve_problem
from accord.goals.suggestions import Suggestion, suggest_for_pair
from accord.goals.visibility import GoalScope
from accord.org.models import Person

# --- goals -------------------------------------------------------------------


@dataclass
class GoalRow:
    """A goal with what a list shows beside it, already filtered for the viewer."""

    goal: Goal
    latest: CheckIn | None
    weight: Decimal | None  # None when the viewer may not see it
    linked_up: bool

    @property
    def progress(self) -> int | None:
        return progress(self.goal, self.latest.value if self.latest else None)


def progress(goal: Goal, value: Decimal | None) -> int | None:
    """How far from baseline to target the latest value is, in percent (0 to 100, clipped);
    for a range, 100 inside it and 0 outside."""
    if value is None:
        return None
    if goal.direction == Direction.RANGE:
        upper = goal.target_upper if goal.target_upper is not None else goal.target
        return 100 if goal.target <= value <= upper else 0
    span = goal.target - goal.baseline
    if span == 0:
        return 100
    share = (value - goal.baseline) / span
    return max(0, min(100, round(float(share) * 100)))


def latest_check_ins(goal_ids: Iterable[int]) -> dict[int, CheckIn]:
    latest = (
        CheckIn.objects.filter(goal=OuterRef("pk")).order_by("-recorded_on", "-pk").values("pk")
    )
    ids = Goal.objects.filter(pk__in=list(goal_ids)).annotate(latest=Subquery(latest[:1]))
    wanted = [pk for pk in ids.values_list("latest", flat=True) if pk is not None]
    return {c.goal_id: c for c in CheckIn.objects.filter(pk__in=wanted)}


def goal_rows(gscope: GoalScope, goals: Sequence[Goal]) -> list[GoalRow]:
    ids = [g.pk for g in goals]
    latest = latest_check_ins(ids)
    up = set(Contribution.objects.filter(goal_id__in=ids).values_list("goal_id", flat=True))
    return [
        GoalRow(
            goal=g,
            latest=latest.get(g.pk),
            weight=g.incentive_weight if gscope.can_see_weight(g) else None,
            linked_up=g.pk in up,
        )
        for g in goals
    ]


def visible_goals(
    gscope: GoalScope,
    *,
    owner: Person | None = None,
    team: Team | None = None,
    period: str = "",
) -> QuerySet[Goal]:
    goals = gscope.goals().select_related("owner__unit", "team", "unit", "organisation")
    if owner is not None:
        goals = goals.filter(owner=owner)
    if team is not None:
        goals = goals.filter(team=team)
    if period:
        goals = goals.filter(period=period)
    return goals.order_by("-period", "title", "pk")


@dataclass
class Home:
    mine: list[GoalRow]
    waiting_for_me: list[GoalLink]
    boss: Person | None
    boss_goals: list[GoalRow]
    reports: list[tuple[Person, int, int]]  # person, goals, goals not linked up
    teams: list[Team]
    organisation_goals: list[GoalRow]
    upcoming: list[Conversation]


def home(gscope: GoalScope, *, period: str = "") -> Home:
    person = gscope.person
    mine: list[Goal] = []
    boss_goals: list[Goal] = []
    reports: list[tuple[Person, int, int]] = []
    waiting: list[GoalLink] = []
    boss = None
    if person is not None:
        mine = list(visible_goals(gscope, owner=person, period=period))
        if person.manager_id:
            boss = Person.objects.filter(pk=person.manager_id).first()
            if boss is not None:
                boss_goals = list(visible_goals(gscope, owner=boss, period=period))
        direct = list(Person.objects.filter(manager=person, is_active=True).order_by("name"))
        goals_of = defaultdict(list)
        for goal in visible_goals(gscope, period=period).filter(owner__in=direct):
            goals_of[goal.owner_id].append(goal.pk)
        up = set(
            Contribution.objects.filter(
                goal_id__in=[pk for ids in goals_of.values() for pk in ids]
            ).values_list("goal_id", flat=True)
        )
        reports = [
            (p, len(goals_of[p.pk]), sum(1 for pk in goals_of[p.pk] if pk not in up))
            for p in direct
        ]
        waiting = list(
            GoalLink.objects.filter(
                to_goal__owner=person, status=LinkStatus.PROPOSED, from_goal__in=gscope.goals()
            )
            .select_related("from_goal__owner", "to_goal")
            .order_by("declared_at")
        )
    org_goals = list(
        gscope.goals().filter(owner__isnull=True, team__isnull=True).order_by("-period", "title")
    )
    upcoming = list(
        gscope.conversations()
        .filter(status=ConversationStatus.SCHEDULED, starts_at__gte=timezone.now())
        .select_related("person_a", "person_b")
        .order_by("starts_at")[:10]
    )
    return Home(
        mine=goal_rows(gscope, mine),
        waiting_for_me=waiting,
        boss=boss,
        boss_goals=goal_rows(gscope, boss_goals),
        reports=reports,
        teams=list(gscope.teams().select_related("leader").order_by("name")),
        organisation_goals=goal_rows(gscope, org_goals),
        upcoming=upcoming,
    )


@dataclass
class GoalPage:
    goal: Goal
    row: GoalRow
    check_ins: list[CheckIn]
    serves: list[Contribution]
    served_by: list[Contribution]
    hidden_served_by: int  # contributors the viewer may not see, counted only
    links: list[GoalLink]
    suggestions: list[Suggestion]
    serve_candidates: list[Goal]
    peer_candidates: list[Goal]
    history: list[AuditEntry]
    chart: ChartData | None


@dataclass
class ChartData:
    """A small line chart of check-ins as SVG coordinates (the table beside it has the data)."""

    width: int
    height: int
    points: str
    dots: list[tuple[float, float, str]]
    target_y: float
    target_upper_y: float | None


def _chart(goal: Goal, check_ins: Sequence[CheckIn]) -> ChartData | None:
    if not check_ins:
        return None
    ordered = sorted(check_ins, key=lambda c: (c.recorded_on, c.pk))
    values = [float(c.value) for c in ordered] + [float(goal.baseline), float(goal.target)]
    if goal.target_upper is not None:
        values.append(float(goal.target_upper))
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    width, height, pad = 320, 120, 10

    def y(v: float) -> float:
        return round(height - pad - (v - low) / span * (height - 2 * pad), 1)

    step = (width - 2 * pad) / max(1, len(ordered) - 1)
    dots = [
        (round(pad + i * step, 1), y(float(c.value)), c.get_confidence_display())
        for i, c in enumerate(ordered)
    ]
    return ChartData(
        width=width,
        height=height,
        points=" ".join(f"{x},{yy}" for x, yy, _ in dots),
        dots=dots,
        target_y=y(float(goal.target)),
        target_upper_y=y(float(goal.target_upper)) if goal.target_upper is not None else None,
    )


def serve_candidates(gscope: GoalScope, goal: Goal) -> list[Goal]:
    """Visible goals above this one that it could be said to serve."""
    already = set(goal.contributions.values_list("serves_id", flat=True))
    person = accountable_person(goal)
    wanted = Q(owner__isnull=True, team__isnull=True)
    if person is not None:
        managers = list(person.manager_ids)
        teams = TeamMember.objects.filter(person=person).values("team_id")
        wanted |= Q(owner_id__in=managers) | Q(team__in=teams)
    candidates = (
        gscope.goals()
        .filter(wanted)
        .exclude(pk=goal.pk)
        .exclude(pk__in=already)
        .select_related("owner", "team", "organisation")
        .order_by("-period", "title")[:200]
    )
    return [c for c in candidates if not serve_problem(goal, c)]


def goal_page(gscope: GoalScope, goal: Goal) -> GoalPage:
    check_ins = list(goal.check_ins.select_related("recorded_by")[:100])
    visible = gscope.goals()
    serves = list(
        goal.contributions.filter(serves__in=visible).select_related(
            "serves__owner", "serves__team", "serves__organisation"
        )
    )
    contributors = goal.contributors.select_related(
        "goal__owner", "goal__team", "goal__organisation"
    )
    served_by = list(contributors.filter(goal__in=visible))
    hidden = contributors.exclude(goal__in=visible).count()
    links = list(
        GoalLink.objects.filter(Q(from_goal=goal) | Q(to_goal=goal))
        .filter(from_goal__in=visible, to_goal__in=visible)
        .select_related("from_goal__owner", "to_goal__owner", "declared_by")
    )
    peers: list[Goal] = []
    found: list[Suggestion] = []
    if goal.owner is not None:
        peers = list(
            visible.filter(owner__isnull=False, period=goal.period)
            .exclude(owner=goal.owner)
            .select_related("owner", "unit")
            .order_by("owner__name", "title")[:300]
        )
        linked = {link.to_goal_id if link.from_goal_id == goal.pk else link.from_goal_id
                  for link in links}  # fmt: skip
        for other in peers:
            if other.pk not in linked:
                suggestion = suggest_for_pair(goal, other)
                if suggestion is not None:
                    found.append(suggestion)
    return GoalPage(
        goal=goal,
        row=goal_rows(gscope, [goal])[0],
        check_ins=check_ins,
        serves=serves,
        served_by=served_by,
        hidden_served_by=hidden,
        links=links,
        suggestions=found,
        serve_candidates=serve_candidates(gscope, goal) if gscope.can_edit(goal) else [],
        peer_candidates=peers,
        history=goal_history(gscope, goal),
        chart=_chart(goal, check_ins[:24]),
    )


def goal_history(gscope: GoalScope, goal: Goal, *, limit: int = 50) -> list[AuditEntry]:
    """A goal's audit entries, leaving out those that name another goal the viewer may not
    see (a link or a contribution whose other end is hidden from them)."""
    entries = goal.audit_entries.all()
    if not gscope.scope.sees_whole_organisation:
        entries = entries.filter(
            Q(other_goal_id__isnull=True) | Q(other_goal_id__in=gscope.goals().values("pk"))
        )
    return list(entries[:limit])


def audit_trail(gscope: GoalScope, *, limit: int = 200) -> QuerySet[AuditEntry]:
    gscope.scope.require_admin()
    return AuditEntry.objects.filter(organisation=gscope.organisation)[:limit]
