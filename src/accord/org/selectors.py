"""Read-side queries on the organisation model. Each takes the viewer's Scope."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accord.access.scopes import Scope
from accord.org.models import OrgImport, Person, Unit


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    headcount: int  # active people in the whole subtree
    direct_headcount: int  # active people attached to this unit itself


def visible_units(scope: Scope) -> QuerySet[Unit]:
    return scope.units().select_related("kind")


def visible_people(
    scope: Scope,
    *,
    search: str = "",
    unit: Unit | None = None,
    include_inactive: bool = False,
) -> QuerySet[Person]:
    people = scope.people().select_related("unit", "profession", "manager")
    if not include_inactive:
        people = people.filter(is_active=True)
    if unit is not None:
        people = people.filter(unit__path__startswith=unit.path)
    if search:
        people = people.filter(
            Q(name__icontains=search) | Q(external_id__iexact=search) | Q(email__iexact=search)
        )
    return people.order_by("name", "pk")


def get_unit(scope: Scope, unit_id: int) -> Unit:
    unit = visible_units(scope).filter(pk=unit_id).first()
    if unit is None:
        raise Http404("No such unit.")
    return unit


def get_person(scope: Scope, person_id: int) -> Person:
    person = (
        scope.people()
        .select_related("unit", "profession", "manager", "organisation")
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        raise Http404("No such person.")
    return person


def unit_tree(
    scope: Scope, *, root: Unit | None = None, max_depth: int | None = None
) -> list[UnitRow]:
    """Visible units in tree order with subtree headcounts: two queries whatever the size."""
    units = visible_units(scope)
    if root is not None:
        units = units.filter(path__startswith=root.path)
    if max_depth is not None:
        units = units.filter(depth__lte=max_depth)
    unit_list = list(units.order_by("path"))
    direct: Counter[int] = Counter(
        dict(
            Person.objects.filter(organisation=scope.organisation, is_active=True)
            .values_list("unit_id")
            .annotate(n=Count("id"))
            .values_list("unit_id", "n")
        )
    )
    # Roll direct counts up along each unit's path: every unit adds itself to its ancestors.
    subtree: Counter[int] = Counter()
    all_paths = Unit.objects.filter(organisation=scope.organisation).values_list("pk", "path")
    for pk, path in all_paths:
        count = direct.get(pk, 0)
        if count:
            for ancestor in path.strip("/").split("/"):
                subtree[int(ancestor)] += count
    return [UnitRow(unit, subtree.get(unit.pk, 0), direct.get(unit.pk, 0)) for unit in unit_list]


def unit_ancestors(unit: Unit) -> list[Unit]:
    ids = [int(pk) for pk in unit.path.strip("/").split("/")[:-1]]
    by_id = Unit.objects.in_bulk(ids)
    return [by_id[pk] for pk in ids if pk in by_id]


def organisation_counts(scope: Scope) -> dict[str, int]:
    people = scope.people().filter(is_active=True)
    return {
        "units": scope.units().count(),
        "people": people.count(),
        "leaders": people.filter(is_leader=True).count(),
    }


def recent_imports(scope: Scope) -> QuerySet[OrgImport]:
    scope.require_admin()
    return OrgImport.objects.filter(organisation=scope.organisation).defer("content")[:10]


def get_import(scope: Scope, import_id: int) -> OrgImport:
    scope.require_admin()
    org_import = OrgImport.objects.filter(organisation=scope.organisation, pk=import_id).first()
    if org_import is None:
        raise Http404("No such upload.")
    return org_import
