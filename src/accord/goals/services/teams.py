"""Leadership teams: a leader and members who see each other's goals, so a leader puts in
only people in their own scope; a program admin (or the command line) anyone."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction

from accord.access.models import User
from accord.access.scopes import Scope
from accord.goals.errors import GoalsError, checked_text
from accord.goals.models import Team, TeamMember
from accord.goals.services.audit import audit
from accord.org.models import Organisation, Person

MAX_TEAM_SIZE = 60


def _check_team_fields(
    organisation: Organisation,
    name: str,
    leader: Person,
    members: Sequence[Person],
    window: int,
    *,
    joining: Sequence[Person],
) -> None:
    """``joining``: the people new to the team, who must be active; someone who has since
    left the org chart does not stop the rest of the team from being changed."""
    if not name:
        raise GoalsError("Give the team a name.", field="name")
    if len(name) > 200:
        raise GoalsError("A team name can be at most 200 characters.", field="name")
    if "\x00" in name:
        raise GoalsError("A team name cannot contain NUL characters.", field="name")
    if leader.organisation_id != organisation.pk or any(
        m.organisation_id != organisation.pk for m in members
    ):
        raise GoalsError("Everyone in a team must belong to this organisation.", field="members")
    inactive = [p.name for p in joining if not p.is_active]
    if inactive:
        raise GoalsError(f"Not active in the org chart: {', '.join(inactive)}.", field="members")
    if len({leader.pk, *(m.pk for m in members)}) > MAX_TEAM_SIZE:
        raise GoalsError(f"A leadership team has at most {MAX_TEAM_SIZE} members.", field="members")
    if not 1 <= window <= 730:
        raise GoalsError(
            "Look back between 1 and 730 days for conversations.",
            field="conversation_window_days",
        )


def allowed_in_team(scope: Scope | None, people: Iterable[Person]) -> set[int]:
    """Ids of ``people`` this viewer may put in a team: a leader only people in their own
    scope (members see each other's goals); a program admin, or the command line
    (``scope=None``), anyone in the organisation."""
    people = list(people)
    if scope is None or scope.is_admin:
        return {p.pk for p in people}
    return set(scope.people().filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True))


def _check_may_add(scope: Scope | None, people: Iterable[Person]) -> None:
    people = list(people)
    allowed = allowed_in_team(scope, people)
    refused = [p for p in people if p.pk not in allowed]
    if refused:
        # Only the HR ids the viewer already has: nothing more about people outside their scope.
        ids = ", ".join(sorted(p.external_id for p in refused))
        raise GoalsError(
            f"You can only add people in your part of the organisation to a team: not HR id "
            f"{ids}. Ask a program admin to add them.",
            field="members",
        )


@transaction.atomic
def create_team(
    *,
    organisation: Organisation,
    actor: User | None,
    via: str = "",
    scope: Scope | None = None,
    name: str,
    leader: Person,
    members: Iterable[Person] = (),
    purpose: str = "",
    share_incentive_weights: bool = False,
    conversation_window_days: int = 90,
) -> Team:
    """A leadership team; the leader is a member too."""
    name = checked_text(name, "name")
    purpose = checked_text(purpose, "purpose", multiline=True)
    members = list(members)
    _check_team_fields(organisation, name, leader, members, conversation_window_days,
                       joining=[leader, *members])  # fmt: skip
    _check_may_add(scope, [leader, *members])
    if Team.objects.filter(organisation=organisation, name__iexact=name).exists():
        raise GoalsError(f"There is already a team called {name!r}.", field="name")
    try:
        with transaction.atomic():
            team = Team.objects.create(
                organisation=organisation, name=name, leader=leader, purpose=purpose,
                share_incentive_weights=share_incentive_weights,
                conversation_window_days=conversation_window_days,
            )  # fmt: skip
    except IntegrityError:
        # Created under the same name by someone else a moment ago.
        raise GoalsError(f"There is already a team called {name!r}.", field="name") from None
    people = {leader.pk: leader, **{m.pk: m for m in members}}
    TeamMember.objects.bulk_create(TeamMember(team=team, person=p) for p in people.values())
    audit(
        organisation=organisation, actor=actor, via=via, action="team.create", target=team,
        summary=f"Created the team {name} led by {leader.name}",
        changes={"leader": leader, "members": sorted(p.name for p in people.values()),
                 "share_incentive_weights": share_incentive_weights,
                 "conversation_window_days": conversation_window_days},
    )  # fmt: skip
    return team


@transaction.atomic
def update_team(
    *,
    team: Team,
    actor: User | None,
    via: str = "",
    scope: Scope | None = None,
    name: str | None = None,
    members: Iterable[Person] | None = None,
    purpose: str | None = None,
    share_incentive_weights: bool | None = None,
    conversation_window_days: int | None = None,
) -> Team:
    """Rename a team, change its members (the leader stays) or its settings."""
    before = {
        "name": team.name,
        "purpose": team.purpose,
        "share_incentive_weights": team.share_incentive_weights,
        "conversation_window_days": team.conversation_window_days,
        "members": sorted(team.members.values_list("name", flat=True)),
    }
    new_name = team.name if name is None else checked_text(name, "name")
    new_members = list(team.members.all()) if members is None else list(members)
    window = (
        team.conversation_window_days
        if conversation_window_days is None
        else conversation_window_days
    )
    present_ids = set(team.members.values_list("pk", flat=True))
    joining = [m for m in new_members if m.pk not in present_ids]
    _check_team_fields(team.organisation, new_name, team.leader, new_members, window,
                       joining=joining)  # fmt: skip
    _check_may_add(scope, joining)
    clash = Team.objects.filter(organisation=team.organisation, name__iexact=new_name)
    if clash.exclude(pk=team.pk).exists():
        raise GoalsError(f"There is already a team called {new_name!r}.", field="name")
    team.name = new_name
    team.conversation_window_days = window
    if purpose is not None:
        team.purpose = checked_text(purpose, "purpose", multiline=True)
    if share_incentive_weights is not None:
        team.share_incentive_weights = share_incentive_weights
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError:
        team.refresh_from_db()
        raise GoalsError(f"There is already a team called {new_name!r}.", field="name") from None
    if members is not None:
        wanted = {team.leader_id, *(m.pk for m in new_members)}
        TeamMember.objects.filter(team=team).exclude(person_id__in=wanted).delete()
        present = set(TeamMember.objects.filter(team=team).values_list("person_id", flat=True))
        TeamMember.objects.bulk_create(
            TeamMember(team=team, person_id=pk) for pk in wanted - present
        )
    after = {
        "name": team.name,
        "purpose": team.purpose,
        "share_incentive_weights": team.share_incentive_weights,
        "conversation_window_days": team.conversation_window_days,
        "members": sorted(team.members.values_list("name", flat=True)),
    }
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        audit(
            organisation=team.organisation, actor=actor, via=via, action="team.update",
            target=team, summary=f"Changed {', '.join(sorted(changes))} of the team {team.name}",
            changes=changes,
        )  # fmt: skip
    return team
