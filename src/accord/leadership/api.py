"""API routes for leaders' 360s: /api/leadership. The same rules as the pages: a leader chooses
raters and rates themself, the approver approves, the report is read by the leader once
released (and first by the coach in a coached 360), admins run cohorts and see counts only."""

# No `from __future__ import annotations`: django-ninja reads these annotations at run time.
import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from accord.api_fields import Error, Id, Line, Name, Paragraph, Refusal
from accord.leadership import selectors, services
from accord.leadership.errors import LeadershipError
from accord.leadership.loading import instrument_of
from accord.leadership.models import ActionKind, Cohort, Progress, RaterGroup, Review
from accord.leadership.rules import ActionDraft, FocusDraft, Rater
from accord.leadership.visibility import LeadershipScope
from accord.org.models import Person
from accord.org.selectors import people_by_key
from accord.surveys.answers import ParsedAnswers, parse_answers

router = Router(tags=["leadership"])


def _lscope(request: HttpRequest) -> LeadershipScope:
    return LeadershipScope(request.auth)  # type: ignore[attr-defined]


class RaterIn(Schema):
    person: Line = Field(max_length=254, description="The rater's HR id or email address")
    group: RaterGroup


class RatersIn(Schema):
    raters: list[RaterIn] = Field(max_length=30)


class ApproveIn(Schema):
    raters: list[RaterIn] | None = Field(
        None, max_length=30, description="Omit to approve the list as the leader sent it"
    )


class NominationOut(Schema):
    person_id: int
    name: str
    group: str
    added_by_approver: bool
    declined: bool


class ReviewOut(Schema):
    id: int
    leader_id: int
    leader: str
    cohort: str | None
    status: str = Field(
        description="nominating, awaiting_approval, collecting, with_coach, released or cancelled"
    )
    answer_by: dt.datetime
    raters_asked: int
    raters_declined: int
    answered: int | None = Field(description="Shown from the group minimum up, while collecting")
    raters: list[NominationOut] | None = Field(
        description="Who was asked: for the leader, the approver and the coach only"
    )
    warnings: list[str]
    report_ready: bool = Field(description="Whether the viewer may read the report now")


class CompetencyAnswers(Schema):
    answers: dict[str, int] = Field(
        description="Behaviour id to 1-5 (never … always) or 0 (not observed); leave one out "
        "to skip it"
    )
    comments: dict[str, Paragraph] = Field(
        default_factory=dict, description="Open question id to text"
    )


class CohortIn(Schema):
    name: Name = Field(max_length=200)
    leaders: list[Line] = Field(min_length=1, max_length=5000, description="HR ids or emails")
    answer_by: dt.datetime
    min_group_size: int = Field(3, ge=3, le=10)
    coached: bool = False


class CohortOut(Schema):
    id: int
    name: str
    leaders: int
    answer_by: dt.datetime
    min_group_size: int
    coached: bool

    @staticmethod
    def resolve_leaders(cohort: Cohort) -> int:
        return cohort.reviews.count()


class CohortLineOut(Schema):
    review_id: int
    leader: str
    status: str
    raters_asked: int
    answered: int | None


class CohortProgressOut(Schema):
    cohort: CohortOut
    leaders: list[CohortLineOut]


class CoachIn(Schema):
    coach_email: Line | None = Field(None, max_length=254, description="Empty for no coach")


def _review_out(lscope: LeadershipScope, review: Review) -> dict[str, Any]:
    page = selectors.review_page(lscope, review)
    return {
        "id": review.pk, "leader_id": review.subject_id, "leader": review.subject.name,
        "cohort": review.cohort.name if review.cohort else None, "status": review.status,
        "answer_by": review.answer_by, "raters_asked": page.asked,
        "raters_declined": page.declined, "answered": page.answered,
        "raters": [
            {"person_id": line.nomination.person_id, "name": line.nomination.person.name,
             "group": line.nomination.group,
             "added_by_approver": line.nomination.added_by_approver, "declined": line.declined}
            for line in page.nominations
        ] if page.nominations or page.is_subject else None,
        "warnings": page.warnings, "report_ready": page.sees_report,
    }  # fmt: skip


def _people(lscope: LeadershipScope, keys: list[str], field: str) -> list[Person]:
    """The active people named by HR id or email, in order; a refusal naming the first
    that names no one."""
    found = people_by_key(lscope.organisation, keys)
    for n, key in enumerate(keys):
        if key.strip() not in found:
            raise LeadershipError(f"{field}[{n}]: no one in the org chart has the HR id or "
                                  f"email {key.strip()!r}.", field=field)  # fmt: skip
    return [found[key.strip()] for key in keys]


def _raters(lscope: LeadershipScope, raters: list[RaterIn]) -> list[Rater]:
    people = _people(lscope, [rater.person for rater in raters], "raters")
    return [Rater(person, rater.group) for person, rater in zip(people, raters, strict=True)]


@router.get("/leadership/reviews", response=list[ReviewOut],
            summary="The 360s the viewer may open")  # fmt: skip
def list_reviews(request: HttpRequest) -> Any:
    lscope = _lscope(request)
    return [_review_out(lscope, review) for review in lscope.readable().order_by("pk")[:500]]


@router.get("/leadership/reviews/{review_id}", response=ReviewOut, summary="One 360")
def get_review(request: HttpRequest, review_id: Id) -> Any:
    lscope = _lscope(request)
    return _review_out(lscope, lscope.review_of(review_id))


@router.put("/leadership/reviews/{review_id}/raters", response={200: ReviewOut, 422: Refusal},
            summary="Choose the raters (the leader, while choosing)")  # fmt: skip
def put_raters(request: HttpRequest, review_id: Id, body: RatersIn) -> Any:
    lscope = _lscope(request)
    lscope.review_to_nominate(review_id)
    review = services.set_raters(lscope=lscope, actor=lscope.user, review_id=review_id,
                                 raters=_raters(lscope, body.raters))  # fmt: skip
    return _review_out(lscope, lscope.review_of(review.pk))


@router.post("/leadership/reviews/{review_id}/submit", response={200: ReviewOut, 422: Refusal},
             summary="Send the raters for approval")  # fmt: skip
def submit(request: HttpRequest, review_id: Id) -> Any:
    lscope = _lscope(request)
    review = services.submit_raters(lscope=lscope, actor=lscope.user, review_id=review_id)
    return _review_out(lscope, lscope.review_of(review.pk))


@router.post("/leadership/reviews/{review_id}/approve", response={200: ReviewOut, 422: Refusal},
             summary="Approve the raters (the approver): the round opens")  # fmt: skip
def approve(request: HttpRequest, review_id: Id, body: ApproveIn) -> Any:
    lscope = _lscope(request)
    lscope.review_to_approve(review_id)
    raters = _raters(lscope, body.raters) if body.raters is not None else None
    review = services.approve_raters(lscope=lscope, actor=lscope.user, review_id=review_id,
                                     raters=raters)  # fmt: skip
    return _review_out(lscope, lscope.review_of(review.pk))


@router.put("/leadership/reviews/{review_id}/self", response={204: None, 422: Refusal},
            summary="The leader's own ratings")  # fmt: skip
def put_self(request: HttpRequest, review_id: Id, body: CompetencyAnswers) -> Any:
    lscope = _lscope(request)
    review = lscope.review_to_rate_self(review_id)
    instrument = instrument_of(review)
    form = {f"q_{item}": str(code) for item, code in body.answers.items()}
    form.update({f"q_{item}": text for item, text in body.comments.items()})
    known = {f"q_{item.id}" for item in instrument.items}
    unknown = sorted(set(form) - known)
    if unknown:
        raise LeadershipError(f"No behaviour or question {unknown[0][2:]!r} in this 360.",
                              field="answers")  # fmt: skip
    parsed: ParsedAnswers = parse_answers(instrument, form)
    services.save_self_assessment(lscope=lscope, actor=lscope.user, review_id=review_id,
                                  answers=parsed)  # fmt: skip
    return Status(204, None)


@router.get("/leadership/reviews/{review_id}/report", response={200: dict[str, Any], 404: Error},
            summary="The report: the leader's once released, the coach's first")  # fmt: skip
def get_report(request: HttpRequest, review_id: Id) -> Any:
    lscope = _lscope(request)
    review = lscope.report_of(review_id)
    if review.report is None:
        raise Http404("This 360 has no report.")
    return review.report


def _step(request: HttpRequest, review_id: int, service: Any) -> Any:
    lscope = _lscope(request)
    review = service(lscope=lscope, actor=lscope.user, review_id=review_id)
    return _review_out(lscope, lscope.review_of(review.pk))


@router.post("/leadership/reviews/{review_id}/release", response={200: ReviewOut, 422: Refusal},
             summary="Release a coached report to the leader (the coach)")  # fmt: skip
def release(request: HttpRequest, review_id: Id) -> Any:
    return _step(request, review_id, services.release_to_leader)


@router.post("/leadership/reviews/{review_id}/close", response={200: ReviewOut, 422: Refusal},
             summary="Close a round early (program admins)")  # fmt: skip
def close(request: HttpRequest, review_id: Id) -> Any:
    return _step(request, review_id, services.close_round_now)


@router.post("/leadership/reviews/{review_id}/cancel", response={200: ReviewOut, 422: Refusal},
             summary="Cancel a 360 before its report (program admins)")  # fmt: skip
def cancel(request: HttpRequest, review_id: Id) -> Any:
    return _step(request, review_id, services.cancel_review)


@router.put("/leadership/reviews/{review_id}/coach", response={200: ReviewOut, 422: Refusal},
            summary="Name the coach (program admins)")  # fmt: skip
def put_coach(request: HttpRequest, review_id: Id, body: CoachIn) -> Any:
    lscope = _lscope(request)
    lscope.review_to_run(review_id)
    coach = None
    if body.coach_email:
        membership = (
            lscope.organisation.memberships.filter(user__email__iexact=body.coach_email.strip())
            .select_related("user")
            .first()
        )
        if membership is None:
            raise LeadershipError(
                "No login in this organisation has that email.", field="coach_email"
            )
        coach = membership.user
    review = services.assign_coach(lscope=lscope, actor=lscope.user, review_id=review_id,
                                   coach=coach)  # fmt: skip
    return _review_out(lscope, lscope.review_of(review.pk))


@router.post("/leadership/reviews/{review_id}/decline", response={204: None, 422: Refusal},
             summary="Decline to rate this leader (a rater, before answering)")  # fmt: skip
def decline(request: HttpRequest, review_id: Id) -> Any:
    lscope = _lscope(request)
    services.decline_to_rate(lscope=lscope, actor=lscope.user, review_id=review_id)
    return Status(204, None)


@router.get("/leadership/cohorts", response=list[CohortOut],
            summary="Cohorts (program admins; executives, for their profiles)")  # fmt: skip
def list_cohorts(request: HttpRequest) -> Any:
    return list(selectors.cohorts(_lscope(request)))


@router.post("/leadership/cohorts", response={201: CohortOut, 422: Refusal},
             summary="Start a cohort (program admins)")  # fmt: skip
def start_cohort(request: HttpRequest, body: CohortIn) -> Any:
    lscope = _lscope(request)
    lscope.require_admin()
    subjects = _people(lscope, body.leaders, "leaders")
    cohort = services.start_cohort(
        lscope=lscope, actor=lscope.user, name=body.name, subjects=subjects,
        answer_by=body.answer_by, minimum=body.min_group_size, coached=body.coached,
    )  # fmt: skip
    return Status(201, cohort)


@router.get("/leadership/cohorts/{cohort_id}", response=CohortProgressOut,
            summary="A cohort's progress (program admins): steps and counts, never who")  # fmt: skip
def cohort_progress(request: HttpRequest, cohort_id: Id) -> Any:
    lscope = _lscope(request)
    cohort = lscope.cohort_of(cohort_id)
    return {
        "cohort": cohort,
        "leaders": [
            {"review_id": line.review.pk, "leader": line.review.subject.name,
             "status": line.review.status, "raters_asked": line.asked, "answered": line.answered}
            for line in selectors.cohort_progress(lscope, cohort)
        ],
    }  # fmt: skip


class DevelopmentActionIn(Schema):
    kind: ActionKind
    what: Name = Field(max_length=300)
    due_on: dt.date | None = None


class FocusBehaviourIn(Schema):
    behaviour: Line = Field(max_length=60, description="A behaviour id of the framework")
    why: Paragraph = Field("", max_length=2000)
    actions: list[DevelopmentActionIn] = Field(min_length=1, max_length=6)


class DevelopmentPlanIn(Schema):
    focus: list[FocusBehaviourIn] = Field(min_length=1, max_length=3)
    starts_on: dt.date
    review_on: dt.date
    mentor: Line | None = Field(None, max_length=254, description="HR id or email")
    reassess_after_months: int | None = Field(None, ge=1, le=18)


class DevelopmentActionOut(Schema):
    id: int
    kind: str
    what: str
    due_on: dt.date | None
    done_on: dt.date | None


class FocusBehaviourOut(Schema):
    behaviour: str
    text: str
    why: str
    progress: str
    actions: list[DevelopmentActionOut]


class PlanCheckInOut(Schema):
    held_on: dt.date
    author: str
    note: str
    progress: dict[str, str]


class DevelopmentPlanOut(Schema):
    review_id: int
    starts_on: dt.date
    review_on: dt.date
    mentor: str | None
    reassess_after_months: int | None
    focus: list[FocusBehaviourOut]
    check_ins: list[PlanCheckInOut]


class PlanCheckInIn(Schema):
    held_on: dt.date
    note: Paragraph = Field(max_length=4000)
    progress: dict[str, Progress] = Field(default_factory=dict,
                                          description="Focus behaviour id to progress")  # fmt: skip


class ReassessIn(Schema):
    answer_by: dt.datetime


def _plan_out(lscope: LeadershipScope, review: Review) -> dict[str, Any]:
    page = selectors.plan_page(lscope, review)
    plan = page.plan
    if plan is None:
        raise Http404("There is no development plan yet.")
    return {
        "review_id": review.pk, "starts_on": plan.starts_on, "review_on": plan.review_on,
        "mentor": plan.mentor.name if plan.mentor else None,
        "reassess_after_months": plan.reassess_after_months,
        "focus": [
            {"behaviour": f.behaviour, "text": f.text, "why": f.why, "progress": f.progress,
             "actions": f.actions}
            for f in page.focus
        ],
        "check_ins": [
            {"held_on": c.held_on, "author": c.author_name, "note": c.note, "progress": c.progress}
            for c in page.check_ins
        ],
    }  # fmt: skip


@router.get("/leadership/reviews/{review_id}/plan", response={200: DevelopmentPlanOut, 404: Error},
            summary="The development plan: the leader's, their coach's and mentor's")  # fmt: skip
def get_plan(request: HttpRequest, review_id: Id) -> Any:
    lscope = _lscope(request)
    return _plan_out(lscope, lscope.plan_of(review_id))


@router.put("/leadership/reviews/{review_id}/plan", response={200: DevelopmentPlanOut, 422: Refusal},
            summary="Make or change the plan (the leader, once the report is released)")  # fmt: skip
def put_plan(request: HttpRequest, review_id: Id, body: DevelopmentPlanIn) -> Any:
    lscope = _lscope(request)
    review = lscope.review_to_plan(review_id)
    mentor = _people(lscope, [body.mentor], "mentor")[0] if body.mentor else None
    services.save_plan(
        lscope=lscope, actor=lscope.user, review_id=review.pk, mentor=mentor,
        starts_on=body.starts_on, review_on=body.review_on,
        reassess_after_months=body.reassess_after_months,
        focus=[FocusDraft(f.behaviour, f.why, tuple(ActionDraft(a.kind, a.what, a.due_on)
                                                    for a in f.actions)) for f in body.focus],
    )  # fmt: skip
    return _plan_out(lscope, lscope.plan_of(review.pk))


@router.post("/leadership/reviews/{review_id}/plan/check-ins",
             response={201: DevelopmentPlanOut, 422: Refusal},
             summary="Record a check-in (the leader, their coach or mentor)")  # fmt: skip
def post_check_in(request: HttpRequest, review_id: Id, body: PlanCheckInIn) -> Any:
    lscope = _lscope(request)
    services.add_check_in(lscope=lscope, actor=lscope.user, review_id=review_id,
                          held_on=body.held_on, note=body.note,
                          progress={k: str(v) for k, v in body.progress.items()})  # fmt: skip
    return Status(201, _plan_out(lscope, lscope.plan_of(review_id)))


@router.post("/leadership/reviews/{review_id}/reassess", response={201: ReviewOut, 422: Refusal},
             summary="Start the re-assessment of the plan's behaviours (the leader)")  # fmt: skip
def post_reassess(request: HttpRequest, review_id: Id, body: ReassessIn) -> Any:
    lscope = _lscope(request)
    review = services.start_reassessment(lscope=lscope, actor=lscope.user, review_id=review_id,
                                         answer_by=body.answer_by)  # fmt: skip
    return Status(201, _review_out(lscope, lscope.review_of(review.pk)))


@router.get("/leadership/cohorts/{cohort_id}/profile", response={200: dict[str, Any], 404: Error},
            summary="A cohort's competency profile (executives and admins): averages over at "
            "least five leaders, once the cohort is finished")  # fmt: skip
def get_cohort_profile(request: HttpRequest, cohort_id: Id) -> Any:
    _, profile = services.cohort_profile(lscope=_lscope(request), cohort_id=cohort_id)
    if profile is None:
        raise Http404("The profile appears once the cohort's 360s are finished.")
    return profile
