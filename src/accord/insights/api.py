"""API routes for released survey results: the same releases and scopes as the pages."""

# No `from __future__ import annotations`: django-ninja reads the handlers' annotations.
import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from accord.access.scopes import Scope
from accord.insights import exporting, selectors, services
from accord.insights.models import ReleaseExport

router = Router(tags=["results"])
MAX_CYCLE_ID = 2**31 - 1
MAX_RELEASE = 32767  # release numbers are small integers in the database


def _scope(request: HttpRequest) -> Scope:
    return request.auth  # type: ignore[attr-defined]


class ReleasedCycleOut(Schema):
    id: int
    name: str
    closes_at: dt.datetime
    published_at: dt.datetime | None
    latest_release: int


class ExportQuery(Schema):
    format: Literal["json", "csv", "xlsx"] = "json"
    release: int | None = Field(
        None, ge=1, le=MAX_RELEASE, description="A release number; leave out for the latest."
    )


class ExportPending(Schema):
    status: str
    detail: str


_FILE_OF_EACH_FORMAT = {
    "description": "The results: JSON (`accord.report/1`), CSV or XLSX as `format` asks.",
    "content": {
        "application/json": {"schema": {"type": "object"}},
        "text/csv": {"schema": {"type": "string"}},
        exporting.CONTENT_TYPES["xlsx"]: {"schema": {"type": "string", "format": "binary"}},
    },
}


@router.get(
    "/results/cycles",
    response=list[ReleasedCycleOut],
    summary="Cycles with released results",
    description="Published cycles whose results the token owner may read (leaders: the "
    "units they lead; executives and admins: the organisation).",
)
def list_released_cycles(request: HttpRequest) -> list[dict[str, object]]:
    try:
        cycles = selectors.released_cycles(_scope(request)).prefetch_related("releases")
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from None
    return [
        {
            "id": cycle.pk,
            "name": cycle.name,
            "closes_at": cycle.closes_at,
            "published_at": cycle.published_at,
            "latest_release": max(r.number for r in cycle.releases.all()),
        }
        for cycle in cycles
    ]


@router.get(
    "/results/cycles/{cycle_id}/report",
    summary="Export a cycle's released results",
    description="The latest release (or `release`) as `accord.report/1` JSON "
    "(docs/report-schema.json), CSV or XLSX, limited to the token owner's units. Hidden "
    "groups carry a reason and no numbers. A large export is built by the queue: the answer "
    'is then 202 with `status` "pending"; ask again until the file comes.',
    response={200: dict, 202: ExportPending},
    openapi_extra={"responses": {200: _FILE_OF_EACH_FORMAT}},
)
def export_report(request: HttpRequest, cycle_id: int, query: Query[ExportQuery]) -> HttpResponse:
    if not 0 < cycle_id <= MAX_CYCLE_ID:
        raise HttpError(404, "Not found.")
    try:
        view = selectors.release_view(_scope(request), cycle_id, query.release)
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from None
    except Http404:
        raise HttpError(404, "Not found.") from None
    if exporting.needs_queue(view, query.format):
        export = services.request_export(view=view, fmt=query.format)
        if export.status != ReleaseExport.Status.READY:
            return Status(  # type: ignore[return-value]
                202,
                {
                    "status": export.status,
                    "detail": "The export is being prepared by the queue; ask again shortly.",
                },
            )
        exported = exporting.ExportFile(
            bytes(export.content or b""), exporting.CONTENT_TYPES[query.format], export.filename
        )
    else:
        exported = exporting.export_release(view, query.format)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    if query.format != "json":
        response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    return response
