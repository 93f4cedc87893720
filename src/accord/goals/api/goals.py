"""API routes for goals, their check-ins and what they serve: /api/goals."""

# No `from __future__ import annotations`: django-ninja reads these annotations at run time.
import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StrictBool

from accord.api_fields import Changes, Id, Line, Name, Paragraph, Refusal, left_out
from accord.goals import services
from accord.goals.api.common import Amount, Percent, acting_user, goal_scope_of_request, router
from accord.goals.models import CheckIn, Confidence, Direction, Goal, Visibility
from accord.goals.rules import PERIOD_PATTERN
from accord.org.api import Page


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
        gscope = goal_scope_of_request(context["request"])
        return goal.incentive_weight if gscope.can_see_weight(goal) else None


class GoalDetailOut(GoalOut):
    serves: list[int] = Field(description="Ids of visible goals this goal serves.")
    served_by: list[int] = Field(description="Ids of visible goals that serve this goal.")

    @staticmethod
    def resolve_serves(goal: Goal, context: Any) -> list[int]:
        visible = goal_scope_of_request(context["request"]).goals()
        return list(
            goal.contributions.filter(serves__in=visible).values_list("serves_id", flat=True)
        )

    @staticmethod
    def resolve_served_by(goal: Goal, context: Any) -> list[int]:
        visible = goal_scope_of_request(context["request"]).goals()
        return list(goal.contributors.filter(goal__in=visible).values_list("goal_id", flat=True))


class GoalIn(Schema):
    owner_id: Id | None = Field(None, description="A person; leave out for your own goal.")
    team_id: Id | None = Field(None, description="A team: its shared goal.")
    organisation: StrictBool = Field(False, description="The organisation's own goal.")
    period: str = Field(
        max_length=20, json_schema_extra={"pattern": PERIOD_PATTERN.pattern},
        description="Such as FY2026 or 2026-H1.",
    )  # fmt: skip
    title: Name = Field(max_length=200)
    why: Paragraph = Field("", max_length=5000)
    metric_name: Name = Field(max_length=120)
    metric_unit: Line = Field("", max_length=40)
    baseline: Amount
    target: Amount
    target_upper: Amount | None = None
    direction: Direction
    due_date: dt.date
    incentive_weight: Percent = Decimal(0)
    visibility: Visibility = Visibility.TEAM


class GoalPatch(Changes):
    """Every field may be left out; only target_upper may be set to null (no upper bound)."""

    title: Name = left_out(max_length=200)
    why: Paragraph = left_out(max_length=5000)
    metric_unit: Line = left_out(max_length=40)
    target: Amount = left_out()
    target_upper: Amount | None = None
    due_date: dt.date = left_out()
    incentive_weight: Percent = left_out()
    visibility: Visibility = left_out()


class GoalFilters(Schema):
    owner_id: Id | None = Field(None, description="Only this person's goals.")
    team_id: Id | None = Field(None, description="Only this team's shared goals.")
    period: Line = Field("", max_length=20)


class CheckInOut(Schema):
    id: int
    goal_id: int
    value: Decimal
    confidence: str
    note: str
    recorded_on: dt.date


class CheckInIn(Schema):
    value: Amount
    confidence: Confidence
    note: Paragraph = Field("", max_length=5000)
    recorded_on: dt.date | None = None


class ServesIn(Schema):
    serves_id: Id
    note: Paragraph = Field("", max_length=2000)


@router.get("/goals", response=list[GoalOut], summary="Goals the token may see")
@paginate(Page)
def list_goals(request: HttpRequest, filters: Query[GoalFilters]) -> Any:
    gscope = goal_scope_of_request(request)
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
    gscope = goal_scope_of_request(request)
    kinds = [name for name, given in (("owner_id", body.owner_id is not None),
             ("team_id", body.team_id is not None), ("organisation", body.organisation)) if given]  # fmt: skip
    if len(kinds) > 1:
        raise services.GoalProblems(
            [(k, f"A goal has one owner: give only one of {' or '.join(kinds)}.") for k in kinds]
        )
    owner = services.new_goal_owner(
        gscope, person_id=body.owner_id, team_id=body.team_id, organisation=body.organisation
    )
    fields = body.dict(exclude={"owner_id", "team_id", "organisation"})
    goal = services.add_goal(
        gscope=gscope, owner=owner, actor=acting_user(request), via="API", **fields
    )
    return Status(201, goal)


@router.get("/goals/{goal_id}", response=GoalDetailOut, summary="One goal")
def get_goal(request: HttpRequest, goal_id: int) -> Goal:
    return goal_scope_of_request(request).get_goal(goal_id)


@router.patch(
    "/goals/{goal_id}", response={200: GoalDetailOut, 422: Refusal}, summary="Change a goal"
)
def update_goal(request: HttpRequest, goal_id: int, body: GoalPatch) -> Any:
    gscope = goal_scope_of_request(request)
    goal = gscope.goal_to_edit(goal_id)
    changes = body.dict(exclude_unset=True)
    updated = services.update_goal(
        goal=goal, actor=acting_user(request), via="API", gscope=gscope, **changes
    )
    return Status(200, updated)


@router.get("/goals/{goal_id}/check-ins", response=list[CheckInOut], summary="A goal's check-ins")
@paginate(Page)
def list_check_ins(request: HttpRequest, goal_id: int) -> Any:
    return goal_scope_of_request(request).get_goal(goal_id).check_ins.all()


@router.post(
    "/goals/{goal_id}/check-ins",
    response={201: CheckInOut, 422: Refusal},
    summary="Record a check-in",
)
def create_check_in(request: HttpRequest, goal_id: int, body: CheckInIn) -> Any:
    goal = goal_scope_of_request(request).goal_to_check_in(goal_id)
    check_in: CheckIn = services.record_check_in(
        goal=goal, actor=acting_user(request), via="API", **body.dict()
    )
    return Status(201, check_in)


@router.post(
    "/goals/{goal_id}/serves",
    response={201: GoalDetailOut, 422: Refusal},
    summary="Say this goal serves a goal above it",
)
def add_serves(request: HttpRequest, goal_id: int, body: ServesIn) -> Any:
    gscope = goal_scope_of_request(request)
    goal = gscope.goal_to_edit(goal_id)
    serves = gscope.get_goal(body.serves_id)
    services.add_contribution(
        goal=goal, serves=serves, note=body.note, actor=acting_user(request), via="API"
    )
    return Status(201, goal)
