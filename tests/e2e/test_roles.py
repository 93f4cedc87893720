"""Each role signs in through the form and lands on a home page and menu made for it."""

from __future__ import annotations

import pytest

from accord.access.models import Role
from accord.access.services import grant_membership
from tests.cast import PASSWORD, Cast
from tests.e2e.conftest import Browser

pytestmark = pytest.mark.browser

# What each role's menu must offer, and what it must not (other items may be added over time).
MENUS = {
    "admin": (["Home", "Units", "People", "Import org chart", "API tokens"], ["My unit"]),
    "executive": (["Home", "Units", "People", "API tokens"], ["Import org chart", "My unit"]),
    "chair": (["Home", "Units", "People", "API tokens"], ["Import org chart", "My unit"]),
    "nurse_manager": (["Home", "Units", "People", "API tokens"], ["Import org chart"]),
    "staff_nurse": (["Home", "My unit", "API tokens"], ["Units", "People", "Import org chart"]),
}
WELCOME = {
    "admin": "Welcome, Alice Admin",
    "executive": "Welcome, Eve Exec",
    "chair": "Welcome, Chad Chair",
    "nurse_manager": "Welcome, Nora Manager",
    "staff_nurse": "Welcome, Sam Nurse",
}


def menu(browser: Browser) -> list[str]:
    return browser.page.get_by_role("navigation", name="Main").get_by_role("link").all_inner_texts()


@pytest.mark.parametrize("role", list(MENUS))
def test_each_role_signs_in_to_its_own_home_and_menu(
    browser: Browser, cast: Cast, role: str
) -> None:
    browser.sign_in(cast.by_role[role].email, PASSWORD)

    assert browser.path == "/o/riverside/"
    assert browser.page.get_by_role("heading", level=1).inner_text() == WELCOME[role]
    offered, withheld = MENUS[role]
    items = menu(browser)
    assert [item for item in items if item in offered] == offered
    assert not set(items) & set(withheld)
    home = browser.page.get_by_role("link", name="Home", exact=True)
    assert home.get_attribute("aria-current") == "page"


def test_admin_home_offers_the_org_chart_import(browser: Browser, cast: Cast) -> None:
    browser.log_in_as(cast.admin)
    browser.goto("/o/riverside/")

    main = browser.page.get_by_role("main")
    assert main.get_by_role("link", name="Import or update the org chart").is_visible()
    top = main.get_by_role("table").filter(has_text="Headcount")
    assert "North Hospital" in top.inner_text()
    assert "South Hospital" in top.inner_text()


def test_executive_sees_whole_organisation_but_no_import(browser: Browser, cast: Cast) -> None:
    browser.log_in_as(cast.executive)
    browser.goto("/o/riverside/")

    main = browser.page.get_by_role("main")
    assert "whole organisation" in main.inner_text()
    assert main.get_by_role("link", name="Import or update the org chart").count() == 0
    assert main.get_by_role("heading", name="Top of the organisation").is_visible()


def test_chair_home_lists_the_units_she_leads(browser: Browser, cast: Cast) -> None:
    browser.log_in_as(cast.chair)
    browser.goto("/o/riverside/")

    led = browser.page.get_by_role("region", name="Units you lead").get_by_role("table")
    units = led.locator("tbody tr td:first-child").all_inner_texts()
    assert units == ["Emergency", "ED Nursing", "ED Physicians"]


def test_staff_nurse_home_points_to_her_unit_only(browser: Browser, cast: Cast) -> None:
    browser.log_in_as(cast.staff_nurse)
    browser.goto("/o/riverside/")

    main = browser.page.get_by_role("main")
    assert "anonymous" in main.inner_text()
    assert main.get_by_role("table").count() == 0
    browser.follow(browser.page.get_by_role("link", name="My unit"))
    assert browser.page.get_by_role("heading", level=1).inner_text().startswith("ED Nursing")
    people = browser.page.locator("#people-results tbody tr").all_inner_texts()
    assert len(people) == 1 and people[0].startswith("Sam Nurse")


def test_login_in_two_organisations_chooses_one(browser: Browser, cast: Cast) -> None:
    grant_membership(organisation=cast.riverside, email=cast.outsider.email, role=Role.EXECUTIVE)
    browser.sign_in(cast.outsider.email, PASSWORD)

    assert browser.path == "/"
    choices = browser.page.get_by_role("main").get_by_role("link")
    assert choices.all_inner_texts() == ["Lakeview Clinics", "Riverside Health"]
    browser.follow(choices.filter(has_text="Riverside Health"))
    assert browser.path == "/o/riverside/"
    assert browser.page.get_by_role("heading", level=1).inner_text() == "Riverside Health"
