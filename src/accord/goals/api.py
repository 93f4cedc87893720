"""API routes for goals, links, check-ins, teams and the alignment map.

Every handler reads through the token's scope (``GoalScope``) and writes through
``goals/services.py``, like the pages. A refusal is a 422 naming the field, in the same shape
as the API's validation errors; an action the token's owner may not take is a 403.
"""

# No `from __future__ import annotations`: django-ninja reads these annotations at run time
# (see org/api.py).
import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import field_validator

from accord.goals import selectors, services
from accord.goals.models import (
    CheckIn,
    Confidence,
    Direction,
    Goal,
    GoalLink,
    LinkKind,
    Team,
    Visibility,
)
from accord.goals.visibility import GoalScope
from accord.org.api import MAX_INT64, Page
from accord.org.models import Person

router = Router(tags=["goals"])


def _gscope(request: HttpRequest) -> GoalScope:
    cached = getattr(request, "_goal_scope", None)
    if cached is None:
        cached = GoalScope(request.auth)  # type: ignore[attr-defined]
        request._goal_scope = cached  # type: ignore[attr-defined]
    return cached


def _user(request: HttpRequest) -> Any:
    return request.auth.membership.user  # type: ignore[attr-defined]


class Problem(Schema):
    field: str | None
    message: str


class Refusal(Schema):
    detail: str
    errors: list[Problem]


def _refusal(error: services.GoalsError) -> Status[dict[str, Any]]:
    problems: list[dict[str, str | None]]
    if isinstance(error, services.GoalProblems):
        problems = [{"field": f, "message": m} for f, m in error.problems]
    else:
        problems = [{"field": error.field, "message": str(error)}]
    return Status(422, {"detail": "Invalid request.", "errors": problems})


def _forbid(message: str) -> HttpError:
    return HttpError(403, message)


def _clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


class GoalOut(Schema):
    id: int
    owner_id: int | None
    team_id: int | None
    owner: str = Field(description="The person's, team's or organisation's name.")
    period: str
    title: str
    why: str
    metric_name: str
    metric_unit: str
    baseline: Decimal
    target: Decimal
    target_upper: Decimal | None
    direction: str
    due_date: dt.date
    incentive_weight: Decimal | None = Field(
        description="Percent of the owner's bonus; null when the token may not see it."
    )
    visibility: str
    unit_id: int | None

    @staticmethod
    def resolve_owner(goal: Goal) -> str:
        return goal.owner_label

    @staticmethod
    def resolve_incentive_weight(goal: Goal, context: Any) -> Decimal | None:
        return goal.incentive_weight if _gscope(context["request"]).can_see_weight(goal) else None


class GoalDetailOut(GoalOut):
    serves: list[int] = Field(description="Ids of visible goals this goal serves.")
    served_by: list[int] = Field(description="Ids of visible goals that serve this goal.")

    @staticmethod
    def resolve_serves(goal: Goal, context: Any) -> list[int]:
        visible = _gscope(context["request"]).goals()
        return list(
            goal.contributions.filter(serves__in=visible).values_list("serves_id", flat=True)
        )

    @staticmethod
    def resolve_served_by(goal: Goal, context: Any) -> list[int]:
        visible = _gscope(context["request"]).goals()
        return list(goal.contributors.filter(goal__in=visible).values_list("goal_id", flat=True))


class Text(Schema):
    """Shared checks for text fields."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return _clean_text(value) if isinstance(value, str) else value


class GoalIn(Text):
    owner_id: int | None = Field(
        None, ge=1, le=MAX_INT64, description="A person; leave out for your own goal."
    )
    team_id: int | None = Field(None, ge=1, le=MAX_INT64, description="A team: its shared goal.")
    organisation: bool = Field(False, description="The organisation's own goal.")
    period: str = Field(max_length=20)
    title: str = Field(max_length=200)
    why: str = Field("", max_length=5000)
    metric_name: str = Field(max_length=120)
    metric_unit: str = Field("", max_length=40)
    baseline: Decimal = Field(max_digits=14, decimal_places=4)
    target: Decimal = Field(max_digits=14, decimal_places=4)
    target_upper: Decimal | None = Field(None, max_digits=14, decimal_places=4)
    direction: Direction
    due_date: dt.date
    incentive_weight: Decimal = Field(Decimal(0), ge=0, le=100, decimal_places=2)
    visibility: Visibility = Visibility.TEAM


class GoalPatch(Text):
    title: str | None = Field(None, max_length=200)
    why: str | None = Field(None, max_length=5000)
    metric_unit: str | None = Field(None, max_length=40)
    target: Decimal | None = Field(None, max_digits=14, decimal_places=4)
    target_upper: Decimal | None = Field(None, max_digits=14, decimal_places=4)
    due_date: dt.date | None = None
    incentive_weight: Decimal | None = Field(None, ge=0, le=100, decimal_places=2)
    visibility: Visibility | None = None


class GoalFilters(Schema):
    owner_id: int | None = Field(None, ge=1, le=MAX_INT64, description="Only this person's goals.")
    team_id: int | None = Field(
        None, ge=1, le=MAX_INT64, description="Only this team's shared goals."
    )
    period: str = Field("", max_length=20)

    @field_validator("period")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        return _clean_text(value)


class CheckInOut(Schema):
    id: int
    goal_id: int
    value: Decimal
    confidence: str
    note: str
    recorded_on: dt.date


class CheckInIn(Text):
    value: Decimal = Field(max_digits=14, decimal_places=4)
    confidence: Confidence
    note: str = Field("", max_length=5000)
    recorded_on: dt.date | None = None


class ServesIn(Text):
    serves_id: int = Field(ge=1, le=MAX_INT64)
    note: str = Field("", max_length=2000)


class LinkOut(Schema):
    id: int
    from_goal_id: int
    to_goal_id: int
    kind: str
    note: str
    status: str
    response_note: str
    resolution: str
    unresolved: bool

    @staticmethod
    def resolve_unresolved(link: GoalLink) -> bool:
        return link.is_unresolved


class LinkIn(Text):
    from_goal_id: int = Field(ge=1, le=MAX_INT64)
    to_goal_id: int = Field(ge=1, le=MAX_INT64)
    kind: LinkKind
    note: str = Field(max_length=2000)


class AnswerIn(Text):
    agree: bool
    note: str = Field("", max_length=2000)


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


class TeamIn(Text):
    name: str = Field(max_length=200)
    leader_id: int | None = Field(
        None, ge=1, le=MAX_INT64, description="Program admins only; otherwise you lead the team."
    )
    member_ids: list[Annotated[int, Field(ge=1, le=MAX_INT64)]] = Field(
        default_factory=list, max_length=60
    )
    purpose: str = Field("", max_length=5000)
    share_incentive_weights: bool = False
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
    period: str = Field("", max_length=20)
    days: int | None = Field(None, ge=1, le=730)

    @field_validator("period")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        return _clean_text(value)


# --- goals -------------------------------------------------------------------


@router.get("/goals", response=list[GoalOut], summary="Goals the token may see")
@paginate(Page)
def list_goals(request: HttpRequest, filters: Query[GoalFilters]) -> Any:
    gscope = _gscope(request)
    goals = gscope.goals().select_related("owner", "team", "organisation")
    if filters.owner_id is not None:
        goals = goals.filter(owner_id=filters.owner_id)
    if filters.team_id is not None:
        goals = goals.filter(team_id=filters.team_id)
    if filters.period:
        goals = goals.filter(period=filters.period)
    return goals.order_by("-period", "title", "pk")


@router.post("/goals", response={201: GoalDetailOut, 422: Refusal}, summary="Add a goal")
def create_goal(request: HttpRequest, body: GoalIn) -> Any:
    gscope = _gscope(request)
    owner: Person | None = None
    team: Team | None = None
    if body.team_id is not None:
        team = gscope.get_team(body.team_id)
        if not gscope.can_manage_team(team):
            raise _forbid("Only the team's leader or a program admin adds shared goals.")
    elif body.organisation:
        if not gscope.can_add_organisation_goal():
            raise _forbid("Only program admins and executives set organisation goals.")
    else:
        if body.owner_id is not None:
            owner = selectors.get_person(gscope, body.owner_id)
        elif gscope.person is not None:
            owner = gscope.person
        else:
            raise _forbid("This token's login is not linked to anyone in the org chart.")
        if not gscope.can_add_goal_for(owner):
            raise _forbid("You can add goals for yourself and the people who report to you.")
    fields = body.dict(exclude={"owner_id", "team_id", "organisation"})
    try:
        goal = services.create_goal(
            organisation=gscope.organisation, actor=_user(request), via="API", owner=owner,
            team=team, **fields,
        )  # fmt: skip
    except services.GoalsError as error:
        return _refusal(error)
    return Status(201, goal)


@router.get("/goals/{goal_id}", response=GoalDetailOut, summary="One goal")
def get_goal(request: HttpRequest, goal_id: int) -> Goal:
    return _gscope(request).get_goal(goal_id)


@router.patch(
    "/goals/{goal_id}", response={200: GoalDetailOut, 422: Refusal}, summary="Change a goal"
)
def update_goal(request: HttpRequest, goal_id: int, body: GoalPatch) -> Any:
    gscope = _gscope(request)
    goal = gscope.get_goal(goal_id)
    if not gscope.can_edit(goal):
        raise _forbid("Only the goal's owner, their managers or a program admin change it.")
    changes = body.dict(exclude_unset=True)
    nulls = sorted(
        name for name, value in changes.items() if value is None and name != "target_upper"
    )
    if nulls:
        return Status(422, {"detail": "Invalid request.", "errors": [
            {"field": name, "message": "must not be null"} for name in nulls]})  # fmt: skip
    if "incentive_weight" in changes and not gscope.can_see_weight(goal):
        raise _forbid("You may not see this goal's incentive weight, so you cannot change it.")
    try:
        updated = services.update_goal(goal=goal, actor=_user(request), via="API", **changes)
    except services.GoalsError as error:
        return _refusal(error)
    return Status(200, updated)


@router.get("/goals/{goal_id}/check-ins", response=list[CheckInOut], summary="A goal's check-ins")
@paginate(Page)
def list_check_ins(request: HttpRequest, goal_id: int) -> Any:
    return _gscope(request).get_goal(goal_id).check_ins.all()


@router.post(
    "/goals/{goal_id}/check-ins",
    response={201: CheckInOut, 422: Refusal},
    summary="Record a check-in",
)
def create_check_in(request: HttpRequest, goal_id: int, body: CheckInIn) -> Any:
    gscope = _gscope(request)
    goal = gscope.get_goal(goal_id)
    if not gscope.can_check_in(goal):
        raise _forbid("Only the goal's owner, their managers or its team check in on it.")
    try:
        check_in: CheckIn = services.record_check_in(
            goal=goal, actor=_user(request), via="API", **body.dict()
        )
    except services.GoalsError as error:
        return _refusal(error)
    return Status(201, check_in)


@router.post(
    "/goals/{goal_id}/serves",
    response={201: GoalDetailOut, 422: Refusal},
    summary="Say this goal serves a goal above it",
)
def add_serves(request: HttpRequest, goal_id: int, body: ServesIn) -> Any:
    gscope = _gscope(request)
    goal = gscope.get_goal(goal_id)
    if not gscope.can_edit(goal):
        raise _forbid("Only the goal's owner, their managers or a program admin link it.")
    serves = gscope.get_goal(body.serves_id)
    try:
        services.add_contribution(
            goal=goal, serves=serves, note=body.note, actor=_user(request), via="API"
        )
    except services.GoalsError as error:
        return _refusal(error)
    return Status(201, goal)


# --- sideways links ----------------------------------------------------------


@router.get("/goal-links", response=list[LinkOut], summary="Sideways links the token may see")
@paginate(Page)
def list_links(request: HttpRequest) -> Any:
    visible = _gscope(request).goals()
    return GoalLink.objects.filter(from_goal__in=visible, to_goal__in=visible).order_by("pk")


@router.post(
    "/goal-links", response={201: LinkOut, 422: Refusal}, summary="Declare a sideways link"
)
def create_link(request: HttpRequest, body: LinkIn) -> Any:
    gscope = _gscope(request)
    from_goal = gscope.get_goal(body.from_goal_id)
    to_goal = gscope.get_goal(body.to_goal_id)
    if not gscope.can_edit(from_goal):
        raise _forbid("Only the goal's owner, their managers or a program admin link it.")
    try:
        link = services.declare_link(
            from_goal=from_goal, to_goal=to_goal, kind=body.kind, note=body.note,
            actor=_user(request), via="API", base_url=request.build_absolute_uri("/"),
        )  # fmt: skip
    except services.GoalsError as error:
        return _refusal(error)
    return Status(201, link)


@router.post(
    "/goal-links/{link_id}/answer",
    response={200: LinkOut, 422: Refusal},
    summary="Confirm or dispute a link to your goal",
)
def answer_link(request: HttpRequest, link_id: int, body: AnswerIn) -> Any:
    gscope = _gscope(request)
    visible = gscope.goals()
    link = (
        GoalLink.objects.filter(pk=link_id, from_goal__in=visible, to_goal__in=visible)
        .select_related("to_goal__owner", "from_goal__owner", "organisation")
        .first()
    )
    if link is None:
        from django.http import Http404

        raise Http404
    if not gscope.can_respond(link):
        raise _forbid("Only the owner of the linked goal answers for it.")
    try:
        answered = services.respond_to_link(
            link=link, agree=body.agree, note=body.note, actor=_user(request), via="API",
            base_url=request.build_absolute_uri("/"),
        )  # fmt: skip
    except services.GoalsError as error:
        return _refusal(error)
    return Status(200, answered)


# --- teams -------------------------------------------------------------------


@router.get("/teams", response=list[TeamOut], summary="Leadership teams the token may see")
@paginate(Page)
def list_teams(request: HttpRequest) -> Any:
    return _gscope(request).teams().order_by("name")


@router.post("/teams", response={201: TeamOut, 422: Refusal}, summary="Create a leadership team")
def create_team(request: HttpRequest, body: TeamIn) -> Any:
    gscope = _gscope(request)
    if not gscope.can_create_team():
        raise _forbid("Only leaders and program admins create leadership teams.")
    if body.leader_id is not None and not gscope.scope.is_admin:
        raise _forbid("Only a program admin chooses another leader; leave leader_id out.")
    organisation = gscope.organisation
    people = Person.objects.filter(organisation=organisation)
    leader = (
        people.filter(pk=body.leader_id).first() if body.leader_id is not None else gscope.person
    )
    if leader is None:
        return Status(422, {"detail": "Invalid request.",
                            "errors": [{"field": "leader_id", "message": "No such person."}]})  # fmt: skip
    members = list(people.filter(pk__in=body.member_ids))
    missing = set(body.member_ids) - {m.pk for m in members}
    if missing:
        return Status(422, {"detail": "Invalid request.", "errors": [
            {"field": "member_ids", "message": f"No such people: {sorted(missing)}."}]})  # fmt: skip
    try:
        team = services.create_team(
            organisation=organisation, actor=_user(request), via="API", scope=gscope.scope,
            name=body.name, leader=leader, members=members, purpose=body.purpose,
            share_incentive_weights=body.share_incentive_weights,
            conversation_window_days=body.conversation_window_days,
        )  # fmt: skip
    except services.GoalsError as error:
        return _refusal(error)
    return Status(201, team)


@router.get("/teams/{team_id}", response=TeamOut, summary="One leadership team")
def get_team(request: HttpRequest, team_id: int) -> Team:
    return _gscope(request).get_team(team_id)


@router.get("/teams/{team_id}/alignment", response=AlignmentOut, summary="A team's alignment map")
def team_alignment(request: HttpRequest, team_id: int, filters: Query[AlignmentFilters]) -> Any:
    gscope = _gscope(request)
    team = gscope.get_team(team_id)
    if not gscope.can_see_team_map(team):
        raise _forbid("The alignment map is for the team, its leader's managers and executives.")
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
