"""Units, people and the live people search, as a leader and an admin use them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.cast import Cast
from tests.e2e.conftest import Browser

pytestmark = pytest.mark.browser


def test_units_page_shows_the_tree_and_opens_a_unit(browser: Browser, cast: Cast) -> None:
    browser.log_in_as(cast.admin)
    browser.goto("/o/riverside/")
    browser.follow(browser.page.get_by_role("link", name="Units", exact=True))

    assert browser.path == "/o/riverside/units/"
    rows = browser.page.locator("tbody tr td:first-child").all_inner_texts()
    assert rows[:3] == ["Riverside Health", "Executive Office", "North Hospital"]
    assert "ED Nursing" not in rows  # the fourth level waits for "Show every unit"
    browser.follow(browser.page.get_by_role("link", name="Show every unit"))
    assert "ED Nursing" in browser.page.locator("tbody tr td:first-child").all_inner_texts()

    browser.follow(browser.page.get_by_role("link", name="Emergency", exact=True))
    page = browser.page
    assert page.get_by_role("heading", level=1).inner_text().startswith("Emergency")
    crumbs = page.get_by_role("navigation", name="Breadcrumb").get_by_role("listitem")
    assert crumbs.all_inner_texts() == ["Riverside Health", "North Hospital", "Emergency"]
    assert page.locator(".figure").first.inner_text() == "7"
    children = page.get_by_role("region", name="Units within Emergency")
    assert children.locator("tbody td:first-child").all_inner_texts() == [
        "ED Nursing",
        "ED Physicians",
    ]
    assert "Paula Physician" in page.locator("#people-results").inner_text()


def test_breadcrumb_leads_back_up_the_tree(browser: Browser, cast: Cast) -> None:
    browser.log_in_as(cast.admin)
    ed_nursing = cast.person("sam").unit
    browser.goto(f"/o/riverside/units/{ed_nursing.pk}/")

    crumbs = browser.page.get_by_role("navigation", name="Breadcrumb")
    browser.follow(crumbs.get_by_role("link", name="North Hospital"))
    assert browser.page.get_by_role("heading", level=1).inner_text().startswith("North Hospital")


def test_live_search_updates_results_and_address_without_reload(
    browser: Browser, cast: Cast
) -> None:
    browser.log_in_as(cast.chair)
    browser.goto("/o/riverside/people/")
    page = browser.page
    assert page.locator("#people-results caption").inner_text() == "8 people"
    page.evaluate("window.accordSameDocument = true")

    page.get_by_label("Search by name, email or ID").press_sequentially("nina")

    page.wait_for_url("**/o/riverside/people/?q=nina")
    page.locator("#people-results caption", has_text="1 person").wait_for()
    assert page.evaluate("window.accordSameDocument") is True
    expect(page.get_by_role("status")).to_have_text("1 person found")
    assert page.locator("#people-results tbody tr").all_inner_texts()[0].startswith("Nina Nurse")
    browser.check()

    browser.follow(page.get_by_role("link", name="Nina Nurse"))
    assert page.get_by_role("heading", level=1).inner_text() == "Nina Nurse"
    facts = page.locator("dl.facts").inner_text()
    assert "Nora Manager" in facts
    assert "Nurse" in facts

    page.go_back()
    browser.check()
    assert page.get_by_label("Search by name, email or ID").input_value() == "nina"


def test_search_works_as_a_plain_form_too(browser: Browser, cast: Cast) -> None:
    browser.log_in_as(cast.admin)
    browser.goto("/o/riverside/people/?q=peter")

    rows = browser.page.locator("#people-results tbody tr").all_inner_texts()
    assert len(rows) == 1 and rows[0].startswith("Peter Physician")


def test_person_detail_lists_visible_direct_reports(browser: Browser, cast: Cast) -> None:
    browser.log_in_as(cast.nurse_manager)
    browser.goto(f"/o/riverside/people/{cast.person('nora').pk}/")

    reports = browser.page.get_by_role("heading", name="Direct reports you can see")
    assert reports.is_visible()
    names = browser.page.locator("ul.report-list a").all_inner_texts()
    assert names == ["Ned Nurse", "Nina Nurse", "Sam Nurse"]


def test_anonymous_visit_to_an_org_page_goes_to_sign_in(browser: Browser, cast: Cast) -> None:
    browser.goto("/o/riverside/people/")

    assert browser.path == "/accounts/login/?next=/o/riverside/people/"
    assert browser.page.get_by_role("heading", level=1).inner_text() == "Sign in to Accord"
    assert browser.page.get_by_role("navigation", name="Main").count() == 0
