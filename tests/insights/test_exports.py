"""Report exports: the documented format, and that only released numbers ever leave."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openpyxl import load_workbook

from accord.insights import MISSING, REASONS, Dimension, Report
from accord.insights.adapters import instrument_meta
from accord.insights.engine import BELOW_MINIMUM, PROTECTS_SMALLER_GROUP, TOO_FEW_COMMENTS
from accord.insights.exports import (
    CSV_COLUMNS,
    FORMAT,
    ExportCycle,
    report_csv,
    report_document,
    report_json,
    report_xlsx,
)
from accord.surveys.instruments import core_instrument
from accord.text import spreadsheet_text
from tests.insights.factories import DIMENSIONS, PROFESSION, ROLE, SMALL_INSTRUMENT, Org, Person

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "report-schema.json").read_text())
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
CYCLE = ExportCycle(
    id=42,
    name="Spring pulse",
    instrument_id="accord-core",
    instrument_version=1,
    opened=dt.date(2026, 3, 2),
    closed=dt.date(2026, 3, 23),
    published=dt.datetime(2026, 3, 25, 16, 30, tzinfo=dt.UTC),
)
NUMERIC_CSV = ("respondents", "answered", "favourable_pct", "mean")

# Answers per ward (trust, intent to leave, recommend), chosen so that no fractional figure
# of one ward equals a figure of another ward or of Medicine, whichever ward 7/6/3 hides.
WARD_ANSWERS = {
    "Ward 1": [(3, 1, 6), (4, 1, 8), (4, 2, 9), (4, 2, 9), (5, 2, 10), (5, 3, 10), (5, 4, 10)],
    "Ward 2": [(2, 2, 5), (2, 3, 7), (3, 3, 8), (4, 4, 9), (4, 4, 9), (5, 5, 10)],
    "Ward 3": [(1, 4, 0), (4, 4, 4), (4, 5, 7)],
}


def siblings_7_6_3() -> tuple[Org, dict[str, list[Person]]]:
    org = Org()
    medicine = org.unit("Medicine")
    people = {}
    for name, answers in WARD_ANSWERS.items():
        ward = org.unit(name, medicine)
        people[name] = org.add(ward, len(answers))
        for person, given in zip(people[name], answers, strict=True):
            person.answers = given
        org.invited[ward] += 2  # some invitees did not answer
    return org, people


def health_system() -> Org:
    """Two sites; North has a department with two wards and mixed roles."""
    org = Org()
    root = org.unit("Riverside")
    north = org.unit("North Hospital", root)
    medicine = org.unit("Medicine", north)
    ward_a = org.unit("Ward A", medicine)
    ward_b = org.unit("Ward B", medicine)
    surgery = org.unit("Surgery", north)
    south = org.unit("South Clinic", root)
    outpatients = org.unit("Outpatients", south)
    pharmacy = org.unit("Pharmacy South", south)
    org.add(ward_a, 9)
    org.add(ward_a, 6, role_group="administrator", profession="manager")
    org.add(ward_b, 9, tenure="over 5 years")
    org.add(ward_b, 2, role_group="administrator", profession="support")
    org.add(surgery, 12, profession="physician")
    org.add(north, 3, role_group="administrator", profession="manager")
    org.add(outpatients, 10)
    org.add(pharmacy, 7, profession="pharmacist")
    org.invited[surgery] += 4
    return org


def exports(report: Report, **options: Any) -> tuple[dict[str, Any], str, bytes]:
    return (
        report_document(report, cycle=CYCLE, **options),
        report_csv(report, cycle=CYCLE, **options),
        report_xlsx(report, cycle=CYCLE, **options),
    )


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def sheets(data: bytes) -> dict[str, list[dict[str, Any]]]:
    """Every table sheet of the workbook as dicts keyed by its header row."""
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    result = {}
    for sheet in workbook.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        if sheet.title == "About":
            result[sheet.title] = [{"label": row[0], "value": row[1]} for row in rows if row]
            continue
        header = rows[0]
        width = len(header)
        result[sheet.title] = [
            dict(zip(header, (*row, *[None] * (width - len(row))), strict=True)) for row in rows[1:]
        ]
    return result


def all_cells(data: bytes) -> Iterator[Any]:
    workbook = load_workbook(io.BytesIO(data), read_only=True)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            yield from row


def numbers_in(value: Any) -> Iterator[float]:
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, int | float):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from numbers_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from numbers_in(inner)


def group_key(unit: str, dimension: str | None, value: str | None) -> tuple[str, str, str]:
    return unit, dimension or "", value or ""


def doc_key(group: dict[str, Any]) -> tuple[str, str, str]:
    [(dimension, value)] = group["filters"].items() or [("", "")]
    return group_key(group["unit"], dimension, value)


def test_the_document_follows_the_schema() -> None:
    for report in (siblings_7_6_3()[0].release(), health_system().release()):
        document = report_document(report, cycle=CYCLE, instrument=SMALL_INSTRUMENT)
        VALIDATOR.validate(document)
        assert document["format"] == FORMAT == "accord.report/1"
        assert document["cycle"] == {
            "id": 42,
            "name": "Spring pulse",
            "instrument": {"id": "accord-core", "version": 1},
            "opened": "2026-03-02",
            "closed": "2026-03-23",
            "published": "2026-03-25",
        }
        assert document["minimum_group_size"] == 5 and document["comment_minimum"] == 10
        assert len(document["groups"]) == len(report.groups)
        VALIDATOR.validate(report_document(report, cycle=ExportCycle(7, "No dates", "x", 2)))


def test_the_schema_describes_every_property() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    missing = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for name, inner in node.get("properties", {}).items():
                if isinstance(inner, dict) and "description" not in inner:
                    missing.append(f"{where}/{name}")
            for key, inner in node.items():
                walk(inner, f"{where}/{key}")
        elif isinstance(node, list):
            for i, inner in enumerate(node):
                walk(inner, f"{where}/{i}")

    walk(SCHEMA, "")
    assert missing == []


def test_the_schema_knows_every_reason_a_group_can_be_hidden() -> None:
    enum = SCHEMA["$defs"]["group"]["properties"]["reason_code"]["enum"]
    assert set(enum) == set(REASONS) - {TOO_FEW_COMMENTS}  # that one is for comment lists


def test_a_hidden_group_with_numbers_is_not_valid() -> None:
    document = report_document(siblings_7_6_3()[0].release(), cycle=CYCLE)
    shown = next(g for g in document["groups"] if g["released"] and not g["filters"])
    hidden = next(g for g in document["groups"] if not g["released"])
    extras: tuple[dict[str, Any], ...] = (
        {"respondents": 3},
        {"items": shown["items"]},
        {"constructs": shown["constructs"]},
        {"outcomes": {}},
        {"invited": 5, "response_rate": 0.6},
    )
    for extra in extras:
        with pytest.raises(jsonschema.ValidationError):
            VALIDATOR.validate({**document, "groups": [{**hidden, **extra}]})
    without_reason = {key: hidden[key] for key in ("unit", "filters", "released")}
    for broken in (
        without_reason,
        {**shown, "reason": "hidden"},
        {key: value for key, value in shown.items() if key != "items"},
        {**shown, "filters": {"role_group": "clinician"}},  # a response rate on a breakdown
        {**shown, "filters": {"role_group": "clinician", "tenure": "over 5 years"}},
        {**shown, "released": "yes"},
    ):
        with pytest.raises(jsonschema.ValidationError):
            VALIDATOR.validate({**document, "groups": [broken]})


def test_siblings_7_6_3_export_the_3_and_one_more_as_hidden_with_reasons() -> None:
    org, _ = siblings_7_6_3()
    report = org.release()
    document, table, workbook = exports(report)
    groups = {g["unit"]: g for g in document["groups"] if not g["filters"]}
    assert groups["/Medicine/"]["released"] and groups["/Medicine/"]["respondents"] == 16
    three = groups["/Medicine/Ward 3/"]
    assert three == {
        "unit": "/Medicine/Ward 3/",
        "filters": {},
        "released": False,
        "reason_code": BELOW_MINIMUM,
        "reason": REASONS[BELOW_MINIMUM].format(k=5),
    }
    partners = [groups["/Medicine/Ward 1/"], groups["/Medicine/Ward 2/"]]
    assert [g["released"] for g in partners].count(False) == 1
    partner = next(g for g in partners if not g["released"])
    assert partner["reason_code"] == PROTECTS_SMALLER_GROUP
    assert "subtracting" in partner["reason"]
    assert set(partner) == {"unit", "filters", "released", "reason_code", "reason"}

    for rows in (csv_rows(table), sheets(workbook)["Items"], sheets(workbook)["Groups"]):
        whole = {r["unit_path"]: r for r in rows if not r["dimension"]}
        assert str(whole["/Medicine/Ward 3/"]["released"]).lower() == "false"
        assert whole["/Medicine/Ward 3/"]["reason"] == three["reason"]
        assert whole[partner["unit"]]["reason"] == partner["reason"]
        assert not whole[partner["unit"]]["respondents"]


def test_hidden_groups_carry_nothing_but_their_reason() -> None:
    report = health_system().release()
    document, table, workbook = exports(report)
    hidden = {group_key(g.unit_path, g.dimension, g.value) for g in report.groups if not g.released}
    assert hidden and len(hidden) < len(report.groups)

    for group in document["groups"]:
        if doc_key(group) in hidden:
            assert not group["released"]
            assert set(group) == {"unit", "filters", "released", "reason_code", "reason"}
            assert list(numbers_in(group)) == []

    by_group: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in csv_rows(table):
        by_group.setdefault(group_key(row["unit_path"], row["dimension"], row["value"]), []).append(
            row
        )
    for key in hidden:
        [row] = by_group[key]  # one row, whatever the number of items
        assert row["released"] == "false" and row["reason"]
        assert all(row[column] == "" for column in (*NUMERIC_CSV, "item"))
        assert all(row[c] == "" for c in row if c.startswith("option_"))

    tables = sheets(workbook)
    for name in ("Groups", "Items"):
        rows = [
            r
            for r in tables[name]
            if group_key(r["unit_path"], r["dimension"], r["value"]) in hidden
        ]
        assert len(rows) == len(hidden)
        for row in rows:
            assert row["released"] is False and row["reason"]
            numbers = [
                v for c, v in row.items() if c not in ("released",) and not isinstance(v, str)
            ]
            assert all(v is None for v in numbers), row


def hidden_figures(org: Org, people: list[Person]) -> set[float]:
    """Means and favourable shares of a group's answers, worked out from the people."""
    figures = set()
    for j, item in enumerate(org.instrument.items):
        answers = [p.answers[j] for p in people if p.answers[j] != MISSING]
        scores = [item.scores[item.codes.index(a)] for a in answers]
        figures.add(sum(scores) / len(scores))
        figures.add(100 * sum(a in item.favourable for a in answers) / len(answers))
    return figures


def test_no_figure_of_a_hidden_group_appears_anywhere() -> None:
    org, people = siblings_7_6_3()
    report = org.release()
    hidden_wards = [name for name in people if not report.group(org.names.index(name)).released]
    assert "Ward 3" in hidden_wards and len(hidden_wards) == 2
    # Whole numbers (a count, 0 %, 100 %) turn up everywhere; fractions give a group away.
    sentinels = {
        f
        for name in hidden_wards
        for f in hidden_figures(org, people[name])
        if not float(f).is_integer()
    }
    assert len(sentinels) >= 6

    def close_to_a_sentinel(value: float) -> bool:
        return any(math.isclose(value, s, rel_tol=1e-9) for s in sentinels)

    document, table, workbook = exports(report, instrument=SMALL_INSTRUMENT)
    assert not any(close_to_a_sentinel(v) for v in numbers_in(document))
    for row in csv.reader(io.StringIO(table)):
        for cell in row:
            try:
                value = float(cell)
            except ValueError:
                continue
            assert not close_to_a_sentinel(value), cell
    for cell in all_cells(workbook):
        if isinstance(cell, int | float) and not isinstance(cell, bool):
            assert not close_to_a_sentinel(cell)
    # The shown ward's figures are there, so the check above would see a leak.
    shown_ward = next(name for name in people if name not in hidden_wards)
    assert any(
        math.isclose(value, figure)
        for figure in hidden_figures(org, people[shown_ward])
        for value in numbers_in(document)
        if not float(figure).is_integer()
    )


def test_exported_numbers_are_the_reports_released_numbers() -> None:
    report = health_system().release()
    document, table, workbook = exports(report)
    released = {
        group_key(g.unit_path, g.dimension, g.value): g for g in report.groups if g.released
    }
    exported = {doc_key(g): g for g in document["groups"] if g["released"]}
    assert exported.keys() == released.keys()
    codes = sorted({c for item_codes in report.item_codes for c in item_codes})
    csv_by_key = {
        (group_key(r["unit_path"], r["dimension"], r["value"]), r["item"]): r
        for r in csv_rows(table)
    }
    tables = sheets(workbook)
    xlsx_by_key = {
        (group_key(r["unit_path"], r["dimension"], r["value"]), r["item"]): r
        for r in tables["Items"]
    }
    groups_sheet = {
        group_key(r["unit_path"], r["dimension"], r["value"]): r for r in tables["Groups"]
    }

    for key, group in released.items():
        entry = exported[key]
        assert entry["respondents"] == group.respondents
        if group.dimension is None:
            assert entry["invited"] == group.invited
            assert entry["response_rate"] == group.response_rate
        else:
            assert "invited" not in entry and "response_rate" not in entry
        assert entry["constructs"] == report.construct_results(group)
        assert entry["outcomes"] == report.outcome_results(group)
        row = groups_sheet[key]
        assert row["respondents"] == group.respondents
        for name, value in report.construct_results(group).items():
            assert _xlsx_equal(row[f"construct_{name}"], value)
        for name, value in report.outcome_results(group).items():
            assert _xlsx_equal(row[f"outcome_{name}"], value)
        for result in report.item_results(group):
            item = entry["items"][result.item]
            assert item == {
                "answered": result.answered,
                "options": {str(c): n for c, n in result.option_counts.items()},
                "favourable_pct": result.favourable_pct,
                "mean": result.mean,
            }
            expected = {
                "respondents": group.respondents,
                "answered": result.answered,
                "favourable_pct": result.favourable_pct,
                "mean": result.mean,
                **{f"option_{c}": result.option_counts.get(c) for c in codes},
            }
            text = csv_by_key[(key, result.item)]
            cells = xlsx_by_key[(key, result.item)]
            for column, value in expected.items():
                assert _csv_number(text[column]) == value  # CSV floats round-trip exactly
                assert _xlsx_equal(cells[column], value)


def _csv_number(cell: str) -> float | None:
    return None if cell == "" else float(cell)


def _xlsx_equal(cell: Any, expected: Any) -> bool:
    """Workbooks keep 16 significant digits, as spreadsheets do."""
    if isinstance(expected, float):
        return math.isclose(cell, expected, rel_tol=1e-15)
    return bool(cell == expected)


def test_csv_and_workbook_items_are_the_same_table() -> None:
    report = health_system().release()
    _, table, workbook = exports(report)
    header = next(csv.reader(io.StringIO(table)))
    assert header[: len(CSV_COLUMNS)] == list(CSV_COLUMNS)
    assert header[len(CSV_COLUMNS) :] == [f"option_{c}" for c in range(11)]
    rows = csv_rows(table)
    items = sheets(workbook)["Items"]
    assert len(rows) == len(items)
    released = [g for g in report.groups if g.released]
    assert len(rows) == len(released) * len(report.items) + len(report.groups) - len(released)
    for text_row, cell_row in zip(rows, items, strict=True):
        assert text_row.keys() == cell_row.keys()
        for column, cell in cell_row.items():
            text = text_row[column]
            if isinstance(cell, bool):
                assert text == ("true" if cell else "false")
            elif isinstance(cell, int | float):  # a workbook reads 3.0 back as 3
                assert _xlsx_equal(float(cell), float(text))
            else:
                assert text == ("" if cell is None else str(cell))


def test_a_leaders_export_leaves_out_every_other_unit() -> None:
    org = health_system()
    report = org.release()
    north = org.names.index("North Hospital")
    subtree = [u.index for u in report.units if u.path.startswith("/Riverside/North Hospital/")]
    assert north in subtree and len(subtree) == 5
    document, table, workbook = exports(report, include_units=subtree)
    VALIDATOR.validate(document)

    assert document["scope"] == {
        "whole_organisation": False,
        "top_units": ["/Riverside/North Hospital/"],
    }
    assert [u["name"] for u in document["units"]] == [
        "North Hospital",
        "Medicine",
        "Ward A",
        "Ward B",
        "Surgery",
    ]
    assert document["units"][0]["parent"] == "/Riverside/"  # named, not listed
    inside = {u["path"] for u in document["units"]}
    assert {g["unit"] for g in document["groups"]} == inside
    per_unit = len(report.groups) // len(report.units)
    assert len(document["groups"]) == per_unit * len(subtree)
    assert {r["unit_path"] for r in csv_rows(table)} == inside
    tables = sheets(workbook)
    for name in ("Units", "Groups", "Items"):
        assert {r["unit_path"] for r in tables[name]} == inside

    outside = ("South Clinic", "Outpatients", "Pharmacy South")
    texts = [json.dumps(document), table] + [c for c in all_cells(workbook) if isinstance(c, str)]
    for text in texts:
        for name in outside:
            assert name not in text
    # The root's own results stay out too: its respondents count appears nowhere.
    root = report.group(0)
    assert root.released and root.respondents == 58
    assert 58 not in list(numbers_in(document["groups"]))

    # A leader sees a part of the one release: the same figures as in the full export.
    full = {doc_key(g): g for g in report_document(report, cycle=CYCLE)["groups"]}
    for group in document["groups"]:
        assert group == full[doc_key(group)]


def test_include_units_refuses_an_index_outside_the_report() -> None:
    report = health_system().release()
    with pytest.raises(ValueError, match="include_units"):
        report_document(report, cycle=CYCLE, include_units=[0, 99])
    empty = report_document(report, cycle=CYCLE, include_units=[])
    assert empty["units"] == [] and empty["groups"] == []
    VALIDATOR.validate(empty)


def test_units_carry_paths_parents_and_direct_invitees() -> None:
    org = health_system()
    report = org.release()
    names = {"Riverside": "Riverside Health", "Ward A": "Ward A (cardiology)"}
    document = report_document(report, cycle=CYCLE, unit_names=names)
    units = {u["id"]: u for u in document["units"]}
    assert units["Riverside"] == {
        "id": "Riverside",
        "name": "Riverside Health",
        "path": "/Riverside/",
        "parent": None,
        "direct_invited": 0,
    }
    assert units["North Hospital"]["direct_invited"] == 3
    assert units["Surgery"]["direct_invited"] == 16
    assert units["Ward A"]["name"] == "Ward A (cardiology)"
    assert units["Ward B"]["name"] == "Ward B"  # no name given: the id
    assert units["Ward B"]["parent"] == "/Riverside/North Hospital/Medicine/"
    rows = sheets(report_xlsx(report, cycle=CYCLE, unit_names=names))["Units"]
    assert [r["direct_invited"] for r in rows] == [u["direct_invited"] for u in document["units"]]


def test_a_question_nobody_answered_is_null_not_nan() -> None:
    org = Org()
    ward = org.unit("Night team")
    for person in org.add(ward, 6):
        person.answers = (4, 2, MISSING)
    report = org.release()
    document = report_document(report, cycle=CYCLE, instrument=SMALL_INSTRUMENT)
    VALIDATOR.validate(document)
    whole = document["groups"][0]
    assert whole["released"]
    assert whole["items"]["recommend"] == {
        "answered": 0,
        "options": {str(c): 0 for c in range(11)},
        "favourable_pct": None,
        "mean": None,
    }
    assert whole["constructs"]["recommend"] is None and whole["outcomes"]["enps"] is None
    text = json.dumps(document, allow_nan=False)
    assert "NaN" not in text and json.loads(text) == document
    assert json.loads(report_json(report, cycle=CYCLE, instrument=SMALL_INSTRUMENT)) == document
    [row] = [r for r in csv_rows(report_csv(report)) if r["item"] == "recommend" and not r["value"]]
    assert row["answered"] == "0" and row["favourable_pct"] == "" and row["mean"] == ""


def test_items_name_their_construct_when_the_instrument_is_given() -> None:
    report = health_system().release()
    items = report_document(report, cycle=CYCLE, instrument=SMALL_INSTRUMENT)["items"]
    assert items[1] == {
        "id": "intent_to_leave",
        "construct": "intent_to_leave",
        "codes": [1, 2, 3, 4, 5],
        "favourable": [1, 2],
    }
    bare = report_document(report, cycle=CYCLE)["items"][1]
    assert bare["construct"] is None and bare["codes"] == [1, 2, 3, 4, 5]


DANGEROUS = ('=HYPERLINK("http://x")', "+1+2", "-3", "@SUM(A1)", "\tcmd", "\rcmd")


def test_spreadsheet_formulas_in_names_and_values_are_defused() -> None:
    tenure = Dimension("tenure", ("=under 2 years", "-2 to 5", "over 5 years", "not recorded"))
    org = Org(dimensions=(ROLE, PROFESSION, tenure))
    root = org.unit("Riverside")
    units = [org.unit(f"Unit {i}", root) for i in range(len(DANGEROUS))]
    for unit in units:
        org.add(unit, 6)
    org.add(units[0], 6, tenure="-2 to 5")
    names = {f"Unit {i}": text for i, text in enumerate(DANGEROUS)}
    names["Riverside"] = "Riverside\x01 Health"  # a control character XML cannot hold
    report = org.release()
    document, table, workbook = exports(report, unit_names=names)
    assert {u["name"] for u in document["units"]} >= set(DANGEROUS)  # JSON keeps the data

    rows = csv_rows(table)
    assert {r["unit_name"] for r in rows} >= {"'" + text for text in DANGEROUS}
    assert "'=under 2 years" in {r["value"] for r in rows}
    assert "'-2 to 5" in {r["value"] for r in rows}
    for row in csv.reader(io.StringIO(table)):
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
            assert not cell.startswith("-") or _is_number(cell), cell

    formulas = load_workbook(io.BytesIO(workbook))  # not read-only: it knows the cell types
    texts = []
    for sheet in formulas.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                assert cell.data_type != "f", cell.value
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    # XML reads a carriage return back as a line feed.
    assert {"'" + text.replace("\r", "\n") for text in DANGEROUS} <= set(texts)
    assert not any(t.startswith(("=", "+", "-", "@", "\t", "\r", "\n")) for t in texts)
    assert "Riverside Health" in texts


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_spreadsheet_text_only_touches_formula_starts() -> None:
    assert spreadsheet_text("=1+1") == "'=1+1"
    assert spreadsheet_text("Ward = A") == "Ward = A"
    assert spreadsheet_text("") == ""
    assert spreadsheet_text("'already") == "'already"


def test_the_workbook_explains_itself() -> None:
    report = siblings_7_6_3()[0].release()
    tables = sheets(report_xlsx(report, cycle=CYCLE))
    assert list(tables) == ["About", "Units", "Groups", "Items"]
    about = {row["label"]: row["value"] for row in tables["About"] if row["label"]}
    assert about["Accord report"] == FORMAT
    assert about["Cycle"] == "Spring pulse" and about["Published"] == "2026-03-25"
    assert about["Minimum group size"] == 5
    assert "fewer than 5 people" in about["Why some groups are hidden"]
    assert len(tables["Groups"]) == len(report.groups)


def test_a_long_items_table_continues_on_further_sheets(monkeypatch: pytest.MonkeyPatch) -> None:
    from accord.insights import exports as module

    report = health_system().release()
    monkeypatch.setattr(module, "XLSX_MAX_ROWS", 40)
    tables = sheets(report_xlsx(report, cycle=CYCLE))
    parts = [name for name in tables if name.startswith("Items")]
    assert parts[:2] == ["Items", "Items 2"]
    assert all(len(tables[name]) <= 39 for name in parts)
    rows = [row for name in parts for row in tables[name]]
    assert len(rows) == len(csv_rows(report_csv(report)))


def test_dimensions_list_only_the_values_offered() -> None:
    document = report_document(health_system().release(), cycle=CYCLE)
    assert document["dimensions"] == [
        {"name": d.name, "values": [v for v in d.labels if v != "not recorded"]} for d in DIMENSIONS
    ]


def test_the_core_instrument_exports_within_the_schema() -> None:
    org = Org(instrument=instrument_meta(core_instrument()))
    hospital = org.unit("Hospital")
    for name, size in (("Emergency", 14), ("Theatres", 9), ("Pharmacy", 3)):
        org.add(org.unit(name, hospital), size)
    org.add(hospital, 6, role_group="administrator", profession="manager")
    report = org.release()
    document = report_document(report, cycle=CYCLE, instrument=org.instrument)
    VALIDATOR.validate(document)
    assert {"burnout_rate", "intent_to_leave_rate", "enps"} <= set(document["outcomes"])
    assert all(item["construct"] for item in document["items"])
    assert gc.isenabled()  # the collector is paused only while an export is built


def test_an_instrument_that_does_not_match_the_report_is_refused() -> None:
    report = health_system().release()
    other = instrument_meta(core_instrument())
    with pytest.raises(ValueError, match="instrument"):
        report_document(report, cycle=CYCLE, instrument=other)
