"""API routes for units and people. Every handler reads through the token's Scope."""

# No `from __future__ import annotations` here: django-ninja's @paginate re-reads the handler's
# annotations outside this module, and string annotations such as "Query[UnitFilters]" would
# then break the OpenAPI document (a 500 at /api/openapi.json).
import datetime as dt

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from accord.access.scopes import Scope
from accord.api_fields import MAX_INT64, Id, Line
from accord.org import selectors
from accord.org.models import Person, Unit

router = Router(tags=["organisation"])

MAX_PAGE_SIZE = 500


class Page(LimitOffsetPagination):
    """`limit` and `offset`; a page holds at most MAX_PAGE_SIZE rows (asking for more is a 422)."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=MAX_PAGE_SIZE, description="Rows per page.")
        offset: int = Field(0, ge=0, le=MAX_INT64, description="Rows to skip.")


def _scope(request: HttpRequest) -> Scope:
    return request.auth  # type: ignore[attr-defined]


class MeOut(Schema):
    organisation: str
    organisation_slug: str
    role: str
    person_id: int | None


class UnitOut(Schema):
    id: int
    name: str
    full_name: str = Field(description="Path of names from the root, separated by '/'.")
    kind: str
    parent_id: int | None
    depth: int

    @staticmethod
    def resolve_kind(unit: Unit) -> str:
        return unit.kind.name


class PersonOut(Schema):
    id: int
    external_id: str
    name: str
    email: str
    unit_id: int
    unit: str
    manager_id: int | None
    role_group: str
    profession: str
    is_leader: bool
    hire_date: dt.date | None
    is_active: bool

    @staticmethod
    def resolve_unit(person: Person) -> str:
        return person.unit.full_name

    @staticmethod
    def resolve_profession(person: Person) -> str:
        return person.profession.name


class UnitFilters(Schema):
    parent_id: Id | None = Field(None, description="Only the direct children of this unit.")
    within: Id | None = Field(None, description="Only units in this unit's subtree.")


class PeopleFilters(Schema):
    unit_id: Id | None = Field(None, description="Only people in this unit's subtree.")
    search: Line = Field("", max_length=100, description="Name contains, or exact email or ID.")
    include_inactive: bool = False


@router.get("/me", response=MeOut, summary="Who the token acts as")
def me(request: HttpRequest) -> MeOut:
    scope = _scope(request)
    return MeOut(
        organisation=scope.organisation.name,
        organisation_slug=scope.organisation.slug,
        role=scope.role,
        person_id=scope.person.pk if scope.person else None,
    )


@router.get("/units", response=list[UnitOut], summary="Units the token may see")
@paginate(Page)
def list_units(request: HttpRequest, filters: Query[UnitFilters]) -> object:
    scope = _scope(request)
    units = selectors.visible_units(scope)
    if filters.parent_id is not None:
        units = units.filter(parent_id=filters.parent_id)
    if filters.within is not None:
        units = units.filter(path__startswith=selectors.get_unit(scope, filters.within).path)
    return units.order_by("path")


@router.get("/units/{unit_id}", response=UnitOut, summary="One unit")
def get_unit(request: HttpRequest, unit_id: int) -> Unit:
    return selectors.get_unit(_scope(request), unit_id)


@router.get("/people", response=list[PersonOut], summary="People the token may see")
@paginate(Page)
def list_people(request: HttpRequest, filters: Query[PeopleFilters]) -> object:
    scope = _scope(request)
    unit = selectors.get_unit(scope, filters.unit_id) if filters.unit_id is not None else None
    return selectors.visible_people(
        scope, search=filters.search.strip(), unit=unit, include_inactive=filters.include_inactive
    )


@router.get("/people/{person_id}", response=PersonOut, summary="One person")
def get_person(request: HttpRequest, person_id: int) -> Person:
    return selectors.get_person(_scope(request), person_id)
