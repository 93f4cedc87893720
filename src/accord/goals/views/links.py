"""Sideways links on the goal page: declaring one, answering it, withdrawing it, and
resolving a conflict."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from accord.access.decorators import with_scope
from accord.access.requests import AuthenticatedHttpRequest
from accord.access.scopes import Scope
from accord.goals import selectors, services
from accord.goals.forms import LinkForm, ResolveForm, RespondForm
from accord.goals.models import GoalLink
from accord.goals.views.common import goal_page
from accord.goals.visibility import GoalScope
from accord.refusals import show_refusal


@require_POST
@with_scope()
def goal_link(request: AuthenticatedHttpRequest, scope: Scope, goal_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    goal = gscope.goal_to_link_sideways(goal_id)
    form = LinkForm(request.POST, candidates=selectors.goal_page(gscope, goal).peer_candidates)
    if form.is_valid():
        try:
            link = services.declare_link(
                from_goal=goal, to_goal=form.cleaned_data["to_goal"], kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"], actor=request.user,
            )  # fmt: skip
        except services.GoalsError as error:
            show_refusal(form, error)
        else:
            owner = link.to_goal.owner
            messages.success(
                request,
                f"Link declared; {owner.name if owner else 'the other owner'} is asked to confirm it.",
            )
            return redirect("goal-detail", scope.organisation.slug, goal.pk)
    return goal_page(request, gscope, goal_id, status=400, link_form=form)


@require_POST
@with_scope()
def link_respond(request: AuthenticatedHttpRequest, scope: Scope, link_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    link = gscope.link_to_answer(link_id)
    form = RespondForm(request.POST)
    if form.is_valid():
        try:
            services.respond_to_link(
                link=link, agree=form.cleaned_data["answer"] == "confirm",
                note=form.cleaned_data["note"], actor=request.user,
            )  # fmt: skip
        except services.GoalsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Thank you: your answer is recorded.")
            return redirect("goal-detail", scope.organisation.slug, link.to_goal_id)
    return goal_page(
        request, gscope, link.to_goal_id, status=400, respond_form=form, respond_link=link.pk
    )


def _own_end(gscope: GoalScope, link: GoalLink) -> int:
    """The goal page a link is handled from: the end the viewer owns."""
    person = gscope.person
    return link.to_goal_id if person and link.to_goal.owner_id == person.pk else link.from_goal_id


@require_POST
@with_scope()
def link_withdraw(request: AuthenticatedHttpRequest, scope: Scope, link_id: int) -> HttpResponse:
    link = GoalScope(scope).link_to_withdraw(link_id)
    services.withdraw_link(link=link, actor=request.user)
    messages.success(request, "Link withdrawn; the other owner is told.")
    return redirect("goal-detail", scope.organisation.slug, link.from_goal_id)


@require_POST
@with_scope()
def link_resolve(request: AuthenticatedHttpRequest, scope: Scope, link_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    link = gscope.link_to_resolve(link_id)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.resolve_link(
                link=link, resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data["note"], actor=request.user,
            )  # fmt: skip
        except services.GoalsError as error:
            # Not a conflict: nothing on the page to put it beside, so say it on top.
            messages.error(request, str(error))
        else:
            messages.success(request, "Saved.")
        return redirect("goal-detail", scope.organisation.slug, _own_end(gscope, link))
    return goal_page(
        request, gscope, _own_end(gscope, link), status=400, resolve_form=form,
        resolve_link=link.pk,
    )  # fmt: skip
