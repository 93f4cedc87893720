"""The loop's pages: plans (made from a finding, their page, steps, updates and status),
team discussions, "You said, we did", the loop at a glance and the loop's settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accord.access.decorators import with_scope
from accord.access.requests import AuthenticatedHttpRequest, id_from_query
from accord.access.scopes import Scope
from accord.actions import feed, findings, loop, selectors, services
from accord.actions.errors import ActionsError
from accord.actions.forms import (
    DiscussionForm,
    LoopSettingsForm,
    PlanForm,
    StatusForm,
    StepForm,
    UpdateForm,
)
from accord.actions.ideas import ideas_for
from accord.actions.models import ActionPlan, PlanStatus
from accord.actions.visibility import ActionScope
from accord.insights import presenting
from accord.insights.selectors import ReleaseView, release_view, released_cycles
from accord.org.models import Person, Unit
from accord.refusals import show_refusal
from accord.surveys.instruments import ACTION_FEEDBACK_ID
from accord.surveys.models import Cycle
from accord.text import table_csv, table_xlsx


def _group_from_query(request: HttpRequest, scope: Scope) -> tuple[ReleaseView, int]:
    """``?cycle=&unit=``: the viewer's release of the cycle and the unit's engine index (the
    top of the viewer's results without ``unit``); a 404 for anything else."""
    cycle = request.GET.get("cycle")
    if not cycle:
        raise Http404("Say which cycle.")
    view = release_view(scope, id_from_query(cycle))
    unit = request.GET.get("unit")
    return view, view.unit_index(id_from_query(unit) if unit else None)


def _owner_candidates(
    ascope: ActionScope, unit: Unit, plan: ActionPlan | None = None
) -> list[Person]:
    """A short list for the owner boxes: the viewer, the plan's owners and the leaders of the
    unit's subtree whom the viewer may name; anyone else goes in by HR id."""
    people: dict[int, Person] = {}
    if ascope.person is not None:
        people[ascope.person.pk] = ascope.person
    if plan is not None:
        people.update({p.pk: p for p in plan.owners.select_related("unit")})
    leaders = ascope.people_to_name().filter(is_leader=True, unit__path__startswith=unit.path)
    people.update({p.pk: p for p in leaders.select_related("unit")[:20]})
    return list(people.values())


# Plans -----------------------------------------------------------------------------------


@with_scope()
def plan_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    ascope = ActionScope(scope)
    status = request.GET.get("status", "")
    if status not in PlanStatus.values:
        status = ""
    overdue = request.GET.get("overdue") == "1"
    found = selectors.plans(ascope, status=status or None, overdue=overdue)
    page = Paginator(found, selectors.PLANS_PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [
        (plan, selectors.plan_percent_done(plan), selectors.is_overdue(plan, today))
        for plan in page
    ]  # fmt: skip
    cycles = list(released_cycles(scope)[:1]) if scope.sees_survey_results else []
    return render(
        request,
        "actions/plan_list.html",
        {"page": page, "rows": rows, "status": status, "overdue": overdue,
         "statuses": PlanStatus.choices, "latest_cycle": cycles[0] if cycles else None,
         "may_plan": ascope.may_plan},
    )  # fmt: skip


def _finding_choices(view: ReleaseView, unit: int, filter_text: str) -> list[findings.Finding]:
    """Every outcome and theme the group shows, as findings to choose from."""
    report = view.report
    specs = [f"outcome:{key}" for key in report.outcomes] + [
        f"construct:{key}" for key in report.constructs if key not in presenting.NOT_A_THEME
    ]
    result = []
    for spec in specs:
        try:
            result.append(findings.find(view, unit, spec, filter_text or None))
        except ActionsError:
            continue
    return result


@with_scope()
def plan_new(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    """``?cycle=&unit=`` chooses the group; ``&finding=`` (and ``&filter=``) the finding."""
    ascope = ActionScope(scope)
    view, focus = _group_from_query(request, scope)
    unit = ascope.unit_to_plan(view.pk(focus))
    filter_text = request.GET.get("filter", "")
    spec = request.GET.get("finding", "")
    context: dict[str, Any] = {"view": view, "cycle": view.cycle, "unit": unit,
                               "filter": filter_text}  # fmt: skip
    try:
        group = findings.group_for(view, focus, filter_text or None)
        finding = findings.find(view, focus, spec, filter_text or None) if spec else None
    except ActionsError as error:
        context["refusal"] = str(error)
        return render(request, "actions/choose_finding.html", context)
    if finding is None:
        context |= {
            "group": group,
            "focus_areas": findings.focus_areas(view, focus) if not filter_text else [],
            "choices": _finding_choices(view, focus, filter_text),
            "filter_label": f"{group.dimension}: {group.value}" if group.dimension else "",
        }
        return render(request, "actions/choose_finding.html", context)
    ideas = ideas_for(finding.key)
    idea = request.GET.get("idea", "")
    initial: dict[str, Any] = {}
    if ascope.person is not None:
        initial["owners"] = [str(ascope.person.pk)]
    if idea.isdigit() and int(idea) < len(ideas):
        initial["title"] = ideas[int(idea)]
    within = ascope.people_to_name()
    form = PlanForm(
        request.POST if request.method == "POST" else None,
        organisation=scope.organisation,
        candidates=_owner_candidates(ascope, unit),
        within=within,
        initial=initial,
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.create_plan(
                ascope=ascope, actor=request.user, view=view, unit=unit, finding=finding,
                title=data["title"], description=data["description"], due_on=data["due_on"],
                owner_ids=data["owner_ids"], steps=data["step_titles"],
            )  # fmt: skip
        except ActionsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"Made the plan “{plan.title}”.")
            return redirect("action-plan", scope.organisation.slug, plan.pk)
    context |= {"finding": finding, "form": form, "ideas": ideas, "query": request.GET.urlencode()}
    return render(request, "actions/plan_form.html", context)


def _plan_page(
    request: HttpRequest, ascope: ActionScope, plan: ActionPlan, status: int = 200, **forms_: Any
) -> HttpResponse:
    page = selectors.plan_page(ascope, plan)
    organisation = ascope.organisation
    context = {
        "page": page,
        "plan": plan,
        "status_form": forms_.get("status_form")
        or StatusForm(initial={"status": plan.status, "cancel_reason": plan.cancel_reason}),
        "step_form": forms_.get("step_form")
        or StepForm(organisation=organisation, within=ascope.people_to_name()),
        "update_form": forms_.get("update_form") or UpdateForm(may_publish=page.can_publish),
    }
    return render(request, "actions/plan_detail.html", context, status=status)


@with_scope()
def plan_detail(request: HttpRequest, scope: Scope, plan_id: int) -> HttpResponse:
    ascope = ActionScope(scope)
    return _plan_page(request, ascope, ascope.get_plan(plan_id))


@with_scope()
def plan_edit(request: AuthenticatedHttpRequest, scope: Scope, plan_id: int) -> HttpResponse:
    ascope = ActionScope(scope)
    plan = ascope.plan_to_edit(plan_id)
    form = PlanForm(
        request.POST if request.method == "POST" else None,
        organisation=scope.organisation,
        candidates=_owner_candidates(ascope, plan.unit, plan),
        within=ascope.people_to_name(),
        with_steps=False,
        initial={"title": plan.title, "description": plan.description, "due_on": plan.due_on,
                 "owners": [str(p.pk) for p in plan.owners.all()]},
    )  # fmt: skip
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.update_plan(
                ascope=ascope, actor=request.user, plan=plan, title=data["title"],
                description=data["description"], due_on=data["due_on"],
                owner_ids=data["owner_ids"],
            )  # fmt: skip
        except ActionsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Saved the plan.")
            return redirect("action-plan", scope.organisation.slug, plan.pk)
    return render(request, "actions/plan_edit.html", {"plan": plan, "form": form})


@require_POST
@with_scope()
def plan_status(request: AuthenticatedHttpRequest, scope: Scope, plan_id: int) -> HttpResponse:
    ascope = ActionScope(scope)
    plan = ascope.plan_to_edit(plan_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.set_status(
                ascope=ascope, actor=request.user, plan=plan, status=form.cleaned_data["status"],
                cancel_reason=form.cleaned_data["cancel_reason"],
            )  # fmt: skip
        except ActionsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Status saved.")
            return redirect("action-plan", scope.organisation.slug, plan.pk)
    return _plan_page(request, ascope, plan, 400, status_form=form)


@require_POST
@with_scope()
def step_add(request: AuthenticatedHttpRequest, scope: Scope, plan_id: int) -> HttpResponse:
    ascope = ActionScope(scope)
    plan = ascope.plan_to_edit(plan_id)
    form = StepForm(request.POST, organisation=scope.organisation, within=ascope.people_to_name())
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.add_step(
                ascope=ascope, actor=request.user, plan=plan, title=data["title"],
                owner_id=data["owner"], due_on=data["due_on"],
            )  # fmt: skip
        except ActionsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Step added.")
            return redirect("action-plan", scope.organisation.slug, plan.pk)
    return _plan_page(request, ascope, plan, 400, step_form=form)


@require_POST
@with_scope()
def step_mark(request: AuthenticatedHttpRequest, scope: Scope, step_id: int) -> HttpResponse:
    ascope = ActionScope(scope)
    step = ascope.step_to_edit(step_id)
    services.mark_step(
        ascope=ascope, actor=request.user, step=step, done=request.POST.get("done") == "1"
    )
    return redirect("action-plan", scope.organisation.slug, step.plan_id)


@require_POST
@with_scope()
def update_add(request: AuthenticatedHttpRequest, scope: Scope, plan_id: int) -> HttpResponse:
    ascope = ActionScope(scope)
    plan = ascope.plan_to_edit(plan_id)
    form = UpdateForm(request.POST, may_publish=ascope.can_publish(plan))
    if form.is_valid():
        try:
            update = services.add_update(
                ascope=ascope, actor=request.user, plan=plan, text=form.cleaned_data["text"],
                publish=bool(form.cleaned_data.get("publish")),
            )  # fmt: skip
        except ActionsError as error:
            show_refusal(form, error)
        else:
            messages.success(
                request,
                "Update published: everyone in the unit can read it."
                if update.published_at
                else "Update saved, not published yet: publish it when it is ready."
                if ascope.can_publish(plan)
                else "Update saved. An owner of the plan publishes it.",
            )
            return redirect("action-plan", scope.organisation.slug, plan.pk)
    return _plan_page(request, ascope, plan, 400, update_form=form)


@require_POST
@with_scope()
def feedback_run(request: AuthenticatedHttpRequest, scope: Scope, plan_id: int) -> HttpResponse:
    ascope = ActionScope(scope)
    plan = ascope.plan_to_edit(plan_id)
    try:
        cycle = services.run_feedback_pulse(ascope=ascope, actor=request.user, plan=plan)
    except ActionsError as error:
        messages.error(request, str(error))
    else:
        closes = timezone.localtime(cycle.closes_at)
        messages.success(
            request,
            f"{plan.unit.name} is asked whether “{plan.title}” made a difference, anonymously, "
            f"until {closes:%-d %B %Y}.",
        )
    return redirect("action-plan", scope.organisation.slug, plan.pk)


@require_POST
@with_scope()
def feedback_publish(request: AuthenticatedHttpRequest, scope: Scope, plan_id: int) -> HttpResponse:
    ascope = ActionScope(scope)
    plan = ascope.plan_to_edit(plan_id)
    try:
        services.publish_feedback(ascope=ascope, actor=request.user, plan=plan)
    except ActionsError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Published what {plan.unit.name} said about the plan.")
    return redirect("action-plan", scope.organisation.slug, plan.pk)


@require_POST
@with_scope()
def update_publish(request: AuthenticatedHttpRequest, scope: Scope, update_id: int) -> HttpResponse:
    ascope = ActionScope(scope)
    update = ascope.update_to_publish(update_id)
    services.publish_update(ascope=ascope, actor=request.user, update=update)
    messages.success(request, "Update published: everyone in the unit can read it.")
    return redirect("action-plan", scope.organisation.slug, update.plan_id)


# Team discussions, the feed, the loop ----------------------------------------------------


@with_scope()
def discussion_new(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    """``?cycle=&unit=``: record that the unit discussed the cycle's results."""
    ascope = ActionScope(scope)
    view, focus = _group_from_query(request, scope)
    unit = ascope.unit_to_plan(view.pk(focus))
    form = DiscussionForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_discussion(
                ascope=ascope, actor=request.user, unit=unit, cycle=view.cycle,
                held_on=data["held_on"], attended=data["attended"],
                what_mattered=data["what_mattered"],
            )  # fmt: skip
        except ActionsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"Recorded {unit.name}'s discussion of the results.")
            return redirect(
                reverse("action-plan-new", args=[scope.organisation.slug])
                + f"?cycle={view.cycle.pk}&unit={unit.pk}"
            )
    return render(
        request, "actions/discussion_form.html", {"form": form, "unit": unit, "cycle": view.cycle}
    )


@with_scope()
def you_said_we_did(request: HttpRequest, scope: Scope) -> HttpResponse:
    entries = feed.you_said_we_did(scope, limit=100)
    return render(request, "actions/you_said_we_did.html", {"entries": entries})


def _loop_cycles(scope: Scope) -> QuerySet[Cycle]:
    """Released cycles whose plans the loop follows (not the plans' own feedback pulses)."""
    return released_cycles(scope).exclude(instrument_id=ACTION_FEEDBACK_ID)


@with_scope()
def loop_latest(request: HttpRequest, scope: Scope) -> HttpResponse:
    cycle = _loop_cycles(scope).first()
    if cycle is None:
        return render(request, "actions/loop.html", {"loop": None})
    return redirect("action-loop", scope.organisation.slug, cycle.pk)


def _flagged_first(found: loop.Loop) -> list[loop.LoopRow]:
    today = timezone.localdate()
    return sorted(found.rows, key=lambda row: not row.flagged(found.deadline, today))


@with_scope()
def loop_view(request: HttpRequest, scope: Scope, cycle_id: int) -> HttpResponse:
    ascope = ActionScope(scope)
    found = loop.loop_at_a_glance(ascope, release_view(scope, cycle_id))
    page = Paginator(_flagged_first(found), 100).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "actions/loop.html",
        {"loop": found, "page": page, "today": today, "cycles": list(_loop_cycles(scope)[:12])},
    )  # fmt: skip


@with_scope()
def loop_export(request: HttpRequest, scope: Scope, cycle_id: int, fmt: str) -> HttpResponse:
    view = release_view(scope, cycle_id)
    if fmt not in ("csv", "xlsx"):
        raise Http404("The loop exports as csv or xlsx.")
    found = loop.loop_at_a_glance(ActionScope(scope), view)
    rows = loop.loop_table(found)
    if fmt == "csv":
        content, kind = table_csv(loop.HEADER, rows), "text/csv; charset=utf-8"
    else:
        content = table_xlsx("Loop", loop.HEADER, rows)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="loop-cycle-{cycle_id}.{fmt}"'
    return response


@with_scope(admin_only=True)
def loop_settings(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    current = services.loop_settings(scope.organisation)
    form = LoopSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={"discussion_window_days": current.discussion_window_days,
                 "feedback_after_days": current.feedback_after_days},
    )  # fmt: skip
    if form.is_valid():
        try:
            services.change_loop_settings(
                ascope=ActionScope(scope), actor=request.user, **form.cleaned_data
            )
        except ActionsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Saved how the loop runs.")
            return redirect("action-settings", scope.organisation.slug)
    return render(request, "actions/settings.html", {"form": form})
