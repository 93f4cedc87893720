from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accord.access.decorators import with_scope
from accord.access.requests import AuthenticatedHttpRequest
from accord.access.scopes import Scope, memberships_of
from accord.actions.feed import you_said_we_did
from accord.core.next_steps import next_steps
from accord.org import selectors as org_selectors
from accord.surveys import selectors as survey_selectors


@login_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    memberships = list(memberships_of(request.user))
    if len(memberships) == 1:
        return redirect("org-home", memberships[0].organisation.slug)
    return render(request, "core/choose_organisation.html", {"memberships": memberships})


@with_scope(coaches=True)
def organisation_home(request: HttpRequest, scope: Scope) -> HttpResponse:
    if scope.is_coach:  # a coach's Accord is the 360s they coach
        return redirect("leadership", scope.organisation.slug)
    context: dict[str, object] = {
        "scope": scope,
        "counts": org_selectors.organisation_counts(scope),
    }
    context["surveys_to_answer"] = survey_selectors.surveys_to_answer(scope)
    context["next_steps"] = next_steps(scope)
    context["you_said_we_did"] = you_said_we_did(scope, limit=3)
    if scope.is_admin:
        context["recent_imports"] = org_selectors.recent_imports(scope)
    if scope.sees_whole_organisation:
        context["top_units"] = org_selectors.unit_tree(scope, levels=2)[:40]
    elif scope.led_unit_paths:
        context["top_units"] = org_selectors.led_unit_tree(scope)[:40]
    return render(request, "core/organisation_home.html", context)


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
