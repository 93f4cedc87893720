"""read_rows, the reader every import uses: rows numbered as the spreadsheet shows them, the
advice worded for each import, and problems kept in row and column order."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.org.spreadsheets import (
    MAX_REPORTED_ISSUES,
    ImportFileError,
    IssueCollector,
    cell_text,
    column_name,
    read_rows,
)
from tests.org.roster_files import xlsx_file


def read(content: bytes):  # type: ignore[no-untyped-def]
    return read_rows(content, contents="the widgets", source="the widget shop")


def test_rows_are_numbered_from_the_header_as_a_spreadsheet_numbers_them() -> None:
    sheet = read(b"\n\n  Widget ID ;Name\n1;One\n\n2;Two\n")

    assert sheet.header_row == 3
    assert [column_name(cell) for cell in sheet.header] == ["widget_id", "name"]
    assert list(sheet.numbered_rows()) == [(4, ["1", "One"]), (5, []), (6, ["2", "Two"])]


def test_a_workbooks_cells_keep_their_types_and_numbers_read_as_ids() -> None:
    sheet = read(xlsx_file([[], ["id", "since"], [1001, dt.datetime(2020, 1, 15)]]))

    assert (sheet.header, sheet.header_row, sheet.cells_are_text) == (["id", "since"], 2, False)
    [(number, cells)] = sheet.numbered_rows()
    assert number == 3
    assert [cell_text(cell) for cell in cells] == ["1001", "2020-01-15"]


def test_the_advice_names_what_the_import_holds_and_where_it_comes_from() -> None:
    with pytest.raises(ImportFileError) as error:
        read(b"%PDF-1.7\n")
    assert str(error.value.issues[0]).endswith(
        "Export the widgets as CSV UTF-8 or as an Excel workbook (.xlsx)."
    )
    sheet = read(b"id,name\n" + b"1,ok\n" * 1000 + b"2,bad\x00\n")
    list(sheet.rows)
    assert [str(issue) for issue in sheet.issues] == [
        "row 1002, column name: Contains a NUL character (byte 0), which no text has; the file "
        "may be damaged. Export it again from the widget shop."
    ]


def test_the_collector_keeps_the_earliest_problems_by_row_then_column() -> None:
    issues = IssueCollector({"id": 0, "name": 1})
    issues.add(3, "name", "late column")
    for row in range(MAX_REPORTED_ISSUES + 10, 4, -1):
        issues.add(row, "id", "later row")
    issues.add(3, "id", "early column")
    issues.add(3, None, "the row itself")

    with pytest.raises(ImportFileError) as error:
        issues.raise_if_any()

    assert error.value.total == MAX_REPORTED_ISSUES + 9
    assert len(error.value.issues) == MAX_REPORTED_ISSUES
    assert [str(issue) for issue in error.value.issues[:4]] == [
        "row 3: the row itself",
        "row 3, column id: early column",
        "row 3, column name: late column",
        "row 5, column id: later row",
    ]
