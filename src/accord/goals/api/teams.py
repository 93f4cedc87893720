"""API routes for leadership teams and their alignment maps: /api/teams."""

# No `from __future__ import annotations`: django-ninja reads these annotations at run time.
import datetime as dt
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StrictBool

from accord.access.scopes import NotAllowed
from accord.api_fields import Changes, Id, Line, Name, Paragraph, Refusal, left_out
from accord.goals import selectors, services
from accord.goals.api.common import acting_user, goal_scope_of_request, router
from accord.goals.models import Team, TeamMember
from accord.goals.visibility import GoalScope
from accord.org.api import Page
from accord.org.models import Person


class TeamOut(Schema):
    id: int
    name: str
    leader_id: int
    member_ids: list[int]
    purpose: str
    share_incentive_weights: bool
    conversation_window_days: int

    @staticmethod
    def resolve_member_ids(team: Team) -> list[int]:
        return sorted(team.members.values_list("pk", flat=True))


class TeamPatch(Changes):
    """Every field may be left out; none may be set to null."""

    name: Name = left_out(max_length=200)
    member_ids: list[Id] = left_out(
        max_length=60, description="Every member; the leader stays whatever is given."
    )
    purpose: Paragraph = left_out(max_length=5000)
    share_incentive_weights: StrictBool = left_out()
    conversation_window_days: int = left_out(ge=1, le=730)


class TeamIn(Schema):
    name: Name = Field(max_length=200)
    leader_id: Id | None = Field(
        None, description="Program admins only; otherwise you lead the team."
    )
    member_ids: list[Id] = Field(default_factory=list, max_length=60)
    purpose: Paragraph = Field("", max_length=5000)
    share_incentive_weights: StrictBool = False
    conversation_window_days: int = Field(90, ge=1, le=730)


class PairOut(Schema):
    person_ids: list[int]
    state: str
    last_conversation: dt.date | None
    supports: int
    conflicts: int
    depends: int
    unresolved_link_ids: list[int]
    suggestions: list[str]


class AlignmentOut(Schema):
    period: str
    window_days: int
    pairs_aligned_percent: int | None
    open_conflicts: int
    goals_not_linked_up: list[int]
    members_whose_goals_nobody_has_seen: list[int]
    pairs: list[PairOut]


class AlignmentFilters(Schema):
    period: Line = Field("", max_length=20)
    days: int | None = Field(None, ge=1, le=730)


def _team_people(
    gscope: GoalScope, ids: list[int], field: str, team: Team | None = None
) -> list[Person]:
    """The people named by id, or a 422. A leader names only people in their own scope (and
    the team's present members): anyone else reads exactly like an id that names nobody."""
    people = Person.objects.filter(organisation=gscope.organisation, pk__in=ids)
    where = ""
    if not gscope.scope.is_admin:
        allowed = gscope.scope.people().values("pk")
        present = TeamMember.objects.filter(team=team).values("person_id") if team else []
        people = people.filter(Q(pk__in=allowed) | Q(pk__in=present))
        where = " in your part of the organisation (a program admin can add anyone)"
    found = list(people)
    missing = sorted(set(ids) - {p.pk for p in found})
    if missing:
        raise services.GoalsError(f"No such people{where}: {missing}.", field=field)
    return found


@router.get("/teams", response=list[TeamOut], summary="Leadership teams the token may see")
@paginate(Page)
def list_teams(request: HttpRequest) -> Any:
    return goal_scope_of_request(request).teams().order_by("name")


@router.post("/teams", response={201: TeamOut, 422: Refusal}, summary="Create a leadership team")
def create_team(request: HttpRequest, body: TeamIn) -> Any:
    gscope = goal_scope_of_request(request)
    gscope.require_team_creator()
    if body.leader_id is not None and not gscope.scope.is_admin:
        raise NotAllowed("Only a program admin chooses another leader; leave leader_id out.")
    organisation = gscope.organisation
    people = Person.objects.filter(organisation=organisation)
    leader = (
        people.filter(pk=body.leader_id).first() if body.leader_id is not None else gscope.person
    )
    if leader is None:
        raise services.GoalsError("No such person.", field="leader_id")
    team = services.create_team(
        organisation=organisation, actor=acting_user(request), via="API", scope=gscope.scope,
        name=body.name, leader=leader, members=_team_people(gscope, body.member_ids, "member_ids"),
        purpose=body.purpose, share_incentive_weights=body.share_incentive_weights,
        conversation_window_days=body.conversation_window_days,
    )  # fmt: skip
    return Status(201, team)


@router.get("/teams/{team_id}", response=TeamOut, summary="One leadership team")
def get_team(request: HttpRequest, team_id: int) -> Team:
    return goal_scope_of_request(request).get_team(team_id)


@router.patch(
    "/teams/{team_id}",
    response={200: TeamOut, 422: Refusal},
    summary="Change a team: its name, members, settings",
)
def update_team(request: HttpRequest, team_id: int, body: TeamPatch) -> Any:
    gscope = goal_scope_of_request(request)
    team = gscope.team_to_manage(team_id)
    changes = body.dict(exclude_unset=True)
    if "member_ids" in changes:
        changes["members"] = _team_people(gscope, changes.pop("member_ids"), "member_ids", team)
    services.update_team(
        team=team, actor=acting_user(request), via="API", scope=gscope.scope, **changes
    )
    return Status(200, team)


@router.get("/teams/{team_id}/alignment", response=AlignmentOut, summary="A team's alignment map")
def team_alignment(request: HttpRequest, team_id: int, filters: Query[AlignmentFilters]) -> Any:
    gscope = goal_scope_of_request(request)
    team = gscope.team_to_map(team_id)
    alignment = selectors.alignment_map(
        selectors.team_members(team),
        period=filters.period,
        window_days=filters.days or team.conversation_window_days,
        team=team,
        visible=gscope.goals(),
    )
    return {
        "period": alignment.period,
        "window_days": alignment.window_days,
        "pairs_aligned_percent": alignment.aligned_share,
        "open_conflicts": alignment.open_conflicts,
        "goals_not_linked_up": [g.pk for g in alignment.not_linked_up],
        "members_whose_goals_nobody_has_seen": [p.pk for p in alignment.unseen],
        "pairs": [
            {
                "person_ids": [pair.a.pk, pair.b.pk],
                "state": pair.state,
                "last_conversation": pair.last_conversation,
                "supports": pair.supports,
                "conflicts": pair.conflicts,
                "depends": pair.depends,
                "unresolved_link_ids": [link.pk for link in pair.unresolved],
                "suggestions": [s.reason for s in pair.suggestions],
            }
            for pair in alignment.pairs
        ],
    }
