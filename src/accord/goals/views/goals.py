"""The goals pages: home, adding and editing a goal, its page, check-ins, what it serves, a
person's goals, importing a team's goals, and the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accord.access.decorators import with_scope
from accord.access.requests import AuthenticatedHttpRequest, id_from_query
from accord.access.scopes import Scope
from accord.goals import importing, selectors, services
from accord.goals.forms import CheckInForm, ContributionForm, GoalForm, GoalImportForm
from accord.goals.views.common import goal_page
from accord.goals.visibility import GoalScope
from accord.org.models import Unit
from accord.refusals import show_refusal


@with_scope()
def goal_home(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    gscope = GoalScope(scope)
    return render(request, "goals/home.html", {"home": selectors.home(gscope), "gscope": gscope})


def _goal_fields(form: GoalForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k in services.GOAL_FIELDS}


@with_scope()
def goal_create(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    """Whose goal: ``?person=``, ``?team=``, ``?organisation=1``, or the viewer's own."""
    gscope = GoalScope(scope)
    query = request.GET
    owner = services.new_goal_owner(
        gscope,
        person_id=id_from_query(query["person"]) if query.get("person") else None,
        team_id=id_from_query(query["team"]) if query.get("team") else None,
        organisation=bool(query.get("organisation")),
    )
    form = GoalForm(
        request.POST if request.method == "POST" else None,
        units=scope.units().order_by("path"),
        person_goal=owner.person is not None,
        initial={"period": services.default_period(), "visibility": "team"},
    )
    if owner.person is not None and not owner.may_set_weight:
        # Setting a weight one may not see would reveal the others through the 100% check.
        del form.fields["incentive_weight"]
    if form.is_valid():
        try:
            goal = services.add_goal(
                gscope=gscope, owner=owner, actor=request.user, **_goal_fields(form)
            )
        except services.GoalsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"Added the goal “{goal.title}”.")
            return redirect("goal-detail", scope.organisation.slug, goal.pk)
    return render(
        request,
        "goals/goal_form.html",
        {"form": form, "owner_label": owner.label(scope.organisation), "goal": None},
    )


@with_scope()
def goal_edit(request: AuthenticatedHttpRequest, scope: Scope, goal_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    goal = gscope.goal_to_edit(goal_id)
    # The goal's own unit stays a choice even when someone else set it outside this scope.
    units = scope.units()
    if goal.unit_id is not None:
        units = units | Unit.objects.filter(pk=goal.unit_id, organisation=scope.organisation)
    form = GoalForm(
        request.POST if request.method == "POST" else None,
        units=units.distinct().order_by("path"),
        person_goal=goal.owner is not None,
        initial=GoalForm.initial_from(goal),
    )
    if not gscope.can_see_weight(goal) and "incentive_weight" in form.fields:
        # Editing a weight one may not see would reveal it; it stays as it is.
        del form.fields["incentive_weight"]
    if form.is_valid():
        try:
            services.update_goal(goal=goal, actor=request.user, gscope=gscope, **_goal_fields(form))
        except services.GoalsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Goal saved.")
            return redirect("goal-detail", scope.organisation.slug, goal.pk)
    return render(
        request,
        "goals/goal_form.html",
        {"form": form, "owner_label": goal.owner_label, "goal": goal},
    )


@with_scope()
def goal_detail(request: AuthenticatedHttpRequest, scope: Scope, goal_id: int) -> HttpResponse:
    return goal_page(request, GoalScope(scope), goal_id)


@require_POST
@with_scope()
def goal_check_in(request: AuthenticatedHttpRequest, scope: Scope, goal_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    goal = gscope.goal_to_check_in(goal_id)
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            services.record_check_in(goal=goal, actor=request.user, **form.cleaned_data)
        except services.GoalsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Check-in recorded.")
            return redirect("goal-detail", scope.organisation.slug, goal.pk)
    return goal_page(request, gscope, goal_id, status=400, check_in_form=form)


@require_POST
@with_scope()
def goal_contribute(request: AuthenticatedHttpRequest, scope: Scope, goal_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    goal = gscope.goal_to_edit(goal_id)
    form = ContributionForm(request.POST, candidates=selectors.serve_candidates(gscope, goal))
    if form.is_valid():
        serves, note = form.cleaned_data["serves"], form.cleaned_data["note"]
        try:
            services.add_contribution(goal=goal, serves=serves, note=note, actor=request.user)
        except services.GoalsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"“{goal.title}” now serves “{serves}”.")
            return redirect("goal-detail", scope.organisation.slug, goal.pk)
    return goal_page(request, gscope, goal_id, status=400, contribution_form=form)


@require_POST
@with_scope()
def contribution_remove(
    request: AuthenticatedHttpRequest, scope: Scope, contribution_id: int
) -> HttpResponse:
    contribution = GoalScope(scope).contribution_to_remove(contribution_id)
    goal = contribution.goal
    services.remove_contribution(contribution=contribution, actor=request.user)
    messages.info(request, "Link removed.")
    return redirect("goal-detail", scope.organisation.slug, goal.pk)


@with_scope()
def person_goals(request: AuthenticatedHttpRequest, scope: Scope, person_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    person = gscope.get_person(person_id)
    goals = list(selectors.visible_goals(gscope, owner=person))
    services.record_goals_seen(viewer=gscope.person, owner=person)
    return render(
        request,
        "goals/person_goals.html",
        {
            "person": person,
            "rows": selectors.goal_rows(gscope, goals),
            "can_add": gscope.can_add_goal_for(person),
            "is_me": gscope.person is not None and gscope.person.pk == person.pk,
        },
    )


@with_scope()
def goal_import(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    teams = GoalScope(scope).teams_to_import_into()
    form = GoalImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        teams=teams,
    )
    problems: list[importing.ImportIssue] = []
    total = 0
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        team = form.cleaned_data["team"]
        try:
            result = importing.import_goals(
                team=team, filename=upload.name, content=upload.read(), actor=request.user,
                dry_run=form.cleaned_data["dry_run"], scope=scope,
            )  # fmt: skip
        except importing.GoalImportError as error:
            problems, total = error.issues, error.total
        else:
            if result.dry_run:
                messages.info(
                    request,
                    f"The file is valid: {result.goals} goals would be added. Nothing was added yet.",
                )
                return render(request, "goals/import.html", {"form": form, "checked": result})
            messages.success(request, f"Imported {result.goals} goals for {team.name}.")
            return redirect("team-detail", scope.organisation.slug, team.pk)
    return render(
        request, "goals/import.html", {"form": form, "problems": problems, "total": total}
    )


@with_scope(admin_only=True)
def goal_audit(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    entries = selectors.audit_trail(GoalScope(scope))
    return render(request, "goals/audit.html", {"entries": entries})
