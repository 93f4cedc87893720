"""Who may read and change a charter: this app's part of the permission model.

* The team — the charter's current members and its facilitator — reads everything the team
  shares: drafts, endorsements and comments, the values pooled over three members, the norm
  ratings pooled over three, the history. Members answer the values prompts and revisits,
  and endorse or comment.
* The facilitator drafts, proposes, opens and closes revisits, changes the cadence and the
  adoption rule, keeps a named group's members, and may hand the charter to someone else.
* Those who oversee the team — executives and program admins everywhere, leaders over the
  unit a charter is for — read the charter in force and where it stands, never a draft, a
  comment or a pooled answer. A program admin may hand a charter to a new facilitator.
* A charter is started by whoever leads the team: a leader over the unit, the leadership
  team's leader, an executive or a program admin; anyone who leads may start one for a
  named group.

Nobody, facilitator and admins included, reads who wrote a values answer or gave a rating:
those rows carry no person (see ``models``).

The ``*_to_*`` methods fetch and check in one call: the charter, a 404 for an id the viewer
may not read, or :class:`~accord.access.scopes.NotAllowed` with the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q, QuerySet
from django.http import Http404

from accord.access.models import Role
from accord.access.scopes import CapabilityScope, NotAllowed
from accord.charters.models import Charter, CharterMember, TeamKind
from accord.goals.models import Team
from accord.goals.visibility import GoalScope
from accord.org.models import Person, Unit

LARGEST_ID = 2**63
NO_PERSON = (
    "Your login is not linked to a person in the org chart, so you are on no team's charter. "
    "A program admin can link it."
)


@dataclass(frozen=True)
class CharterScope(CapabilityScope):
    @property
    def is_admin(self) -> bool:
        return self.scope.role == Role.ADMIN

    @property
    def oversees_all(self) -> bool:
        return self.scope.role in (Role.ADMIN, Role.EXECUTIVE)

    def me(self) -> Person:
        if self.person is None:
            raise NotAllowed(NO_PERSON)
        return self.person

    @cached_property
    def _led_units(self) -> QuerySet[Unit]:
        paths = self.scope.led_unit_paths
        units = Unit.objects.filter(organisation=self.organisation)
        if not paths:
            return units.none()
        where = Q()
        for path in paths:
            where |= Q(path__startswith=path)
        return units.filter(where)

    def _charters(self) -> QuerySet[Charter]:
        return Charter.objects.filter(organisation=self.organisation).select_related(
            "unit", "team", "facilitator"
        )

    def on_team_of(self) -> QuerySet[Charter]:
        """The charters of the teams the viewer is on, or facilitates."""
        person = self.person
        if person is None or self.scope.is_coach:
            return Charter.objects.none()
        member_of = CharterMember.objects.filter(person=person, left_at__isnull=True).values(
            "charter_id"
        )
        return self._charters().filter(Q(pk__in=member_of) | Q(facilitator=person))

    def readable(self) -> QuerySet[Charter]:
        if self.scope.is_coach:
            return Charter.objects.none()
        if self.oversees_all:
            return self._charters()
        return self._charters().filter(
            Q(pk__in=self.on_team_of().values("pk")) | Q(unit__in=self._led_units)
        )

    def _fetch(self, charter_id: int) -> Charter:
        if not 0 < charter_id < LARGEST_ID:
            raise Http404
        charter = self.readable().filter(pk=charter_id).first()
        if charter is None:
            raise Http404
        return charter

    # --- what the viewer is to the charter ------------------------------------------------

    def is_facilitator(self, charter: Charter) -> bool:
        return self.person is not None and charter.facilitator_id == self.person.pk

    def is_member(self, charter: Charter) -> bool:
        person = self.person
        return (
            person is not None
            and CharterMember.objects.filter(
                charter=charter, person=person, left_at__isnull=True
            ).exists()
        )

    def is_on_team(self, charter: Charter) -> bool:
        return self.is_facilitator(charter) or self.is_member(charter)

    # --- fetch and check ------------------------------------------------------------------

    def charter_of(self, charter_id: int) -> Charter:
        """The charter in force and where it stands: the team and those who oversee it."""
        return self._fetch(charter_id)

    def team_charter(self, charter_id: int) -> Charter:
        """What the team shares with itself: drafts, comments, pooled answers, history."""
        charter = self._fetch(charter_id)
        if not self.is_on_team(charter):
            raise NotAllowed("Drafts, comments and pooled answers are the team's own.")
        return charter

    def charter_to_answer(self, charter_id: int) -> Charter:
        """The values prompts, endorsing and revisits: the team's members."""
        charter = self._fetch(charter_id)
        if not self.is_member(charter):
            raise NotAllowed("Only the team's members answer and endorse its charter.")
        return charter

    def charter_to_facilitate(self, charter_id: int) -> Charter:
        charter = self._fetch(charter_id)
        if not self.is_facilitator(charter):
            raise NotAllowed(f"{charter.facilitator.name} facilitates this charter.")
        return charter

    def charter_settings_of(self, charter_id: int) -> Charter:
        """The team's members and the charter's settings: the team, and program admins."""
        charter = self._fetch(charter_id)
        if not (self.is_on_team(charter) or self.is_admin):
            raise NotAllowed("A charter's team and settings are the team's own.")
        return charter

    def charter_to_hand_over(self, charter_id: int) -> Charter:
        charter = self._fetch(charter_id)
        if not (self.is_facilitator(charter) or self.is_admin):
            raise NotAllowed("The facilitator, or a program admin, hands a charter over.")
        return charter

    # --- starting ---------------------------------------------------------------------------

    @property
    def may_start(self) -> bool:
        if self.scope.is_coach or self.person is None:
            return False
        return self.oversees_all or (self.scope.role == Role.LEADER and self.person.is_leader)

    def units_to_charter(self) -> QuerySet[Unit]:
        if not self.may_start:
            return Unit.objects.none()
        if self.oversees_all:
            return Unit.objects.filter(organisation=self.organisation)
        return self._led_units

    def teams_to_charter(self) -> QuerySet[Team]:
        if not self.may_start:
            return Team.objects.none()
        teams = Team.objects.filter(organisation=self.organisation)
        if self.oversees_all:
            return teams
        return teams.filter(leader=self.person)

    def require_start(self, kind: str, unit: Unit | None, team: Team | None) -> None:
        if not self.may_start:
            raise NotAllowed("Whoever leads a team starts its charter: a leader, an executive "
                             "or a program admin.")  # fmt: skip
        if kind == TeamKind.UNIT and not self.units_to_charter().filter(pk=getattr(unit, "pk", 0)):
            raise NotAllowed("You may start a charter for the units you lead.")
        if kind == TeamKind.LEADERSHIP_TEAM and not self.teams_to_charter().filter(
            pk=getattr(team, "pk", 0)
        ):
            raise NotAllowed("The team's leader starts its charter.")

    def goal_scope(self) -> GoalScope:
        return GoalScope(self.scope)
