"""Report exports: a released report as JSON (``accord.report/1``), CSV or an Excel workbook.

Everything here reads a :class:`~accord.insights.engine.Report` and writes out what it
released, nothing more: a hidden group leaves as its unit, its filters and the reason it is
hidden, never with a number. The format is described in docs/reports.md and
docs/report-schema.json. Pure Python and NumPy (openpyxl for the workbook), no Django.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import io
import json
import re
from collections.abc import Collection, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.insights.data import InstrumentMeta
from accord.insights.engine import GroupResult, Report, UnitInfo
from accord.text import spreadsheet_text

FORMAT = "accord.report/1"

CSV_COLUMNS = (
    "unit_id",
    "unit_name",
    "unit_path",
    "dimension",
    "value",
    "released",
    "reason",
    "respondents",
    "item",
    "answered",
    "favourable_pct",
    "mean",
)

# A sheet holds 1,048,576 rows; a longer table continues on "Items 2", "Items 3", ...
XLSX_MAX_ROWS = 1_048_576

# XML 1.0 cannot carry these control characters; openpyxl refuses them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class ExportCycle:
    """What an export says about its cycle. Dates only: no time finer than the day leaves."""

    id: int | str
    name: str
    instrument_id: str
    instrument_version: int
    opened: dt.date | None = None
    closed: dt.date | None = None
    published: dt.date | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "instrument": {"id": self.instrument_id, "version": self.instrument_version},
            "opened": _iso_date(self.opened),
            "closed": _iso_date(self.closed),
            "published": _iso_date(self.published),
        }


def report_document(
    report: Report,
    *,
    cycle: ExportCycle,
    unit_names: Mapping[str, str] | None = None,
    include_units: Collection[int] | None = None,
    instrument: InstrumentMeta | None = None,
) -> dict[str, Any]:
    """The report as an ``accord.report/1`` document (a dict ready for ``json.dumps``).

    ``unit_names`` maps unit ids to display names (default: the tree's names, else the ids).
    ``include_units`` keeps only those unit indexes and their groups — a leader's subtree.
    ``instrument`` supplies each item's construct and favourable codes, which the report does
    not carry; without it they are null. Missing values are None, never NaN.
    """
    with _collector_paused():
        return _document(report, cycle, unit_names, include_units, instrument)


def report_json(
    report: Report,
    *,
    cycle: ExportCycle,
    unit_names: Mapping[str, str] | None = None,
    include_units: Collection[int] | None = None,
    instrument: InstrumentMeta | None = None,
) -> str:
    """:func:`report_document` serialised compactly; refuses NaN rather than writing it."""
    with _collector_paused():
        document = _document(report, cycle, unit_names, include_units, instrument)
        return json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def report_csv(
    report: Report,
    *,
    cycle: ExportCycle | None = None,
    unit_names: Mapping[str, str] | None = None,
    include_units: Collection[int] | None = None,
    instrument: InstrumentMeta | None = None,
) -> str:
    """One row per released group and item, one row per hidden group (no numbers).

    ``cycle`` and ``instrument`` are accepted so all three formats share a call; the table
    itself does not use them.
    """
    del cycle, instrument
    out = io.StringIO()
    writer = csv.writer(out)  # CRLF rows, so a CR inside a name is quoted too
    with _collector_paused():
        writer.writerows(_item_rows(_View(report, unit_names, include_units), csv_text=True))
    return out.getvalue()


def report_xlsx(
    report: Report,
    *,
    cycle: ExportCycle,
    unit_names: Mapping[str, str] | None = None,
    include_units: Collection[int] | None = None,
    instrument: InstrumentMeta | None = None,
) -> bytes:
    """An Excel workbook: About, Units, Groups and Items (the CSV's table) sheets."""
    from openpyxl import Workbook  # only this export needs it

    del instrument
    view = _View(report, unit_names, include_units)
    workbook = Workbook(write_only=True)

    about = workbook.create_sheet("About")
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 100
    for row in _about_rows(report, cycle, view):
        about.append([_xlsx_text(cell) if isinstance(cell, str) else cell for cell in row])

    units = workbook.create_sheet("Units")
    units.freeze_panes = "A2"
    units.append(["unit_id", "unit_name", "unit_path", "parent_path", "direct_invited"])
    for unit in view.units:
        units.append(
            [
                _xlsx_text(unit.id),
                _xlsx_text(view.name(unit)),
                _xlsx_text(unit.path),
                _xlsx_text(unit.parent_path),
                unit.direct_invited,
            ]
        )

    groups = workbook.create_sheet("Groups")
    groups.freeze_panes = "A2"
    for row in _group_rows(view):
        groups.append(row)

    rows = _item_rows(view, csv_text=False)
    header = next(rows)
    sheets = 0
    written = XLSX_MAX_ROWS
    sheet = None
    for row in rows:
        if written == XLSX_MAX_ROWS:
            sheets += 1
            sheet = workbook.create_sheet("Items" if sheets == 1 else f"Items {sheets}")
            sheet.freeze_panes = "A2"
            sheet.append(header)
            written = 1
        assert sheet is not None
        sheet.append(row)
        written += 1
    if sheet is None:
        workbook.create_sheet("Items").append(header)

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _document(
    report: Report,
    cycle: ExportCycle,
    unit_names: Mapping[str, str] | None,
    include_units: Collection[int] | None,
    instrument: InstrumentMeta | None,
) -> dict[str, Any]:
    view = _View(report, unit_names, include_units)
    k = report.minimum_group_size
    items_meta = _item_meta(report, instrument)
    released = view.released_rows()
    construct_values = _nullable(report.construct_index[released])
    outcome_values = _nullable(report.outcome_values[released])
    per_group_items = _item_objects(report, released)

    groups: list[dict[str, Any]] = []
    position = 0  # the group's row in the released arrays above
    for group in view.groups:
        entry: dict[str, Any] = {
            "unit": group.unit_path,
            "filters": group.filters,
            "released": group.released,
        }
        if not group.released:
            entry["reason_code"] = group.reason_code
            entry["reason"] = group.reason
            groups.append(entry)
            continue
        r = position
        position += 1
        entry["respondents"] = group.respondents
        if _shows_response_rate(group, k):
            entry["invited"] = group.invited
            entry["response_rate"] = group.response_rate
        entry["constructs"] = dict(zip(report.constructs, construct_values[r], strict=True))
        entry["outcomes"] = dict(zip(report.outcomes, outcome_values[r], strict=True))
        entry["items"] = dict(zip(report.items, per_group_items[r], strict=True))
        groups.append(entry)

    return {
        "format": FORMAT,
        "cycle": cycle.as_json(),
        "minimum_group_size": k,
        "comment_minimum": report.comment_minimum,
        "scope": {
            "whole_organisation": view.whole,
            "top_units": [unit.path for unit in view.top_units()],
        },
        "dimensions": [{"name": d.name, "values": list(d.values)} for d in report.dimensions],
        "items": items_meta,
        "constructs": list(report.constructs),
        "outcomes": list(report.outcomes),
        "units": [
            {
                "id": unit.id,
                "name": view.name(unit),
                "path": unit.path,
                "parent": unit.parent_path,
                "direct_invited": unit.direct_invited,
            }
            for unit in view.units
        ],
        "groups": groups,
    }


def _item_objects(report: Report, released: NDArray[np.int64]) -> list[tuple[Any, ...]]:
    """Per released row, one result object per item (built item by item: fewer lookups)."""
    counts = report.option_counts[released]
    answered = report.answered[released].T.tolist()
    favourable = _nullable(report.favourable_pct[released].T)
    mean = _nullable(report.mean[released].T)
    columns = []
    for j, codes in enumerate(report.item_codes):
        keys = tuple(str(code) for code in codes)
        columns.append(
            [
                {
                    "answered": a,
                    "options": dict(zip(keys, o, strict=True)),
                    "favourable_pct": f,
                    "mean": m,
                }
                for a, o, f, m in zip(
                    answered[j],
                    counts[:, j, list(codes)].tolist(),
                    favourable[j],
                    mean[j],
                    strict=True,
                )
            ]
        )
    return list(zip(*columns, strict=True)) if columns else [()] * len(released)


@contextlib.contextmanager
def _collector_paused() -> Generator[None, None, None]:
    """Pause the cyclic garbage collector while building millions of small dicts and lists.

    They hold no cycles, but each allocation burst would trigger a full-heap scan: at 2,000
    units the collector took two thirds of the time of building the document.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _View:
    """The part of a report an export covers: which units and groups, and the units' names."""

    def __init__(
        self,
        report: Report,
        unit_names: Mapping[str, str] | None,
        include_units: Collection[int] | None,
    ) -> None:
        self.report = report
        all_units = report.units
        count = len(all_units)
        keep = np.ones(count, dtype=bool)
        if include_units is not None:
            wanted = np.fromiter((int(u) for u in include_units), dtype=np.int64)
            if len(wanted) and (wanted.min() < 0 or wanted.max() >= count):
                raise ValueError("include_units holds an index that is not a unit of the report")
            keep[:] = False
            keep[wanted] = True
        self.keep = keep
        self.whole = bool(keep.all())
        self.units: tuple[UnitInfo, ...] = (
            all_units if self.whole else tuple(u for u in all_units if keep[u.index])
        )
        groups = report.groups
        self.groups: Sequence[GroupResult] = (
            groups if self.whole else [g for g in groups if keep[g.unit]]
        )
        tree_names = report.tree.names
        self._names = [
            (unit_names.get(u.id) if unit_names is not None else None)
            or (tree_names[u.index] if tree_names else u.id)
            for u in all_units
        ]

    def name(self, unit: UnitInfo) -> str:
        return self._names[unit.index]

    def released_rows(self) -> NDArray[np.int64]:
        """Rows of the report's arrays for the released groups in view, in group order."""
        rows = [g.row for g in self.groups if g.released]
        if any(row is None for row in rows):
            raise ValueError("a released group has no row in the report")
        return np.array(rows, dtype=np.int64)

    def top_units(self) -> list[UnitInfo]:
        parent = self.report.tree.parent
        return [u for u in self.units if parent[u.index] < 0 or not self.keep[parent[u.index]]]


def _shows_response_rate(group: GroupResult, k: int) -> bool:
    """Only a whole unit's own rate, and only when its subtree has at least k invitees."""
    return (
        group.dimension is None
        and group.invited is not None
        and group.invited >= k
        and group.response_rate is not None
    )


def _item_meta(report: Report, instrument: InstrumentMeta | None) -> list[dict[str, Any]]:
    by_id = {item.id: item for item in instrument.items} if instrument is not None else {}
    if instrument is not None and set(by_id) != set(report.items):
        raise ValueError("the instrument's items are not the report's items")
    result = []
    for item, codes in zip(report.items, report.item_codes, strict=True):
        meta = by_id.get(item)
        result.append(
            {
                "id": item,
                "construct": meta.construct if meta else None,
                "codes": list(codes),
                "favourable": list(meta.favourable) if meta else None,
            }
        )
    return result


def _nullable(values: NDArray[np.float64]) -> list[Any]:
    """Nested lists of Python floats with None where the array has NaN."""
    boxed = values.astype(object)
    boxed[np.isnan(values)] = None
    result: list[Any] = boxed.tolist()
    return result


def _iso_date(value: dt.date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat()


def _all_codes(report: Report) -> list[int]:
    return sorted({code for codes in report.item_codes for code in codes})


def _item_rows(view: _View, *, csv_text: bool) -> Iterator[list[Any]]:
    """The long table: a header, then per group one row per item, or one row if hidden.

    ``csv_text`` writes the released flag as ``true``/``false`` (the workbook keeps booleans
    and drops control characters XML cannot hold); text cells get the formula guard either way.
    """
    report = view.report
    _text = _csv_text if csv_text else _xlsx_text
    codes = _all_codes(report)
    yield [*CSV_COLUMNS, *(f"option_{code}" for code in codes)]
    blank = [None] * (len(CSV_COLUMNS) - 7 + len(codes))

    released = view.released_rows()
    answered = report.answered[released].tolist()
    favourable = _nullable(report.favourable_pct[released])
    mean = _nullable(report.mean[released])
    # Per item, a count in every code column, empty where the code is not on its scale.
    on_scale = np.zeros((len(report.items), len(codes)), dtype=bool)
    for j, item_codes in enumerate(report.item_codes):
        on_scale[j, [codes.index(c) for c in item_codes]] = True
    counts = report.option_counts[released][:, :, codes].astype(object)
    counts[:, ~on_scale] = None
    options = counts.tolist()

    yes, no = ("true", "false") if csv_text else (True, False)
    unit_cells = {u.index: (_text(u.id), _text(view.name(u)), _text(u.path)) for u in view.units}
    item_cells = [_text(item) for item in report.items]
    position = 0
    for group in view.groups:
        dimension = _text(group.dimension) if group.dimension else None
        value = _text(group.value) if group.value else None
        unit_id, unit_name, unit_path = unit_cells[group.unit]
        if not group.released:
            # Every row as wide as the header: some readers reject ragged CSV.
            yield [unit_id, unit_name, unit_path, dimension, value, no, _text(group.reason), *blank]
            continue
        r = position
        position += 1
        head = [unit_id, unit_name, unit_path, dimension, value, yes, None, group.respondents]
        answered_r, favourable_r, mean_r, options_r = (
            answered[r],
            favourable[r],
            mean[r],
            options[r],
        )
        for j, item in enumerate(item_cells):
            yield [*head, item, answered_r[j], favourable_r[j], mean_r[j], *options_r[j]]


def _group_rows(view: _View) -> Iterator[list[Any]]:
    """The Groups sheet: one row per group with respondents, constructs and outcomes."""
    report = view.report
    k = report.minimum_group_size
    yield [
        "unit_id",
        "unit_name",
        "unit_path",
        "dimension",
        "value",
        "released",
        "reason",
        "respondents",
        "invited",
        "response_rate",
        *(_xlsx_text(f"construct_{name}") for name in report.constructs),
        *(_xlsx_text(f"outcome_{name}") for name in report.outcomes),
    ]
    released = view.released_rows()
    constructs = _nullable(report.construct_index[released])
    outcomes = _nullable(report.outcome_values[released])
    unit_cells = {
        u.index: (_xlsx_text(u.id), _xlsx_text(view.name(u)), _xlsx_text(u.path))
        for u in view.units
    }
    position = 0
    for group in view.groups:
        head = [
            *unit_cells[group.unit],
            _xlsx_text(group.dimension),
            _xlsx_text(group.value),
            group.released,
        ]
        if not group.released:
            yield [*head, _xlsx_text(group.reason)]
            continue
        r = position
        position += 1
        rate = _shows_response_rate(group, k)
        yield [
            *head,
            None,
            group.respondents,
            group.invited if rate else None,
            group.response_rate if rate else None,
            *constructs[r],
            *outcomes[r],
        ]


def _about_rows(report: Report, cycle: ExportCycle, view: _View) -> list[list[Any]]:
    k = report.minimum_group_size
    scope = (
        "the whole organisation"
        if view.whole
        else "part of the organisation: "
        + ", ".join(view.name(u) for u in view.top_units())
        + " (with the units below)"
    )
    return [
        ["Accord report", FORMAT],
        ["Cycle", cycle.name],
        ["Cycle id", str(cycle.id)],
        ["Instrument", f"{cycle.instrument_id}, version {cycle.instrument_version}"],
        ["Opened", _iso_date(cycle.opened) or ""],
        ["Closed", _iso_date(cycle.closed) or ""],
        ["Published", _iso_date(cycle.published) or ""],
        ["Minimum group size", k],
        ["Comment minimum", report.comment_minimum],
        ["Covers", scope],
        [],
        ["How to read", "Units: every unit in this export, with its place in the organisation."],
        [
            "",
            "Groups: one row per group. A group is a unit with everything below it, either "
            "whole or narrowed to one value of one filter (role group, profession or tenure).",
        ],
        [
            "",
            "Items: one row per group and question: how many answered, how many chose each "
            "answer (option_ columns, by answer code), the favourable share in percent and "
            "the mean score. A hidden group has a single row.",
        ],
        [
            "",
            "Construct columns are the mean of the construct's items' favourable shares; "
            "outcome columns are the headline rates in percent (the employee net promoter "
            "score runs from -100 to 100). An empty number means nobody answered that question.",
        ],
        [
            "",
            f"A response rate is shown only for a whole unit with at least {k} people invited.",
        ],
        [],
        [
            "Why some groups are hidden",
            f"Results are never shown for a group of fewer than {k} people, so that nobody "
            "can tell how a few colleagues answered.",
        ],
        [
            "",
            "Some larger groups are hidden as well. Otherwise a small group could be worked "
            "out by subtracting figures that are shown — a department minus its wards, or all "
            "staff minus the clinicians. Accord hides as few groups as it can to rule that out.",
        ],
        [
            "",
            "A hidden group shows the reason and no figures at all, not even how many people "
            "answered. Hidden is not zero: do not read an empty cell as nobody.",
        ],
    ]


def _csv_text(value: str | None) -> str | None:
    return None if value is None else spreadsheet_text(value)


def _xlsx_text(value: str | None) -> str | None:
    return None if value is None else spreadsheet_text(_ILLEGAL_XML.sub("", value))
