"""Excel workbooks: typed cells (numbers, real dates, booleans) read as the CSV text would."""

from __future__ import annotations

import datetime as dt

from accord.org.models import Organisation
from tests.org.roster_files import COLUMNS, HOSPITAL, import_file, import_problems, xlsx_file

HEADER = list(COLUMNS)


def typed_row(external_id: int, manager: int | None, **values: object) -> list[object]:
    row: dict[str, object] = {
        "external_id": external_id,  # a number cell: openpyxl writes 1001, calamine reads 1001.0
        "name": f"Person {external_id}",
        "email": f"p{external_id}@test-health.example",
        "unit_path": f"{HOSPITAL}/Medicine",
        "manager_external_id": manager,
        "role_group": "clinician",
        "profession": "Nurse",
        "hire_date": dt.date(2019, 4, 1),
        "leader": False,
    }
    row.update(values)
    return [row[c] for c in COLUMNS]


def test_workbook_with_numeric_ids_and_date_cells_imports(org: Organisation) -> None:
    workbook = xlsx_file(
        [
            HEADER,
            typed_row(1001, None, leader=True, hire_date=dt.datetime(2015, 3, 2, 0, 0)),
            typed_row(1002, 1001),
            typed_row(1003, 1001, hire_date="2021-11-30"),
        ]
    )

    summary = import_file(org, workbook)

    assert summary["create"] == 3
    people = {p.external_id: p for p in org.people.select_related("manager")}
    assert set(people) == {"1001", "1002", "1003"}
    assert people["1002"].manager == people["1001"]
    assert people["1001"].is_leader and not people["1002"].is_leader
    assert people["1001"].hire_date == dt.date(2015, 3, 2)
    assert people["1002"].hire_date == dt.date(2019, 4, 1)
    assert people["1003"].hire_date == dt.date(2021, 11, 30)


def test_reimporting_the_same_workbook_changes_nothing(org: Organisation) -> None:
    workbook = xlsx_file([HEADER, typed_row(1001, None), typed_row(1002, 1001)])
    import_file(org, workbook)

    summary = import_file(org, workbook)

    assert (summary["create"], summary["update"], summary["unchanged"]) == (0, 0, 2)


def test_workbook_errors_name_the_spreadsheet_row(org: Organisation) -> None:
    workbook = xlsx_file(
        [
            HEADER,
            typed_row(1001, None),
            typed_row(1002, 1001, email="nobody"),
            typed_row(1003, 9999, hire_date=43831),  # a date typed as a plain number
        ]
    )

    assert import_problems(org, workbook) == [
        "row 3, column email: 'nobody' is not a valid email address.",
        "row 4, column manager_external_id: Manager '9999' is neither in this file nor already "
        "in the organisation.",
        "row 4, column hire_date: '43831' is not a date; write YYYY-MM-DD (or use a date cell "
        "in Excel).",
    ]


def test_blank_rows_above_the_header_keep_row_numbers_true(org: Organisation) -> None:
    workbook = xlsx_file([[], [], HEADER, typed_row(1001, None, role_group="pilot")])

    assert import_problems(org, workbook) == [
        "row 4, column role_group: Unknown role group 'pilot'; use one of administrator, "
        "clinician, other."
    ]


def test_empty_workbook_is_reported(org: Organisation) -> None:
    assert import_problems(org, xlsx_file([])) == ["The first sheet of the workbook is empty."]


def test_workbook_with_only_a_header_has_no_people(org: Organisation) -> None:
    assert import_problems(org, xlsx_file([HEADER])) == ["The file has a header but no people."]


def test_formulas_saved_without_their_values_are_refused_by_cell(org: Organisation) -> None:
    # openpyxl, like some exports, writes formulas without computing them.
    workbook = xlsx_file(
        [
            [*HEADER, "badge"],
            [*typed_row(1001, None, hire_date="=DATE(2020,1,1)"), "=1+1"],
            typed_row(1002, 1001, name="=A2"),
            typed_row(1003, 1001),
        ]
    )

    problems = import_problems(org, workbook)

    advice = (
        "holds a formula with no saved value, so there is nothing to read. Open the file in "
        "Excel or LibreOffice and save it again, or paste the cells as values."
    )
    assert f"row 2, column hire_date: {advice}" in problems
    assert f"row 2, column badge: {advice}" in problems
    assert f"row 3, column name: {advice}" in problems


def test_a_formula_with_its_saved_value_is_read_as_the_value(org: Organisation) -> None:
    import io
    import re
    import zipfile

    workbook = xlsx_file([HEADER, typed_row(1001, None, name='=UPPER("ada")')])
    # What Excel writes: the formula and, beside it, the text it computed.
    source = zipfile.ZipFile(io.BytesIO(workbook))
    saved = io.BytesIO()
    with zipfile.ZipFile(saved, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, replaced = re.subn(
                    rb'<c r="B2"><f>(.*?)</f><v\s*/>',
                    rb'<c r="B2" t="str"><f>\1</f><v>ADA</v>',
                    data,
                )
                assert replaced == 1
            target.writestr(item, data)

    assert import_file(org, saved.getvalue())["create"] == 1
    assert org.people.get().name == "ADA"
