"""Exports of a release as a viewer may take them: the web, the API and the CLI share this."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
from django.utils.text import slugify

from accord.insights.adapters import instrument_meta
from accord.insights.exports import ExportCycle, report_csv, report_json, report_xlsx
from accord.insights.selectors import ReleaseView

CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)
# Above this many released group x question rows, an export is built by the queue rather
# than in the request (openpyxl writes about 200,000 cells a second; JSON and CSV are faster).
QUEUE_ABOVE_ROWS = {"xlsx": 20_000, "json": 400_000, "csv": 400_000}


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    content_type: str
    filename: str


def export_rows(view: ReleaseView) -> int:
    """Released group x question rows in the viewer's units: what an export's size follows."""
    table = view.report.table
    shown = table.released & view.visible[table.unit]
    return int(shown.sum()) * len(view.report.items)


def needs_queue(view: ReleaseView, fmt: str) -> bool:
    return export_rows(view) > QUEUE_ABOVE_ROWS[fmt]


def scope_units(view: ReleaseView) -> list[int]:
    """The unit indexes an export covers; empty for the whole organisation."""
    return [] if view.whole_organisation else np.flatnonzero(view.visible).tolist()


def scope_key(units: list[int]) -> str:
    return hashlib.sha256(",".join(map(str, units)).encode("ascii")).hexdigest()


def export_release(view: ReleaseView, fmt: str) -> ExportFile:
    """The release in ``fmt`` (json, csv or xlsx), only the viewer's units, released numbers only."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Unknown format {fmt!r}: choose one of {', '.join(FORMATS)}.")
    cycle = view.cycle
    zone = ZoneInfo(cycle.organisation.time_zone)

    def day(moment: dt.datetime | None) -> dt.date | None:
        return moment.astimezone(zone).date() if moment else None

    about = ExportCycle(
        id=cycle.pk,
        name=cycle.name,
        instrument_id=cycle.instrument_id,
        instrument_version=cycle.instrument_version,
        opened=day(cycle.opened_at or cycle.opens_at),
        closed=day(cycle.closed_at or cycle.closes_at),
        published=day(cycle.published_at),
    )
    include = scope_units(view) or None
    arguments = {
        "cycle": about,
        "include_units": include,
        "instrument": instrument_meta(view.instrument),
    }
    if fmt == "json":
        content = report_json(view.report, **arguments).encode("utf-8")  # type: ignore[arg-type]
    elif fmt == "csv":
        content = report_csv(view.report, **arguments).encode("utf-8")  # type: ignore[arg-type]
    else:
        content = report_xlsx(view.report, **arguments)  # type: ignore[arg-type]
    name = f"{slugify(cycle.name) or 'cycle'}-{cycle.pk}-release-{view.release.number}.{fmt}"
    return ExportFile(content, CONTENT_TYPES[fmt], name)
