"""Read-side queries on the organisation model. Each takes the viewer's Scope."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404

from accord.access.scopes import Scope
from accord.org.models import Organisation, OrgImport, Person, Unit, ids_on_path


@dataclass(frozen=True)
class UnitRow:
    unit: Unit
    # Counts of active people the viewer may see, never of everyone: a leader who sees a
    # unit only because one report works there must not learn how many others do.
    headcount: int  # in the whole subtree
    direct_headcount: int  # attached to this unit itself


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
        # A subquery, not a join: see Scope.people() for why.
        people = people.filter(
            unit__in=Unit.objects.filter(
                organisation=scope.organisation, path__startswith=unit.path
            )
        )
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
    scope: Scope, *, root: Unit | None = None, levels: int | None = None
) -> list[UnitRow]:
    """Visible units in tree order with headcounts of visible people.

    ``levels`` keeps that many levels from the top of what the viewer sees (a chair's tree
    starts at their department, an executive's at the system).
    """
    units = visible_units(scope)
    if root is not None:
        units = units.filter(path__startswith=root.path)
    if levels is not None:
        top = units.aggregate(top=Min("depth"))["top"]
        if top is not None:
            units = units.filter(depth__lt=top + levels)
    # Depth first, siblings by name: sorting the name path keeps each subtree contiguous.
    unit_list = sorted(units, key=lambda unit: unit.full_name.split("/"))
    direct: Counter[int] = Counter()
    subtree: Counter[int] = Counter()
    counts_by_unit = (
        scope.people()
        .filter(is_active=True)
        .values_list("unit_id", "unit__path")
        .annotate(n=Count("id"))
        .values_list("unit_id", "unit__path", "n")
        .order_by()
    )
    # Roll direct counts up along each unit's path: every unit adds itself to its ancestors.
    for unit_id, path, count in counts_by_unit:
        direct[unit_id] += count
        for unit_on_path in ids_on_path(path):
            subtree[unit_on_path] += count
    return [UnitRow(unit, subtree[unit.pk], direct[unit.pk]) for unit in unit_list]


def led_unit_tree(scope: Scope) -> list[UnitRow]:
    """The subtrees a leader leads, without units seen only through a report who works there."""
    return [row for row in unit_tree(scope) if row.unit.path.startswith(scope.led_unit_paths)]


@dataclass(frozen=True)
class Breadcrumb:
    unit: Unit
    can_open: bool  # whether the viewer's scope includes this unit's page


def unit_breadcrumbs(scope: Scope, unit: Unit) -> list[Breadcrumb]:
    """The units above ``unit``, from the root; the org chart's names are no secret, but only
    units in the viewer's scope are offered as links."""
    ids = unit.ancestor_ids
    by_id = Unit.objects.filter(organisation=scope.organisation).in_bulk(ids)
    openable = set(visible_units(scope).filter(pk__in=ids).values_list("pk", flat=True))
    return [Breadcrumb(by_id[pk], pk in openable) for pk in ids if pk in by_id]


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


def people_by_hr_id(
    organisation: Organisation, text: str, within: QuerySet[Person] | None = None
) -> tuple[list[Person], list[str]]:
    """People named by HR ids typed into a box (any case); and the ids that name nobody.

    ``within`` limits the search to the people the viewer may name: an HR id outside it is
    reported exactly like one that names nobody, so the box reveals nothing about them."""
    wanted = list(dict.fromkeys(part for part in re.split(r"[\s,;]+", text) if part))[:100]
    people, missing = [], []
    base = Person.objects.filter(organisation=organisation) if within is None else within
    for hr_id in wanted:
        person = base.filter(external_id__iexact=hr_id).first()
        if person is None:
            missing.append(hr_id)
        else:
            people.append(person)
    return people, missing


def people_by_key(organisation: Organisation, keys: Iterable[str]) -> dict[str, Person]:
    """The active people named by HR id or email address, keyed by the text that named them
    (trimmed); a key that names nobody is left out. Two queries, however many keys."""
    wanted = {key.strip() for key in keys if key.strip()}
    base = Person.objects.filter(organisation=organisation, is_active=True)
    by_id = {p.external_id: p for p in base.filter(external_id__in=wanted)}
    # Emails are stored in lower case (the import writes them so).
    by_email = {p.email: p for p in base.filter(email__in={key.lower() for key in wanted})}
    found = {}
    for key in wanted:
        person = by_id.get(key) or by_email.get(key.lower())
        if person is not None:
            found[key] = person
    return found
