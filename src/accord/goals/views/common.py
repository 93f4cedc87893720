"""What the goals pages share: reading ids and periods from a query string, and the goal
page drawn again beside a form that failed."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accord.goals import rules, selectors, services
from accord.goals.forms import CheckInForm, ContributionForm, LinkForm, ResolveForm, RespondForm
from accord.goals.models import LinkKind
from accord.goals.visibility import GoalScope


def period_from_query(request: HttpRequest) -> str:
    """``?period=`` when it is a period's name; anything else (even a NUL) counts as none."""
    period = request.GET.get("period", "")
    return period if rules.PERIOD_PATTERN.match(period) else ""


def goal_page(
    request: HttpRequest, gscope: GoalScope, goal_id: int, status: int = 200, **forms_: Any
) -> HttpResponse:
    """The goal page; ``forms_`` are the forms to show as submitted (with their errors)."""
    goal = gscope.get_goal(goal_id)
    page = selectors.goal_page(gscope, goal)
    if goal.owner is not None:
        services.record_goals_seen(viewer=gscope.person, owner=goal.owner)
    context = {
        "page": page,
        "goal": goal,
        "gscope": gscope,
        "openable": gscope.people_whose_goals_open([goal.owner] if goal.owner else []),
        "can_edit": gscope.can_edit(goal),
        "can_check_in": gscope.can_check_in(goal),
        "check_in_form": forms_.get("check_in_form") or CheckInForm(),
        "contribution_form": forms_.get("contribution_form")
        or ContributionForm(candidates=page.serve_candidates),
        "link_form": forms_.get("link_form") or LinkForm(candidates=page.peer_candidates),
        "respondable": {
            link.pk
            for link in page.links
            if link.to_goal_id == goal.pk and gscope.can_respond(link)
        },
        "respond_form": forms_.get("respond_form") or RespondForm(),
        "respond_link": forms_.get("respond_link"),
        "withdrawable": {link.pk for link in page.links if gscope.can_withdraw(link)},
        "resolvable": {
            link.pk
            for link in page.links
            if link.kind == LinkKind.CONFLICTS and gscope.can_resolve(link)
        },
        "resolve_form": forms_.get("resolve_form") or ResolveForm(),
        "resolve_link": forms_.get("resolve_link"),
    }
    return render(request, "goals/goal_detail.html", context, status=status)
