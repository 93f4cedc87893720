"""The API docs page in a real browser: it renders offline, under the site's CSP, and passes
the checks every Accord page passes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from accord.api.api import api

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium_page(browser_engine: Any) -> Iterator[Any]:
    """A bare tab: Swagger UI is the API's page, not Accord's, so it skips the page checks."""
    context = browser_engine.new_context()
    yield context.new_page()
    context.close()


def test_swagger_ui_renders_every_operation_from_this_site_alone(
    live_server: Any, chromium_page: Any
) -> None:
    page = chromium_page
    problems: list[str] = []
    requested: list[str] = []
    page.on("console", lambda m: m.type == "error" and problems.append(m.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{live_server.url}/api/docs")
    page.locator(".opblock").first.wait_for()
    operations = api.get_openapi_schema(path_prefix="/api/")["paths"]
    assert page.locator(".opblock").count() == sum(len(ops) for ops in operations.values())
    page.locator(".opblock-summary").first.click()
    page.locator(".opblock-body").first.wait_for()

    assert problems == []
    assert [url for url in requested if not url.startswith(live_server.url)] == []


def test_the_docs_page_passes_the_page_checks_with_operations_open(browser: Any) -> None:
    """Accord's own checks, as on every page: axe (contrast, language, no control inside
    another, scrolling examples reachable by keyboard), no console or script error."""
    browser.goto("/api/docs")
    browser.page.locator(".opblock").first.wait_for()
    browser.check()
    post = browser.page.locator(".opblock-post .opblock-summary-control").first
    post.click()
    browser.page.locator(".opblock-post .highlight-code pre").first.wait_for()
    browser.check()
    assert browser.page.locator("html").get_attribute("lang") == "en"
