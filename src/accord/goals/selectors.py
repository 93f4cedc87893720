"""Read-side queries for goals and alignment. Each takes the viewer's GoalScope."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
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
    GoalsSeen,
    LinkKind,
    LinkStatus,
    Team,
    TeamMember,
)
from accord.goals.rules import accountable_person, serve_problem
from accord.goals.suggestions import Suggestion, suggest_for_pair, suggestions
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
        managers = [int(pk) for pk in person.reporting_path.strip("/").split("/") if pk]
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


# --- the alignment map -------------------------------------------------------

ALIGNED, UNRESOLVED, LINKED, UNKNOWN = "aligned", "unresolved", "linked", "unknown"
STATE_LABELS = {
    ALIGNED: "Aligned: talked recently, nothing open",
    UNRESOLVED: "Unresolved: a conflict or a link not agreed",
    LINKED: "Linked, but no recent conversation",
    UNKNOWN: "Unknown: no conversation, no declared link",
}
STATE_SYMBOLS = {ALIGNED: "✓", UNRESOLVED: "!", LINKED: "~", UNKNOWN: "?"}


@dataclass
class Pair:
    a: Person
    b: Person
    state: str = UNKNOWN
    last_conversation: dt.date | None = None
    next_conversation: Conversation | None = None
    links: list[GoalLink] = field(default_factory=list)
    contributions: list[Contribution] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    schedulable: bool = False  # set by the view: may this viewer schedule their conversation?

    @property
    def symbol(self) -> str:
        return STATE_SYMBOLS[self.state]

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]

    def _count(self, kind: str) -> int:
        return sum(1 for link in self.links if link.kind == kind)

    @property
    def supports(self) -> int:
        return self._count(LinkKind.SUPPORTS) + len(self.contributions)

    @property
    def conflicts(self) -> int:
        return self._count(LinkKind.CONFLICTS)

    @property
    def depends(self) -> int:
        return self._count(LinkKind.DEPENDS)

    @property
    def unresolved(self) -> list[GoalLink]:
        return [link for link in self.links if link.is_unresolved]


@dataclass
class Node:
    person: Person
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str
    goals: int
    unseen: bool


@dataclass
class Edge:
    pair: Pair
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def mid(self) -> tuple[float, float]:
        return (round((self.x1 + self.x2) / 2, 1), round((self.y1 + self.y2) / 2, 1))


@dataclass
class AlignmentMap:
    people: list[Person]
    period: str
    periods: list[str]
    window_days: int
    today: dt.date
    pairs: list[Pair]
    matrix: list[tuple[Person, list[Pair | None]]]
    goals_by_person: dict[int, list[Goal]]
    not_linked_up: list[Goal]
    unseen: list[Person]
    nodes: list[Node]
    edges: list[Edge]
    width: int
    height: int

    @property
    def aligned(self) -> int:
        return sum(1 for p in self.pairs if p.state == ALIGNED)

    @property
    def aligned_share(self) -> int | None:
        return round(100 * self.aligned / len(self.pairs)) if self.pairs else None

    @property
    def open_conflicts(self) -> int:
        return sum(1 for p in self.pairs for link in p.links if link.is_open_conflict)

    @property
    def unknown(self) -> int:
        return sum(1 for p in self.pairs if p.state == UNKNOWN)

    @property
    def unresolved_pairs(self) -> int:
        return sum(1 for p in self.pairs if p.state == UNRESOLVED)

    @property
    def goal_count(self) -> int:
        return sum(len(goals) for goals in self.goals_by_person.values())

    def counts(self) -> dict[str, int]:
        return {state: sum(1 for p in self.pairs if p.state == state) for state in STATE_LABELS}


def alignment_map(
    people: Sequence[Person],
    *,
    period: str = "",
    window_days: int = 90,
    today: dt.date | None = None,
    team: Team | None = None,
    visible: QuerySet[Goal] | None = None,
) -> AlignmentMap:
    """Every pair of ``people``: have they talked, how their goals interact, what is open.

    A handful of queries whatever the team's size; everything else is done in memory.
    The caller checks that the viewer may see the map (``GoalScope.can_see_team_map``) and
    passes the goals the viewer may see as ``visible`` (``GoalScope.goals()``): goals outside
    it are left out, with their links and suggestions. Only the command line passes none.
    """
    today = today or timezone.localdate()
    people = list(people)
    ids = [p.pk for p in people]
    periods = periods_of(people, team)
    period = period if period in periods else (periods[0] if periods else "")
    goals_qs = Goal.objects.filter(owner_id__in=ids, period=period)
    if visible is not None:
        goals_qs = goals_qs.filter(pk__in=visible.values("pk"))
    goals = list(goals_qs.select_related("unit", "owner").order_by("title", "pk"))
    goal_ids = [g.pk for g in goals]
    owner_of = {g.pk: g.owner_id for g in goals}
    goals_by_person: dict[int, list[Goal]] = {pk: [] for pk in ids}
    for goal in goals:
        goals_by_person[goal.owner_id].append(goal)  # type: ignore[index]

    pairs: dict[tuple[int, int], Pair] = {}
    for i, a in enumerate(people):
        for b in people[i + 1 :]:
            pairs[(min(a.pk, b.pk), max(a.pk, b.pk))] = Pair(a, b)

    def pair_of(x: int | None, y: int | None) -> Pair | None:
        if x is None or y is None or x == y:
            return None
        return pairs.get((min(x, y), max(x, y)))

    links = list(
        GoalLink.objects.filter(from_goal_id__in=goal_ids, to_goal_id__in=goal_ids)
        .select_related("from_goal", "to_goal")
        .order_by("pk")
    )
    linked_goal_pairs: set[frozenset[int]] = set()
    for link in links:
        linked_goal_pairs.add(frozenset((link.from_goal_id, link.to_goal_id)))
        pair = pair_of(owner_of[link.from_goal_id], owner_of[link.to_goal_id])
        if pair is not None:
            pair.links.append(link)
    contributions = list(
        Contribution.objects.filter(goal_id__in=goal_ids).select_related("goal", "serves")
    )
    linked_up = {c.goal_id for c in contributions}
    for contribution in contributions:
        if contribution.serves_id in owner_of:
            linked_goal_pairs.add(frozenset((contribution.goal_id, contribution.serves_id)))
            pair = pair_of(owner_of[contribution.goal_id], owner_of[contribution.serves_id])
            if pair is not None:
                pair.contributions.append(contribution)
    for suggestion in suggestions(goals, linked_goal_pairs):
        pair = pair_of(suggestion.goal.owner_id, suggestion.other.owner_id)
        if pair is not None:
            pair.suggestions.append(suggestion)

    since = today - dt.timedelta(days=window_days)
    talked_ever: set[int] = set()
    conversations = Conversation.objects.filter(person_a_id__in=ids, person_b_id__in=ids).order_by(
        "starts_at"
    )
    for conversation in conversations:
        pair = pairs.get((conversation.person_a_id, conversation.person_b_id))
        if pair is None:
            continue
        if conversation.status == ConversationStatus.HELD and conversation.held_on:
            talked_ever.update((conversation.person_a_id, conversation.person_b_id))
            if conversation.held_on >= since and (
                pair.last_conversation is None or conversation.held_on > pair.last_conversation
            ):
                pair.last_conversation = conversation.held_on
        elif (
            conversation.status == ConversationStatus.SCHEDULED
            and conversation.starts_at.date() >= today
            and pair.next_conversation is None
        ):
            pair.next_conversation = conversation
    for pair in pairs.values():
        if pair.unresolved:
            pair.state = UNRESOLVED
        elif pair.last_conversation is not None:
            pair.state = ALIGNED
        elif pair.links or pair.contributions:
            pair.state = LINKED
        else:
            pair.state = UNKNOWN

    seen_by_others = set(
        GoalsSeen.objects.filter(owner_id__in=ids).values_list("owner_id", flat=True)
    )
    unseen = [
        p for p in people
        if goals_by_person[p.pk] and p.pk not in seen_by_others and p.pk not in talked_ever
    ]  # fmt: skip
    matrix = [
        (row, [None if row.pk == col.pk else pair_of(row.pk, col.pk) for col in people])
        for row in people
    ]
    width, height, nodes = _layout(people, goals_by_person, {p.pk for p in unseen})
    at = {node.person.pk: node for node in nodes}
    # Unknown pairs first, so the lines that matter are drawn on top of them.
    order = {UNKNOWN: 0, LINKED: 1, ALIGNED: 2, UNRESOLVED: 3}
    edges = [
        Edge(pair, at[pair.a.pk].x, at[pair.a.pk].y, at[pair.b.pk].x, at[pair.b.pk].y)
        for pair in sorted(pairs.values(), key=lambda p: order[p.state])
    ]
    return AlignmentMap(
        people=people,
        period=period,
        periods=periods,
        window_days=window_days,
        today=today,
        pairs=list(pairs.values()),
        matrix=matrix,
        goals_by_person=goals_by_person,
        not_linked_up=[g for g in goals if g.pk not in linked_up],
        unseen=unseen,
        nodes=nodes,
        edges=edges,
        width=width,
        height=height,
    )


def _layout(
    people: Sequence[Person], goals_by_person: dict[int, list[Goal]], unseen: set[int]
) -> tuple[int, int, list[Node]]:
    """People on a circle (two side by side when there are only two), names outside it."""
    width, height = 760, 560
    cx, cy = width / 2, height / 2
    radius = 190 if len(people) > 2 else 150
    nodes = []
    for i, person in enumerate(people):
        angle = -math.pi / 2 + 2 * math.pi * i / max(1, len(people))
        if len(people) == 2:
            angle = math.pi * (1 - i)
        cos, sin = math.cos(angle), math.sin(angle)
        anchor = "middle" if abs(cos) < 0.3 else ("start" if cos > 0 else "end")
        label_x = cx + (radius + 32) * cos
        label_y = cy + (radius + 32) * sin + 5 + (12 if sin > 0.9 else 0)
        nodes.append(
            Node(
                person,
                round(cx + radius * cos, 1),
                round(cy + radius * sin, 1),
                round(label_x, 1),
                round(label_y, 1),
                anchor,
                len(goals_by_person.get(person.pk, [])),
                person.pk in unseen,
            )
        )
    return width, height, nodes


def my_map_people(gscope: GoalScope, direction: str) -> list[Person]:
    """'up': the viewer and their boss; 'down': the viewer and their direct reports."""
    person = gscope.person
    if person is None:
        return []
    if direction == "up":
        boss = Person.objects.filter(pk=person.manager_id).first() if person.manager_id else None
        return [person, boss] if boss is not None else [person]
    reports = Person.objects.filter(manager=person, is_active=True).order_by("name")
    return [person, *reports]


def pair_links(a: Person, b: Person, *, period: str = "") -> list[GoalLink]:
    """Sideways links between two people's goals, either way."""
    links = GoalLink.objects.filter(
        Q(from_goal__owner=a, to_goal__owner=b) | Q(from_goal__owner=b, to_goal__owner=a)
    )
    if period:
        links = links.filter(from_goal__period=period)
    return list(links.select_related("from_goal__owner", "to_goal__owner").order_by("pk"))


def conversation_page_links(
    conversation: Conversation, gscope: GoalScope | None = None
) -> list[GoalLink]:
    links = pair_links(conversation.person_a, conversation.person_b)
    if gscope is None:
        return links
    visible = set(
        gscope.goals()
        .filter(pk__in={g for link in links for g in (link.from_goal_id, link.to_goal_id)})
        .values_list("pk", flat=True)
    )
    return [link for link in links if {link.from_goal_id, link.to_goal_id} <= visible]


def audit_trail(gscope: GoalScope, *, limit: int = 200) -> QuerySet[AuditEntry]:
    gscope.scope.require_admin()
    return AuditEntry.objects.filter(organisation=gscope.organisation)[:limit]
