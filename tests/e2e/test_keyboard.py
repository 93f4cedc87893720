"""Keyboard users: a skip link, a visible focus ring, and a logical tab order."""

from __future__ import annotations

import pytest

from tests.cast import Cast
from tests.e2e.conftest import Browser

pytestmark = pytest.mark.browser

FOCUS_RING = "el => getComputedStyle(el).outlineStyle !== 'none' && parseFloat(getComputedStyle(el).outlineWidth) >= 2"


def test_skip_link_is_first_and_moves_focus_to_the_content(browser: Browser, cast: Cast) -> None:
    browser.log_in_as(cast.chair)
    browser.goto("/o/riverside/units/")
    page = browser.page

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()
    assert skip.evaluate(FOCUS_RING)

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Show every unit"


def test_every_control_shows_where_focus_is(browser: Browser, cast: Cast) -> None:
    browser.log_in_as(cast.admin)
    browser.goto("/o/riverside/people/")
    page = browser.page

    seen = set()
    # Through the whole navigation (one stop per item) to the first controls of the page.
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = page.evaluate_handle("document.activeElement")
        name = focused.evaluate("el => el.tagName + ':' + (el.textContent || el.name).trim()")
        assert focused.evaluate(FOCUS_RING), f"{name} has no visible focus ring"
        seen.add(name)
        if name == "INPUT:q":
            break
    assert "BUTTON:Sign out" in seen
    assert "INPUT:q" in seen
