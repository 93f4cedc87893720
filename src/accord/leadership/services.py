"""Every change to a 360: one function per user action, called alike by the pages, the API
and the command line. Each takes the viewer's ``LeadershipScope`` to decide what they may do,
checks its fields with ``rules``, and writes its audit entry (the step, never a rating) in the
same transaction; email leaves through the queue once the transaction has committed.

The raters' round is a surveys cycle opened by ``surveys.services.open_named_round``: this
app never sees who answered or what any one rater said."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accord.access.audit import actor_label
from accord.access.models import Membership, Role, User
from accord.access.scopes import NotAllowed
from accord.leadership import loading, profiles, tasks
from accord.leadership.closing import finish_reviews
from accord.leadership.errors import LeadershipError, LeadershipProblems
from accord.leadership.models import (
    DEFAULT_REMINDER_DAYS,
    GROUP_MINIMUM,
    UNDER_WAY,
    Cohort,
    DevelopmentAction,
    DevelopmentPlan,
    FocusBehaviour,
    LeadershipAuditEntry,
    Nomination,
    NominationStatus,
    PlanCheckIn,
    Progress,
    ReportShare,
    Review,
    ReviewStatus,
    SelfAssessment,
)
from accord.leadership.rules import FocusDraft, Rater, nomination_problems, plan_problems
from accord.leadership.visibility import LeadershipScope
from accord.org.models import Organisation, Person
from accord.surveys.answers import ParsedAnswers, pack
from accord.surveys.instruments import LEADERSHIP_360, LEADERSHIP_FRAMEWORK_ID, Instrument
from accord.surveys.models import Comment, Cycle, Invitation, Response
from accord.surveys.selectors import organisation_instruments
from accord.surveys.services import CycleError, close_now, open_named_round, withdraw_invitation

MAX_MINIMUM = 10
LONGEST_ROUND = dt.timedelta(days=90)


def audit(
    *,
    organisation_id: int,
    actor: User | None,
    via: str = "",
    action: str,
    review: Review | None = None,
    cohort: Cohort | None = None,
    **detail: object,
) -> None:
    LeadershipAuditEntry.objects.create(
        organisation_id=organisation_id, actor=actor_label(actor, via), action=action,
        review=review, cohort=cohort, detail=detail,
    )  # fmt: skip


def _after_commit(task: object, *args: object) -> None:
    transaction.on_commit(lambda: task(*args))  # type: ignore[operator]


def framework_for(organisation: Organisation, key: tuple[str, int] | None) -> Instrument:
    """The framework a 360 asks: Accord's own unless the organisation loaded another."""
    registry = organisation_instruments(organisation)
    if key is None:
        return registry.latest(LEADERSHIP_FRAMEWORK_ID)
    if key not in registry:
        raise LeadershipError(f"No framework {key[0]!r} version {key[1]}.", field="framework")
    instrument = registry.get(*key)
    if instrument.purpose != LEADERSHIP_360:
        raise LeadershipError(
            f"{key[0]!r} is a survey instrument, not a 360 framework.", field="framework"
        )
    return instrument


def _check_round(answer_by: dt.datetime, minimum: int, now: dt.datetime) -> None:
    problems = []
    if answer_by <= now + dt.timedelta(days=2):
        problems.append(("answer_by", "Give raters at least two days: choose a later date."))
    elif answer_by > now + LONGEST_ROUND:
        problems.append(("answer_by", "A round lasts at most 90 days: choose an earlier date."))
    if not GROUP_MINIMUM <= minimum <= MAX_MINIMUM:
        problems.append(
            ("min_group_size", f"Each rater group is shown with at least {GROUP_MINIMUM} raters "
             f"(it can be raised, up to {MAX_MINIMUM}, never lowered).")
        )  # fmt: skip
    if problems:
        raise LeadershipProblems(problems)


def _approver(subject: Person) -> Person | None:
    """The leader's manager when they can sign in to approve; otherwise a program admin does."""
    manager = subject.manager
    if manager is None or not manager.is_active:
        return None
    if not Membership.objects.filter(person=manager, organisation=subject.organisation_id).exists():
        return None
    return manager


def _new_review(
    *, subject: Person, instrument: Instrument, answer_by: dt.datetime, minimum: int,
    cohort: Cohort | None, coach: User | None,
) -> Review:  # fmt: skip
    if not subject.is_active:
        raise LeadershipError(f"{subject.name} has left the org chart.", field="subjects")
    return Review.objects.create(
        organisation_id=subject.organisation_id, cohort=cohort, subject=subject,
        approver=_approver(subject), coach=coach, instrument_id=instrument.id,
        instrument_version=instrument.version, min_group_size=minimum, answer_by=answer_by,
    )  # fmt: skip


# Starting ----------------------------------------------------------------------------------


@transaction.atomic
def start_cohort(
    *,
    lscope: LeadershipScope,
    actor: User | None,
    name: str,
    subjects: Sequence[Person],
    answer_by: dt.datetime,
    minimum: int = GROUP_MINIMUM,
    coached: bool = False,
    framework: tuple[str, int] | None = None,
    via: str = "",
    now: dt.datetime | None = None,
) -> Cohort:
    """An admin starts a 360 for each of several leaders (every department chair, say): each
    is asked to choose their raters."""
    lscope.require_admin()
    now = now or timezone.now()
    name = " ".join(name.split())
    problems = []
    if not name:
        problems.append(("name", "Give the cohort a name, e.g. “Department chairs 2027”."))
    elif len(name) > 200:
        problems.append(("name", "A name can be at most 200 characters."))
    elif Cohort.objects.filter(organisation=lscope.organisation, name=name).exists():
        problems.append(("name", f"There is already a cohort named “{name}”."))
    if not subjects:
        problems.append(("subjects", "Choose at least one leader."))
    if len({p.pk for p in subjects}) != len(subjects):
        problems.append(("subjects", "A leader is listed twice."))
    if problems:
        raise LeadershipProblems(problems)
    _check_round(answer_by, minimum, now)
    instrument = framework_for(lscope.organisation, framework)
    cohort = Cohort.objects.create(
        organisation=lscope.organisation, name=name, instrument_id=instrument.id,
        instrument_version=instrument.version, min_group_size=minimum, coached=coached,
        answer_by=answer_by, created_by=actor,
    )  # fmt: skip
    for subject in subjects:
        if subject.organisation_id != lscope.organisation.pk:
            raise LeadershipError("A leader of another organisation.", field="subjects")
        review = _new_review(
            subject=subject, instrument=instrument, answer_by=answer_by, minimum=minimum,
            cohort=cohort, coach=None,
        )  # fmt: skip
        _after_commit(tasks.deliver_started, review.pk)
    audit(organisation_id=lscope.organisation.pk, actor=actor, via=via, action="cohort started",
          cohort=cohort, leaders=len(subjects))  # fmt: skip
    return cohort


@transaction.atomic
def start_own_review(
    *,
    lscope: LeadershipScope,
    actor: User | None,
    answer_by: dt.datetime,
    minimum: int = GROUP_MINIMUM,
    via: str = "",
    now: dt.datetime | None = None,
) -> Review:
    """A leader asks for their own 360, outside any cohort."""
    me = lscope.me()
    if not lscope.may_ask_for_own:
        raise NotAllowed("Leaders, executives and program admins ask for a 360 of their own.")
    now = now or timezone.now()
    _check_round(answer_by, minimum, now)
    running = Review.objects.filter(subject=me).exclude(
        status__in=(ReviewStatus.RELEASED, ReviewStatus.CANCELLED)
    )
    if running.exists():
        raise LeadershipError("You have a 360 under way already; finish it first.")
    review = _new_review(
        subject=me, instrument=framework_for(lscope.organisation, None), answer_by=answer_by,
        minimum=minimum, cohort=None, coach=None,
    )  # fmt: skip
    audit(organisation_id=review.organisation_id, actor=actor, via=via, action="started",
          review=review)  # fmt: skip
    return review


# Nominating and approving --------------------------------------------------------------------


def _replace_raters(review: Review, raters: Sequence[Rater], *, by_approver: bool) -> None:
    problems = nomination_problems(review.subject, raters)
    if problems:
        raise LeadershipProblems(problems)
    before = set(review.nominations.values_list("person_id", flat=True))
    review.nominations.all().delete()
    Nomination.objects.bulk_create(
        Nomination(review=review, person=r.person, group=r.group,
                   added_by_approver=by_approver and r.person.pk not in before)
        for r in raters
    )  # fmt: skip


@transaction.atomic
def set_raters(
    *, lscope: LeadershipScope, actor: User | None, review_id: int, raters: Sequence[Rater],
    via: str = "",
) -> Review:  # fmt: skip
    """The leader's list of raters, replaced as a whole while they are choosing."""
    review = lscope.review_to_nominate(review_id)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status != ReviewStatus.NOMINATING:
        raise LeadershipError("The raters were sent for approval already.")
    _replace_raters(review, raters, by_approver=False)
    audit(organisation_id=review.organisation_id, actor=actor, via=via, action="raters chosen",
          review=review, raters=len(raters))  # fmt: skip
    return review


@transaction.atomic
def submit_raters(
    *, lscope: LeadershipScope, actor: User | None, review_id: int, via: str = "",
    now: dt.datetime | None = None,
) -> Review:  # fmt: skip
    """The leader sends their raters to the approver."""
    review = lscope.review_to_nominate(review_id)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if not review.nominations.exists():
        raise LeadershipError("Choose your raters first.", field="raters")
    review.status = ReviewStatus.AWAITING_APPROVAL
    review.submitted_at = now or timezone.now()
    review.approver = _approver(review.subject)
    review.save(update_fields=["status", "submitted_at", "approver"])
    audit(organisation_id=review.organisation_id, actor=actor, via=via,
          action="sent for approval", review=review)  # fmt: skip
    _after_commit(tasks.deliver_approval_request, review.pk)
    return review


@transaction.atomic
def approve_raters(
    *,
    lscope: LeadershipScope,
    actor: User | None,
    review_id: int,
    raters: Sequence[Rater] | None = None,
    via: str = "",
    now: dt.datetime | None = None,
) -> Review:
    """The approver accepts the raters (or a changed list) and the round opens: each rater
    gets their one-time link."""
    review = lscope.review_to_approve(review_id)
    review = Review.objects.select_for_update().select_related("subject__unit").get(pk=review.pk)
    if review.status != ReviewStatus.AWAITING_APPROVAL:
        raise LeadershipError("These raters are not waiting for approval.")
    now = now or timezone.now()
    if raters is not None:
        _replace_raters(review, raters, by_approver=True)
    nominations = list(review.nominations.select_related("person"))
    if not nominations:
        raise LeadershipError("A 360 needs at least one rater.", field="raters")
    if review.answer_by <= now + dt.timedelta(days=1):
        review.answer_by = now + dt.timedelta(days=7)  # approved late: raters still get a week
    instrument = loading.instrument_of(review)
    try:
        cycle = open_named_round(
            organisation=review.organisation,
            name=f"360 {'re-assessment' if review.follows_id else 'feedback'} for "
            f"{review.subject.name}",
            about=review.subject, instrument=instrument,
            raters=[(n.person, n.group) for n in nominations], closes_at=review.answer_by,
            minimum=review.min_group_size, reminder_days=DEFAULT_REMINDER_DAYS,
            created_by=actor, asked_items=review.behaviours, now=now,
        )  # fmt: skip
    except CycleError as error:
        raise LeadershipError(str(error)) from None
    review.nominations.update(status=NominationStatus.APPROVED)
    review.cycle = cycle
    review.status = ReviewStatus.COLLECTING
    review.approved_at = now
    review.save(update_fields=["cycle", "status", "approved_at", "answer_by"])
    audit(organisation_id=review.organisation_id, actor=actor, via=via, action="raters approved",
          review=review, raters=len(nominations), changed=raters is not None)  # fmt: skip
    return review


@transaction.atomic
def decline_to_rate(
    *, lscope: LeadershipScope, actor: User | None, review_id: int, via: str = ""
) -> None:
    """A rater with a login declines to rate a leader, before answering."""
    me = lscope.person
    if me is None:
        raise Http404("You are not asked to rate this leader.")
    invitation = (
        Invitation.objects.select_related("cycle")
        .filter(person=me, cycle__purpose=Cycle.Purpose.LEADERSHIP_360,
                cycle__organisation=lscope.organisation)
        .filter(cycle__pk=Review.objects.filter(pk=review_id).values("cycle_id")[:1])
        .first()
    )  # fmt: skip
    if invitation is None:  # not asked, declined already, or another organisation's
        raise Http404("You are not asked to rate this leader.")
    try:
        withdraw_invitation(invitation=invitation)
    except CycleError as error:
        raise LeadershipError(str(error)) from None


# The leader's own ratings ------------------------------------------------------------------


@transaction.atomic
def save_self_assessment(
    *, lscope: LeadershipScope, actor: User | None, review_id: int, answers: ParsedAnswers,
    now: dt.datetime | None = None,
) -> SelfAssessment:  # fmt: skip
    review = lscope.review_to_rate_self(review_id)
    if answers.errors:
        raise LeadershipProblems(
            [(f"q_{item}", message) for item, message in answers.errors.items()]
        )
    instrument = loading.instrument_of(review)
    found, _ = SelfAssessment.objects.select_for_update().get_or_create(
        review=review, defaults={"answers": b""}
    )
    found.answers = pack(instrument, answers.scores)
    found.comments = answers.comments
    found.submitted_at = now or timezone.now()
    found.save()
    return found


# Closing and releasing ---------------------------------------------------------------------


def close_round_now(
    *, lscope: LeadershipScope, actor: User | None, review_id: int, via: str = ""
) -> Review:
    """An admin closes a round before its date (everyone who will answer has)."""
    review = lscope.review_to_run(review_id)
    if review.status != ReviewStatus.COLLECTING or review.cycle is None:
        raise LeadershipError("Only a round that is collecting answers can be closed.")
    close_now(cycle=review.cycle)
    with transaction.atomic():
        audit(organisation_id=review.organisation_id, actor=actor, via=via,
              action="round closed early", review=review)  # fmt: skip
    for finished in finish_reviews(
        list(Review.objects.filter(pk=review.pk).select_related(
            "cycle", "organisation", "self_assessment", "cohort"
        ))
    ):  # fmt: skip
        tasks.deliver_report_ready(finished)
    review.refresh_from_db()
    return review


@transaction.atomic
def release_to_leader(
    *, lscope: LeadershipScope, actor: User | None, review_id: int, via: str = "",
    now: dt.datetime | None = None,
) -> Review:  # fmt: skip
    """The coach, after their first conversation, releases the report to the leader."""
    review = lscope.review_to_release(review_id)
    updated = Review.objects.filter(pk=review.pk, status=ReviewStatus.WITH_COACH).update(
        status=ReviewStatus.RELEASED, released_at=now or timezone.now()
    )
    if not updated:
        raise LeadershipError("This report is not waiting for its coach.")
    audit(organisation_id=review.organisation_id, actor=actor, via=via,
          action="released to the leader", review=review)  # fmt: skip
    _after_commit(tasks.deliver_report_ready, review.pk)
    review.refresh_from_db()
    return review


def _check_coach(review: Review, coach: User, organisation: Organisation) -> None:
    """A coach reads the report before the leader, so it is someone whose only access is
    coaching — never an admin, the leader's manager or anyone else with a role — and never
    one of the leader's raters, who could subtract their own answers from their group's."""
    membership = Membership.objects.filter(user=coach, organisation=organisation).first()
    if membership is None or membership.role != Role.COACH:
        raise LeadershipError(
            "A coach is a login with the coach role (Logins): someone who sees only the "
            "360s they coach.", field="coach",
        )  # fmt: skip
    if membership.person_id is not None and (
        membership.person_id == review.subject_id
        or review.nominations.filter(person_id=membership.person_id).exists()
    ):
        raise LeadershipError("The leader and their raters cannot be the coach.", field="coach")


@transaction.atomic
def assign_coach(
    *, lscope: LeadershipScope, actor: User | None, review_id: int, coach: User | None,
    via: str = "",
) -> Review:  # fmt: skip
    """An admin names the coach of a 360 (or none), before its report is computed."""
    review = lscope.review_to_run(review_id)
    waiting = review.status == ReviewStatus.WITH_COACH and review.coach_id is None
    if not review.coach_may_change:
        raise LeadershipError("The report has gone out already; the coach can no longer change.")
    if coach is not None:
        _check_coach(review, coach, lscope.organisation)
    elif waiting:
        raise LeadershipError("This coached report waits for its coach: name one.", field="coach")
    Review.objects.filter(pk=review.pk).update(coach=coach)
    if waiting:  # a coached cohort's report, held until its coach was named
        _after_commit(tasks.deliver_report_ready, review.pk)
    audit(organisation_id=review.organisation_id, actor=actor, via=via, action="coach assigned",
          review=review, coach=coach.email if coach else "")  # fmt: skip
    review.refresh_from_db()
    return review


@transaction.atomic
def cancel_review(
    *, lscope: LeadershipScope, actor: User | None, review_id: int, via: str = ""
) -> Review:
    review = lscope.review_to_run(review_id)
    if review.status in (ReviewStatus.WITH_COACH, ReviewStatus.RELEASED):
        raise LeadershipError("The report is out; a finished 360 is not cancelled.")
    if review.cycle is not None:
        if review.cycle.status == Cycle.Status.OPEN:
            close_now(cycle=review.cycle)
        # Nobody will read them: a cancelled 360 keeps no answers.
        Response.objects.filter(cycle=review.cycle).delete()
        Comment.objects.filter(cycle=review.cycle).delete()
    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.CANCELLED, report=None)
    audit(organisation_id=review.organisation_id, actor=actor, via=via, action="cancelled",
          review=review)  # fmt: skip
    review.refresh_from_db()
    return review


# Development plans -------------------------------------------------------------------------


@transaction.atomic
def save_plan(
    *,
    lscope: LeadershipScope,
    actor: User | None,
    review_id: int,
    focus: Sequence[FocusDraft],
    starts_on: dt.date,
    review_on: dt.date,
    mentor: Person | None = None,
    reassess_after_months: int | None = None,
    via: str = "",
) -> DevelopmentPlan:
    """The leader's plan from their report, made or changed as a whole; check-ins stay."""
    review = lscope.review_to_plan(review_id)
    behaviours = loading.framework_of(loading.instrument_of(review)).behaviours
    problems = plan_problems(focus, behaviours, starts_on, review_on, reassess_after_months)
    if mentor is not None and (
        mentor.organisation_id != review.organisation_id or not mentor.is_active
    ):
        problems.append(("mentor", "The mentor is someone in the org chart."))
    elif mentor is not None and mentor.pk == review.subject_id:
        problems.append(("mentor", "Choose someone other than yourself as a mentor."))
    if problems:
        raise LeadershipProblems(problems)
    plan, made = DevelopmentPlan.objects.select_for_update().get_or_create(
        review=review,
        defaults={"starts_on": starts_on, "review_on": review_on},
    )
    plan.mentor = mentor
    plan.starts_on, plan.review_on = starts_on, review_on
    plan.reassess_after_months = reassess_after_months
    plan.save()
    done = {
        (a.focus.behaviour, a.what): a.done_on
        for a in DevelopmentAction.objects.filter(focus__plan=plan).select_related("focus")
    }
    plan.focus.all().delete()
    for position, item in enumerate(focus):
        row = FocusBehaviour.objects.create(
            plan=plan, behaviour=item.behaviour, why=item.why.strip(), position=position
        )
        DevelopmentAction.objects.bulk_create(
            DevelopmentAction(focus=row, kind=a.kind, what=" ".join(a.what.split()),
                              due_on=a.due_on, done_on=done.get((item.behaviour, a.what)))
            for a in item.actions
        )  # fmt: skip
    audit(organisation_id=review.organisation_id, actor=actor, via=via,
          action="plan made" if made else "plan changed", review=review,
          behaviours=[f.behaviour for f in focus])  # fmt: skip
    return plan


@transaction.atomic
def mark_action(
    *, lscope: LeadershipScope, actor: User | None, review_id: int, action_id: int, done: bool,
    today: dt.date | None = None,
) -> DevelopmentAction:  # fmt: skip
    review = lscope.plan_of(review_id)
    if not lscope.is_subject(review):
        raise NotAllowed("The leader marks their own actions done.")
    action = DevelopmentAction.objects.filter(pk=action_id, focus__plan__review=review).first()
    if action is None:
        raise Http404
    action.done_on = (today or timezone.localdate()) if done else None
    action.save(update_fields=["done_on"])
    return action


@transaction.atomic
def add_check_in(
    *, lscope: LeadershipScope, actor: User | None, review_id: int, held_on: dt.date,
    note: str, progress: dict[str, str], via: str = "",
) -> PlanCheckIn:  # fmt: skip
    """The leader, their coach or mentor records how the plan is going."""
    review = lscope.plan_of(review_id)
    plan = DevelopmentPlan.objects.filter(review=review).first()
    if plan is None:
        raise LeadershipError("There is no plan yet to check in on.")
    focus = set(plan.focus.values_list("behaviour", flat=True))
    problems = []
    note = note.strip()
    if not note:
        problems.append(("note", "Say how it is going."))
    elif len(note) > 4000:
        problems.append(("note", "Keep this to 4,000 characters."))
    if held_on > timezone.localdate():
        problems.append(("held_on", "A check-in is recorded on or after the day it happened."))
    for behaviour, value in progress.items():
        if behaviour not in focus:
            problems.append(("progress", f"{behaviour!r} is not a behaviour of this plan."))
        elif value not in Progress.values:
            problems.append(("progress", f"{value!r} is not a kind of progress."))
    if problems:
        raise LeadershipProblems(problems)
    user = actor if actor is not None and actor.pk else None
    # As the others in the plan know them: their name in the org chart, or the login's.
    name = lscope.person.name if lscope.person is not None else (
        (user.full_name or user.email) if user is not None else actor_label(None, via)
    )  # fmt: skip
    check_in = PlanCheckIn.objects.create(
        plan=plan, author=user, author_name=name[:200], held_on=held_on,
        note=note, progress=progress,
    )  # fmt: skip
    audit(organisation_id=review.organisation_id, actor=actor, via=via, action="check-in",
          review=review)  # fmt: skip
    return check_in


@transaction.atomic
def start_reassessment(
    *, lscope: LeadershipScope, actor: User | None, review_id: int, answer_by: dt.datetime,
    via: str = "", now: dt.datetime | None = None,
) -> Review:  # fmt: skip
    """The short re-assessment of the plan's behaviours: a new 360 of those behaviours only,
    with the same raters where they are still in the org chart (the leader may change them
    before sending them for approval), under the same anonymity rules."""
    original = lscope.plan_of(review_id)
    if not lscope.is_subject(original):
        raise NotAllowed("The leader starts their re-assessment.")
    plan = DevelopmentPlan.objects.filter(review=original).first()
    if plan is None:
        raise LeadershipError(
            "Make a development plan first: the re-assessment asks its behaviours."
        )
    if original.follow_ups.exclude(status=ReviewStatus.CANCELLED).filter(
        status__in=(ReviewStatus.NOMINATING, ReviewStatus.AWAITING_APPROVAL,
                    ReviewStatus.COLLECTING, ReviewStatus.WITH_COACH)
    ).exists():  # fmt: skip
        raise LeadershipError("A re-assessment of this plan is under way already.")
    _check_round(answer_by, original.min_group_size, now or timezone.now())
    review = Review.objects.create(
        organisation_id=original.organisation_id, subject=original.subject,
        approver=_approver(original.subject), coach=original.coach, follows=original,
        behaviours=list(plan.focus.values_list("behaviour", flat=True)),
        instrument_id=original.instrument_id, instrument_version=original.instrument_version,
        min_group_size=original.min_group_size, answer_by=answer_by,
    )  # fmt: skip
    declined = set()
    if original.cycle_id is not None:
        invited = set(Invitation.objects.filter(cycle_id=original.cycle_id)
                      .values_list("person_id", flat=True))  # fmt: skip
        declined = {n.person_id for n in original.nominations.all()} - invited
    Nomination.objects.bulk_create(
        Nomination(review=review, person_id=n.person_id, group=n.group)
        for n in original.nominations.select_related("person")
        if n.person_id not in declined and n.person.is_active and n.person.email
    )  # fmt: skip
    audit(organisation_id=review.organisation_id, actor=actor, via=via,
          action="re-assessment started", review=review, follows=original.pk)  # fmt: skip
    return review


# Sharing a report, and a cohort's profile ------------------------------------------------------

PROFILE_GRACE = dt.timedelta(days=7)


@transaction.atomic
def share_report(
    *, lscope: LeadershipScope, actor: User | None, review_id: int, person: Person,
    via: str = "",
) -> ReportShare:  # fmt: skip
    """The leader lets someone in the org chart read their released report."""
    review = lscope.review_to_share(review_id)
    if person.organisation_id != review.organisation_id or not person.is_active:
        raise LeadershipError("Share with someone in the org chart.", field="person")
    if person.pk == review.subject_id:
        raise LeadershipError("The report is yours already.", field="person")
    share, _ = ReportShare.objects.get_or_create(review=review, person=person)
    audit(organisation_id=review.organisation_id, actor=actor, via=via, action="report shared",
          review=review, person=person.external_id)  # fmt: skip
    return share


@transaction.atomic
def stop_sharing(
    *, lscope: LeadershipScope, actor: User | None, review_id: int, person_id: int,
    via: str = "",
) -> None:  # fmt: skip
    review = lscope.review_to_share(review_id)
    deleted, _ = ReportShare.objects.filter(review=review, person_id=person_id).delete()
    if not deleted:
        raise Http404
    audit(organisation_id=review.organisation_id, actor=actor, via=via,
          action="report no longer shared", review=review)  # fmt: skip


def cohort_profile(
    *, lscope: LeadershipScope, cohort_id: int, now: dt.datetime | None = None
) -> tuple[Cohort, dict[str, Any] | None]:
    """The cohort's profile, computed once when no 360 of it is under way any more (or a week
    after its answer-by date, over the reports finished by then) and never again; None until
    then."""
    cohort = lscope.cohort_profile_of(cohort_id)
    if cohort.profile is not None:
        return cohort, cohort.profile
    now = now or timezone.now()
    reviews = cohort.reviews.all()
    if reviews.filter(status__in=UNDER_WAY).exists() and now < cohort.answer_by + PROFILE_GRACE:
        return cohort, None
    with transaction.atomic():
        locked = Cohort.objects.select_for_update().get(pk=cohort.pk)
        if locked.profile is None:
            reports = [r for r in reviews.values_list("report", flat=True) if r is not None]
            locked.profile = profiles.cohort_profile(reports)
            locked.save(update_fields=["profile"])
    return locked, locked.profile
