"""The checks every browser test relies on catch what they claim to catch."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.cast import Cast
from tests.e2e.conftest import Browser

pytestmark = pytest.mark.browser


def test_unlabelled_field_fails_the_accessibility_check(browser: Browser, cast: Cast) -> None:
    browser.goto("/accounts/login/")
    browser.page.evaluate("document.querySelector('label[for=id_password]').remove()")

    with pytest.raises(AssertionError, match="label"):
        browser.check()


def test_console_error_fails_the_page(browser: Browser, cast: Cast) -> None:
    browser.goto("/accounts/login/")
    browser.page.evaluate("console.error('something broke')")

    with pytest.raises(AssertionError, match="something broke"):
        browser.check()


def test_blocked_inline_script_shows_up_as_an_error(browser: Browser, cast: Cast) -> None:
    browser.goto("/accounts/login/")
    browser.page.evaluate(
        "const s = document.createElement('script'); s.textContent = '1'; document.body.append(s)"
    )

    with pytest.raises(AssertionError, match="Content Security Policy"):
        browser.check()


def test_sideways_scrolling_fails_on_a_phone(phone: Browser, cast: Cast) -> None:
    phone.goto("/accounts/login/")
    phone.page.evaluate("document.querySelector('h1').style.width = '600px'")

    with pytest.raises(AssertionError, match="scrolls sideways"):
        phone.check()


def test_a_page_left_unchecked_is_reported(browser: Browser, cast: Cast) -> None:
    browser.goto("/accounts/login/")
    browser.page.get_by_role("link", name="Forgotten your password?").click()
    browser.page.wait_for_url("**/password/reset/")
    browser.page.go_back()
    browser.page.wait_for_url("**/accounts/login/")

    with pytest.raises(AssertionError, match="without being checked"):
        browser.check()


def test_script_free_pages_are_audited_too(
    open_browser: Callable[..., Browser], cast: Cast
) -> None:
    tab = open_browser(javascript=False)
    tab.goto("/accounts/login/")
    tab.page.evaluate("document.querySelector('label[for=id_password]').remove()")

    with pytest.raises(AssertionError, match="label"):
        tab.check()
