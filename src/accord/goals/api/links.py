"""API routes for sideways links between peers' goals: /api/goal-links."""

# No `from __future__ import annotations`: django-ninja reads these annotations at run time.
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StrictBool

from accord.api_fields import Changes, Id, Paragraph, Refusal, left_out
from accord.goals import services
from accord.goals.api.common import acting_user, goal_scope_of_request, router
from accord.goals.models import GoalLink, LinkKind, Resolution
from accord.org.api import Page


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


class LinkIn(Schema):
    from_goal_id: Id
    to_goal_id: Id
    kind: LinkKind
    note: Paragraph = Field(max_length=2000)


class AnswerIn(Schema):
    agree: StrictBool
    note: Paragraph = Field("", max_length=2000)


class LinkPatch(Changes):
    """Every field may be left out; none may be set to null."""

    note: Paragraph = left_out(max_length=2000, description="Declaring side only.")
    resolution: Resolution = left_out(
        description="A conflict: resolved, escalated, or '' (open). Either owner."
    )
    resolution_note: Paragraph = left_out(max_length=2000)


@router.get("/goal-links", response=list[LinkOut], summary="Sideways links the token may see")
@paginate(Page)
def list_links(request: HttpRequest) -> Any:
    return goal_scope_of_request(request).links().order_by("pk")


@router.post(
    "/goal-links", response={201: LinkOut, 422: Refusal}, summary="Declare a sideways link"
)
def create_link(request: HttpRequest, body: LinkIn) -> Any:
    gscope = goal_scope_of_request(request)
    from_goal = gscope.get_goal(body.from_goal_id)
    to_goal = gscope.get_goal(body.to_goal_id)
    gscope.goal_to_edit(from_goal.pk)
    link = services.declare_link(
        from_goal=from_goal, to_goal=to_goal, kind=body.kind, note=body.note,
        actor=acting_user(request), via="API",
    )  # fmt: skip
    return Status(201, link)


@router.post(
    "/goal-links/{link_id}/answer",
    response={200: LinkOut, 422: Refusal},
    summary="Confirm or dispute a link to your goal",
)
def answer_link(request: HttpRequest, link_id: int, body: AnswerIn) -> Any:
    link = goal_scope_of_request(request).link_to_answer(link_id)
    answered = services.respond_to_link(
        link=link, agree=body.agree, note=body.note, actor=acting_user(request), via="API"
    )
    return Status(200, answered)


@router.get("/goal-links/{link_id}", response=LinkOut, summary="One sideways link")
def get_link(request: HttpRequest, link_id: int) -> GoalLink:
    return goal_scope_of_request(request).get_link(link_id)


@router.patch(
    "/goal-links/{link_id}",
    response={200: LinkOut, 422: Refusal},
    summary="Reword a link you declared, or resolve a conflict between your goals",
)
def update_link(request: HttpRequest, link_id: int, body: LinkPatch) -> Any:
    gscope = goal_scope_of_request(request)
    link = gscope.get_link(link_id)
    changes = body.dict(exclude_unset=True)
    if "note" in changes:
        gscope.link_to_withdraw(link_id)
    if {"resolution", "resolution_note"} & set(changes):
        gscope.link_to_resolve(link_id)
    if "resolution_note" in changes and "resolution" not in changes:
        raise services.GoalsError("Give the resolution the note is about.", field="resolution")
    user = acting_user(request)
    with transaction.atomic():
        if "note" in changes:
            link = services.change_link_note(link=link, note=changes["note"], actor=user, via="API")
        if "resolution" in changes:
            link = services.resolve_link(
                link=link, resolution=changes["resolution"],
                note=changes.get("resolution_note", ""), actor=user, via="API",
            )  # fmt: skip
    return Status(200, link)


@router.post(
    "/goal-links/{link_id}/withdraw", response={204: None}, summary="Withdraw a link you declared"
)
def withdraw_link(request: HttpRequest, link_id: int) -> Any:
    link = goal_scope_of_request(request).link_to_withdraw(link_id)
    services.withdraw_link(link=link, actor=acting_user(request), via="API")
    return Status(204, None)
