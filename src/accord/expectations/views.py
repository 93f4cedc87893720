"""Agreements' pages: mine, starting one, one agreement (versions, what changed, answering,
concerns), its draft, and the leader's private preparation."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accord.access.decorators import with_scope
from accord.access.models import Role
from accord.access.requests import AuthenticatedHttpRequest
from accord.access.scopes import NotAllowed, Scope
from accord.expectations import rules, selectors, services
from accord.expectations.errors import ExpectationsError
from accord.expectations.forms import (
    AddressForm,
    CadenceForm,
    ChangesForm,
    ConcernForm,
    DraftForm,
    FollowUpForm,
    GoalForm,
    MeetingNoteForm,
    PreparationForm,
    RemoveForm,
    SettingsForm,
    StartForm,
)
from accord.expectations.models import Agreement
from accord.expectations.phrases import guide_for, suggested_opening
from accord.expectations.rules import PART_NAMES
from accord.expectations.visibility import ExpectationScope
from accord.goals.forms import ScheduleForm
from accord.refusals import show_refusal


def _to_agreement(scope: Scope, agreement: Agreement) -> HttpResponse:
    return redirect("agreement", scope.organisation.slug, agreement.pk)


@with_scope()
def agreement_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    escope = ExpectationScope(scope)
    return render(
        request,
        "expectations/agreement_list.html",
        {"listed": selectors.my_agreements(escope), "concerns": selectors.open_concerns(escope),
         "has_person": escope.person is not None},
    )  # fmt: skip


@with_scope()
def overview(request: HttpRequest, scope: Scope) -> HttpResponse:
    """For leaders of leaders, executives and admins: the numbers, never the content."""
    if scope.role == Role.MEMBER:
        raise NotAllowed("Leaders, executives and program admins see these figures.")
    admin = scope.role == Role.ADMIN
    days = selectors.answer_within_days(scope.organisation.pk)
    return render(
        request, "expectations/overview.html",
        {"figures": selectors.aggregates(scope), "admin": admin,
         "settings_form": SettingsForm(initial={"answer_within_days": days}) if admin else None},
    )  # fmt: skip


@with_scope()
def agreement_new(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    escope = ExpectationScope(scope)
    escope.me()
    form = StartForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            agreement = services.start_agreement(
                escope=escope, actor=request.user, colleague_hr_id=data["colleague"],
                relationship=data["relationship"], topic=data["topic"],
            )  # fmt: skip
        except ExpectationsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Agreement started. Prepare privately, then draft it.")
            return redirect("agreement-preparation", scope.organisation.slug, agreement.pk)
    return render(request, "expectations/agreement_new.html", {"form": form})


def _agreement_page(
    request: HttpRequest, escope: ExpectationScope, agreement: Agreement, status: int = 200,
    **forms_: object,
) -> HttpResponse:  # fmt: skip
    page = selectors.agreement_page(escope, agreement)
    context = {
        "page": page,
        "guide": guide_for(escope.me().language),
        "agreement": agreement,
        "concern_form": forms_.get("concern_form") or ConcernForm(),
        "changes_form": forms_.get("changes_form")
        or ChangesForm(items=list(page.current.items.all())),
        "follow_up_form": forms_.get("follow_up_form")
        or (FollowUpForm(items=list(page.accepted.items.all())) if page.accepted else None),
        "note_form": forms_.get("note_form") or MeetingNoteForm(),
        "cadence_form": forms_.get("cadence_form")
        or CadenceForm(initial={"cadence": page.cadence}),
        "goal_forms": [
            (row, forms_.get(f"goal_form_{row.item.pk}") or GoalForm(item=row.item))
            for row in page.goal_rows
        ],
    }
    return render(request, "expectations/agreement_detail.html", context, status=status)


@with_scope()
def agreement_detail(request: HttpRequest, scope: Scope, agreement_id: int) -> HttpResponse:
    escope = ExpectationScope(scope)
    return _agreement_page(request, escope, escope.get_agreement(agreement_id))


@with_scope()
def preparation(request: AuthenticatedHttpRequest, scope: Scope, agreement_id: int) -> HttpResponse:
    escope = ExpectationScope(scope)
    agreement = escope.agreement_to_lead(agreement_id)
    page = selectors.preparation_page(escope, agreement)
    initial: dict[str, object] = {}
    if page.preparation is not None:
        for name in PART_NAMES:
            initial[name] = getattr(page.preparation, name)
            initial[f"{name}_note"] = getattr(page.preparation, f"{name}_note")
    form = PreparationForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        try:
            services.save_preparation(
                escope=escope, actor=request.user, agreement=agreement,
                ratings=form.ratings(), notes=form.notes(),
            )  # fmt: skip
        except ExpectationsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Preparation saved. Only you can read it.")
            return redirect("agreement-preparation", scope.organisation.slug, agreement.pk)
    return render(
        request, "expectations/preparation.html",
        {"agreement": agreement, "form": form, "page": page},
    )  # fmt: skip


def _goal_choices(escope: ExpectationScope, agreement: Agreement) -> list[tuple[str, str]]:
    shared = (
        selectors.goals_both_see(escope, agreement).select_related("owner", "team")
        .order_by("-period", "title")[:60]
    )  # fmt: skip
    return [(str(goal.pk), f"{goal.title} ({goal.owner.name if goal.owner else goal.team or 'organisation'})")
            for goal in shared]  # fmt: skip


@with_scope()
def draft_edit(request: AuthenticatedHttpRequest, scope: Scope, agreement_id: int) -> HttpResponse:
    escope = ExpectationScope(scope)
    agreement = escope.agreement_to_lead(agreement_id)
    page = selectors.agreement_page(escope, agreement)
    refusal = rules.why_not_drafted(agreement)
    if refusal:
        messages.error(request, refusal)
        return _to_agreement(scope, agreement)
    current = page.current
    opening = current.opening
    if not opening:  # Accord's draft, from the leader's own preparation, for them to edit
        own = selectors.preparation_page(escope, agreement).preparation
        opening = suggested_opening(
            colleague_name=agreement.colleague.name, topic=agreement.topic,
            own_part=own.own_part_note if own else "", language=escope.me().language,
        )  # fmt: skip
    form = DraftForm(
        request.POST if request.method == "POST" else None,
        goal_choices=_goal_choices(escope, agreement),
        items=list(current.items.all()),
        initial={"why_it_matters": current.why_it_matters, "how_it_fits": current.how_it_fits,
                 "opening": opening,
                 "goals": [str(pk) for pk in current.goals.values_list("pk", flat=True)]},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.save_draft(
                escope=escope, actor=request.user, agreement=agreement,
                why_it_matters=form.cleaned_data["why_it_matters"],
                how_it_fits=form.cleaned_data["how_it_fits"], opening=form.cleaned_data["opening"],
                goal_ids=form.goal_ids(), items=form.items(),
            )  # fmt: skip
        except ExpectationsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Draft saved.")
            return _to_agreement(scope, agreement)
    return render(
        request,
        "expectations/draft_form.html",
        {"agreement": agreement, "form": form, "page": page},
    )


@require_POST
@with_scope()
def propose(request: AuthenticatedHttpRequest, scope: Scope, agreement_id: int) -> HttpResponse:
    escope = ExpectationScope(scope)
    agreement = escope.agreement_to_lead(agreement_id)
    try:
        version = services.propose(escope=escope, actor=request.user, agreement=agreement)
    except ExpectationsError as error:
        for _, message in error.problems:
            messages.error(request, message)
    else:
        messages.success(request, f"Version {version.number} sent to {agreement.colleague.name}.")
    return _to_agreement(scope, agreement)


def _number(request: HttpRequest) -> int:
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() and len(value) < 6 else 0


@require_POST
@with_scope()
def accept(request: AuthenticatedHttpRequest, scope: Scope, agreement_id: int) -> HttpResponse:
    escope = ExpectationScope(scope)
    agreement = escope.get_agreement(agreement_id)
    try:
        version = services.accept(
            escope=escope, actor=request.user, agreement=agreement, number=_number(request)
        )
    except ExpectationsError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Version {version.number} accepted: it is now fixed.")
    return _to_agreement(scope, agreement)


@require_POST
@with_scope()
def propose_changes(
    request: AuthenticatedHttpRequest, scope: Scope, agreement_id: int
) -> HttpResponse:
    escope = ExpectationScope(scope)
    agreement = escope.get_agreement(agreement_id)
    form = ChangesForm(request.POST)
    if form.is_valid():
        try:
            services.propose_changes(
                escope=escope, actor=request.user, agreement=agreement, number=_number(request),
                items=form.items(), comment=form.cleaned_data["comment"],
            )  # fmt: skip
        except ExpectationsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"Your changes went to {agreement.leader.name}.")
            return _to_agreement(scope, agreement)
    return _agreement_page(request, escope, agreement, 400, changes_form=form)


@require_POST
@with_scope()
def follow_up_answer(
    request: AuthenticatedHttpRequest, scope: Scope, follow_up_id: int
) -> HttpResponse:
    escope = ExpectationScope(scope)
    follow_up = escope.follow_up_to_answer(follow_up_id)
    agreement = follow_up.agreement
    form = FollowUpForm(request.POST, items=list(follow_up.version.items.all()))
    if form.is_valid():
        try:
            services.answer_follow_up(escope=escope, actor=request.user, follow_up=follow_up,
                                      answers=form.answers())  # fmt: skip
        except ExpectationsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Follow-up answered.")
            return _to_agreement(scope, agreement)
    return _agreement_page(request, escope, agreement, 400, follow_up_form=form)


@require_POST
@with_scope()
def concern_add(request: AuthenticatedHttpRequest, scope: Scope, agreement_id: int) -> HttpResponse:
    escope = ExpectationScope(scope)
    agreement = escope.get_agreement(agreement_id)
    form = ConcernForm(request.POST)
    if form.is_valid():
        try:
            services.add_concern(escope=escope, actor=request.user, agreement=agreement,
                                 text=form.cleaned_data["text"])  # fmt: skip
        except ExpectationsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Concern raised.")
            return _to_agreement(scope, agreement)
    return _agreement_page(request, escope, agreement, 400, concern_form=form)


@require_POST
@with_scope()
def concern_address(
    request: AuthenticatedHttpRequest, scope: Scope, concern_id: int
) -> HttpResponse:
    escope = ExpectationScope(scope)
    concern = escope.concern_to_address(concern_id)
    form = AddressForm(request.POST)
    if form.is_valid():
        try:
            services.address_concern(escope=escope, actor=request.user, concern=concern,
                                     note=form.cleaned_data["note"])  # fmt: skip
        except ExpectationsError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Concern addressed.")
    else:
        messages.error(request, "Say how the concern was addressed.")
    return _to_agreement(scope, concern.agreement)


@with_scope()
def meeting_schedule(
    request: AuthenticatedHttpRequest, scope: Scope, agreement_id: int
) -> HttpResponse:
    escope = ExpectationScope(scope)
    agreement = escope.agreement_to_lead(agreement_id)
    form = ScheduleForm(request.POST if request.method == "POST" else None,
                        time_zone=scope.organisation.time_zone)  # fmt: skip
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.schedule_meeting(
                escope=escope, actor=request.user, agreement=agreement,
                starts_at=data["starts_at"], duration_minutes=data["duration_minutes"],
                location=data["location"],
            )  # fmt: skip
        except ExpectationsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"Meeting scheduled: {agreement.colleague.name} and you "
                                      "will get the invitation by email.")  # fmt: skip
            return _to_agreement(scope, agreement)
    return render(request, "expectations/meeting_form.html",
                  {"agreement": agreement, "form": form, "meeting": None})  # fmt: skip


@with_scope()
def meeting_move(request: AuthenticatedHttpRequest, scope: Scope, meeting_id: int) -> HttpResponse:
    escope = ExpectationScope(scope)
    meeting = escope.meeting_of(meeting_id)
    agreement = meeting.agreement
    if escope.side(agreement) != "leader":
        raise NotAllowed("The leader moves the meeting; raise a concern to ask.")
    form = ScheduleForm(
        request.POST if request.method == "POST" else None, time_zone=scope.organisation.time_zone,
        initial=ScheduleForm.initial_from(meeting, scope.organisation.time_zone),
    )  # fmt: skip
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.reschedule_meeting(
                escope=escope, actor=request.user, meeting=meeting, starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"], location=data["location"],
            )  # fmt: skip
        except ExpectationsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Meeting moved: both of you get the updated invitation.")
            return _to_agreement(scope, agreement)
    return render(request, "expectations/meeting_form.html",
                  {"agreement": agreement, "form": form, "meeting": meeting})  # fmt: skip


@require_POST
@with_scope()
def meeting_cancel(
    request: AuthenticatedHttpRequest, scope: Scope, meeting_id: int
) -> HttpResponse:
    escope = ExpectationScope(scope)
    meeting = escope.meeting_of(meeting_id)
    try:
        services.cancel_meeting(escope=escope, actor=request.user, meeting=meeting)
    except ExpectationsError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Meeting cancelled: both calendars will drop it.")
    return _to_agreement(scope, meeting.agreement)


@require_POST
@with_scope()
def meeting_record(
    request: AuthenticatedHttpRequest, scope: Scope, meeting_id: int
) -> HttpResponse:
    escope = ExpectationScope(scope)
    meeting = escope.meeting_of(meeting_id)
    form = MeetingNoteForm(request.POST)
    if form.is_valid():
        try:
            services.record_meeting(
                escope=escope, actor=request.user, meeting=meeting,
                working=form.cleaned_data["working"],
                could_improve=form.cleaned_data["could_improve"],
            )  # fmt: skip
        except ExpectationsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Your record of the meeting is saved.")
            return _to_agreement(scope, meeting.agreement)
    return _agreement_page(request, escope, meeting.agreement, 400, note_form=form)


@require_POST
@with_scope()
def cadence(request: AuthenticatedHttpRequest, scope: Scope, agreement_id: int) -> HttpResponse:
    escope = ExpectationScope(scope)
    agreement = escope.agreement_to_lead(agreement_id)
    form = CadenceForm(request.POST)
    if form.is_valid():
        try:
            services.set_cadence(escope=escope, actor=request.user, agreement=agreement,
                                 cadence=form.cleaned_data["cadence"])  # fmt: skip
        except ExpectationsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Follow-up cadence saved.")
            return _to_agreement(scope, agreement)
    return _agreement_page(request, escope, agreement, 400, cadence_form=form)


@require_POST
@with_scope()
def review(request: AuthenticatedHttpRequest, scope: Scope, agreement_id: int) -> HttpResponse:
    escope = ExpectationScope(scope)
    agreement = escope.agreement_to_lead(agreement_id)
    try:
        version = services.start_review(escope=escope, actor=request.user, agreement=agreement)
    except ExpectationsError as error:
        messages.error(request, str(error))
        return _to_agreement(scope, agreement)
    messages.success(request, f"Review opened: version {version.number} is your draft. The "
                              "accepted version stays in force until the new one is accepted.")  # fmt: skip
    return redirect("agreement-draft", scope.organisation.slug, agreement.pk)


@with_scope(admin_only=True)
def settings_edit(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    form = SettingsForm(request.POST if request.method == "POST" else None,
                        initial={"answer_within_days": selectors.answer_within_days(scope.organisation.pk)})  # fmt: skip
    if form.is_valid():
        try:
            services.save_settings(scope=scope, actor=request.user,
                                   answer_within_days=form.cleaned_data["answer_within_days"])  # fmt: skip
        except ExpectationsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Agreement settings saved.")
            return redirect("agreements-overview", scope.organisation.slug)
    return render(request, "expectations/settings.html", {"form": form})


@with_scope(admin_only=True)
def remove(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    """Remove an agreement at the request of one of its two people, without reading it."""
    form = RemoveForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.remove_agreement(
                scope=scope, actor=request.user, agreement_id=data["agreement"],
                leader_hr_id=data["leader"], colleague_hr_id=data["colleague"],
                reason=data["reason"],
            )  # fmt: skip
        except ExpectationsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"Agreement {data['agreement']} removed; the audit log "
                                      "records it.")  # fmt: skip
            return redirect("agreements-overview", scope.organisation.slug)
    return render(request, "expectations/remove.html", {"form": form})


@require_POST
@with_scope()
def item_goal(request: AuthenticatedHttpRequest, scope: Scope, item_id: int) -> HttpResponse:
    escope = ExpectationScope(scope)
    item = escope.item_of(item_id)
    agreement = item.version.agreement
    form = GoalForm(request.POST, item=item)
    if form.is_valid():
        data = form.cleaned_data
        try:
            goal = services.make_goal(
                escope=escope, actor=request.user, item=item, metric_name=data["metric_name"],
                baseline=data["baseline"], target=data["target"],
            )  # fmt: skip
        except ExpectationsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"“{goal.title}” is now one of your goals, linked here.")
            return _to_agreement(scope, agreement)
    return _agreement_page(request, escope, agreement, 400, **{f"goal_form_{item.pk}": form})
