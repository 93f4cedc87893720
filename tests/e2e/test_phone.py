"""On a phone: a menu button, no sideways scrolling, targets big enough to tap.

The ``phone`` tab checks width and tap targets on every page it loads, so visiting a page
is the assertion; the tests below visit every page each role can reach.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from accord.org import services
from tests.cast import PASSWORD, Cast, roster_csv
from tests.e2e.conftest import Browser

pytestmark = pytest.mark.browser


def test_menu_button_opens_and_closes_the_navigation(phone: Browser, cast: Cast) -> None:
    phone.log_in_as(cast.chair)
    phone.goto("/o/riverside/")
    page = phone.page
    toggle = page.get_by_role("button", name="Menu")
    nav = page.get_by_role("navigation", name="Main")

    assert toggle.get_attribute("aria-expanded") == "false"
    assert not nav.get_by_role("link", name="People").is_visible()

    toggle.tap()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert nav.get_by_role("link", name="People").is_visible()
    phone.check()

    phone.follow(nav.get_by_role("link", name="People"))
    assert phone.path == "/o/riverside/people/"
    assert page.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "false"

    page.get_by_role("button", name="Menu").tap()
    page.get_by_role("button", name="Menu").tap()
    assert page.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "false"
    assert not nav.get_by_role("link", name="Units").is_visible()


def test_escape_closes_the_menu_and_returns_focus(phone: Browser, cast: Cast) -> None:
    phone.log_in_as(cast.staff_nurse)
    phone.goto("/o/riverside/")
    toggle = phone.page.get_by_role("button", name="Menu")
    toggle.tap()
    phone.page.get_by_role("link", name="My unit").focus()

    phone.page.keyboard.press("Escape")

    assert toggle.get_attribute("aria-expanded") == "false"
    assert toggle.evaluate("el => el === document.activeElement")


def visit_every_page(tab: Browser, cast: Cast) -> None:
    preview = services.preview_org_import(
        organisation=cast.riverside,
        filename="hr-export-with-a-rather-long-file-name-2025-01.csv",
        content=roster_csv(),
        deactivate_missing=False,
        uploaded_by=cast.admin,
    )
    broken = services.preview_org_import(
        organisation=cast.riverside,
        filename="broken.csv",
        content=b"external_id,name\nx,\n",
        deactivate_missing=False,
        uploaded_by=cast.admin,
    )
    emergency = cast.person("chad").unit
    pages = [
        "/o/riverside/",
        "/o/riverside/units/",
        "/o/riverside/units/?all=1",
        f"/o/riverside/units/{emergency.pk}/",
        "/o/riverside/people/",
        "/o/riverside/people/?q=nurse",
        f"/o/riverside/people/{cast.person('nora').pk}/",
        "/o/riverside/import/",
        f"/o/riverside/import/{preview.pk}/",
        f"/o/riverside/import/{broken.pk}/",
        "/o/riverside/tokens/",
        "/o/riverside/logins/",
        "/accounts/password/change/",
    ]
    for path in pages:
        response = tab.goto(path)
        assert response.status == 200, path


def test_every_page_fits_a_phone(phone: Browser, cast: Cast) -> None:
    phone.goto("/accounts/login/")
    phone.goto("/accounts/password/reset/")
    phone.log_in_as(cast.admin)
    visit_every_page(phone, cast)
    phone.goto("/o/riverside/tokens/")
    phone.page.get_by_label("Token name").fill("A token with a long name for a small screen")
    phone.follow(phone.page.get_by_role("button", name="Create token"))
    assert phone.page.locator("#new-token").is_visible()


def test_staff_nurse_pages_fit_a_phone(phone: Browser, cast: Cast) -> None:
    phone.sign_in(cast.staff_nurse.email, PASSWORD)
    phone.page.get_by_role("button", name="Menu").tap()
    phone.follow(phone.page.get_by_role("link", name="My unit"))
    phone.follow(phone.page.get_by_role("link", name="Sam Nurse"))
    assert phone.page.get_by_role("heading", level=1).inner_text() == "Sam Nurse"


def test_without_javascript_everything_is_reachable(
    open_browser: Callable[..., Browser], cast: Cast
) -> None:
    tab = open_browser(phone=True, javascript=False)
    tab.sign_in(cast.admin.email, PASSWORD)
    page = tab.page
    nav = page.get_by_role("navigation", name="Main")

    assert page.get_by_role("button", name="Menu").count() == 0
    labels = nav.get_by_role("link").all_inner_texts()
    assert {"Home", "Units", "People", "Import org chart", "API tokens"} <= set(labels)
    for label in labels:
        tab.follow(nav.get_by_role("link", name=label, exact=True))
        assert nav.get_by_role("link", name=label, exact=True).get_attribute("aria-current")

    tab.goto("/o/riverside/people/")
    page.get_by_label("Search by name, email or ID").fill("olga")
    tab.follow(page.get_by_role("button", name="Search"))
    assert tab.path == "/o/riverside/people/?q=olga"
    assert page.locator("#people-results tbody tr").all_inner_texts()[0].startswith("Olga")

    tab.goto("/o/riverside/tokens/")
    page.get_by_label("Token name").fill("Nightly export")
    tab.follow(page.get_by_role("button", name="Create token"))
    tab.follow(page.get_by_role("button", name="Revoke Nightly export"))
    assert "revoked" in page.get_by_role("row", name="Nightly export").inner_text()

    tab.follow(page.get_by_role("button", name="Sign out"))
    assert tab.path == "/accounts/login/"
