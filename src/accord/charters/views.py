"""The charter pages, under /o/<org>/charters/: my teams' charters and what waits on me, starting
one, a charter (the version in force, where it stands), the values questions and their pooled
themes, the draft (the facilitator's editing and Accord's checks; the members' endorsing), the
history with the difference between two versions, the revisit, the facilitator's settings, and
the one-page PDF for the team room."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from accord.access.decorators import with_scope
from accord.access.requests import AuthenticatedHttpRequest
from accord.access.scopes import NotAllowed, Scope
from accord.charters import selectors, services, state
from accord.charters.errors import CharterError
from accord.charters.forms import (
    DraftForm,
    EndorseForm,
    HandOverForm,
    PeopleForm,
    PulseForm,
    RatingsForm,
    SettingsForm,
    StartForm,
    ValuesForm,
)
from accord.charters.models import Charter, CharterMember, TeamKind, VersionStatus
from accord.charters.pdf import charter_pdf as render_charter_pdf
from accord.charters.visibility import CharterScope
from accord.org.models import Person
from accord.pdf import PdfUnavailable
from accord.refusals import show_refusal

DRAFT_ALIASES = {"draft": "__all__"}
OVERSEEN_PER_PAGE = 50


def _to(scope: Scope, page: str, charter_id: int) -> HttpResponse:
    return redirect(page, scope.organisation.slug, charter_id)


def _refused(request: HttpRequest, error: CharterError) -> None:
    for _, message in error.problems:
        messages.error(request, message)


def _start_form(cscope: CharterScope, data: object = None) -> StartForm:
    return StartForm(
        data, organisation=cscope.organisation, units=cscope.units_to_charter(),
        teams=cscope.teams_to_charter(),
    )  # fmt: skip


@with_scope()
def home(request: HttpRequest, scope: Scope) -> HttpResponse:
    cscope = CharterScope(scope)
    page = Paginator(selectors.overseen(cscope), OVERSEEN_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "charters/home.html", {
        "cscope": cscope, "mine": selectors.my_charters(cscope),
        "overseen": selectors.overseen_rows(list(page.object_list)), "page": page,
    })  # fmt: skip


@with_scope()
def start(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    cscope = CharterScope(scope)
    if not cscope.may_start:
        raise NotAllowed("Whoever leads a team starts its charter.")
    form = _start_form(cscope, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            charter = services.start_charter(
                cscope=cscope, actor=request.user, name=data["name"], kind=data["kind"],
                unit=data["unit_obj"], team=data.get("team"), people=data["people_list"],
                facilitator=data["facilitator"], rule=data["rule"],
                cadence_months=data["cadence_months"],
            )  # fmt: skip
        except CharterError as error:
            show_refusal(
                form,
                error,
                aliases={"members": "people" if data["kind"] == TeamKind.GROUP else "unit"},
            )
        else:
            messages.success(
                request, "The charter has started: the members are asked for their values."
            )
            return _to(scope, "charter", charter.pk)
    return render(
        request, "charters/start.html", {"form": form}, status=400 if form.errors else 200
    )


@with_scope()
def detail(request: HttpRequest, scope: Scope, charter_id: int) -> HttpResponse:
    cscope = CharterScope(scope)
    charter = cscope.charter_of(charter_id)
    page = selectors.charter_page(cscope, charter)
    late = None
    if (
        page.is_member
        and page.in_force is not None
        and any(s.page == "charter" and "endorse" in s.label for s in page.steps)
    ):
        late = EndorseForm(initial={"version": page.in_force.version.number})
    return render(
        request, "charters/charter.html", {"page": page, "charter": charter, "late_form": late}
    )


@with_scope()
def charter_pdf(request: HttpRequest, scope: Scope, charter_id: int) -> HttpResponse:
    """The charter in force on one page, for the team room: whoever may read the charter."""
    cscope = CharterScope(scope)
    charter = cscope.charter_of(charter_id)
    try:
        content = render_charter_pdf(charter, cscope)
    except PdfUnavailable as error:
        messages.error(request, str(error))
        return _to(scope, "charter", charter.pk)
    except CharterError as error:
        messages.error(request, str(error))
        return _to(scope, "charter", charter.pk)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="charter-{slugify(charter.name) or charter.pk}.pdf"'
    )
    return response


@with_scope()
def values(request: AuthenticatedHttpRequest, scope: Scope, charter_id: int) -> HttpResponse:
    cscope = CharterScope(scope)
    charter = cscope.team_charter(charter_id)
    working = state.working_version(charter)
    form = None
    answered = False
    if cscope.is_member(charter) and working is not None and working.status == VersionStatus.DRAFT:
        answered = selectors.has_answered_values(working, cscope.me())
        if not answered:
            form = ValuesForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form is None:
            messages.error(
                request, "There are no values questions waiting for you on this charter."
            )
            return _to(scope, "charter-values", charter.pk)
        if form.is_valid():
            try:
                services.answer_values(
                    cscope=cscope, actor=request.user, charter=charter, answers=form.answers()
                )
            except CharterError as error:
                show_refusal(form, error)
            else:
                messages.success(
                    request, "Thank you. Your answers joined the team's, without your name."
                )
                return _to(scope, "charter-values", charter.pk)
    version = selectors.values_version(charter)
    pooled = selectors.pooled_values(version) if version is not None else None
    return render(request, "charters/values.html", {
        "charter": charter, "form": form, "answered": answered, "pooled": pooled,
        "members": len(state.member_ids(charter)),
    }, status=400 if form is not None and form.errors else 200)  # fmt: skip


def _draft_form(
    cscope: CharterScope, charter: Charter, view: selectors.VersionView | None, data: object = None
) -> DraftForm:
    members = list(Person.objects.filter(pk__in=state.member_ids(charter)).order_by("name"))
    rows = {}
    if view is not None:
        rows = {
            "goal": len(view.goals),
            "norm": len(view.norms),
            "role": view.version.roles.count(),
        }
    return DraftForm(
        data, members=members, goals=cscope.goal_scope().goals(), rows=rows,
        initial=DraftForm.initial_for(view) if view is not None and data is None else None,
    )  # fmt: skip


@with_scope()
def draft(request: AuthenticatedHttpRequest, scope: Scope, charter_id: int) -> HttpResponse:
    cscope = CharterScope(scope)
    charter = cscope.team_charter(charter_id)
    page = selectors.charter_page(cscope, charter)
    editing = (
        page.is_facilitator
        and page.working is not None
        and page.working.version.status == VersionStatus.DRAFT
    )
    form = None
    if editing:
        form = _draft_form(
            cscope, charter, page.working, request.POST if request.method == "POST" else None
        )
    if request.method == "POST":
        if form is None:
            messages.error(request, "There is no draft for you to edit on this charter.")
            return _to(scope, "charter-draft", charter.pk)
        if form.is_valid():
            try:
                services.save_draft(
                    cscope=cscope, actor=request.user, charter=charter, draft=form.draft(),
                    version_number=_draft_number(request.POST.get("version")),
                )  # fmt: skip
            except CharterError as error:
                show_refusal(form, error, aliases=_draft_aliases(error))
            else:
                if request.POST.get("then") != "propose":
                    messages.success(request, "The draft is saved.")
                    return _to(scope, "charter-draft", charter.pk)
                try:
                    services.propose(cscope=cscope, actor=request.user, charter=charter)
                except CharterError as error:
                    messages.success(request, "The draft is saved.")
                    _refused(request, error)
                else:
                    messages.success(
                        request, "Saved and proposed: the members are asked to read and endorse it."
                    )
                return _to(scope, "charter-draft", charter.pk)
    endorse_form = None
    if (
        page.is_member
        and page.working is not None
        and page.working.version.status == VersionStatus.PROPOSED
    ):
        mine = selectors.my_endorsement(page.working.version, cscope.me())
        endorse_form = EndorseForm(initial={"version": page.working.version.number, **mine})
    pooled = selectors.pooled_values(page.working.version) if page.working is not None else None
    return render(request, "charters/draft.html", {
        "page": page, "charter": charter, "form": form, "endorse_form": endorse_form,
        "pooled": pooled, "create_goal_url": selectors.create_goal_url(cscope, charter),
    }, status=400 if form is not None and form.errors else 200)  # fmt: skip


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 10 else None


def _draft_number(text: str | None) -> int | None:
    """The draft the form was for: none sent skips the check; anything unreadable is stale."""
    if not text:
        return None
    number = _int(text)
    return number if number is not None else 0


def _draft_aliases(error: CharterError) -> dict[str, str]:
    """A numbered row's problem goes on its first field (norms.2 → norm_2_text)."""
    aliases = dict(DRAFT_ALIASES)
    names = {"norms": "norm_{}_text", "roles": "role_{}_what", "goals": "goal_{}_text"}
    for field, _ in error.problems:
        if field and "." in field:
            kind, n = field.split(".", 1)
            if kind in names:
                aliases[field] = names[kind].format(n)
    return aliases


def _facilitator_step(
    request: AuthenticatedHttpRequest, scope: Scope, charter_id: int,
    step: Callable[..., object], done: str | Callable[[Any], str], page: str,
) -> HttpResponse:  # fmt: skip
    """One of the facilitator's buttons: the service's step, its outcome as a message, and
    back to ``page``."""
    cscope = CharterScope(scope)
    charter = cscope.charter_to_facilitate(charter_id)
    try:
        result = step(cscope=cscope, actor=request.user, charter=charter)
    except CharterError as error:
        _refused(request, error)
    else:
        messages.success(request, done(result) if callable(done) else done)
    return _to(scope, page, charter.pk)


@require_POST
@with_scope()
def propose(request: AuthenticatedHttpRequest, scope: Scope, charter_id: int) -> HttpResponse:
    return _facilitator_step(
        request, scope, charter_id, services.propose,
        "Proposed: the members are asked to read and endorse it.", "charter-draft",
    )  # fmt: skip


@require_POST
@with_scope()
def revise(request: AuthenticatedHttpRequest, scope: Scope, charter_id: int) -> HttpResponse:
    return _facilitator_step(
        request, scope, charter_id, services.revise,
        lambda version: f"Draft {version.number} is open for editing.", "charter-draft",
    )  # fmt: skip


@require_POST
@with_scope()
def discard(request: AuthenticatedHttpRequest, scope: Scope, charter_id: int) -> HttpResponse:
    return _facilitator_step(
        request, scope, charter_id, services.discard_draft,
        "The new draft is dropped; the charter in force stays as it is.", "charter",
    )  # fmt: skip


@require_POST
@with_scope()
def endorse(request: AuthenticatedHttpRequest, scope: Scope, charter_id: int) -> HttpResponse:
    cscope = CharterScope(scope)
    charter = cscope.charter_to_answer(charter_id)
    form = EndorseForm(request.POST)
    back = request.POST.get("back") == "charter"
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return _to(scope, "charter" if back else "charter-draft", charter.pk)
    data = form.cleaned_data
    try:
        version = services.endorse(
            cscope=cscope, actor=request.user, charter=charter, version_number=data["version"],
            decision=data["decision"], comment=data.get("comment") or "",
        )  # fmt: skip
    except CharterError as error:
        _refused(request, error)
    else:
        if version.status == VersionStatus.ADOPTED and not back:
            messages.success(
                request, "Thank you. With your answer the team has adopted its charter."
            )
            return _to(scope, "charter", charter.pk)
        messages.success(request, "Thank you: your answer is with the team.")
    return _to(scope, "charter" if back else "charter-draft", charter.pk)


@with_scope()
def versions(request: HttpRequest, scope: Scope, charter_id: int) -> HttpResponse:
    cscope = CharterScope(scope)
    charter = cscope.charter_of(charter_id)
    history = list(selectors.history(cscope, charter))
    old, new = _int(request.GET.get("a")), _int(request.GET.get("b"))
    sections = None
    pair = None
    if old is not None and new is not None:
        a = selectors.version_of(cscope, charter, old)
        b = selectors.version_of(cscope, charter, new)
        if a is None or b is None:
            messages.error(request, "Choose two versions from the list.")
        else:
            sections, pair = selectors.difference(a, b, cscope), (a, b)
    elif len(history) >= 2:
        # The latest change by default: the two newest versions.
        old, new = history[1].number, history[0].number
        sections = selectors.difference(history[1], history[0], cscope)
        pair = (history[1], history[0])
    return render(request, "charters/versions.html", {
        "charter": charter, "history": history, "sections": sections, "pair": pair,
        "a": old, "b": new, "on_team": cscope.is_on_team(charter),
    })  # fmt: skip


@with_scope()
def version(request: HttpRequest, scope: Scope, charter_id: int, number: int) -> HttpResponse:
    cscope = CharterScope(scope)
    charter = cscope.charter_of(charter_id)
    found = selectors.version_of(cscope, charter, number) if 0 < number < 2**31 else None
    if found is None:
        raise Http404
    on_team = cscope.is_on_team(charter)
    return render(request, "charters/version.html", {
        "charter": charter, "view": selectors.version_view(found, cscope), "on_team": on_team,
        "endorsements": selectors.endorsements_of(found) if on_team else [],
    })  # fmt: skip


@with_scope()
def revisit(request: AuthenticatedHttpRequest, scope: Scope, charter_id: int) -> HttpResponse:
    cscope = CharterScope(scope)
    charter = cscope.team_charter(charter_id)
    current = state.open_revisit_of(charter)
    form = None
    answered = False
    if current is not None and cscope.is_member(charter):
        answered = selectors.has_answered_revisit(current, cscope.me())
        if not answered:
            form = RatingsForm(
                request.POST if request.method == "POST" else None,
                norms=list(current.version.norms.all()),
            )
    if request.method == "POST":
        if form is None:
            messages.error(request, "No revisit is waiting for your answer on this charter.")
            return _to(scope, "charter-revisit", charter.pk)
        if form.is_valid():
            try:
                services.rate_norms(
                    cscope=cscope, actor=request.user, charter=charter, ratings=form.ratings()
                )
            except CharterError as error:
                show_refusal(form, error)
            else:
                messages.success(
                    request, "Thank you. Your ratings joined the team's, without your name."
                )
                return _to(scope, "charter-revisit", charter.pk)
    shown = current or selectors.last_revisit(charter)
    return render(request, "charters/revisit.html", {
        "charter": charter, "form": form, "answered": answered, "revisit": shown,
        "pooled": selectors.pooled_ratings(shown) if shown is not None else None,
        "is_facilitator": cscope.is_facilitator(charter),
        "in_force": state.version_in_force(charter),
    }, status=400 if form is not None and form.errors else 200)  # fmt: skip


@with_scope()
def pulse(request: AuthenticatedHttpRequest, scope: Scope, charter_id: int) -> HttpResponse:
    """The team's norms in pulse surveys: what was asked, the pooled answers once a survey's
    results are out, and for the facilitator, adding the norms to a survey not yet open."""
    cscope = CharterScope(scope)
    charter = cscope.team_charter(charter_id)
    is_facilitator = cscope.is_facilitator(charter)
    form = None
    if is_facilitator:
        pulses = selectors.pulses_to_join(charter)
        form = PulseForm(request.POST if request.method == "POST" else None, pulses=pulses)
    if request.method == "POST":
        charter = cscope.charter_to_facilitate(charter_id)
        assert form is not None
        if form.is_valid():
            try:
                added = services.add_norms_to_pulse(
                    cscope=cscope, actor=request.user, charter=charter,
                    cycle_id=form.cleaned_data["cycle"],
                )  # fmt: skip
            except CharterError as error:
                show_refusal(form, error)
            else:
                messages.success(
                    request,
                    f"The norms are in “{added.cycle.name}”: the team's members invited are "
                    "asked how well each is kept.",
                )
                return _to(scope, "charter-pulse", charter.pk)
    return render(request, "charters/pulse.html", {
        "charter": charter, "form": form, "is_facilitator": is_facilitator,
        "lines": selectors.pulses_of(charter), "in_force": state.version_in_force(charter),
    }, status=400 if form is not None and form.errors else 200)  # fmt: skip


@require_POST
@with_scope()
def withdraw_pulse(
    request: AuthenticatedHttpRequest, scope: Scope, charter_id: int, pulse_id: int
) -> HttpResponse:
    return _facilitator_step(
        request, scope, charter_id,
        lambda **kw: services.withdraw_norms_from_pulse(pulse_id=pulse_id, **kw),
        "The norms are out of that survey.", "charter-pulse",
    )  # fmt: skip


@require_POST
@with_scope()
def open_revisit(request: AuthenticatedHttpRequest, scope: Scope, charter_id: int) -> HttpResponse:
    return _facilitator_step(
        request, scope, charter_id, services.open_revisit,
        "The revisit is open: the members are asked how well each norm is kept.",
        "charter-revisit",
    )  # fmt: skip


@require_POST
@with_scope()
def close_revisit(request: AuthenticatedHttpRequest, scope: Scope, charter_id: int) -> HttpResponse:
    return _facilitator_step(
        request, scope, charter_id, services.close_revisit, "The revisit is closed.",
        "charter-revisit",
    )  # fmt: skip


def _settings(request: HttpRequest, cscope: CharterScope, charter: Charter, *, settings_form: SettingsForm | None = None,
              people_form: PeopleForm | None = None, hand_form: HandOverForm | None = None, status: int = 200) -> HttpResponse:  # fmt: skip
    org = cscope.organisation
    is_facilitator = cscope.is_facilitator(charter)
    members = list(Person.objects.filter(pk__in=state.member_ids(charter)).order_by("name"))
    if settings_form is None and is_facilitator:
        settings_form = SettingsForm(
            initial={
                "name": charter.name,
                "rule": charter.rule,
                "cadence_months": charter.cadence_months,
            }
        )
    if people_form is None and is_facilitator and charter.kind == TeamKind.GROUP:
        people_form = PeopleForm(
            organisation=org, initial={"people": "\n".join(p.external_id for p in members)}
        )
    return render(request, "charters/settings.html", {
        "charter": charter, "is_facilitator": is_facilitator, "members": members,
        "on_team": cscope.is_on_team(charter),
        "settings_form": settings_form, "people_form": people_form,
        "hand_form": hand_form or HandOverForm(organisation=org),
        "left": CharterMember.objects.filter(charter=charter, left_at__isnull=False).select_related("person").order_by("-left_at")[:20],
    }, status=status)  # fmt: skip


@with_scope()
def settings_page(request: AuthenticatedHttpRequest, scope: Scope, charter_id: int) -> HttpResponse:
    cscope = CharterScope(scope)
    charter = cscope.charter_settings_of(charter_id)
    if request.method != "POST":
        return _settings(request, cscope, charter)
    charter = cscope.charter_to_facilitate(charter_id)
    form = SettingsForm(request.POST)
    if form.is_valid():
        try:
            services.update_settings(
                cscope=cscope, actor=request.user, charter=charter, **form.cleaned_data
            )
        except CharterError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Saved.")
            return _to(scope, "charter-settings", charter.pk)
    return _settings(request, cscope, charter, settings_form=form, status=400)


@require_POST
@with_scope()
def people(request: AuthenticatedHttpRequest, scope: Scope, charter_id: int) -> HttpResponse:
    cscope = CharterScope(scope)
    charter = cscope.charter_to_facilitate(charter_id)
    form = PeopleForm(request.POST, organisation=scope.organisation)
    if form.is_valid():
        try:
            services.set_group_members(
                cscope=cscope,
                actor=request.user,
                charter=charter,
                people=form.cleaned_data["people"],
            )
        except CharterError as error:
            show_refusal(form, error, aliases={"members": "people"})
        else:
            messages.success(request, "The team's members are saved.")
            return _to(scope, "charter-settings", charter.pk)
    return _settings(request, cscope, charter, people_form=form, status=400)


@require_POST
@with_scope()
def hand_over(request: AuthenticatedHttpRequest, scope: Scope, charter_id: int) -> HttpResponse:
    cscope = CharterScope(scope)
    charter = cscope.charter_to_hand_over(charter_id)
    form = HandOverForm(request.POST, organisation=scope.organisation)
    if form.is_valid():
        try:
            services.hand_over(
                cscope=cscope,
                actor=request.user,
                charter=charter,
                to=form.cleaned_data["facilitator"],
            )
        except CharterError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request, f"{form.cleaned_data['facilitator'].name} now facilitates the charter."
            )
            return _to(scope, "charter", charter.pk)
    return _settings(request, cscope, charter, hand_form=form, status=400)
