"""`accord goals ...` and `accord team ...`: goals, links, check-ins and leadership teams from
the command line. Changes are audited as made "by the command line"."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from accord.cli_support import (
    fail,
    in_organisation_or_exit,
    print_problems,
    read_file_or_exit,
    say,
    start,
)

if TYPE_CHECKING:
    from accord.goals.models import Conversation, Goal, GoalLink, Team
    from accord.org.models import Organisation

goals_app = typer.Typer(help="Goals, check-ins and links between goals.", no_args_is_help=True)
team_app = typer.Typer(help="Leadership teams and their alignment maps.", no_args_is_help=True)
conversation_app = typer.Typer(
    help="Alignment conversations: list, move, cancel, commitments done.", no_args_is_help=True
)
goals_app.add_typer(conversation_app, name="conversation")
VIA = "command line"

Org = Annotated[str, typer.Option("--org", help="Organisation slug.")]


def _goal(organisation: Organisation, goal_id: int, what: str = "GOAL_ID") -> Goal:
    from accord.goals.models import Goal

    return in_organisation_or_exit(Goal, organisation, goal_id, option=what, noun="goal")


def _team(organisation: Organisation, team_id: int) -> Team:
    from accord.goals.models import Team

    return in_organisation_or_exit(Team, organisation, team_id, option="TEAM_ID", noun="team")


@goals_app.command("list")
def goals_list(
    org: Org,
    person: Annotated[str, typer.Option(help="Only this person's goals (HR id).")] = "",
    team: Annotated[int | None, typer.Option(help="Only this team's shared goals.")] = None,
    period: Annotated[str, typer.Option(help="Only goals of this period.")] = "",
) -> None:
    """Goals with their targets, latest check-ins and whether they are linked upward."""
    organisation = start(org)
    from accord.goals.agenda import describe_target
    from accord.goals.models import Contribution, Goal
    from accord.goals.selectors import latest_check_ins
    from accord.org.models import Person

    goals = Goal.objects.filter(organisation=organisation).select_related("owner", "team")
    if person:
        owner = Person.objects.filter(organisation=organisation, external_id=person).first()
        if owner is None:
            raise fail(f"--person: no person with HR id {person!r} in {org!r}.")
        goals = goals.filter(owner=owner)
    if team is not None:
        goals = goals.filter(team=_team(organisation, team))
    if period:
        goals = goals.filter(period=period)
    goals = goals.order_by("-period", "owner__name", "title")
    latest = latest_check_ins(g.pk for g in goals)
    up = set(Contribution.objects.filter(goal__in=goals).values_list("goal_id", flat=True))
    table = Table(title=f"Goals in {organisation.name}")
    for column in ("id", "owner", "period", "goal", "target", "latest", "linked up"):
        table.add_column(column)
    for goal in goals:
        check = latest.get(goal.pk)
        table.add_row(
            str(goal.pk), goal.owner_label, goal.period, goal.title, describe_target(goal),
            f"{check.value.normalize():f} ({check.get_confidence_display()})" if check else "—",
            "top" if goal.owner_kind == "organisation" else ("yes" if goal.pk in up else "NO"),
        )  # fmt: skip
    say(table)


@goals_app.command("import")
def goals_import(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX file of goals (docs/goals.md).")],
    org: Org,
    team: Annotated[int, typer.Option(help="Id of the leadership team the goals are for.")],
    dry_run: Annotated[bool, typer.Option(help="Check the file; add nothing.")] = False,
) -> None:
    """Import a leadership team's goals. Every row is checked before anything is added."""
    organisation = start(org)
    from accord.goals.importing import GoalImportError, import_goals

    the_team = _team(organisation, team)
    content = read_file_or_exit(file)
    try:
        result = import_goals(
            team=the_team, filename=file.name, content=content, actor=None, via=VIA,
            dry_run=dry_run,
        )  # fmt: skip
    except GoalImportError as error:
        print_problems(
            f"{error.total} problem(s) in {file.name}; nothing was imported.",
            [str(issue) for issue in error.issues],
        )
        raise typer.Exit(1) from None
    verb = "Would add" if dry_run else "Added"
    say(f"{verb} {result.goals} goals and {result.links} links for {the_team.name}.")


@goals_app.command("check-in")
def goals_check_in(
    goal_id: Annotated[int, typer.Argument(help="The goal's id (see `accord goals list`).")],
    org: Org,
    value: Annotated[str, typer.Option(help="The metric's value.")],
    confidence: Annotated[str, typer.Option(help="on_track, at_risk or off_track.")],
    note: Annotated[str, typer.Option(help="Needed when at risk or off track.")] = "",
    date: Annotated[str, typer.Option(help="YYYY-MM-DD; today if left out.")] = "",
) -> None:
    """Record a check-in on a goal's metric."""
    organisation = start(org)
    from accord.goals import rules, services

    goal = _goal(organisation, goal_id)
    try:
        number = rules.parse_number(value)
    except ValueError as error:
        raise fail(f"--value: this {error}.") from None
    try:
        recorded_on = dt.date.fromisoformat(date) if date else None
    except ValueError:
        raise fail(f"--date: {date!r} is not a date; write it as 2026-06-30.") from None
    try:
        services.record_check_in(
            goal=goal, actor=None, via=VIA, value=number, confidence=confidence, note=note,
            recorded_on=recorded_on,
        )  # fmt: skip
    except services.GoalsError as error:
        option = {"recorded_on": "date"}.get(error.field or "value", error.field or "value")
        raise fail(f"--{option.replace('_', '-')}: {error}") from None
    say(f"Checked in on “{goal.title}”.")


@goals_app.command("link")
def goals_link(
    from_goal: Annotated[int, typer.Argument(help="Id of the goal the link starts from.")],
    to_goal: Annotated[int, typer.Argument(help="Id of the other goal.")],
    org: Org,
    kind: Annotated[str, typer.Option(help="serves, supports, conflicts or depends.")],
    note: Annotated[str, typer.Option(help="How the goals affect each other.")] = "",
) -> None:
    """Link two goals: one serves a goal above it, or a sideways link between peers."""
    organisation = start(org)
    from accord.goals import services

    first = _goal(organisation, from_goal, "FROM_GOAL")
    second = _goal(organisation, to_goal, "TO_GOAL")
    try:
        if kind == "serves":
            services.add_contribution(goal=first, serves=second, note=note, actor=None, via=VIA)
        else:
            services.declare_link(
                from_goal=first, to_goal=second, kind=kind, note=note, actor=None, via=VIA
            )
    except services.GoalsError as error:
        raise fail(f"--{error.field or 'kind'}: {error}" if error.field in ("kind", "note")
                    else str(error)) from None  # fmt: skip
    say(f"Linked “{first.title}” to “{second.title}” ({kind}).")


def _link(organisation: Organisation, link_id: int) -> GoalLink:
    from accord.goals.models import GoalLink

    return in_organisation_or_exit(
        GoalLink, organisation, link_id, option="LINK_ID", noun="goal link"
    )


@goals_app.command("unlink")
def goals_unlink(
    link_id: Annotated[int, typer.Argument(help="Id of the sideways link to withdraw.")],
    org: Org,
) -> None:
    """Withdraw a sideways link; the other goal's owner is emailed."""
    organisation = start(org)
    from accord.goals import services

    link = _link(organisation, link_id)
    services.withdraw_link(link=link, actor=None, via=VIA)
    say(f"Withdrew the link {link_id}.")


@goals_app.command("resolve")
def goals_resolve(
    link_id: Annotated[int, typer.Argument(help="Id of the conflict.")],
    org: Org,
    resolution: Annotated[str, typer.Option(help="resolved, escalated or open.")],
    note: Annotated[str, typer.Option(help="How it was settled.")] = "",
) -> None:
    """Mark a conflict between two goals resolved, escalated, or open again."""
    organisation = start(org)
    from accord.goals import services

    link = _link(organisation, link_id)
    value = "" if resolution == "open" else resolution
    try:
        services.resolve_link(link=link, resolution=value, note=note, actor=None, via=VIA)
    except services.GoalsError as error:
        option = {"resolution_note": "note"}.get(error.field or "", error.field or "resolution")
        raise fail(f"--{option}: {error}") from None
    say(f"Marked the link {link_id} {resolution}.")


TEAM_OPTIONS = {"name": "NAME", "members": "--member", "conversation_window_days": "--window-days"}


@team_app.command("list")
def team_list(org: Org) -> None:
    """The organisation's leadership teams."""
    organisation = start(org)
    from django.db.models import Count

    from accord.goals.models import Team

    table = Table(title=f"Leadership teams in {organisation.name}")
    for column in ("id", "team", "leader", "members", "weights shared"):
        table.add_column(column)
    teams = Team.objects.filter(organisation=organisation).select_related("leader")
    for team in teams.annotate(size=Count("members")):
        table.add_row(str(team.pk), team.name, team.leader.name, str(team.size),
                      "yes" if team.share_incentive_weights else "no")  # fmt: skip
    say(table)


@team_app.command("create")
def team_create(
    name: Annotated[str, typer.Argument(help="e.g. 'Executive team'.")],
    org: Org,
    leader: Annotated[str, typer.Option(help="The leader's HR id.")],
    member: Annotated[list[str] | None, typer.Option(help="A member's HR id; repeat it.")] = None,
    share_weights: Annotated[
        bool, typer.Option(help="Members see each other's incentive weights.")
    ] = False,
    window_days: Annotated[
        int, typer.Option(min=1, max=730, help="Conversations count for this many days.")
    ] = 90,
) -> None:
    """Create a leadership team (the leader is a member too)."""
    organisation = start(org)
    from accord.goals import services
    from accord.org.models import Person

    def find(hr_id: str, option: str) -> Person:
        person = Person.objects.filter(organisation=organisation, external_id=hr_id).first()
        if person is None:
            raise fail(f"{option}: no person with HR id {hr_id!r} in {org!r}.")
        return person

    try:
        team = services.create_team(
            organisation=organisation, actor=None, via=VIA, name=name,
            leader=find(leader, "--leader"), members=[find(m, "--member") for m in member or []],
            share_incentive_weights=share_weights, conversation_window_days=window_days,
        )  # fmt: skip
    except services.GoalsError as error:
        raise fail(f"{TEAM_OPTIONS.get(error.field or '', 'NAME')}: {error}") from None
    say(f"Created the team {team.name} (id {team.pk}).")


@team_app.command("update")
def team_update(
    team_id: Annotated[int, typer.Argument(help="The team's id (see `accord team list`).")],
    org: Org,
    name: Annotated[str | None, typer.Option(help="A new name.")] = None,
    add_member: Annotated[
        list[str] | None, typer.Option(help="HR id of someone to add; repeat it.")
    ] = None,
    remove_member: Annotated[
        list[str] | None, typer.Option(help="HR id of a member to take off; repeat it.")
    ] = None,
    share_weights: Annotated[
        bool | None,
        typer.Option(
            "--share-weights/--no-share-weights",
            help="Whether members see each other's incentive weights.",
        ),
    ] = None,
    window_days: Annotated[
        int | None, typer.Option(min=1, max=730, help="Conversations count for this many days.")
    ] = None,
) -> None:
    """Rename a team, add or remove members (the leader stays), or change its settings."""
    organisation = start(org)
    from accord.goals import services
    from accord.org.models import Person

    team = _team(organisation, team_id)
    members = {p.external_id: p for p in team.members.all()}

    def find(hr_id: str, option: str) -> Person:
        person = Person.objects.filter(organisation=organisation, external_id=hr_id).first()
        if person is None:
            raise fail(f"{option}: no person with HR id {hr_id!r} in {org!r}.")
        return person

    for hr_id in add_member or []:
        members[hr_id] = find(hr_id, "--add-member")
    for hr_id in remove_member or []:
        if hr_id == team.leader.external_id:
            raise fail(f"--remove-member: {hr_id} leads the team and stays in it.")
        if members.pop(hr_id, None) is None:
            raise fail(f"--remove-member: {hr_id!r} is not a member of {team.name}.")
    try:
        services.update_team(
            team=team, actor=None, via=VIA, name=name,
            members=list(members.values()) if add_member or remove_member else None,
            share_incentive_weights=share_weights, conversation_window_days=window_days,
        )  # fmt: skip
    except services.GoalsError as error:
        option = {"name": "--name", "members": "--add-member"}.get(error.field or "", "--name")
        option = "--window-days" if error.field == "conversation_window_days" else option
        raise fail(f"{option}: {error}") from None
    say(f"Saved the team {team.name} (id {team.pk}).")


@team_app.command("map")
def team_map(
    team_id: Annotated[int, typer.Argument(help="The team's id (see `accord team list`).")],
    org: Org,
    period: Annotated[str, typer.Option(help="Goals of this period; the latest if left out.")] = "",
    days: Annotated[
        int | None, typer.Option(min=1, max=730, help="Conversations count for this many days.")
    ] = None,
) -> None:
    """The team's alignment map as a table: every pair and its state, and the headline figures."""
    organisation = start(org)
    from accord.goals.selectors import STATE_LABELS, alignment_map, team_members

    team = _team(organisation, team_id)
    alignment = alignment_map(
        team_members(team), period=period, window_days=days or team.conversation_window_days,
        team=team,
    )  # fmt: skip
    table = Table(title=f"Alignment map: {team.name}, {alignment.period or 'no goals yet'}")
    for column in ("pair", "state", "last conversation", "open"):
        table.add_column(column)
    for pair in alignment.pairs:
        table.add_row(
            f"{pair.a.name} and {pair.b.name}", STATE_LABELS[pair.state],
            f"{pair.last_conversation:%Y-%m-%d}" if pair.last_conversation else "none",
            "; ".join(str(link) for link in pair.unresolved) or "—",
        )  # fmt: skip
    say(table)
    share = "—" if alignment.aligned_share is None else f"{alignment.aligned_share}%"
    say(
        f"Pairs aligned: {share} ({alignment.aligned} of {len(alignment.pairs)}) · "
        f"open conflicts: {alignment.open_conflicts} · goals not linked upward: "
        f"{len(alignment.not_linked_up)} · members whose goals nobody else has seen: "
        f"{len(alignment.unseen)}"
    )


def _conversation(organisation: Organisation, conversation_id: int) -> Conversation:
    from accord.goals.models import Conversation

    return in_organisation_or_exit(
        Conversation, organisation, conversation_id, option="CONVERSATION_ID", noun="conversation"
    )


@conversation_app.command("list")
def conversation_list(
    org: Org,
    person: Annotated[str, typer.Option(help="Only this person's conversations (HR id).")] = "",
) -> None:
    """Alignment conversations, newest first, with their commitments."""
    organisation = start(org)
    from django.db.models import Q
    from django.utils import timezone

    from accord.goals.models import Conversation
    from accord.org.models import Person

    found = Conversation.objects.filter(organisation=organisation).select_related(
        "person_a", "person_b"
    )
    if person:
        who = Person.objects.filter(organisation=organisation, external_id=person).first()
        if who is None:
            raise fail(f"--person: no person with HR id {person!r} in {org!r}.")
        found = found.filter(Q(person_a=who) | Q(person_b=who))
    table = Table(title=f"Alignment conversations in {organisation.name}")
    for column in ("id", "people", "when", "status", "commitments done"):
        table.add_column(column)
    for c in found.prefetch_related("commitments")[:500]:
        commitments = list(c.commitments.all())
        table.add_row(
            str(c.pk), f"{c.person_a.name} and {c.person_b.name}",
            f"{timezone.localtime(c.starts_at):%Y-%m-%d %H:%M}", c.get_status_display(),
            f"{sum(1 for x in commitments if x.is_done)} of {len(commitments)}"
            if commitments else "—",
        )  # fmt: skip
    say(table)


@conversation_app.command("reschedule")
def conversation_reschedule(
    conversation_id: Annotated[int, typer.Argument(help="The conversation's id.")],
    org: Org,
    at: Annotated[
        str, typer.Option(help="The new start, in the organisation's time zone: 2026-06-30T10:00.")
    ],
    duration: Annotated[
        int | None, typer.Option(min=5, max=480, help="Minutes; unchanged if left out.")
    ] = None,
    location: Annotated[str | None, typer.Option(help="Unchanged if left out.")] = None,
) -> None:
    """Move a conversation: both people are emailed the updated calendar invitation."""
    organisation = start(org)
    import zoneinfo

    from accord.goals import services

    conversation = _conversation(organisation, conversation_id)
    try:
        local = dt.datetime.fromisoformat(at)
    except ValueError:
        raise fail(f"--at: {at!r} is not a date and time; write it as 2026-06-30T10:00.") from None
    if local.tzinfo is None:
        try:
            local = local.replace(tzinfo=zoneinfo.ZoneInfo(organisation.time_zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise fail(f"--at: give the time zone, such as {at}-05:00.") from None
    try:
        services.reschedule_conversation(
            conversation=conversation, actor=None, via=VIA, starts_at=local,
            duration_minutes=duration, location=location,
        )  # fmt: skip
    except services.GoalsError as error:
        option = {"starts_at": "--at", "duration_minutes": "--duration",
                  "location": "--location"}.get(error.field or "", "CONVERSATION_ID")  # fmt: skip
        raise fail(f"{option}: {error}") from None
    say(f"Moved the conversation {conversation_id}; both people are being emailed.")


@conversation_app.command("cancel")
def conversation_cancel(
    conversation_id: Annotated[int, typer.Argument(help="The conversation's id.")],
    org: Org,
    note: Annotated[str, typer.Option(help="Why; sent to both people.")] = "",
) -> None:
    """Cancel a conversation: both people are emailed a calendar cancellation."""
    organisation = start(org)
    from accord.goals import services

    conversation = _conversation(organisation, conversation_id)
    try:
        services.cancel_conversation(conversation=conversation, actor=None, via=VIA, note=note)
    except services.GoalsError as error:
        raise fail(f"{'--note' if error.field == 'note' else 'CONVERSATION_ID'}: {error}") from None
    say(f"Cancelled the conversation {conversation_id}; both people are being emailed.")


@conversation_app.command("done")
def conversation_done(
    commitment_id: Annotated[int, typer.Argument(help="The commitment's id.")],
    org: Org,
    undo: Annotated[bool, typer.Option(help="Mark it not done after all.")] = False,
) -> None:
    """Mark a commitment made in a conversation done."""
    organisation = start(org)
    from accord.goals import services
    from accord.goals.models import Commitment

    commitment = in_organisation_or_exit(
        Commitment, organisation, commitment_id, option="COMMITMENT_ID", noun="commitment",
        through="conversation__organisation",
    )  # fmt: skip
    services.mark_commitment(commitment=commitment, done=not undo, actor=None, via=VIA)
    say(f"Marked “{commitment.text}” {'not done' if undo else 'done'}.")
