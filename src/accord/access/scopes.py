"""The one place that decides what a signed-in person may see and do.

Every selector, view and API handler asks for a :class:`Scope` and reads through
it. Roles, widest first:

* program admin — everything in the organisation, and may change it;
* executive — the whole organisation, read only;
* leader — the subtree of the units they lead (a person flagged as leader leads
  the unit they belong to) plus everyone in their reporting line;
* member — their own person record and unit.

A user with no membership in an organisation gets a 404 for everything in it,
so another organisation's slug, unit or person ids reveal nothing. Individual
survey answers are outside every scope: later capabilities release results only
for groups, through their own anonymity rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accord.access.models import Membership, Role, User
from accord.org.models import Organisation, Person, Unit


@dataclass(frozen=True)
class Scope:
    membership: Membership

    @property
    def organisation(self) -> Organisation:
        return self.membership.organisation

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def person(self) -> Person | None:
        return self.membership.person

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def sees_whole_organisation(self) -> bool:
        return self.role in (Role.ADMIN, Role.EXECUTIVE)

    @cached_property
    def led_unit_paths(self) -> tuple[str, ...]:
        """Paths of the subtrees this leader leads (empty for other roles)."""
        person = self.person
        if self.role != Role.LEADER or person is None or not person.is_leader:
            return ()
        if not person.is_active:
            return ()
        return (person.unit.path,)

    def _reporting_line(self) -> Q:
        person = self.person
        if self.role != Role.LEADER or person is None or not person.is_active:
            return Q(pk__in=[])
        return Q(reporting_path__startswith=person.reports_prefix)

    def units(self) -> QuerySet[Unit]:
        base = Unit.objects.filter(organisation=self.organisation)
        if self.sees_whole_organisation:
            return base
        person = self.person
        if person is None:
            return base.none()
        if self.role == Role.MEMBER:
            return base.filter(pk=person.unit_id)
        in_led_subtree = Q(pk__in=[])
        for path in self.led_unit_paths:
            in_led_subtree |= Q(path__startswith=path)
        reports_units = Person.objects.filter(
            self._reporting_line(), organisation=self.organisation
        ).values("unit_id")
        return base.filter(in_led_subtree | Q(pk=person.unit_id) | Q(pk__in=reports_units))

    def people(self) -> QuerySet[Person]:
        base = Person.objects.filter(organisation=self.organisation)
        if self.sees_whole_organisation:
            return base
        person = self.person
        if person is None:
            return base.none()
        if self.role == Role.MEMBER:
            return base.filter(pk=person.pk)
        in_led_subtree = Q(pk=person.pk)
        for path in self.led_unit_paths:
            in_led_subtree |= Q(unit__path__startswith=path)
        return base.filter(in_led_subtree | self._reporting_line())

    def require_admin(self) -> None:
        if not self.is_admin:
            raise PermissionDenied("Only a program admin of this organisation can do this.")


def scope_for(user: User | AnonymousUser, organisation_slug: str) -> Scope:
    """The viewer's scope in an organisation; 404 when they have no membership there."""
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("organisation", "person__unit")
        .filter(user=user, organisation__slug=organisation_slug, user__is_active=True)
        .first()
    )
    if membership is None:
        raise Http404("No such organisation.")
    return Scope(membership)


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.select_related("organisation")
        .filter(user=user)
        .order_by("organisation__name")
    )
