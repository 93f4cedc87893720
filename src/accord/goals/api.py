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

from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import field_validator

from accord.goals import selectors, services
from accord.goals.models import (
    CheckIn,
    Commitment,
    Confidence,
    Conversation,
    Direction,
    Goal,
    GoalLink,
    LinkKind,
    Resolution,
    Team,
    TeamMember,
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


def _invalid(*problems: tuple[str, str]) -> Status[dict[str, Any]]:
    """A 422 in the shape of the API's validation errors, one entry per field."""
    return Status(422, {"detail": "Invalid request.",
                        "errors": [{"field": f, "message": m} for f, m in problems]})  # fmt: skip


def _nulls(
    changes: dict[str, Any], nullable: tuple[str, ...] = ()
) -> Status[dict[str, Any]] | None:
    """A PATCH may leave a field out, but not set a required one to null."""
    nulls = sorted(k for k, v in changes.items() if v is None and k not in nullable)
    return _invalid(*((name, "must not be null") for name in nulls)) if nulls else None


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


class LinkPatch(Text):
    note: str | None = Field(None, max_length=2000, description="Declaring side only.")
    resolution: Resolution | None = Field(
        None, description="A conflict: resolved, escalated, or '' (open). Either owner."
    )
    resolution_note: str | None = Field(None, max_length=2000)


class TeamPatch(Text):
    name: str | None = Field(None, max_length=200)
    member_ids: list[Annotated[int, Field(ge=1, le=MAX_INT64)]] | None = Field(
        None, max_length=60, description="Every member; the leader stays whatever is given."
    )
    purpose: str | None = Field(None, max_length=5000)
    share_incentive_weights: bool | None = None
    conversation_window_days: int | None = Field(None, ge=1, le=730)


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
    kinds = [name for name, given in (("owner_id", body.owner_id is not None),
             ("team_id", body.team_id is not None), ("organisation", body.organisation)) if given]  # fmt: skip
    if len(kinds) > 1:
        return _invalid(*((k, f"A goal has one owner: give only one of {' or '.join(kinds)}.")
                          for k in kinds))  # fmt: skip
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
        if body.incentive_weight and not gscope.can_see_weights_of(owner):
            # The 100% check would otherwise tell them what the owner's other goals carry.
            raise _forbid(
                "You may not see this person's incentive weights, so you cannot set one; "
                "leave incentive_weight out."
            )
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
    refused = _nulls(changes, nullable=("target_upper",))
    if refused is not None:
        return refused
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
    return selectors.visible_links(_gscope(request)).order_by("pk")


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
    link = selectors.get_link(gscope, link_id)
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


@router.get("/goal-links/{link_id}", response=LinkOut, summary="One sideways link")
def get_link(request: HttpRequest, link_id: int) -> GoalLink:
    return selectors.get_link(_gscope(request), link_id)


@router.patch(
    "/goal-links/{link_id}",
    response={200: LinkOut, 422: Refusal},
    summary="Reword a link you declared, or resolve a conflict between your goals",
)
def update_link(request: HttpRequest, link_id: int, body: LinkPatch) -> Any:
    gscope = _gscope(request)
    link = selectors.get_link(gscope, link_id)
    changes = body.dict(exclude_unset=True)
    refused = _nulls(changes)
    if refused is not None:
        return refused
    if "note" in changes and not gscope.can_withdraw(link):
        raise _forbid("Only whoever declared the link, or its goal's owner, rewords it.")
    if {"resolution", "resolution_note"} & set(changes) and not gscope.can_resolve(link):
        raise _forbid("Only the owners of the two goals resolve a conflict between them.")
    if "resolution_note" in changes and "resolution" not in changes:
        return _invalid(("resolution", "Give the resolution the note is about."))
    user, base_url = _user(request), request.build_absolute_uri("/")
    try:
        with transaction.atomic():
            if "note" in changes:
                link = services.change_link_note(
                    link=link, note=changes["note"], actor=user, via="API", base_url=base_url
                )
            if "resolution" in changes:
                link = services.resolve_link(
                    link=link, resolution=changes["resolution"],
                    note=changes.get("resolution_note", ""), actor=user, via="API",
                )  # fmt: skip
    except services.GoalsError as error:
        return _refusal(error)
    return Status(200, link)


@router.post(
    "/goal-links/{link_id}/withdraw", response={204: None}, summary="Withdraw a link you declared"
)
def withdraw_link(request: HttpRequest, link_id: int) -> Any:
    gscope = _gscope(request)
    link = selectors.get_link(gscope, link_id)
    if not gscope.can_withdraw(link):
        raise _forbid("Only whoever declared the link, or its goal's owner, withdraws it.")
    services.withdraw_link(
        link=link, actor=_user(request), via="API", base_url=request.build_absolute_uri("/")
    )
    return Status(204, None)


# --- teams -------------------------------------------------------------------


def _team_people(
    gscope: GoalScope, ids: list[int], field: str, team: Team | None = None
) -> list[Person] | Status[dict[str, Any]]:
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
        return _invalid((field, f"No such people{where}: {missing}."))
    return found


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
        return _invalid(("leader_id", "No such person."))
    members = _team_people(gscope, body.member_ids, "member_ids")
    if not isinstance(members, list):
        return members
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


@router.patch(
    "/teams/{team_id}",
    response={200: TeamOut, 422: Refusal},
    summary="Change a team: its name, members, settings",
)
def update_team(request: HttpRequest, team_id: int, body: TeamPatch) -> Any:
    gscope = _gscope(request)
    team = gscope.get_team(team_id)
    if not gscope.can_manage_team(team):
        raise _forbid("Only the team's leader or a program admin changes the team.")
    changes = body.dict(exclude_unset=True)
    refused = _nulls(changes)
    if refused is not None:
        return refused
    if "member_ids" in changes:
        members = _team_people(gscope, changes["member_ids"], "member_ids", team)
        if not isinstance(members, list):
            return members
        changes["members"] = members
        del changes["member_ids"]
    try:
        services.update_team(
            team=team, actor=_user(request), via="API", scope=gscope.scope, **changes
        )
    except services.GoalsError as error:
        return _refusal(error)
    return Status(200, team)


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


# --- alignment conversations -------------------------------------------------


class CommitmentOut(Schema):
    id: int
    owner_id: int
    text: str
    due_date: dt.date
    done_at: dt.datetime | None


class ConversationOut(Schema):
    id: int
    person_ids: list[int]
    team_id: int | None
    starts_at: dt.datetime
    duration_minutes: int
    location: str
    status: str
    held_on: dt.date | None
    summary: str
    cancelled_at: dt.datetime | None
    cancellation_note: str
    sequence: int = Field(description="The calendar event's SEQUENCE: up by one per change.")
    agenda: str
    commitments: list[CommitmentOut]

    @staticmethod
    def resolve_person_ids(conversation: Conversation) -> list[int]:
        return [conversation.person_a_id, conversation.person_b_id]

    @staticmethod
    def resolve_commitments(conversation: Conversation) -> list[Commitment]:
        return list(conversation.commitments.all())


class ConversationIn(Text):
    person_ids: list[Annotated[int, Field(ge=1, le=MAX_INT64)]] = Field(
        min_length=1, max_length=2,
        description="One person: you and them. Two: those two (a team's leader for two of its "
        "members, or a program admin).",
    )  # fmt: skip
    starts_at: dt.datetime = Field(
        description="With its time zone, such as 2026-06-30T10:00:00-05:00."
    )
    duration_minutes: int = Field(45, ge=5, le=480)
    location: str = Field("", max_length=200)
    team_id: int | None = Field(None, ge=1, le=MAX_INT64)
    period: str = Field("", max_length=20, description="Goals of this period on the agenda.")


class RescheduleIn(Text):
    starts_at: dt.datetime
    duration_minutes: int | None = Field(None, ge=5, le=480)
    location: str | None = Field(None, max_length=200)


class CancelIn(Text):
    note: str = Field("", max_length=2000, description="Sent to both people.")


class LinkOutcomeIn(Schema):
    link_id: int = Field(ge=1, le=MAX_INT64)
    action: str = Field(pattern="^(confirm|resolve|escalate|keep)$")


class CommitmentIn(Text):
    owner_id: int = Field(ge=1, le=MAX_INT64)
    text: str = Field(min_length=1, max_length=300)
    due_date: dt.date


class RecordIn(Text):
    held_on: dt.date
    summary: str = Field("", max_length=10000)
    link_outcomes: list[LinkOutcomeIn] = Field(default_factory=list, max_length=200)
    commitments: list[CommitmentIn] = Field(default_factory=list, max_length=50)


class CommitmentPatch(Schema):
    done: bool


def _conversations(gscope: GoalScope) -> Any:
    return gscope.conversations().select_related("person_a", "person_b", "team", "organisation")


def _changeable(gscope: GoalScope, conversation_id: int) -> Conversation:
    conversation = gscope.get_conversation(conversation_id)
    if not gscope.can_change_conversation(conversation):
        raise _forbid(
            "Only the two people, the organiser, the team's leader or a program admin change it."
        )
    return conversation


@router.get(
    "/conversations", response=list[ConversationOut], summary="Conversations the token may see"
)
@paginate(Page)
def list_conversations(request: HttpRequest) -> Any:
    return (
        _conversations(_gscope(request))
        .prefetch_related("commitments")
        .order_by("-starts_at", "-pk")
    )


@router.post(
    "/conversations",
    response={201: ConversationOut, 422: Refusal},
    summary="Schedule an alignment conversation (both people are emailed an invitation)",
)
def schedule_conversation(request: HttpRequest, body: ConversationIn) -> Any:
    gscope = _gscope(request)
    people = [selectors.get_person(gscope, pk) for pk in body.person_ids]
    if len(people) == 1:
        if gscope.person is None:
            raise _forbid("This token's login is not linked to anyone in the org chart.")
        people.insert(0, gscope.person)
    first, second = people
    team = gscope.get_team(body.team_id) if body.team_id is not None else None
    me = gscope.person.pk if gscope.person else None
    in_team = team is not None and team.members.filter(pk__in=[first.pk, second.pk]).count() == 2
    if not (gscope.scope.is_admin or me in (first.pk, second.pk)
            or (team is not None and team.leader_id == me and in_team)):  # fmt: skip
        raise _forbid(
            "You can schedule conversations you take part in; a team's leader can schedule "
            "them for two members of the team."
        )
    try:
        conversation = services.schedule_conversation(
            organisation=gscope.organisation, actor=_user(request), via="API",
            people=(first, second), starts_at=body.starts_at,
            duration_minutes=body.duration_minutes, location=body.location, team=team,
            period=body.period, base_url=request.build_absolute_uri("/"),
        )  # fmt: skip
    except services.GoalsError as error:
        if error.field == "person":
            error.field = "person_ids"
        return _refusal(error)
    return Status(201, conversation)


@router.get(
    "/conversations/{conversation_id}", response=ConversationOut, summary="One conversation"
)
def get_conversation(request: HttpRequest, conversation_id: int) -> Conversation:
    return _gscope(request).get_conversation(conversation_id)


@router.post(
    "/conversations/{conversation_id}/reschedule",
    response={200: ConversationOut, 422: Refusal},
    summary="Move a conversation (both people get the updated invitation)",
)
def reschedule_conversation(request: HttpRequest, conversation_id: int, body: RescheduleIn) -> Any:
    gscope = _gscope(request)
    conversation = _changeable(gscope, conversation_id)
    try:
        moved = services.reschedule_conversation(
            conversation=conversation, actor=_user(request), via="API",
            starts_at=body.starts_at, duration_minutes=body.duration_minutes,
            location=body.location, base_url=request.build_absolute_uri("/"),
        )  # fmt: skip
    except services.GoalsError as error:
        return _refusal(error)
    return Status(200, moved)


@router.post(
    "/conversations/{conversation_id}/cancel",
    response={200: ConversationOut, 422: Refusal},
    summary="Cancel a conversation (both people are told, with a calendar cancellation)",
)
def cancel_conversation(request: HttpRequest, conversation_id: int, body: CancelIn) -> Any:
    gscope = _gscope(request)
    conversation = _changeable(gscope, conversation_id)
    try:
        cancelled = services.cancel_conversation(
            conversation=conversation, actor=_user(request), via="API", note=body.note,
            base_url=request.build_absolute_uri("/"),
        )  # fmt: skip
    except services.GoalsError as error:
        return _refusal(error)
    return Status(200, cancelled)


@router.post(
    "/conversations/{conversation_id}/record",
    response={200: ConversationOut, 422: Refusal},
    summary="Record what came of a conversation",
)
def record_conversation(request: HttpRequest, conversation_id: int, body: RecordIn) -> Any:
    gscope = _gscope(request)
    conversation = gscope.get_conversation(conversation_id)
    if not gscope.can_record(conversation):
        raise _forbid("Only the two people, the organiser or a program admin record it.")
    links = {link.pk: link for link in selectors.conversation_page_links(conversation, gscope)}
    unknown = sorted({o.link_id for o in body.link_outcomes} - set(links))
    if unknown:
        return _invalid(
            ("link_outcomes", f"Not links between these two people's goals: {unknown}.")
        )
    pair = {p.pk: p for p in conversation.people}
    strangers = sorted({c.owner_id for c in body.commitments} - set(pair))
    if strangers:
        return _invalid(("commitments", "A commitment belongs to one of the two people."))
    try:
        recorded = services.record_conversation(
            conversation=conversation, actor=_user(request), via="API", held_on=body.held_on,
            summary=body.summary,
            link_outcomes=[services.LinkOutcome(links[o.link_id], o.action)
                           for o in body.link_outcomes if o.action != "keep"],
            commitments=[services.NewCommitment(pair[c.owner_id], c.text, c.due_date)
                         for c in body.commitments],
        )  # fmt: skip
    except services.GoalsError as error:
        return _refusal(error)
    return Status(200, recorded)


@router.patch(
    "/conversations/{conversation_id}/commitments/{commitment_id}",
    response={200: CommitmentOut, 422: Refusal},
    summary="Mark a commitment done (or not done after all)",
)
def mark_commitment(
    request: HttpRequest, conversation_id: int, commitment_id: int, body: CommitmentPatch
) -> Any:
    gscope = _gscope(request)
    conversation = _changeable(gscope, conversation_id)
    commitment = Commitment.objects.filter(pk=commitment_id, conversation=conversation).first()
    if commitment is None:
        raise Http404("No such commitment.")
    marked = services.mark_commitment(
        commitment=commitment, done=body.done, actor=_user(request), via="API"
    )
    return Status(200, marked)
