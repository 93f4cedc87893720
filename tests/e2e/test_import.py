"""The admin imports an org chart in the browser: upload, preview, apply; or see problems."""

from __future__ import annotations

import pytest

from tests.cast import NH, Cast, R, roster_csv
from tests.e2e.conftest import Browser

pytestmark = pytest.mark.browser

NEW_PEOPLE = [
    ("quinn", "Quinn Newhire", f"{NH}/Emergency/ED Nursing", "system/hospital/department/unit", "nora", "clinician", "Nurse", "no"),
    ("rita", "Rita Oncology", f"{R}/South Hospital/Oncology", "system/hospital/department", "ceo", "clinician", "Physician", "yes"),
]  # fmt: skip


def upload(browser: Browser, name: str, content: bytes) -> None:
    browser.goto("/o/riverside/")
    browser.follow(browser.page.get_by_role("link", name="Import org chart"))
    browser.page.get_by_label("Org chart file (CSV or XLSX)").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content}
    )
    browser.follow(browser.page.get_by_role("button", name="Check the file"))


def test_admin_previews_then_applies_an_org_chart(browser: Browser, cast: Cast) -> None:
    browser.log_in_as(cast.admin)
    upload(browser, "new-hires.csv", roster_csv(NEW_PEOPLE))

    page = browser.page
    assert page.get_by_role("heading", level=1).inner_text() == "Org chart upload: new-hires.csv"
    counts = dict(
        zip(
            page.locator(".figure-label").all_inner_texts(),
            page.locator(".figure").all_inner_texts(),
            strict=True,
        )
    )
    assert counts["people to add"] == "2"
    assert counts["people to update"] == "0"
    assert counts["new units"] == "1"
    assert "Quinn Newhire (quinn)" in page.get_by_role("main").inner_text()

    browser.follow(page.get_by_role("button", name="Apply these changes"))

    assert browser.path == "/o/riverside/units/"
    assert "Org chart imported: 2 added" in page.get_by_role("status").inner_text()
    assert "Oncology" in page.locator("tbody td:first-child").all_inner_texts()
    browser.goto("/o/riverside/people/?q=quinn")
    assert page.locator("#people-results tbody tr").all_inner_texts()[0].startswith("Quinn Newhire")


def test_invalid_file_shows_problems_and_changes_nothing(browser: Browser, cast: Cast) -> None:
    browser.log_in_as(cast.admin)
    bad = [
        ("zed", "Zed Unknown", f"{NH}/Emergency", "system/hospital/department", "nobody", "clinician", "Nurse", "no"),
        ("yan", "Yan Wizard", f"{NH}/Emergency", "system/hospital/department", "chad", "clinician", "Wizard", "no"),
    ]  # fmt: skip
    upload(browser, "broken.csv", roster_csv(bad))

    page = browser.page
    assert (
        page.get_by_role("alert")
        .get_by_role("heading")
        .inner_text()
        .startswith("Nothing was imported: 2 problems")
    )
    problems = page.get_by_role("table", name="Problems")
    rows = problems.locator("tbody tr").all_inner_texts()
    assert len(rows) == 2
    assert rows[0].split("\t")[:2] == ["2", "manager_external_id"]
    assert rows[1].split("\t")[:2] == ["3", "profession"]
    assert "Wizard" in rows[1]

    browser.follow(page.get_by_role("link", name="Upload a corrected file"))
    assert browser.path == "/o/riverside/import/"
    browser.goto("/o/riverside/people/?q=zed")
    assert page.locator("#people-results").inner_text() == "No people match."


def test_preview_can_be_discarded(browser: Browser, cast: Cast) -> None:
    browser.log_in_as(cast.admin)
    upload(browser, "new-hires.csv", roster_csv(NEW_PEOPLE))

    browser.follow(browser.page.get_by_role("button", name="Discard"))

    assert browser.path == "/o/riverside/import/"
    assert "nothing was changed" in browser.page.get_by_role("status").inner_text()
    recent = browser.page.get_by_role("table", name="Recent uploads")
    assert "Discarded" in recent.inner_text()
