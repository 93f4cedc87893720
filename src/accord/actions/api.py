"""API routes for action plans, their steps and updates, and "You said, we did": /api/actions."""

# No `from __future__ import annotations`: django-ninja reads these annotations at run time.
import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StrictBool

from accord.access.models import User
from accord.access.scopes import NotAllowed
from accord.actions import feed, findings, selectors, services
from accord.actions.models import ActionPlan, ActionStep, PlanStatus, PlanUpdate
from accord.actions.visibility import ActionScope
from accord.api_fields import Changes, Id, Line, Name, Paragraph, Refusal, left_out
from accord.insights.selectors import release_view
from accord.org.api import Page

router = Router(tags=["actions"])


def _ascope(request: HttpRequest) -> ActionScope:
    return ActionScope(request.auth)  # type: ignore[attr-defined]


def _actor(request: HttpRequest) -> User:
    return _ascope(request).user


class StepOut(Schema):
    id: int
    title: str
    owner_id: int | None
    due_on: dt.date | None
    done_on: dt.date | None


class UpdateOut(Schema):
    id: int
    written_at: dt.datetime
    text: str
    status: str
    published_at: dt.datetime | None


class FindingOut(Schema):
    cycle_id: int
    release: int
    unit_id: int
    kind: str
    key: str
    label: str
    outcome: str = Field(description="The outcome a driver drives; empty for other kinds.")
    dimension: str | None
    value: str | None
    figure: float | None = Field(
        description="The released figure the plan started from; null once a later release of "
        "the cycle hides the group."
    )
    organisation_figure: float | None
    respondents: int | None


class PlanOut(Schema):
    id: int
    unit_id: int
    title: str
    description: str
    status: str
    cancel_reason: str
    due_on: dt.date
    done_on: dt.date | None
    percent_done: int
    overdue: bool
    owner_ids: list[int]
    handed_from: str
    finding: FindingOut

    @staticmethod
    def resolve_owner_ids(plan: ActionPlan) -> list[int]:
        return [p.pk for p in plan.owners.all()]

    @staticmethod
    def resolve_percent_done(plan: ActionPlan) -> int:
        return selectors.plan_percent_done(plan)

    @staticmethod
    def resolve_overdue(plan: ActionPlan) -> bool:
        return selectors.is_overdue(plan)

    @staticmethod
    def resolve_finding(plan: ActionPlan) -> dict[str, Any]:
        shown = selectors.starting_figure(plan) is not None
        return {
            "cycle_id": plan.cycle_id,
            "release": plan.release_number,
            "unit_id": plan.finding_unit_id,
            "kind": plan.finding_kind,
            "key": plan.finding_key,
            "label": plan.finding_label,
            "outcome": plan.finding_outcome,
            "dimension": plan.finding_dimension or None,
            "value": plan.finding_value or None,
            "figure": plan.finding_figure if shown else None,
            "organisation_figure": plan.finding_organisation_figure if shown else None,
            "respondents": plan.finding_respondents if shown else None,
        }


class RemeasureOut(Schema):
    state: str = Field(description="waiting, not released, or compared.")
    cycle_id: int | None
    then: str
    now: str
    change: float | None
    verdict: str = Field(description="better, worse or not clearly changed; empty otherwise.")


class FeedbackOut(Schema):
    state: str = Field(
        description="cancelled, not done, waiting, due, asking, closed (answers not yet "
        "published), published, or not released (fewer answered than the minimum)."
    )
    words: str
    due_on: dt.date | None = Field(description="From when the unit may be asked.")
    cycle_id: int | None = Field(description="The two-question pulse, once the unit is asked.")
    figure: str = Field(description="The share who agree it made a difference, once shown.")
    respondents: int


class PlanDetailOut(PlanOut):
    steps: list[StepOut]
    updates: list[UpdateOut]
    remeasured: RemeasureOut
    feedback: FeedbackOut

    @staticmethod
    def resolve_feedback(plan: ActionPlan) -> dict[str, Any]:
        found = selectors.feedback_of(plan)
        return {
            "state": found.state,
            "words": found.words,
            "due_on": found.due_on,
            "cycle_id": found.cycle.pk if found.cycle else None,
            "figure": found.figure,
            "respondents": found.respondents,
        }

    @staticmethod
    def resolve_updates(plan: ActionPlan, context: Any) -> list[PlanUpdate]:
        updates = plan.updates.all()
        if not _ascope(context["request"]).can_edit(plan):
            updates = updates.filter(published_at__isnull=False)
        return list(updates)

    @staticmethod
    def resolve_steps(plan: ActionPlan) -> list[ActionStep]:
        return list(plan.steps.all())

    @staticmethod
    def resolve_remeasured(plan: ActionPlan) -> dict[str, Any]:
        found = selectors.remeasure(plan)
        return {
            "state": found.state,
            "cycle_id": found.cycle.pk if found.cycle else None,
            "then": found.then,
            "now": found.now,
            "change": found.change,
            "verdict": found.verdict,
        }


class PlanIn(Schema):
    cycle_id: Id
    unit_id: Id
    finding: Line = Field(
        max_length=200,
        description="outcome:KEY, construct:KEY, item:KEY or driver:CONSTRUCT:OUTCOME.",
    )
    filter: Line = Field(
        "", max_length=300, description="A filter value, such as profession:Nurse."
    )
    title: Name = Field(max_length=200)
    description: Paragraph = Field("", max_length=4000)
    due_on: dt.date
    owner_ids: list[Id] = Field(min_length=1, max_length=20)
    steps: list[Name] = Field([], max_length=50)


class PlanPatch(Changes):
    title: Name = left_out(max_length=200)
    description: Paragraph = left_out(max_length=4000)
    due_on: dt.date = left_out()
    owner_ids: list[Id] = left_out(min_length=1, max_length=20)
    status: PlanStatus = left_out()
    cancel_reason: Paragraph = left_out(max_length=500)


class StepIn(Schema):
    title: Name = Field(max_length=200)
    owner_id: Id | None = None
    due_on: dt.date | None = None


class StepPatch(Changes):
    done: StrictBool = left_out()


class UpdateIn(Schema):
    text: Paragraph = Field(max_length=4000)
    publish: StrictBool = False


class PlanFilters(Schema):
    status: PlanStatus | None = None
    overdue: bool = False  # a query string's "true" or "1"
    cycle_id: Id | None = None


class FeedEntryOut(Schema):
    when: dt.datetime
    source: str
    unit: str
    title: str
    survey_said: str
    we_did: str
    status: str
    measured_again: str


@router.get("/actions/plans", response=list[PlanOut], summary="Action plans the token may see")
@paginate(Page)
def list_plans(request: HttpRequest, filters: Query[PlanFilters]) -> Any:
    return selectors.plans(
        _ascope(request), status=filters.status, overdue=filters.overdue,
        cycle_id=filters.cycle_id,
    )  # fmt: skip


@router.post(
    "/actions/plans", response={201: PlanDetailOut, 422: Refusal}, summary="Plan from a finding"
)
def create_plan(request: HttpRequest, body: PlanIn) -> Any:
    ascope = _ascope(request)
    if not ascope.may_plan:
        raise NotAllowed("Plans are made by those who read results: leaders, executives, admins.")
    view = release_view(ascope.scope, body.cycle_id)
    focus = view.unit_index(body.unit_id)
    unit = ascope.unit_to_plan(body.unit_id)
    finding = findings.find(view, focus, body.finding, body.filter or None)
    plan = services.create_plan(
        ascope=ascope, actor=_actor(request), view=view, unit=unit, finding=finding,
        title=body.title, description=body.description, due_on=body.due_on,
        owner_ids=body.owner_ids, steps=body.steps, via="API",
    )  # fmt: skip
    return Status(201, plan)


@router.get("/actions/plans/{plan_id}", response=PlanDetailOut, summary="One action plan")
def get_plan(request: HttpRequest, plan_id: int) -> ActionPlan:
    return _ascope(request).get_plan(plan_id)


@router.patch(
    "/actions/plans/{plan_id}",
    response={200: PlanDetailOut, 422: Refusal},
    summary="Change a plan or its status",
)
def update_plan(request: HttpRequest, plan_id: int, body: PlanPatch) -> Any:
    ascope = _ascope(request)
    plan = ascope.plan_to_edit(plan_id)
    changes = body.dict(exclude_unset=True)
    fields = {"title", "description", "due_on", "owner_ids"}
    if fields & changes.keys():
        plan = services.update_plan(
            ascope=ascope, actor=_actor(request), plan=plan, via="API",
            title=changes.get("title", plan.title),
            description=changes.get("description", plan.description),
            due_on=changes.get("due_on", plan.due_on),
            owner_ids=changes.get("owner_ids", [p.pk for p in plan.owners.all()]),
        )  # fmt: skip
    if "status" in changes or "cancel_reason" in changes:
        plan = services.set_status(
            ascope=ascope, actor=_actor(request), plan=plan, via="API",
            status=changes.get("status", plan.status),
            cancel_reason=changes.get("cancel_reason", plan.cancel_reason),
        )  # fmt: skip
    return Status(200, plan)


@router.post(
    "/actions/plans/{plan_id}/steps", response={201: StepOut, 422: Refusal}, summary="Add a step"
)
def add_step(request: HttpRequest, plan_id: int, body: StepIn) -> Any:
    ascope = _ascope(request)
    plan = ascope.plan_to_edit(plan_id)
    step = services.add_step(
        ascope=ascope, actor=_actor(request), plan=plan, title=body.title,
        owner_id=body.owner_id, due_on=body.due_on, via="API",
    )  # fmt: skip
    return Status(201, step)


@router.patch(
    "/actions/steps/{step_id}", response={200: StepOut, 422: Refusal}, summary="Mark a step"
)
def mark_step(request: HttpRequest, step_id: int, body: StepPatch) -> Any:
    ascope = _ascope(request)
    step = ascope.step_to_edit(step_id)
    if body.done is not None:
        step = services.mark_step(
            ascope=ascope, actor=_actor(request), step=step, done=body.done, via="API"
        )
    return Status(200, step)


@router.post(
    "/actions/plans/{plan_id}/updates",
    response={201: UpdateOut, 422: Refusal},
    summary="Write an update (owners may publish it at once)",
)
def add_update(request: HttpRequest, plan_id: int, body: UpdateIn) -> Any:
    ascope = _ascope(request)
    plan = ascope.plan_to_edit(plan_id)
    update = services.add_update(
        ascope=ascope, actor=_actor(request), plan=plan, text=body.text, publish=body.publish,
        via="API",
    )  # fmt: skip
    return Status(201, update)


@router.post(
    "/actions/updates/{update_id}/publish",
    response={200: UpdateOut},
    summary="Publish an update to the people who answered",
)
def publish_update(request: HttpRequest, update_id: int) -> Any:
    ascope = _ascope(request)
    update = ascope.update_to_publish(update_id)
    return Status(
        200, services.publish_update(ascope=ascope, actor=_actor(request), update=update, via="API")
    )


@router.post(
    "/actions/plans/{plan_id}/feedback-pulse",
    response={201: PlanDetailOut, 422: Refusal},
    summary="Ask the plan's unit whether the done plan made a difference",
)
def run_feedback_pulse(request: HttpRequest, plan_id: int) -> Any:
    ascope = _ascope(request)
    plan = ascope.plan_to_edit(plan_id)
    services.run_feedback_pulse(ascope=ascope, actor=_actor(request), plan=plan, via="API")
    return Status(201, ascope.get_plan(plan_id))


@router.post(
    "/actions/plans/{plan_id}/feedback-pulse/publish",
    response={200: PlanDetailOut, 422: Refusal},
    summary="Publish the unit's answers to the feedback pulse (its minimums apply)",
)
def publish_feedback(request: HttpRequest, plan_id: int) -> Any:
    ascope = _ascope(request)
    plan = ascope.plan_to_edit(plan_id)
    services.publish_feedback(ascope=ascope, actor=_actor(request), plan=plan, via="API")
    return Status(200, ascope.get_plan(plan_id))


@router.get("/actions/you-said-we-did", response=list[FeedEntryOut], summary="You said, we did")
def you_said_we_did(request: HttpRequest) -> list[feed.FeedEntry]:
    return feed.you_said_we_did(request.auth, limit=100)  # type: ignore[attr-defined]
