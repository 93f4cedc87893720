"""The shadowing programme's pages, under /o/<org>/shadowing/: the programme's home (my visits
and my hosting at a glance), hosting (the offer, shifts, requests), booking with Accord's
suggestions, one visit (answer, move, cancel, reflect, the host's word), commitments,
coverage, the settings and a leader's invitation to host."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accord.access.decorators import with_scope
from accord.access.requests import AuthenticatedHttpRequest
from accord.access.scopes import NotAllowed, Scope
from accord.refusals import show_refusal
from accord.shadowing import selectors, services
from accord.shadowing.errors import ShadowingError
from accord.shadowing.forms import (
    AnswerForm,
    CommitmentForm,
    HostForm,
    HostWordForm,
    InviteForm,
    MoveForm,
    ReflectionForm,
    SettingsForm,
    SlotForm,
)
from accord.shadowing.models import CommitmentStatus, HostStatus, Visit
from accord.shadowing.visibility import ShadowingScope
from accord.text import table_csv, table_xlsx


def _to_visit(scope: Scope, visit: Visit) -> HttpResponse:
    return redirect("shadowing-visit", scope.organisation.slug, visit.pk)


def _refused(request: HttpRequest, error: ShadowingError) -> None:
    for _, message in error.problems:
        messages.error(request, message)


@with_scope()
def home(request: HttpRequest, scope: Scope) -> HttpResponse:
    sscope = ShadowingScope(scope)
    return render(request, "shadowing/home.html", {
        "sscope": sscope, "visitor": selectors.visitor_page(sscope),
        "hosting": selectors.host_page(sscope) if sscope.may_host else None,
    })  # fmt: skip


@with_scope()
def host(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    sscope = ShadowingScope(scope)
    sscope.require_hosting()
    page = selectors.host_page(sscope)
    form = HostForm(request.POST if request.method == "POST" else None, host=page.host)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.offer_to_host(
                sscope=sscope, actor=request.user, service=data["service"],
                monthly_limit=data["monthly_limit"], visitor_notes=data["visitor_notes"],
                shifts=form.shifts(),
            )  # fmt: skip
        except ShadowingError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Saved. Now offer the shifts a visitor may join.")
            return redirect("shadowing-host", scope.organisation.slug)
    return render(request, "shadowing/host.html", {
        "page": page, "form": form, "slot_form": SlotForm(), "statuses": HostStatus,
    })  # fmt: skip


@require_POST
@with_scope()
def host_status(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    sscope = ShadowingScope(scope)
    try:
        host = services.set_hosting(sscope=sscope, actor=request.user,
                                    status=request.POST.get("status", ""))  # fmt: skip
    except ShadowingError as error:
        _refused(request, error)
    else:
        messages.success(request, f"Hosting: {host.get_status_display().lower()}.")
    return redirect("shadowing-host", scope.organisation.slug)


@require_POST
@with_scope()
def slot_add(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    sscope = ShadowingScope(scope)
    sscope.require_hosting()
    form = SlotForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_slot(sscope=sscope, actor=request.user, kind=data["kind"],
                              day=data["day"], starts=data["starts"], ends=data["ends"])  # fmt: skip
        except ShadowingError as error:
            show_refusal(form, error, aliases={"starts_at": "day", "ends_at": "ends"})
        else:
            messages.success(request, "Shift offered.")
            return redirect("shadowing-host", scope.organisation.slug)
    page = selectors.host_page(sscope)
    return render(request, "shadowing/host.html", {
        "page": page, "form": HostForm(host=page.host), "slot_form": form,
        "statuses": HostStatus,
    }, status=400)  # fmt: skip


@require_POST
@with_scope()
def slot_remove(request: AuthenticatedHttpRequest, scope: Scope, slot_id: int) -> HttpResponse:
    try:
        services.remove_slot(sscope=ShadowingScope(scope), actor=request.user, slot_id=slot_id)
    except ShadowingError as error:
        _refused(request, error)
    else:
        messages.success(request, "Shift removed.")
    return redirect("shadowing-host", scope.organisation.slug)


@with_scope()
def book(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    sscope = ShadowingScope(scope)
    sscope.require_booking()
    if request.method == "POST":
        slot = request.POST.get("slot", "")
        try:
            visit = services.book_visit(sscope=sscope, actor=request.user,
                                        slot_id=int(slot) if slot.isdigit() and len(slot) < 19 else 0)  # fmt: skip
        except ShadowingError as error:
            _refused(request, error)
        else:
            messages.success(request, f"Asked {visit.host.person.name}: you will hear once they "
                                      "answer.")  # fmt: skip
            return _to_visit(scope, visit)
    suggested = selectors.suggestions(sscope)
    shown = {s.slot.pk for s in suggested}
    others = [slot for slot in selectors.open_slots(sscope)[:60] if slot.pk not in shown]
    return render(request, "shadowing/book.html", {"suggested": suggested, "others": others})


@with_scope()
def visit_detail(request: HttpRequest, scope: Scope, visit_id: int) -> HttpResponse:
    sscope = ShadowingScope(scope)
    return _visit_page(request, sscope, sscope.visit_of(visit_id))


def _visit_page(request: HttpRequest, sscope: ShadowingScope, visit: Visit, status: int = 200,
                **forms_: object) -> HttpResponse:  # fmt: skip
    page = selectors.visit_page(sscope, visit)
    me = sscope.person
    return render(request, "shadowing/visit.html", {
        "page": page, "visit": visit,
        "answer_form": forms_.get("answer_form") or AnswerForm(),
        "reflection_form": forms_.get("reflection_form") or ReflectionForm(
            language=me.language if me else "en", visitor_hr_id=me.external_id if me else ""),
        "word_form": forms_.get("word_form") or HostWordForm(),
        "statuses": CommitmentStatus.choices,
    }, status=status)  # fmt: skip


@require_POST
@with_scope()
def visit_answer(request: AuthenticatedHttpRequest, scope: Scope, visit_id: int) -> HttpResponse:
    sscope = ShadowingScope(scope)
    visit = sscope.visit_to_host(visit_id)
    form = AnswerForm(request.POST)
    if form.is_valid():
        confirm = form.cleaned_data["decision"] == "confirm"
        try:
            services.answer_visit(sscope=sscope, actor=request.user, visit=visit, confirm=confirm,
                                  reason=form.cleaned_data["reason"])  # fmt: skip
        except ShadowingError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Confirmed: you both get the invitation." if confirm
                             else "Declined: they read “not this time”.")  # fmt: skip
            return _to_visit(scope, visit)
    return _visit_page(request, sscope, visit, 400, answer_form=form)


@require_POST
@with_scope()
def visit_cancel(request: AuthenticatedHttpRequest, scope: Scope, visit_id: int) -> HttpResponse:
    sscope = ShadowingScope(scope)
    visit = sscope.visit_of(visit_id)
    try:
        services.cancel_visit(sscope=sscope, actor=request.user, visit=visit)
    except ShadowingError as error:
        _refused(request, error)
    else:
        messages.success(request, "Visit cancelled: both calendars will drop it.")
    return _to_visit(scope, visit)


@with_scope()
def visit_move(request: AuthenticatedHttpRequest, scope: Scope, visit_id: int) -> HttpResponse:
    sscope = ShadowingScope(scope)
    visit = sscope.visit_to_host(visit_id)
    zone = scope.organisation.zone
    local = visit.starts_at.astimezone(zone)
    form = MoveForm(
        request.POST if request.method == "POST" else None,
        initial={"day": local.date(), "starts": local.time(),
                 "ends": visit.ends_at.astimezone(zone).time()},
    )  # fmt: skip
    if form.is_valid():
        data = form.cleaned_data
        first, last = services.rules.shift_end(data["day"], data["starts"], data["ends"])
        try:
            services.move_visit(
                sscope=sscope, actor=request.user, visit=visit,
                starts_at=dt.datetime.combine(first, data["starts"], tzinfo=zone),
                ends_at=dt.datetime.combine(last, data["ends"], tzinfo=zone),
            )  # fmt: skip
        except ShadowingError as error:
            show_refusal(form, error, aliases={"starts_at": "day", "ends_at": "ends"})
        else:
            messages.success(request, "Visit moved: you both get the updated invitation.")
            return _to_visit(scope, visit)
    return render(request, "shadowing/move.html", {"visit": visit, "form": form})


@require_POST
@with_scope()
def visit_reflect(request: AuthenticatedHttpRequest, scope: Scope, visit_id: int) -> HttpResponse:
    sscope = ShadowingScope(scope)
    visit = sscope.visit_to_reflect(visit_id)
    me = sscope.me()
    form = ReflectionForm(request.POST, language=me.language, visitor_hr_id=me.external_id)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.write_reflection(
                sscope=sscope, actor=request.user, visit=visit, what_i_saw=data["what_i_saw"],
                surprised=data["surprised"], barriers=form.barriers(),
                commitments=form.commitments(),
            )  # fmt: skip
        except ShadowingError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Reflection saved; the host sees your commitments.")
            return _to_visit(scope, visit)
    return _visit_page(request, sscope, visit, 400, reflection_form=form)


@require_POST
@with_scope()
def visit_word(request: AuthenticatedHttpRequest, scope: Scope, visit_id: int) -> HttpResponse:
    sscope = ShadowingScope(scope)
    visit = sscope.visit_to_host(visit_id)
    form = HostWordForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.write_host_word(
                sscope=sscope, actor=request.user, visit=visit, account=data["account"],
                useful=data["useful"], engaged=data["engaged"],
                would_host_again=data["would_host_again"], comment=data["comment"],
            )  # fmt: skip
        except ShadowingError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Thank you: your word is saved.")
            return _to_visit(scope, visit)
    return _visit_page(request, sscope, visit, 400, word_form=form)


@require_POST
@with_scope()
def commitment_update(
    request: AuthenticatedHttpRequest, scope: Scope, commitment_id: int
) -> HttpResponse:
    sscope = ShadowingScope(scope)
    commitment = sscope.commitment_to_update(commitment_id)
    form = CommitmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose done, in progress or can't do.")
    else:
        try:
            services.update_commitment(sscope=sscope, actor=request.user, commitment=commitment,
                                       status=form.cleaned_data["status"],
                                       reason=form.cleaned_data["reason"])  # fmt: skip
        except ShadowingError as error:
            _refused(request, error)
        else:
            messages.success(request, "Commitment updated; the host is told.")
    if sscope.visits().filter(pk=commitment.visit_id).exists():
        return _to_visit(scope, commitment.visit)
    return redirect("shadowing-commitments", scope.organisation.slug)


@with_scope()
def commitments(request: HttpRequest, scope: Scope) -> HttpResponse:
    """Every commitment the viewer follows: made on their visits, theirs to do, and made on
    visits to the unit they work in."""
    sscope = ShadowingScope(scope)
    found = (
        sscope.commitments()
        .select_related("owner", "visit__visitor", "visit__unit")
        .order_by("status", "due_on", "pk")[:200]
    )
    return render(request, "shadowing/commitments.html",
                  {"commitments": list(found), "statuses": CommitmentStatus.choices})  # fmt: skip


COVERAGE_HEADER = ["Department", *[f"Month {n}" for n in range(1, 13)]]


@with_scope()
def coverage(request: HttpRequest, scope: Scope) -> HttpResponse:
    if not ShadowingScope(scope).sees_programme:
        raise NotAllowed("Executives and program admins see the programme's coverage.")
    figures = selectors.coverage(scope)
    wanted = request.GET.get("format", "")
    if wanted in ("csv", "xlsx"):
        header = ["Department", *[f"{m:%Y-%m}" for m in figures.months]]
        rows = [[unit.full_name, *counts] for unit, counts in figures.grid]
        if wanted == "csv":
            content, kind = table_csv(header, rows), "text/csv; charset=utf-8"
        else:
            content = table_xlsx("Coverage", header, rows)
            kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        response = HttpResponse(content, content_type=kind)
        response["Content-Disposition"] = f'attachment; filename="shadowing-coverage.{wanted}"'
        return response
    peak = max((max(counts) for _, counts in figures.grid), default=0)
    return render(request, "shadowing/coverage.html", {"f": figures, "peak": peak or 1})


@with_scope(admin_only=True)
def programme_settings(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    current = ShadowingScope(scope).settings
    form = SettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"visits_per_executive": current.visits_per_executive,
                 "reflection_hours": current.reflection_hours,
                 "leaders_may_book": current.leaders_may_book, "briefing": current.briefing,
                 "briefing_es": current.briefing_es},
    )  # fmt: skip
    if form.is_valid():
        try:
            services.save_settings(scope=scope, actor=request.user, **form.cleaned_data)
        except ShadowingError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Programme settings saved.")
            return redirect("shadowing-coverage", scope.organisation.slug)
    return render(request, "shadowing/settings.html", {"form": form})


@with_scope()
def invite(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    sscope = ShadowingScope(scope)
    if not scope.led_unit_paths:
        raise NotAllowed("Unit leaders invite the clinicians of their units to host.")
    form = InviteForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            person = services.invite_to_host(sscope=sscope, actor=request.user,
                                             hr_id=form.cleaned_data["person"])  # fmt: skip
        except ShadowingError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"Invitation sent to {person.name}.")
            return redirect("shadowing-invite", scope.organisation.slug)
    return render(request, "shadowing/invite.html", {"form": form})
