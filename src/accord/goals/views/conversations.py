"""Alignment conversations: scheduling one, its page, recording it, moving or cancelling it,
marking its commitments, and its calendar file."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accord.access.decorators import with_scope
from accord.access.requests import AuthenticatedHttpRequest, id_from_query
from accord.access.scopes import Scope
from accord.goals import selectors, services
from accord.goals.agenda import conversation_invitation
from accord.goals.forms import CancelForm, RecordForm, ScheduleForm
from accord.goals.models import ConversationStatus
from accord.goals.views.common import period_from_query
from accord.goals.visibility import GoalScope
from accord.notify.calendar import invitation_ics
from accord.refusals import show_refusal

SCHEDULE_FIELDS = {"starts_at": "date"}


@with_scope()
def conversation_schedule(
    request: AuthenticatedHttpRequest, scope: Scope, person_id: int
) -> HttpResponse:
    """The viewer and ``person_id``; or, with ``?and=<id>``, those two people (for a team's
    leader or a program admin arranging it)."""
    gscope = GoalScope(scope)
    other = request.GET.get("and")
    ids = [person_id, id_from_query(other)] if other else [person_id]
    me = gscope.person
    if len(set(ids)) < len(ids) or (not other and me is not None and me.pk == person_id):
        raise Http404("Choose two different people.")
    team_id = id_from_query(request.GET["team"]) if request.GET.get("team") else None
    first, second, team = gscope.pair_to_schedule(ids, team_id=team_id)
    form = ScheduleForm(
        request.POST if request.method == "POST" else None, time_zone=scope.organisation.time_zone
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            conversation = services.schedule_conversation(
                organisation=scope.organisation, actor=request.user, people=(first, second),
                starts_at=data["starts_at"], duration_minutes=data["duration_minutes"],
                location=data["location"], team=team, period=period_from_query(request),
            )  # fmt: skip
        except services.GoalsError as error:
            show_refusal(form, error, SCHEDULE_FIELDS)
        else:
            messages.success(
                request,
                f"Conversation scheduled: Accord is emailing the invitation to "
                f"{first.name} and {second.name}.",
            )
            return redirect("conversation-detail", scope.organisation.slug, conversation.pk)
    return render(
        request,
        "goals/conversation_schedule.html",
        {"form": form, "people": [first, second], "team": team},
    )


def _conversation_page(
    request: HttpRequest,
    gscope: GoalScope,
    conversation_id: int,
    form: RecordForm | None = None,
    cancel_form: CancelForm | None = None,
) -> HttpResponse:
    conversation = gscope.get_conversation(conversation_id)
    links = selectors.conversation_page_links(conversation, gscope)
    may_change = gscope.can_change_conversation(conversation)
    scheduled = conversation.status == ConversationStatus.SCHEDULED
    can_record = gscope.can_record(conversation) and scheduled
    if form is None and can_record:
        form = RecordForm(links=links, people=conversation.people)
    bound = any(f is not None and f.is_bound for f in (form, cancel_form))
    return render(
        request,
        "goals/conversation_detail.html",
        {
            "conversation": conversation,
            "links": links,
            "form": form,
            "can_record": can_record,
            "can_change": may_change and scheduled,
            "can_mark": may_change,
            "cancel_form": cancel_form or CancelForm(),
            "commitments": conversation.commitments.select_related("owner"),
        },
        status=400 if bound else 200,
    )


@with_scope()
def conversation_detail(
    request: AuthenticatedHttpRequest, scope: Scope, conversation_id: int
) -> HttpResponse:
    return _conversation_page(request, GoalScope(scope), conversation_id)


@require_POST
@with_scope()
def conversation_record(
    request: AuthenticatedHttpRequest, scope: Scope, conversation_id: int
) -> HttpResponse:
    gscope = GoalScope(scope)
    conversation = gscope.conversation_to_record(conversation_id)
    links = selectors.conversation_page_links(conversation, gscope)
    form = RecordForm(request.POST, links=links, people=conversation.people)
    if form.is_valid():
        data = form.cleaned_data
        by_id = {link.pk: link for link in links}
        try:
            services.record_conversation(
                conversation=conversation, actor=request.user, held_on=data["held_on"],
                summary=data["summary"],
                link_outcomes=[services.LinkOutcome(by_id[pk], action)
                               for pk, action in data["outcomes"].items() if action != "keep"],
                commitments=[services.NewCommitment(owner, text, due)
                             for owner, text, due in data["commitments"]],
            )  # fmt: skip
        except services.GoalsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Conversation recorded.")
            return redirect("conversation-detail", scope.organisation.slug, conversation.pk)
    return _conversation_page(request, gscope, conversation_id, form)


@with_scope()
def conversation_reschedule(
    request: AuthenticatedHttpRequest, scope: Scope, conversation_id: int
) -> HttpResponse:
    conversation = GoalScope(scope).conversation_to_change(conversation_id)
    if conversation.status != ConversationStatus.SCHEDULED:
        messages.error(request, "Only a scheduled conversation can be moved.")
        return redirect("conversation-detail", scope.organisation.slug, conversation.pk)
    zone = scope.organisation.time_zone
    form = ScheduleForm(
        request.POST if request.method == "POST" else None,
        time_zone=zone,
        initial=ScheduleForm.initial_from(conversation, zone),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.reschedule_conversation(
                conversation=conversation, actor=request.user, starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"], location=data["location"],
            )  # fmt: skip
        except services.GoalsError as error:
            show_refusal(form, error, SCHEDULE_FIELDS)
        else:
            messages.success(
                request, "Conversation moved: Accord is emailing both people the new time."
            )
            return redirect("conversation-detail", scope.organisation.slug, conversation.pk)
    return render(
        request,
        "goals/conversation_schedule.html",
        {"form": form, "people": conversation.people, "team": conversation.team,
         "conversation": conversation},
        status=400 if form.is_bound else 200,
    )  # fmt: skip


@require_POST
@with_scope()
def conversation_cancel(
    request: AuthenticatedHttpRequest, scope: Scope, conversation_id: int
) -> HttpResponse:
    gscope = GoalScope(scope)
    conversation = gscope.conversation_to_change(conversation_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_conversation(
                conversation=conversation, actor=request.user, note=form.cleaned_data["note"]
            )
        except services.GoalsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Conversation cancelled: Accord is telling both people.")
            return redirect("conversation-detail", scope.organisation.slug, conversation.pk)
    return _conversation_page(request, gscope, conversation_id, cancel_form=form)


@require_POST
@with_scope()
def commitment_mark(
    request: AuthenticatedHttpRequest, scope: Scope, commitment_id: int
) -> HttpResponse:
    commitment = GoalScope(scope).commitment_to_mark(commitment_id)
    conversation = commitment.conversation
    done = request.POST.get("done", "")
    if done not in ("1", "0"):
        messages.error(request, "Say whether the commitment is done (done=1) or not (done=0).")
        return redirect("conversation-detail", scope.organisation.slug, conversation.pk)
    services.mark_commitment(commitment=commitment, done=done == "1", actor=request.user)
    messages.success(request, "Commitment marked done." if done == "1" else "Commitment reopened.")
    return redirect("conversation-detail", scope.organisation.slug, conversation.pk)


@with_scope()
def conversation_ics(
    request: AuthenticatedHttpRequest, scope: Scope, conversation_id: int
) -> HttpResponse:
    conversation = GoalScope(scope).get_conversation(conversation_id)
    response = HttpResponse(
        invitation_ics(conversation_invitation(conversation)),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="alignment-conversation.ics"'
    return response
