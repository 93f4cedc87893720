"""Leadership teams and alignment maps: the team list (and creating one), a team's page,
changing it, its map, and the viewer's own maps up and down."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accord.access.decorators import with_scope
from accord.access.requests import AuthenticatedHttpRequest
from accord.access.scopes import Scope
from accord.goals import selectors, services
from accord.goals.forms import MapForm, TeamForm
from accord.goals.models import Team
from accord.goals.visibility import NOT_IN_ORG_CHART, GoalScope
from accord.org.models import Person
from accord.refusals import show_refusal


def _team_form(request: HttpRequest, gscope: GoalScope, team: Team | None = None) -> TeamForm:
    scope = gscope.scope
    leader = team.leader if team else gscope.person
    candidates: list[Person] = []
    if leader is not None:
        candidates = list(
            Person.objects.filter(manager=leader, is_active=True).select_related("unit")
        )
    if team is not None:
        candidates += [m for m in team.members.select_related("unit") if m.pk != team.leader_id]
    candidates = sorted({p.pk: p for p in candidates}.values(), key=lambda p: p.name)
    initial: dict[str, Any] = {"conversation_window_days": 90}
    if team is not None:
        initial = {
            "name": team.name, "purpose": team.purpose,
            "share_incentive_weights": team.share_incentive_weights,
            "conversation_window_days": team.conversation_window_days,
            "members": [str(pk) for pk in team.members.values_list("pk", flat=True)],
        }  # fmt: skip
    # HR ids typed in are looked up only among people this viewer may put in a team (and
    # the team's present members), so the box says nothing about anyone else.
    within = None
    if not scope.is_admin:
        within = scope.people()
        if team is not None:
            within = within | Person.objects.filter(team_memberships__team=team)
        within = within.distinct()
    return TeamForm(
        request.POST if request.method == "POST" else None,
        organisation=scope.organisation,
        candidates=candidates,
        choose_leader=team is None and scope.is_admin,
        within=within,
        initial=initial,
    )


@with_scope()
def team_list(request: AuthenticatedHttpRequest, scope: Scope) -> HttpResponse:
    gscope = GoalScope(scope)
    form = None
    if gscope.can_create_team():
        form = _team_form(request, gscope)
    elif request.method == "POST":
        gscope.require_team_creator()
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        leader = data.get("leader") or gscope.person
        if leader is None:
            form.add_error(None, NOT_IN_ORG_CHART)
            return render(request, "goals/team_list.html", {"teams": [], "form": form})
        try:
            team = services.create_team(
                organisation=scope.organisation, actor=request.user, name=data["name"],
                scope=scope, leader=leader, members=data["people"], purpose=data["purpose"],
                share_incentive_weights=data["share_incentive_weights"],
                conversation_window_days=data["conversation_window_days"],
            )  # fmt: skip
        except services.GoalsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"Created the team {team.name}.")
            return redirect("team-detail", scope.organisation.slug, team.pk)
    teams = gscope.teams().select_related("leader").order_by("name")
    return render(request, "goals/team_list.html", {"teams": teams, "form": form})


@with_scope()
def team_detail(request: AuthenticatedHttpRequest, scope: Scope, team_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    team = gscope.get_team(team_id)
    page = selectors.team_page(gscope, team, period=request.GET.get("period", ""))
    return render(
        request,
        "goals/team_detail.html",
        {
            "page": page,
            "team": team,
            "openable": gscope.people_whose_goals_open(page.members),
            "can_manage": gscope.can_manage_team(team),
            "can_see_map": gscope.can_see_team_map(team),
        },
    )


@with_scope()
def team_edit(request: AuthenticatedHttpRequest, scope: Scope, team_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    team = gscope.team_to_manage(team_id)
    form = _team_form(request, gscope, team)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_team(
                team=team, actor=request.user, scope=scope, name=data["name"],
                members=data["people"],
                purpose=data["purpose"], share_incentive_weights=data["share_incentive_weights"],
                conversation_window_days=data["conversation_window_days"],
            )  # fmt: skip
        except services.GoalsError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Team saved.")
            return redirect("team-detail", scope.organisation.slug, team.pk)
    return render(request, "goals/team_form.html", {"form": form, "team": team})


def _map_response(
    request: HttpRequest,
    gscope: GoalScope,
    people: list[Person],
    *,
    title: str,
    window: int,
    team: Team | None,
    direction: str = "",
) -> HttpResponse:
    periods = selectors.periods_of(people, team)
    form = MapForm(request.GET or None, periods=periods)
    period, days = "", window
    if form.is_valid():
        period = form.cleaned_data["period"] or ""
        days = form.cleaned_data["days"] or window
    alignment = selectors.alignment_map(
        people, period=period, window_days=days, team=team, visible=gscope.goals()
    )
    me = gscope.person.pk if gscope.person else None
    for pair in alignment.pairs:
        pair.schedulable = pair.state != selectors.ALIGNED and (
            gscope.scope.is_admin
            or me in (pair.a.pk, pair.b.pk)
            or (team is not None and team.leader_id == me)
        )
    return render(
        request,
        "goals/alignment_map.html",
        {
            "map": alignment,
            "openable": gscope.people_whose_goals_open(alignment.unseen),
            "form": form,
            "title": title,
            "team": team,
            "direction": direction,
            "state_labels": selectors.STATE_LABELS,
            "state_symbols": selectors.STATE_SYMBOLS,
            "counts": alignment.counts(),
        },
    )


@with_scope()
def team_map(request: AuthenticatedHttpRequest, scope: Scope, team_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    team = gscope.team_to_map(team_id)
    return _map_response(
        request,
        gscope,
        selectors.team_members(team),
        title=f"Alignment map: {team.name}",
        window=team.conversation_window_days,
        team=team,
    )


@with_scope()
def my_map(request: AuthenticatedHttpRequest, scope: Scope, direction: str) -> HttpResponse:
    if direction not in ("up", "down"):
        raise Http404
    gscope = GoalScope(scope)
    if gscope.person is None:
        raise Http404(NOT_IN_ORG_CHART)
    people = selectors.my_map_people(gscope, direction)
    title = (
        "Alignment up: you and your boss"
        if direction == "up"
        else "Alignment down: you and your reports"
    )
    return _map_response(
        request, gscope, people, title=title, window=90, team=None, direction=direction
    )
