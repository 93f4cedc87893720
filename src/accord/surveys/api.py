"""API routes for following survey cycles: the same rules as the pages, read only."""

# No `from __future__ import annotations`: django-ninja reads the handlers' annotations.
import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from accord.access.scopes import Scope
from accord.api_fields import MAX_INT64
from accord.surveys import selectors
from accord.surveys.models import Cycle

router = Router(tags=["surveys"])


def _scope(request: HttpRequest) -> Scope:
    return request.auth  # type: ignore[attr-defined]


def _cycles(scope: Scope) -> QuerySet[Cycle]:
    try:
        return selectors.cycles_in_view(scope)
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from None


class CycleOut(Schema):
    id: int
    name: str
    status: str
    instrument_id: str
    instrument_version: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    min_group_size: int
    min_comment_group_size: int
    invited_count: int


class UnitRateOut(Schema):
    unit_id: int
    unit: str = Field(description="The unit's full name.")
    invited: int = Field(description="Invitees in the unit's subtree.")
    responded: int | None = Field(
        description="Respondents in the unit's subtree; null while fewer than the cycle's "
        "minimum group size have answered."
    )


@router.get("/surveys/cycles", response=list[CycleOut], summary="Survey cycles")
def list_cycles(request: HttpRequest) -> list[Cycle]:
    return list(_cycles(_scope(request)))


@router.get(
    "/surveys/cycles/{cycle_id}/response-rates",
    response=list[UnitRateOut],
    summary="Response rates per unit",
    description="Units in the token owner's scope whose subtree has at least the cycle's "
    "minimum group size of invitees. Never per person.",
)
def cycle_response_rates(request: HttpRequest, cycle_id: int) -> list[dict[str, object]]:
    scope = _scope(request)
    cycles = _cycles(scope)
    cycle = cycles.filter(pk=cycle_id).first() if 0 < cycle_id <= MAX_INT64 else None
    if cycle is None:
        raise HttpError(404, "Not found.")
    return [
        {
            "unit_id": r.unit.pk,
            "unit": r.unit.full_name,
            "invited": r.invited,
            "responded": r.responded,
        }
        for r in selectors.response_rates(scope, cycle)
    ]
