"""Pages for running cycles: admins set them up and move them along; leaders and executives
follow response rates. No page says who has or has not answered."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accord.access.decorators import with_scope
from accord.access.requests import AuthenticatedHttpRequest
from accord.access.scopes import Scope
from accord.surveys import printing, selectors, services
from accord.surveys.forms import CodesForm, CycleForm, InstrumentUploadForm
from accord.surveys.instruments import InstrumentError
from accord.surveys.models import Cycle
from accord.surveys.respondent_views import remember_token

RATES_PER_PAGE = 100


@with_scope()
def cycle_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    cycles = selectors.cycles_in_view(scope)
    return render(request, "surveys/cycle_list.html", {"cycles": cycles, "scope": scope})


def _save_cycle(
    request: AuthenticatedHttpRequest, scope: Scope, form: CycleForm, cycle: Cycle | None
) -> Cycle | None:
    if not form.is_valid():
        return None
    try:
        if cycle is None:
            return services.create_cycle(
                organisation=scope.organisation,
                settings=form.settings(),
                created_by=request.user,
            )
        return services.update_cycle(cycle=cycle, settings=form.settings())
    except ValidationError as error:
        for field, problems in error.message_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    except services.CycleError as error:
        form.add_error(None, str(error))
    return None


@with_scope(admin_only=True)
def cycle_create(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    organisation = scope.organisation
    if request.method == "POST":
        form = CycleForm(request.POST, organisation=organisation)
        cycle = _save_cycle(request, scope, form, None)
        if cycle is not None:
            messages.success(request, f"“{cycle.name}” was saved as a draft.")
            return redirect("survey-cycle", organisation.slug, cycle.pk)
    else:
        defaults = services.default_settings(organisation)
        zone_naive = {
            key: value.astimezone(CycleForm(organisation=organisation).zone).replace(tzinfo=None)
            for key, value in defaults.items()
            if key in ("opens_at", "closes_at")
        }
        form = CycleForm(
            organisation=organisation,
            initial={
                **defaults,
                **zone_naive,
                "name": "",
                "instrument": "accord-core:1",
                "reminder_days": ", ".join(str(d) for d in defaults["reminder_days"]),
            },
        )
    return render(
        request,
        "surveys/cycle_form.html",
        {"form": form, "cycle": None},
        status=400 if form.errors else 200,
    )


@with_scope(admin_only=True)
def cycle_edit(request: AuthenticatedHttpRequest, scope: Scope, cycle_id: int) -> HttpResponse:
    cycle = selectors.get_cycle(scope, cycle_id)
    if cycle.status != Cycle.Status.DRAFT:
        messages.error(request, "Only a draft can be changed; move the cycle back to draft first.")
        return redirect("survey-cycle", scope.organisation.slug, cycle.pk)
    if request.method == "POST":
        form = CycleForm(request.POST, organisation=scope.organisation)
        saved = _save_cycle(request, scope, form, cycle)
        if saved is not None:
            messages.success(request, "Changes saved.")
            return redirect("survey-cycle", scope.organisation.slug, cycle.pk)
    else:
        form = CycleForm(organisation=scope.organisation, initial=CycleForm.initial_for(cycle))
    return render(
        request,
        "surveys/cycle_form.html",
        {"form": form, "cycle": cycle},
        status=400 if form.errors else 200,
    )


@with_scope()
def cycle_detail(request: HttpRequest, scope: Scope, cycle_id: int) -> HttpResponse:
    cycle = selectors.get_cycle(scope, cycle_id)
    rates = selectors.response_rates(scope, cycle) if cycle.status != Cycle.Status.DRAFT else []
    page = Paginator(rates, RATES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "surveys/cycle_detail.html",
        {
            "cycle": cycle,
            "scope": scope,
            "page": page,
            "instrument": selectors.instrument_for(cycle),
            "audience_units": cycle.audience_units.all(),
            "reminder_runs": cycle.reminder_runs.order_by("day"),
            "team_questions": cycle.team_questions.annotate(people_count=Count("people")),
        },
    )


ACTIONS: dict[str, tuple[Callable[..., Cycle], str]] = {
    "schedule": (services.schedule_cycle, "Scheduled: it opens by itself at the opening time."),
    "unschedule": (services.unschedule_cycle, "Back to draft."),
    "open": (services.open_now, "Opening: invitations are on their way."),
    "close": (services.close_now, "Closed: no more answers are accepted."),
}  # publishing is the insights app's: `results-publish`


@require_POST
@with_scope(admin_only=True)
def cycle_action(request: HttpRequest, scope: Scope, cycle_id: int, action: str) -> HttpResponse:
    cycle = selectors.get_cycle(scope, cycle_id)
    if action not in ACTIONS:
        messages.error(request, "Unknown action.")
        return redirect("survey-cycle", scope.organisation.slug, cycle.pk)
    step, done = ACTIONS[action]
    try:
        step(cycle=cycle)
    except services.CycleError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect("survey-cycle", scope.organisation.slug, cycle.pk)


@with_scope(admin_only=True)
def instrument_list(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    problems: list[str] = []
    if request.method == "POST":
        form = InstrumentUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                definition = services.load_organisation_instrument(
                    organisation=scope.organisation,
                    source=form.cleaned_data["file"],
                    loaded_by=request.user,
                )
            except InstrumentError as error:
                problems = [str(problem) for problem in error.problems]
            else:
                messages.success(
                    request, f"Loaded {definition.instrument_id} version {definition.version}."
                )
                return redirect("survey-instruments", scope.organisation.slug)
    else:
        form = InstrumentUploadForm()
    return render(
        request,
        "surveys/instrument_list.html",
        {
            "form": form,
            "problems": problems,
            "instruments": selectors.organisation_instruments(scope.organisation).all(),
        },
        status=400 if problems or form.errors else 200,
    )


@require_POST
@with_scope()
def answer_own(request: HttpRequest, scope: Scope, cycle_id: int) -> HttpResponse:
    """A signed-in person answers their own invitation: a fresh token goes into the survey
    cookie, exactly as if they had followed their emailed link."""
    invitation = selectors.own_invitation(scope, cycle_id)
    try:
        token = services.issue_token(invitation=invitation, channel=invitation.channel)
    except services.CycleError as error:
        messages.error(request, str(error))
        return redirect("org-home", scope.organisation.slug)
    return remember_token(redirect("survey-answer"), token)


@with_scope(admin_only=True)
def cycle_codes(request: HttpRequest, scope: Scope, cycle_id: int) -> HttpResponse:
    """Printable one-time codes for invitees without email. Printing again replaces the
    codes printed before for the same people, so a lost sheet stops working."""
    cycle = selectors.get_cycle(scope, cycle_id)
    form = CodesForm(request.POST or None, organisation=scope.organisation)
    if request.method == "POST" and form.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            issued = services.issue_codes(
                cycle=cycle, unit=unit, replace=form.cleaned_data["replace"]
            )
        except services.CodesPrintedBefore as error:
            form.add_error("replace", f"{error} Tick this box to print them again.")
        except services.CycleError as error:
            form.add_error(None, str(error))
        else:
            if not issued:
                form.add_error("unit", "No one without email was invited there.")
            else:
                sheet = printing.CodeSheet.for_cycle(cycle)
                name = f"survey-codes-{cycle.pk}-{unit.pk if unit else 'all'}"
                if form.cleaned_data["format"] == "csv":
                    body, kind, name = printing.codes_csv(issued, sheet), "text/csv", name + ".csv"
                else:
                    paper = form.cleaned_data["paper"]
                    body = printing.codes_pdf(issued, sheet, paper=paper)
                    kind, name = "application/pdf", name + ".pdf"
                response = HttpResponse(body, content_type=kind)
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                response["Cache-Control"] = "no-store"
                return response
    return render(
        request,
        "surveys/cycle_codes.html",
        {
            "cycle": cycle,
            "form": form,
            "without_email": selectors.code_invitations(cycle).count(),
        },
        status=400 if form.errors else 200,
    )
