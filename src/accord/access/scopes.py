"""The one place that decides what a signed-in person may see and do.

Every selector, view and API handler asks for a :class:`Scope` and reads through
it. Roles, widest first:

* program admin — everything in the organisation, and may change it;
* executive — the whole organisation, read only;
* leader — the subtree of the units they lead (a person flagged as leader leads
  the unit they belong to) plus everyone in their reporting line, but never the
  people they themselves report to; a leader whose person record is inactive
  keeps only their own record;
* member — their own person record and unit;
* coach — nothing of the organisation: only the 360s they coach, through the leadership
  app's pages and API (``with_scope`` and the API refuse a coach everything else).

A membership with no person record sees no units and no people (admins and
executives excepted). Counts shown to a viewer are counts of people in their
scope, so a number never reveals someone the viewer could not see.

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

COACH_ONLY = "A coach sees only the 360s of the leaders they coach."


class NotAllowed(PermissionDenied):
    """The viewer may see the thing but not do this with it; the message says who may.

    Raised by a scope's fetch-and-check methods (``gscope.goal_to_edit(goal_id)``): a page
    answers 403 as for any ``PermissionDenied``, the API a 403 carrying the message. An id the
    viewer may not even see is a 404 instead, so a refusal never reveals that it exists."""


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
    def _active_person(self) -> Person | None:
        """The viewer's person record while it is active; a former employee leads nothing."""
        person = self.person
        return person if person is not None and person.is_active else None

    def require_not_coach(self) -> None:
        if self.is_coach:
            raise NotAllowed(COACH_ONLY)

    @cached_property
    def led_unit_paths(self) -> tuple[str, ...]:
        """Paths of the subtrees this leader leads (empty for other roles)."""
        person = self._active_person
        if self.role != Role.LEADER or person is None or not person.is_leader:
            return ()
        return (person.unit.path,)

    @property
    def sees_survey_results(self) -> bool:
        """Released survey results: the whole organisation for executives and admins, the
        subtree they lead for leaders (never their reports' other units); members none."""
        return self.sees_whole_organisation or bool(self.led_unit_paths)

    def _reporting_line(self) -> Q:
        """Everyone who reports to the viewer, directly or through others (leaders only)."""
        person = self._active_person
        if self.role != Role.LEADER or person is None:
            return Q(pk__in=[])
        return Q(reporting_path__startswith=person.reports_prefix)

    def _managers(self) -> tuple[int, ...]:
        """The people the viewer reports to: a leader who shares a unit with their boss
        leads that unit, but never the people above them."""
        person = self.person
        return () if person is None else person.manager_ids

    @property
    def is_coach(self) -> bool:
        return self.role == Role.COACH

    def units(self) -> QuerySet[Unit]:
        base = Unit.objects.filter(organisation=self.organisation)
        if self.sees_whole_organisation:
            return base
        person = self.person
        if person is None or self.is_coach:
            return base.none()
        own_unit = Q(pk=person.unit_id)
        if self.role != Role.LEADER:
            return base.filter(own_unit)
        in_led_subtree = Q(pk__in=[])
        for path in self.led_unit_paths:
            in_led_subtree |= Q(path__startswith=path)
        # Only current reports bring their unit into view: a unit someone once worked in
        # is none of the leader's business.
        reports_units = Person.objects.filter(
            self._reporting_line(), organisation=self.organisation, is_active=True
        ).values("unit_id")
        return base.filter(in_led_subtree | own_unit | Q(pk__in=reports_units))

    def people(self) -> QuerySet[Person]:
        base = Person.objects.filter(organisation=self.organisation)
        if self.sees_whole_organisation:
            return base
        person = self.person
        if person is None or self.is_coach:
            return base.none()
        themselves = Q(pk=person.pk)
        if self.role != Role.LEADER:
            return base.filter(themselves)
        # A subquery on the (small) unit table rather than a join: SQLite cannot use the path
        # index through a join, and would scan every person in the organisation.
        in_led_subtree = Q(pk__in=[])
        for path in self.led_unit_paths:
            in_led_subtree |= Q(
                unit__in=Unit.objects.filter(organisation=self.organisation, path__startswith=path)
            )
        below = (in_led_subtree | self._reporting_line()) & ~Q(pk__in=self._managers())
        return base.filter(themselves | below)

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


@dataclass(frozen=True)
class CapabilityScope:
    """Where a capability's own scope starts (``ActionScope``, ``ExpectationScope``): the
    viewer's ``Scope``, their organisation and login, and their person record while active."""

    scope: Scope

    @property
    def organisation(self) -> Organisation:
        return self.scope.organisation

    @property
    def user(self) -> User:
        return self.scope.membership.user

    @cached_property
    def person(self) -> Person | None:
        person = self.scope.person
        return person if person is not None and person.is_active else None
