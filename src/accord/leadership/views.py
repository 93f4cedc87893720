"""The 360 pages, under /o/<org>/leadership/: the home (my 360s, raters to approve, reports I
coach, feedback I am asked for), one 360 (its steps as each person may see them), choosing
and approving raters, the leader's own ratings, the report, and the admin's cohorts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from accord.access.decorators import with_scope
from accord.access.requests import AuthenticatedHttpRequest
from accord.access.scopes import NotAllowed, Scope
from accord.leadership import pdf, selectors, services
from accord.leadership.errors import LeadershipError
from accord.leadership.forms import (
    CheckInForm,
    CoachForm,
    CohortForm,
    OwnReviewForm,
    PlanForm,
    RatersForm,
    ShareForm,
    ticked,
)
from accord.leadership.models import RaterGroup, Review, ReviewStatus
from accord.leadership.visibility import LeadershipScope
from accord.pdf import PdfUnavailable
from accord.refusals import show_refusal
from accord.surveys.answers import parse_answers

FIELD_ALIASES = {"answer_by": "answer_by", "subjects": "people", "raters": "more"}


def _to_review(scope: Scope, review: Review | int) -> HttpResponse:
    pk = review if isinstance(review, int) else review.pk
    return redirect("leadership-review", scope.organisation.slug, pk)


def _refused(request: HttpRequest, error: LeadershipError) -> None:
    for _, message in error.problems:
        messages.error(request, message)


def _language(request: HttpRequest, lscope: LeadershipScope) -> str:
    person = lscope.person
    asked = request.GET.get("lang", "")
    if asked in ("en", "es"):
        return asked
    return person.language if person is not None and person.language in ("en", "es") else "en"


@with_scope(coaches=True)
def home(request: HttpRequest, scope: Scope) -> HttpResponse:
    lscope = LeadershipScope(scope)
    return render(request, "leadership/home.html", {
        "lscope": lscope,
        "mine": list(selectors.my_reviews(lscope)),
        "to_approve": selectors.to_approve(lscope),
        "coaching": list(selectors.coaching(lscope)),
        "requests": selectors.feedback_requests(lscope),
        "own_form": OwnReviewForm(organisation=scope.organisation),
        "cohorts": list(selectors.cohorts(lscope)) if lscope.sees_cohort_profiles else [],
    })  # fmt: skip


@require_POST
@with_scope()
def start_own(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    lscope = LeadershipScope(scope)
    form = OwnReviewForm(request.POST, organisation=scope.organisation)
    if form.is_valid():
        try:
            review = services.start_own_review(
                lscope=lscope, actor=request.user, answer_by=form.answer_by_at()
            )
        except LeadershipError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Your 360 has started. Choose your raters.")
            return redirect("leadership-raters", scope.organisation.slug, review.pk)
    return render(request, "leadership/home.html", {
        "lscope": lscope, "mine": list(selectors.my_reviews(lscope)),
        "to_approve": selectors.to_approve(lscope), "coaching": list(selectors.coaching(lscope)),
        "requests": selectors.feedback_requests(lscope), "own_form": form,
    }, status=400)  # fmt: skip


@with_scope(coaches=True)
def review_detail(request: HttpRequest, scope: Scope, review_id: int) -> HttpResponse:
    lscope = LeadershipScope(scope)
    review = lscope.review_of(review_id)
    page = selectors.review_page(lscope, review)
    return render(request, "leadership/review.html", {
        "page": page, "review": review, "statuses": ReviewStatus,
        "coach_form": CoachForm(organisation=scope.organisation,
                                initial={"coach": review.coach.email if review.coach else ""}),
    })  # fmt: skip


def _raters_page(
    request: HttpRequest, lscope: LeadershipScope, review: Review, form: RatersForm, *,
    approving: bool, status: int = 200,
) -> HttpResponse:  # fmt: skip
    page_nominations = list(review.nominations.select_related("person__unit"))
    suggestions = selectors.suggestions(review)
    chosen = ticked(page_nominations)
    if form.is_bound:
        chosen = {str(v) for v in request.POST.getlist("rater")}
    listed = {f"{n.person_id}:{n.group}" for n in page_nominations}
    groups = []
    for group in RaterGroup.values:
        rows = [
            (f"{n.person_id}:{n.group}", n.person) for n in page_nominations if n.group == group
        ]
        rows += [
            (f"{p.pk}:{group}", p) for p in suggestions.get(group, [])
            if f"{p.pk}:{group}" not in listed
        ]  # fmt: skip
        if rows:
            groups.append((RaterGroup(group).label, rows))
    return render(request, "leadership/raters.html", {
        "review": review, "form": form, "groups": groups, "chosen": chosen,
        "approving": approving,
        "warnings": selectors.review_page(lscope, review).warnings,
    }, status=status)  # fmt: skip


@with_scope()
def raters(request: AuthenticatedHttpRequest, scope: Scope, review_id: int) -> HttpResponse:
    lscope = LeadershipScope(scope)
    review = lscope.review_to_nominate(review_id)
    form = RatersForm(
        request.POST if request.method == "POST" else None, organisation=scope.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_raters(
                lscope=lscope, actor=request.user, review_id=review.pk, raters=form.raters()
            )
            if request.POST.get("send"):
                services.submit_raters(lscope=lscope, actor=request.user, review_id=review.pk)
        except LeadershipError as error:
            show_refusal(form, error, aliases=FIELD_ALIASES)
        else:
            if request.POST.get("send"):
                messages.success(request, "Sent for approval.")
                return _to_review(scope, review)
            messages.success(request, "Saved. Send the list for approval when it is complete.")
            return redirect("leadership-raters", scope.organisation.slug, review.pk)
    return _raters_page(
        request, lscope, review, form, approving=False, status=400 if form.errors else 200
    )


@with_scope()
def approve(request: AuthenticatedHttpRequest, scope: Scope, review_id: int) -> HttpResponse:
    lscope = LeadershipScope(scope)
    review = lscope.review_to_approve(review_id)
    form = RatersForm(
        request.POST if request.method == "POST" else None, organisation=scope.organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.approve_raters(
                lscope=lscope, actor=request.user, review_id=review.pk, raters=form.raters()
            )
        except LeadershipError as error:
            show_refusal(form, error, aliases=FIELD_ALIASES)
        else:
            messages.success(request, "Approved: the raters are being sent their links.")
            return _to_review(scope, review)
    return _raters_page(
        request, lscope, review, form, approving=True, status=400 if form.errors else 200
    )


@with_scope()
def self_assessment(
    request: AuthenticatedHttpRequest, scope: Scope, review_id: int
) -> HttpResponse:
    lscope = LeadershipScope(scope)
    review = lscope.review_to_rate_self(review_id)
    language = _language(request, lscope)
    instrument, sections = selectors.self_questions(review, language)
    values = selectors.self_values(review)
    errors: dict[str, str] = {}
    if request.method == "POST":
        parsed = parse_answers(instrument, request.POST)
        values = {k: str(v) for k, v in request.POST.items() if k.startswith("q_")}
        try:
            services.save_self_assessment(
                lscope=lscope, actor=request.user, review_id=review.pk, answers=parsed
            )
        except LeadershipError as error:
            errors = {str(field): message for field, message in error.problems}
        else:
            messages.success(request, "Your own ratings are saved; you can change them until "
                             "the round closes.")  # fmt: skip
            return _to_review(scope, review)
    return render(request, "leadership/self.html", {
        "review": review, "sections": sections, "values": values, "errors": errors,
        "lang": language,
    }, status=400 if errors else 200)  # fmt: skip


@with_scope(coaches=True)
def report(request: HttpRequest, scope: Scope, review_id: int) -> HttpResponse:
    lscope = LeadershipScope(scope)
    review = lscope.report_of(review_id)
    view = selectors.report_view(review, _language(request, lscope))
    is_subject = lscope.is_subject(review)
    return render(request, "leadership/report.html", {
        "view": view, "review": review, "is_coach": lscope.is_coach(review),
        "is_subject": is_subject, "statuses": ReviewStatus,
        "shares": list(review.shares.select_related("person")) if is_subject else [],
        "share_form": ShareForm(organisation=scope.organisation),
    })  # fmt: skip


def _step(
    request: AuthenticatedHttpRequest, scope: Scope, review_id: int, action: str
) -> HttpResponse:
    lscope = LeadershipScope(scope)
    steps: dict[str, tuple[Callable[..., Review], str]] = {
        "release": (services.release_to_leader, "Released: the leader can read their report."),
        "close": (services.close_round_now, "The round is closed and the report computed."),
        "cancel": (services.cancel_review, "The 360 is cancelled."),
    }
    service, done = steps[action]
    try:
        service(lscope=lscope, actor=request.user, review_id=review_id)
    except LeadershipError as error:
        _refused(request, error)
    else:
        messages.success(request, done)
    return _to_review(scope, review_id)


@require_POST
@with_scope(coaches=True)
def release(request: AuthenticatedHttpRequest, scope: Scope, review_id: int) -> HttpResponse:
    return _step(request, scope, review_id, "release")


@require_POST
@with_scope(admin_only=True)
def close(request: AuthenticatedHttpRequest, scope: Scope, review_id: int) -> HttpResponse:
    return _step(request, scope, review_id, "close")


@require_POST
@with_scope(admin_only=True)
def cancel(request: AuthenticatedHttpRequest, scope: Scope, review_id: int) -> HttpResponse:
    return _step(request, scope, review_id, "cancel")


@require_POST
@with_scope(admin_only=True)
def coach(request: AuthenticatedHttpRequest, scope: Scope, review_id: int) -> HttpResponse:
    lscope = LeadershipScope(scope)
    review = lscope.review_of(review_id)
    form = CoachForm(request.POST, organisation=scope.organisation)
    if form.is_valid():
        try:
            services.assign_coach(lscope=lscope, actor=request.user, review_id=review.pk,
                                  coach=form.cleaned_data["coach"])  # fmt: skip
        except LeadershipError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Coach saved.")
            return _to_review(scope, review)
    return render(request, "leadership/review.html", {
        "page": selectors.review_page(lscope, review), "review": review,
        "statuses": ReviewStatus, "coach_form": form,
    }, status=400)  # fmt: skip


@require_POST
@with_scope()
def decline(request: AuthenticatedHttpRequest, scope: Scope, review_id: int) -> HttpResponse:
    try:
        services.decline_to_rate(
            lscope=LeadershipScope(scope), actor=request.user, review_id=review_id
        )
    except LeadershipError as error:
        _refused(request, error)
    else:
        messages.success(request, "You have declined; the leader will see that you did.")
    return redirect("leadership", scope.organisation.slug)


@with_scope(admin_only=True)
def cohorts(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    lscope = LeadershipScope(scope)
    form = CohortForm(
        request.POST if request.method == "POST" else None, organisation=scope.organisation
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cohort = services.start_cohort(
                lscope=lscope, actor=request.user, name=data["name"], subjects=data["subjects"],
                answer_by=data["answer_by_at"], minimum=data["min_group_size"],
                coached=data["coached"],
            )  # fmt: skip
        except LeadershipError as error:
            show_refusal(form, error, aliases=FIELD_ALIASES)
        else:
            n = cohort.reviews.count()
            messages.success(request, f"Started: {n} leader{'s are' if n != 1 else ' is'} asked "
                             "to choose their raters.")  # fmt: skip
            return redirect("leadership-cohort", scope.organisation.slug, cohort.pk)
    return render(request, "leadership/cohorts.html", {
        "cohorts": list(selectors.cohorts(lscope)), "form": form,
    }, status=400 if form.errors else 200)  # fmt: skip


@with_scope(admin_only=True)
def cohort_detail(request: HttpRequest, scope: Scope, cohort_id: int) -> HttpResponse:
    lscope = LeadershipScope(scope)
    cohort = lscope.cohort_of(cohort_id)
    return render(request, "leadership/cohort.html", {
        "cohort": cohort, "lines": selectors.cohort_progress(lscope, cohort),
    })  # fmt: skip


# The development plan ------------------------------------------------------------------------


@with_scope(coaches=True)
def plan(request: AuthenticatedHttpRequest, scope: Scope, review_id: int) -> HttpResponse:
    """The plan as its three people read it; the leader writes it here (no JavaScript needed)."""
    lscope = LeadershipScope(scope)
    review = lscope.plan_of(review_id)
    language = _language(request, lscope)
    page = selectors.plan_page(lscope, review, language)
    form = None
    if page.may_edit:
        initial = (PlanForm.initial_for(page.plan) if page.plan else
                   {"starts_on": timezone.localdate(),
                    "review_on": timezone.localdate() + dt.timedelta(days=180),
                    "focus_1": page.suggestions[0][0] if page.suggestions else ""})  # fmt: skip
        form = PlanForm(request.POST if request.method == "POST" else None, initial=initial,
                        organisation=scope.organisation, behaviours=page.behaviours)  # fmt: skip
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.save_plan(
                    lscope=lscope, actor=request.user, review_id=review.pk, focus=form.focus(),
                    starts_on=data["starts_on"], review_on=data["review_on"],
                    mentor=data["mentor"], reassess_after_months=data["reassess_after_months"],
                )  # fmt: skip
            except LeadershipError as error:
                show_refusal(form, error, aliases={"focus": "focus_1"})
            else:
                messages.success(request, "Your plan is saved.")
                return redirect("leadership-plan", scope.organisation.slug, review.pk)
    elif request.method == "POST":
        raise NotAllowed("The leader writes their own development plan.")
    focus = [(f.behaviour, f.text) for f in page.focus]
    return render(request, "leadership/plan.html", {
        "page": page, "review": review, "form": form,
        "check_in_form": CheckInForm(focus=focus, initial={"held_on": timezone.localdate()}),
        "reassess_form": OwnReviewForm(organisation=scope.organisation),
        "is_subject": lscope.is_subject(review),
    }, status=400 if form is not None and form.errors else 200)  # fmt: skip


@require_POST
@with_scope(coaches=True)
def check_in(request: AuthenticatedHttpRequest, scope: Scope, review_id: int) -> HttpResponse:
    lscope = LeadershipScope(scope)
    review = lscope.plan_of(review_id)
    page = selectors.plan_page(lscope, review)
    form = CheckInForm(request.POST, focus=[(f.behaviour, f.text) for f in page.focus])
    if form.is_valid():
        try:
            services.add_check_in(lscope=lscope, actor=request.user, review_id=review.pk,
                                  held_on=form.cleaned_data["held_on"],
                                  note=form.cleaned_data["note"], progress=form.progress())  # fmt: skip
        except LeadershipError as error:
            _refused(request, error)
        else:
            messages.success(request, "Check-in recorded.")
    else:
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label if field in form.fields else ''}: "
                           f"{' '.join(str(e) for e in errors)}".lstrip(": "))  # fmt: skip
    return redirect("leadership-plan", scope.organisation.slug, review.pk)


@require_POST
@with_scope()
def action_done(
    request: AuthenticatedHttpRequest, scope: Scope, review_id: int, action_id: int
) -> HttpResponse:
    services.mark_action(lscope=LeadershipScope(scope), actor=request.user, review_id=review_id,
                         action_id=action_id, done=request.POST.get("done") == "1")  # fmt: skip
    return redirect("leadership-plan", scope.organisation.slug, review_id)


@require_POST
@with_scope()
def reassess(request: AuthenticatedHttpRequest, scope: Scope, review_id: int) -> HttpResponse:
    lscope = LeadershipScope(scope)
    lscope.plan_of(review_id)  # a 404 or 403 before anything is read from the form
    form = OwnReviewForm(request.POST, organisation=scope.organisation)
    if form.is_valid():
        try:
            follow_up = services.start_reassessment(
                lscope=lscope, actor=request.user, review_id=review_id,
                answer_by=form.answer_by_at(),
            )  # fmt: skip
        except LeadershipError as error:
            _refused(request, error)
        else:
            messages.success(request, "Your re-assessment has started with the same raters; "
                             "check them and send them for approval.")  # fmt: skip
            return redirect("leadership-raters", scope.organisation.slug, follow_up.pk)
    else:
        messages.error(request, "Choose the day raters answer by.")
    return redirect("leadership-plan", scope.organisation.slug, review_id)


# Sharing a report; a cohort's profile --------------------------------------------------------


@require_POST
@with_scope()
def share(request: AuthenticatedHttpRequest, scope: Scope, review_id: int) -> HttpResponse:
    lscope = LeadershipScope(scope)
    lscope.review_to_share(review_id)
    form = ShareForm(request.POST, organisation=scope.organisation)
    if form.is_valid():
        try:
            services.share_report(lscope=lscope, actor=request.user, review_id=review_id,
                                  person=form.cleaned_data["person"])  # fmt: skip
        except LeadershipError as error:
            _refused(request, error)
        else:
            messages.success(request, f"{form.cleaned_data['person'].name} can read your report.")
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
    return redirect("leadership-report", scope.organisation.slug, review_id)


@require_POST
@with_scope()
def unshare(
    request: AuthenticatedHttpRequest, scope: Scope, review_id: int, person_id: int
) -> HttpResponse:
    services.stop_sharing(lscope=LeadershipScope(scope), actor=request.user,
                          review_id=review_id, person_id=person_id)  # fmt: skip
    messages.success(request, "No longer shared.")
    return redirect("leadership-report", scope.organisation.slug, review_id)


@with_scope()
def cohort_profile(request: HttpRequest, scope: Scope, cohort_id: int) -> HttpResponse:
    lscope = LeadershipScope(scope)
    cohort, profile = services.cohort_profile(lscope=lscope, cohort_id=cohort_id)
    return render(request, "leadership/profile.html", {
        "cohort": cohort, "profile": profile,
        "sections": selectors.profile_view(cohort, profile) if profile else [],
    })  # fmt: skip


@with_scope(coaches=True)
def report_pdf(request: HttpRequest, scope: Scope, review_id: int) -> HttpResponse:
    """The report as a PDF to keep, for whoever may read the report."""
    lscope = LeadershipScope(scope)
    review = lscope.report_of(review_id)
    try:
        content = pdf.report_pdf(review, _language(request, lscope))
    except PdfUnavailable as error:
        messages.error(request, str(error))
        return redirect("leadership-report", scope.organisation.slug, review.pk)
    response = HttpResponse(content, content_type="application/pdf")
    name = slugify(review.subject.name) or "leader"
    response["Content-Disposition"] = f'attachment; filename="360-report-{name}.pdf"'
    return response
