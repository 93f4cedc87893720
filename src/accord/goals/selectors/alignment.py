"""The alignment map: for every pair of people, whether they have talked lately, how their
goals interact and what is still open; laid out for the page and the API."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from accord.goals.models import (
    Contribution,
    Conversation,
    ConversationStatus,
    Goal,
    GoalLink,
    GoalsSeen,
    LinkKind,
    Team,
)
from accord.goals.selectors.teams import periods_of
from accord.goals.suggestions import Suggestion, suggestions
from accord.goals.visibility import GoalScope
from accord.org.models import Person

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
