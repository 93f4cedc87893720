"""Who may do and read what in the shadowing programme: its part of the permission model.

* A clinician (role group "clinician") with a login may host; a unit leader may invite the
  clinicians of the units they lead to host.
* An executive books visits; so does a leader or program admin whose role group is
  administrator, unless the programme's settings keep booking to executives.
* A visit is read by its visitor and its host. The host's reason for declining stays the
  host's; the visitor reads "not this time".
* A commitment made on a visit is read by the visitor, the host, its owner and the people of
  the unit visited — the unit watches what was promised about its work.
* Executives and program admins read the programme's figures; a host's rating only ever
  pooled over at least three hosts.

The ``*_of`` and ``*_to_*`` methods fetch and check in one call: the object, a 404 for an id
the viewer may not read, or :class:`~accord.access.scopes.NotAllowed` with the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q, QuerySet
from django.http import Http404

from accord.access.models import Role
from accord.access.scopes import CapabilityScope, NotAllowed
from accord.org.models import Person, RoleGroup, Unit
from accord.shadowing.models import Commitment, Host, ProgrammeSettings, Visit

LARGEST_ID = 2**63
NO_PERSON = (
    "Your login is not linked to a person in the org chart, so you cannot take part in the "
    "shadowing programme. A program admin can link it."
)


def programme_settings(organisation_id: int) -> ProgrammeSettings:
    """The organisation's settings, or the defaults when none were saved."""
    found = ProgrammeSettings.objects.filter(organisation_id=organisation_id).first()
    return found or ProgrammeSettings(organisation_id=organisation_id)


@dataclass(frozen=True)
class ShadowingScope(CapabilityScope):
    def me(self) -> Person:
        if self.person is None:
            raise NotAllowed(NO_PERSON)
        return self.person

    @cached_property
    def settings(self) -> ProgrammeSettings:
        return programme_settings(self.organisation.pk)

    @property
    def may_host(self) -> bool:
        return self.person is not None and self.person.role_group == RoleGroup.CLINICIAN

    @property
    def may_book(self) -> bool:
        person = self.person
        if person is None:
            return False
        if self.scope.role == Role.EXECUTIVE:
            return True
        return (
            self.settings.leaders_may_book
            and person.role_group == RoleGroup.ADMINISTRATOR
            and (self.scope.role == Role.LEADER or person.is_leader)
        )

    @property
    def sees_programme(self) -> bool:
        return self.scope.role in (Role.EXECUTIVE, Role.ADMIN)

    def require_booking(self) -> Person:
        me = self.me()
        if not self.may_book:
            raise NotAllowed(
                "Executives book shadowing visits"
                + (
                    ", and leaders whose work is administration."
                    if self.settings.leaders_may_book
                    else "."
                )
            )
        return me

    def require_hosting(self) -> Person:
        me = self.me()
        if not self.may_host:
            raise NotAllowed("Clinicians host shadowing visits.")
        return me

    def my_host(self) -> Host | None:
        if self.person is None:
            return None
        return Host.objects.filter(person=self.person).select_related("unit").first()

    def visits(self) -> QuerySet[Visit]:
        """The visits the viewer reads: as visitor or as host."""
        if self.person is None:
            return Visit.objects.none()
        return Visit.objects.filter(organisation=self.organisation).filter(
            Q(visitor=self.person) | Q(host__person=self.person)
        )

    def visit_of(self, visit_id: int) -> Visit:
        found = (
            self.visits()
            .filter(pk=visit_id)
            .select_related("visitor", "host__person", "unit", "slot")
            .first()
            if 0 < visit_id < LARGEST_ID
            else None
        )
        if found is None:
            raise Http404("No such visit.")
        return found

    def is_visitor(self, visit: Visit) -> bool:
        return self.person is not None and visit.visitor_id == self.person.pk

    def is_host(self, visit: Visit) -> bool:
        return self.person is not None and visit.host.person_id == self.person.pk

    def visit_to_host(self, visit_id: int) -> Visit:
        visit = self.visit_of(visit_id)
        if not self.is_host(visit):
            raise NotAllowed("Only the host answers a request to shadow them.")
        return visit

    def visit_to_reflect(self, visit_id: int) -> Visit:
        visit = self.visit_of(visit_id)
        if not self.is_visitor(visit):
            raise NotAllowed("The visitor writes the reflection; the host adds their own word.")
        return visit

    def commitments(self) -> QuerySet[Commitment]:
        """Commitments the viewer reads: on their visits (either side), their own, and those
        made on visits to the unit they work in."""
        person = self.person
        if person is None:
            return Commitment.objects.none()
        return Commitment.objects.filter(visit__organisation=self.organisation).filter(
            Q(visit__visitor=person)
            | Q(visit__host__person=person)
            | Q(owner=person)
            | Q(visit__unit=person.unit_id)
        )

    def commitment_to_update(self, commitment_id: int) -> Commitment:
        """A commitment the viewer may move on: its owner's, or the visitor's who made it."""
        found = (
            self.commitments().filter(pk=commitment_id).select_related("visit", "owner").first()
            if 0 < commitment_id < LARGEST_ID
            else None
        )
        if found is None:
            raise Http404("No such commitment.")
        me = self.me()
        if me.pk not in (found.owner_id, found.visit.visitor_id):
            raise NotAllowed("Its owner, or the visitor who made it, updates a commitment.")
        return found

    def hosts_to_invite(self) -> QuerySet[Person]:
        """Clinicians a unit leader may invite to host: in the units they lead."""
        paths = self.scope.led_unit_paths
        if not paths:
            return Person.objects.none()
        within = Q(pk__in=[])
        for path in paths:
            within |= Q(path__startswith=path)
        units = Unit.objects.filter(within, organisation=self.organisation)
        return Person.objects.filter(
            organisation=self.organisation, unit__in=units, is_active=True,
            role_group=RoleGroup.CLINICIAN,
        )  # fmt: skip
