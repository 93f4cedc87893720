from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accord.access.scopes import Scope
from accord.core.decorators import with_scope
from accord.goals import importing, rules, selectors, services
from accord.goals.agenda import invitation_ics
from accord.goals.forms import (
    CancelForm,
    CheckInForm,
    ContributionForm,
    GoalForm,
    GoalImportForm,
    LinkForm,
    MapForm,
    RecordForm,
    ResolveForm,
    RespondForm,
    ScheduleForm,
    TeamForm,
)
from accord.goals.models import (
    Commitment,
    Contribution,
    ConversationStatus,
    GoalLink,
    LinkKind,
    Team,
)
from accord.goals.visibility import GoalScope
from accord.org.models import Person, Unit


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _fail(
    form: forms.Form, error: services.GoalsError, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's refusal on the form field it names (or on the form); ``aliases`` maps
    a service's field name to the form's."""
    aliases = aliases or {}

    def field_of(name: str | None) -> str | None:
        name = aliases.get(name or "", name)
        return name if name in form.fields else None

    if isinstance(error, services.GoalProblems):
        for field, message in error.problems:
            form.add_error(field_of(field), message)
        return
    form.add_error(field_of(error.field), str(error))


SCHEDULE_FIELDS = {"starts_at": "date"}


@with_scope()
def goal_home(request: HttpRequest, scope: Scope) -> HttpResponse:
    gscope = GoalScope(scope)
    return render(request, "goals/home.html", {"home": selectors.home(gscope), "gscope": gscope})


def _owner_from_query(request: HttpRequest, gscope: GoalScope) -> tuple[Person | None, Team | None]:
    """Whose goal the form adds: ?person=, ?team=, ?organisation=1, or the viewer's own."""
    if request.GET.get("team"):
        team = gscope.get_team(_int(request.GET["team"]))
        if not gscope.can_manage_team(team):
            raise PermissionDenied("Only the team's leader or a program admin adds shared goals.")
        return None, team
    if request.GET.get("organisation"):
        if not gscope.can_add_organisation_goal():
            raise PermissionDenied("Only program admins and executives set organisation goals.")
        return None, None
    if request.GET.get("person"):
        person = selectors.get_person(gscope, _int(request.GET["person"]))
    elif gscope.person is not None:
        person = gscope.person
    else:
        raise PermissionDenied("Your login is not linked to anyone in the org chart.")
    if not gscope.can_add_goal_for(person):
        raise PermissionDenied("You can add goals for yourself and the people who report to you.")
    return person, None


def _period(request: HttpRequest) -> str:
    """``?period=`` when it is a period's name; anything else (even a NUL) counts as none."""
    period = request.GET.get("period", "")
    return period if rules.PERIOD_PATTERN.match(period) else ""


def _int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise Http404 from None
    if not 0 < value < 2**63:
        raise Http404
    return value


@with_scope()
def goal_create(request: HttpRequest, scope: Scope) -> HttpResponse:
    gscope = GoalScope(scope)
    owner, team = _owner_from_query(request, gscope)
    units = scope.units().order_by("path")
    form = GoalForm(
        request.POST if request.method == "POST" else None,
        units=units,
        person_goal=owner is not None,
        initial={"period": services.default_period(), "visibility": "team"},
    )
    if owner is not None and not gscope.can_see_weights_of(owner):
        # Setting a weight one may not see would reveal the others through the 100% check.
        del form.fields["incentive_weight"]
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in services.GOAL_FIELDS}
        try:
            goal = services.create_goal(
                organisation=scope.organisation, actor=request.user, owner=owner, team=team,  # type: ignore[arg-type]
                **data,
            )  # fmt: skip
        except services.GoalsError as error:
            _fail(form, error)
        else:
            messages.success(request, f"Added the goal “{goal.title}”.")
            return redirect("goal-detail", scope.organisation.slug, goal.pk)
    owner_label = owner.name if owner else (team.name if team else scope.organisation.name)
    return render(
        request, "goals/goal_form.html", {"form": form, "owner_label": owner_label, "goal": None}
    )


@with_scope()
def goal_edit(request: HttpRequest, scope: Scope, goal_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    goal = gscope.get_goal(goal_id)
    if not gscope.can_edit(goal):
        raise PermissionDenied("Only the goal's owner, their managers or a program admin edit it.")
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
    sees_weight = gscope.can_see_weight(goal)
    if not sees_weight and "incentive_weight" in form.fields:
        # Editing a weight one may not see would reveal it; it stays as it is.
        del form.fields["incentive_weight"]
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k in services.GOAL_FIELDS}
        try:
            services.update_goal(goal=goal, actor=request.user, reveal_weights=sees_weight,  # type: ignore[arg-type]
                                 **data)  # fmt: skip
        except services.GoalsError as error:
            _fail(form, error)
        else:
            messages.success(request, "Goal saved.")
            return redirect("goal-detail", scope.organisation.slug, goal.pk)
    return render(
        request,
        "goals/goal_form.html",
        {"form": form, "owner_label": goal.owner_label, "goal": goal},
    )


def _goal_page(
    request: HttpRequest, gscope: GoalScope, goal_id: int, status: int = 200, **forms_: Any
) -> HttpResponse:
    goal = gscope.get_goal(goal_id)
    page = selectors.goal_page(gscope, goal)
    if goal.owner is not None:
        services.record_goals_seen(viewer=gscope.person, owner=goal.owner)
    can_edit = gscope.can_edit(goal)
    context = {
        "page": page,
        "goal": goal,
        "gscope": gscope,
        "can_edit": can_edit,
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


@with_scope()
def goal_detail(request: HttpRequest, scope: Scope, goal_id: int) -> HttpResponse:
    return _goal_page(request, GoalScope(scope), goal_id)


@require_POST
@with_scope()
def goal_check_in(request: HttpRequest, scope: Scope, goal_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    goal = gscope.get_goal(goal_id)
    if not gscope.can_check_in(goal):
        raise PermissionDenied("Only the goal's owner, their managers or its team check in on it.")
    form = CheckInForm(request.POST)
    if form.is_valid():
        try:
            services.record_check_in(goal=goal, actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except services.GoalsError as error:
            _fail(form, error)
        else:
            messages.success(request, "Check-in recorded.")
            return redirect("goal-detail", scope.organisation.slug, goal.pk)
    return _goal_page(request, gscope, goal_id, status=400, check_in_form=form)


@require_POST
@with_scope()
def goal_contribute(request: HttpRequest, scope: Scope, goal_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    goal = gscope.get_goal(goal_id)
    if not gscope.can_edit(goal):
        raise PermissionDenied("Only the goal's owner, their managers or a program admin link it.")
    form = ContributionForm(request.POST, candidates=selectors.serve_candidates(gscope, goal))
    if form.is_valid():
        try:
            services.add_contribution(
                goal=goal, serves=form.cleaned_data["serves"], note=form.cleaned_data["note"],
                actor=request.user,  # type: ignore[arg-type]
            )  # fmt: skip
        except services.GoalsError as error:
            _fail(form, error)
        else:
            messages.success(request, f"“{goal.title}” now serves “{form.cleaned_data['serves']}”.")
            return redirect("goal-detail", scope.organisation.slug, goal.pk)
    return _goal_page(request, gscope, goal_id, status=400, contribution_form=form)


@require_POST
@with_scope()
def contribution_remove(request: HttpRequest, scope: Scope, contribution_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    contribution = (
        Contribution.objects.filter(pk=contribution_id, goal__in=gscope.goals())
        .select_related("goal__organisation", "serves")
        .first()
    )
    if contribution is None:
        raise Http404("No such link.")
    if not gscope.can_edit(contribution.goal):
        raise PermissionDenied(
            "Only the goal's owner, their managers or a program admin unlink it."
        )
    goal = contribution.goal
    services.remove_contribution(contribution=contribution, actor=request.user)  # type: ignore[arg-type]
    messages.info(request, "Link removed.")
    return redirect("goal-detail", scope.organisation.slug, goal.pk)


@require_POST
@with_scope()
def goal_link(request: HttpRequest, scope: Scope, goal_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    goal = gscope.get_goal(goal_id)
    if not gscope.can_edit(goal) or goal.owner is None:
        raise PermissionDenied("Only the goal's owner, their managers or a program admin link it.")
    page = selectors.goal_page(gscope, goal)
    form = LinkForm(request.POST, candidates=page.peer_candidates)
    if form.is_valid():
        try:
            link = services.declare_link(
                from_goal=goal, to_goal=form.cleaned_data["to_goal"], kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"], actor=request.user,  # type: ignore[arg-type]
                base_url=_base_url(request),
            )  # fmt: skip
        except services.GoalsError as error:
            _fail(form, error)
        else:
            owner = link.to_goal.owner
            messages.success(
                request,
                f"Link declared; {owner.name if owner else 'the other owner'} is asked to confirm it.",
            )
            return redirect("goal-detail", scope.organisation.slug, goal.pk)
    return _goal_page(request, gscope, goal_id, status=400, link_form=form)


@require_POST
@with_scope()
def link_respond(request: HttpRequest, scope: Scope, link_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    link = selectors.get_link(gscope, link_id)
    if not gscope.can_respond(link):
        raise PermissionDenied("Only the owner of the linked goal answers for it.")
    form = RespondForm(request.POST)
    if form.is_valid():
        try:
            services.respond_to_link(
                link=link, agree=form.cleaned_data["answer"] == "confirm",
                note=form.cleaned_data["note"], actor=request.user,  # type: ignore[arg-type]
                base_url=_base_url(request),
            )  # fmt: skip
        except services.GoalsError as error:
            _fail(form, error)
        else:
            messages.success(request, "Thank you: your answer is recorded.")
            return redirect("goal-detail", scope.organisation.slug, link.to_goal_id)
    return _goal_page(
        request, gscope, link.to_goal_id, status=400, respond_form=form, respond_link=link.pk
    )


def _own_end(gscope: GoalScope, link: GoalLink) -> int:
    """The goal page a link is handled from: the end the viewer owns."""
    person = gscope.person
    return link.to_goal_id if person and link.to_goal.owner_id == person.pk else link.from_goal_id


@require_POST
@with_scope()
def link_withdraw(request: HttpRequest, scope: Scope, link_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    link = selectors.get_link(gscope, link_id)
    if not gscope.can_withdraw(link):
        raise PermissionDenied(
            "Only whoever declared a link, or the owner of the goal it starts from, withdraws it."
        )
    services.withdraw_link(link=link, actor=request.user, base_url=_base_url(request))  # type: ignore[arg-type]
    messages.success(request, "Link withdrawn; the other owner is told.")
    return redirect("goal-detail", scope.organisation.slug, link.from_goal_id)


@require_POST
@with_scope()
def link_resolve(request: HttpRequest, scope: Scope, link_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    link = selectors.get_link(gscope, link_id)
    if not gscope.can_resolve(link):
        raise PermissionDenied("Only the owners of the two goals resolve a conflict between them.")
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.resolve_link(
                link=link, resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data["note"], actor=request.user,  # type: ignore[arg-type]
            )  # fmt: skip
        except services.GoalsError as error:
            # Not a conflict: nothing on the page to put it beside, so say it on top.
            messages.error(request, str(error))
        else:
            messages.success(request, "Saved.")
        return redirect("goal-detail", scope.organisation.slug, _own_end(gscope, link))
    return _goal_page(
        request, gscope, _own_end(gscope, link), status=400, resolve_form=form,
        resolve_link=link.pk,
    )  # fmt: skip


@with_scope()
def person_goals(request: HttpRequest, scope: Scope, person_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    person = selectors.get_person(gscope, person_id)
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
def team_list(request: HttpRequest, scope: Scope) -> HttpResponse:
    gscope = GoalScope(scope)
    form = None
    if gscope.can_create_team():
        form = _team_form(request, gscope)
    elif request.method == "POST":
        raise PermissionDenied("Only leaders and program admins create leadership teams.")
    if form is not None and request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        leader = data.get("leader") or gscope.person
        if leader is None:
            form.add_error(None, "Your login is not linked to anyone in the org chart.")
            return render(request, "goals/team_list.html", {"teams": [], "form": form})
        try:
            team = services.create_team(
                organisation=scope.organisation, actor=request.user, name=data["name"],  # type: ignore[arg-type]
                scope=scope, leader=leader, members=data["people"], purpose=data["purpose"],
                share_incentive_weights=data["share_incentive_weights"],
                conversation_window_days=data["conversation_window_days"],
            )  # fmt: skip
        except services.GoalsError as error:
            _fail(form, error)
        else:
            messages.success(request, f"Created the team {team.name}.")
            return redirect("team-detail", scope.organisation.slug, team.pk)
    teams = gscope.teams().select_related("leader").order_by("name")
    return render(request, "goals/team_list.html", {"teams": teams, "form": form})


@with_scope()
def team_detail(request: HttpRequest, scope: Scope, team_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    team = gscope.get_team(team_id)
    page = selectors.team_page(gscope, team, period=request.GET.get("period", ""))
    return render(
        request,
        "goals/team_detail.html",
        {
            "page": page,
            "team": team,
            "can_manage": gscope.can_manage_team(team),
            "can_see_map": gscope.can_see_team_map(team),
        },
    )


@with_scope()
def team_edit(request: HttpRequest, scope: Scope, team_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    team = gscope.get_team(team_id)
    if not gscope.can_manage_team(team):
        raise PermissionDenied("Only the team's leader or a program admin change the team.")
    form = _team_form(request, gscope, team)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_team(
                team=team, actor=request.user, scope=scope, name=data["name"],  # type: ignore[arg-type]
                members=data["people"],
                purpose=data["purpose"], share_incentive_weights=data["share_incentive_weights"],
                conversation_window_days=data["conversation_window_days"],
            )  # fmt: skip
        except services.GoalsError as error:
            _fail(form, error)
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
def team_map(request: HttpRequest, scope: Scope, team_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    team = gscope.get_team(team_id)
    if not gscope.can_see_team_map(team):
        raise PermissionDenied(
            "The alignment map is for the team's members, the managers above its leader, "
            "executives and program admins."
        )
    return _map_response(
        request,
        gscope,
        selectors.team_members(team),
        title=f"Alignment map: {team.name}",
        window=team.conversation_window_days,
        team=team,
    )


@with_scope()
def my_map(request: HttpRequest, scope: Scope, direction: str) -> HttpResponse:
    if direction not in ("up", "down"):
        raise Http404
    gscope = GoalScope(scope)
    if gscope.person is None:
        raise Http404("Your login is not linked to anyone in the org chart.")
    people = selectors.my_map_people(gscope, direction)
    title = (
        "Alignment up: you and your boss"
        if direction == "up"
        else "Alignment down: you and your reports"
    )
    return _map_response(
        request, gscope, people, title=title, window=90, team=None, direction=direction
    )


@with_scope()
def conversation_schedule(request: HttpRequest, scope: Scope, person_id: int) -> HttpResponse:
    """The viewer and ``person_id``; or, with ``?and=<id>``, those two people (for a team's
    leader or a program admin arranging it)."""
    gscope = GoalScope(scope)
    other = selectors.get_person(gscope, person_id)
    if request.GET.get("and"):
        first = other
        second = selectors.get_person(gscope, _int(request.GET["and"]))
    elif gscope.person is not None:
        first, second = gscope.person, other
    else:
        raise Http404("Your login is not linked to anyone in the org chart.")
    if first.pk == second.pk:
        raise Http404("Choose two different people.")
    people = [first, second]
    team = gscope.get_team(_int(request.GET["team"])) if request.GET.get("team") else None
    me = gscope.person.pk if gscope.person else None
    may = scope.is_admin or me in (first.pk, second.pk) or (
        team is not None and team.leader_id == me and team.members.filter(
            pk__in=[first.pk, second.pk]).count() == 2
    )  # fmt: skip
    if not may:
        raise PermissionDenied(
            "You can schedule conversations you take part in; a team's leader can schedule "
            "them for two members of the team."
        )
    form = ScheduleForm(
        request.POST if request.method == "POST" else None, time_zone=scope.organisation.time_zone
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            conversation = services.schedule_conversation(
                organisation=scope.organisation, actor=request.user,  # type: ignore[arg-type]
                people=(people[0], people[1]), starts_at=data["starts_at"],
                duration_minutes=data["duration_minutes"], location=data["location"], team=team,
                period=_period(request), base_url=_base_url(request),
            )  # fmt: skip
        except services.GoalsError as error:
            _fail(form, error, SCHEDULE_FIELDS)
        else:
            messages.success(
                request,
                f"Conversation scheduled: Accord is emailing the invitation to "
                f"{people[0].name} and {people[1].name}.",
            )
            return redirect("conversation-detail", scope.organisation.slug, conversation.pk)
    return render(
        request, "goals/conversation_schedule.html", {"form": form, "people": people, "team": team}
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
def conversation_detail(request: HttpRequest, scope: Scope, conversation_id: int) -> HttpResponse:
    return _conversation_page(request, GoalScope(scope), conversation_id)


@require_POST
@with_scope()
def conversation_record(request: HttpRequest, scope: Scope, conversation_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    conversation = gscope.get_conversation(conversation_id)
    if not gscope.can_record(conversation):
        raise PermissionDenied("Only the two people, the organiser or a program admin record it.")
    links = selectors.conversation_page_links(conversation, gscope)
    form = RecordForm(request.POST, links=links, people=conversation.people)
    if form.is_valid():
        data = form.cleaned_data
        by_id = {link.pk: link for link in links}
        try:
            services.record_conversation(
                conversation=conversation, actor=request.user, held_on=data["held_on"],  # type: ignore[arg-type]
                summary=data["summary"],
                link_outcomes=[services.LinkOutcome(by_id[pk], action)
                               for pk, action in data["outcomes"].items() if action != "keep"],
                commitments=[services.NewCommitment(owner, text, due)
                             for owner, text, due in data["commitments"]],
            )  # fmt: skip
        except services.GoalsError as error:
            _fail(form, error)
        else:
            messages.success(request, "Conversation recorded.")
            return redirect("conversation-detail", scope.organisation.slug, conversation.pk)
    return _conversation_page(request, gscope, conversation_id, form)


def _changeable(gscope: GoalScope, conversation_id: int) -> Any:
    conversation = gscope.get_conversation(conversation_id)
    if not gscope.can_change_conversation(conversation):
        raise PermissionDenied(
            "Only the two people, the organiser, the team's leader or a program admin change it."
        )
    return conversation


@with_scope()
def conversation_reschedule(
    request: HttpRequest, scope: Scope, conversation_id: int
) -> HttpResponse:
    gscope = GoalScope(scope)
    conversation = _changeable(gscope, conversation_id)
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
                conversation=conversation, actor=request.user, starts_at=data["starts_at"],  # type: ignore[arg-type]
                duration_minutes=data["duration_minutes"], location=data["location"],
                base_url=_base_url(request),
            )  # fmt: skip
        except services.GoalsError as error:
            _fail(form, error, SCHEDULE_FIELDS)
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
def conversation_cancel(request: HttpRequest, scope: Scope, conversation_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    conversation = _changeable(gscope, conversation_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_conversation(
                conversation=conversation, actor=request.user, note=form.cleaned_data["note"],  # type: ignore[arg-type]
                base_url=_base_url(request),
            )  # fmt: skip
        except services.GoalsError as error:
            _fail(form, error)
        else:
            messages.success(request, "Conversation cancelled: Accord is telling both people.")
            return redirect("conversation-detail", scope.organisation.slug, conversation.pk)
    return _conversation_page(request, gscope, conversation_id, cancel_form=form)


@require_POST
@with_scope()
def commitment_mark(request: HttpRequest, scope: Scope, commitment_id: int) -> HttpResponse:
    gscope = GoalScope(scope)
    commitment: Commitment = selectors.get_commitment(gscope, commitment_id)
    conversation = commitment.conversation
    if not gscope.can_change_conversation(conversation):
        raise PermissionDenied(
            "Only the two people, the organiser, the team's leader or a program admin mark it."
        )
    done = request.POST.get("done", "")
    if done not in ("1", "0"):
        messages.error(request, "Say whether the commitment is done (done=1) or not (done=0).")
        return redirect("conversation-detail", scope.organisation.slug, conversation.pk)
    services.mark_commitment(commitment=commitment, done=done == "1", actor=request.user)  # type: ignore[arg-type]
    messages.success(request, "Commitment marked done." if done == "1" else "Commitment reopened.")
    return redirect("conversation-detail", scope.organisation.slug, conversation.pk)


@with_scope()
def conversation_ics(request: HttpRequest, scope: Scope, conversation_id: int) -> HttpResponse:
    conversation = GoalScope(scope).get_conversation(conversation_id)
    response = HttpResponse(
        invitation_ics(conversation), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="alignment-conversation.ics"'
    return response


@with_scope()
def goal_import(request: HttpRequest, scope: Scope) -> HttpResponse:
    gscope = GoalScope(scope)
    teams = [t for t in gscope.teams().select_related("leader") if gscope.can_manage_team(t)]
    if not teams and not scope.is_admin:
        raise PermissionDenied("Only a team's leader or a program admin imports its goals.")
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
            result = services_import(request, scope, team, upload, form.cleaned_data["dry_run"])
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


def services_import(
    request: HttpRequest, scope: Scope, team: Team, upload: Any, dry_run: bool
) -> importing.ImportResult:
    return importing.import_goals(
        team=team,
        filename=upload.name,
        content=upload.read(),
        actor=request.user,  # type: ignore[arg-type]
        dry_run=dry_run,
        scope=scope,
    )


@with_scope(admin_only=True)
def goal_audit(request: HttpRequest, scope: Scope) -> HttpResponse:
    entries = selectors.audit_trail(GoalScope(scope))
    return render(request, "goals/audit.html", {"entries": entries})
