"""Files that are not an org chart at all: one clear message, and nothing written."""

from __future__ import annotations

import io
import zipfile

from accord.org.models import Organisation
from tests.org.roster_files import csv_file, import_file, import_problems, person

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
LEGACY_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_empty_file_is_reported_as_empty(org: Organisation) -> None:
    assert import_problems(org, b"") == ["The file is empty."]
    assert import_problems(org, b"  \n\r\n") == ["The file is empty."]


def test_header_only_file_has_no_people(org: Organisation) -> None:
    assert import_problems(org, csv_file([])) == ["The file has a header but no people."]


def test_header_followed_by_blank_lines_has_no_people(org: Organisation) -> None:
    assert import_problems(org, csv_file([]) + b"\n,,,,,,,,\n\n") == [
        "The file has a header but no people."
    ]


def test_png_image_is_named_as_such(org: Organisation) -> None:
    [problem] = import_problems(org, PNG)
    assert problem.startswith("This is a PNG image, not a CSV or XLSX file.")


def test_pdf_document_is_named_as_such(org: Organisation) -> None:
    [problem] = import_problems(org, PDF)
    assert problem.startswith("This is a PDF document, not a CSV or XLSX file.")


def test_legacy_xls_asks_for_xlsx_or_csv(org: Organisation) -> None:
    [problem] = import_problems(org, LEGACY_XLS)
    assert "old Excel (.xls) file" in problem
    assert ".xlsx" in problem


def test_zip_that_is_not_a_workbook_is_refused(org: Organisation) -> None:
    [problem] = import_problems(org, zip_of({"notes.txt": b"hello"}))
    assert problem.startswith("This is a ZIP archive, not an Excel workbook.")


def test_word_document_is_refused(org: Organisation) -> None:
    [problem] = import_problems(org, zip_of({"word/document.xml": b"<w:document/>"}))
    assert problem.startswith("This is a Word document, not an Excel workbook.")


def test_damaged_workbook_is_refused(org: Organisation) -> None:
    damaged = zip_of({"xl/workbook.xml": b"<not really a workbook", "[Content_Types].xml": b"?"})
    [problem] = import_problems(org, damaged)
    assert problem.startswith("This Excel workbook cannot be read")


def test_other_binary_data_is_refused(org: Organisation) -> None:
    [problem] = import_problems(org, b"\x01\x02\x00\x00binary\x00stuff")
    assert problem.startswith("This is not a CSV or XLSX file (it contains binary data).")


def test_utf16_unicode_text_export_from_excel_is_read(org: Organisation) -> None:
    tab_separated = csv_file([person("A1", name="José Núñez")]).decode().replace(",", "\t")

    summary = import_file(org, tab_separated.encode("utf-16"))  # byte-order mark first

    assert summary["create"] == 1


def test_damaged_utf16_text_is_refused(org: Organisation) -> None:
    tab_separated = csv_file([person("A1")]).decode().replace(",", "\t")
    truncated = tab_separated.encode("utf-16")[:-1]  # an odd number of bytes

    assert import_problems(org, truncated) == [
        "This file starts like Unicode (UTF-16) text but is not valid UTF-16. "
        "Export the org chart as CSV UTF-8 or as an Excel workbook (.xlsx)."
    ]
