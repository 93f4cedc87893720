"""Browser tests: Debian's Chromium, driven by Playwright, against Django's live server.

Every page a test loads is checked: axe-core audits it against WCAG 2.1 A and AA, and any
console error (Content-Security-Policy violations included) or uncaught exception fails the
test. On a phone-sized screen the page must also fit the width and keep its controls large
enough to tap. Tests navigate through :class:`Browser` so no page load goes unchecked.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.cast import Cast, build_cast, load_cast
from tests.conftest import REQUIRE_SERVICES

# Playwright's sync API runs an asyncio event loop in the test thread; Django refuses ORM
# calls where a loop is running unless told that this thread never awaits.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 800}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 375, "height": 667},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
# WCAG 2.5.8 asks for 24px targets; the platforms' own guidance for touch is about 44px.
TOUCH_CONTROL_PX = 44
TOUCH_LINK_PX = 24

# Let htmx finish swapping and CSS transitions end, so axe sees the page as a person would;
# then describe the page as axe will see it: its markup and the element that has focus.
SETTLE_AND_DESCRIBE = """async () => {
  const busy = () => document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling");
  for (let i = 0; busy() && i < 100; i++) await new Promise((done) => setTimeout(done, 20));
  // (an animation cancelled on the way, as when an element is replaced, rejects: also done)
  await Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)));
  const focused = document.activeElement ? document.activeElement.outerHTML.slice(0, 200) : "";
  return document.documentElement.outerHTML + "\\n<!-- focus: " + focused + " -->";
}"""
AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
  }));
}"""

# Controls must be comfortable to tap. Links need WCAG's 24px minimum, with its exceptions: a
# link inside a sentence, or a smaller link whose 24px square touches no other target.
TAP_TARGETS = """([controlPx, linkPx]) => {
  const controls = "button, select, textarea, input:not([type=hidden]), a.button, nav a";
  const targets = [...document.querySelectorAll(controls + ", a[href]")].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== "hidden"
      && !el.classList.contains("skip-link");
  });
  const describe = (el, box) =>
    `${el.outerHTML.slice(0, 90)} is ${Math.round(box.width)}x${Math.round(box.height)}px`;
  const square = (box) => {
    const x = box.left + box.width / 2, y = box.top + box.height / 2, r = linkPx / 2;
    return {left: x - r, right: x + r, top: y - r, bottom: y + r};
  };
  const overlap = (a, b) =>
    a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  const inSentence = (el) => {
    const block = el.parentElement.closest("p, li, dd, td, th, div");
    return block && block.textContent.trim().length > el.textContent.trim().length + 20;
  };
  const problems = [];
  for (const el of targets) {
    const box = el.getBoundingClientRect();
    if (el.matches(controls)) {
      const small = el.matches("input[type=checkbox], input[type=radio]") ? linkPx : controlPx;
      if (box.height < small || box.width < small) problems.push(describe(el, box));
      continue;
    }
    if ((box.height >= linkPx - 0.5 && box.width >= linkPx) || inSentence(el)) continue;
    const mine = square(box);
    const crowded = targets.some((other) => other !== el && !other.contains(el)
      && overlap(mine, other.matches(controls) ? other.getBoundingClientRect()
                                                : square(other.getBoundingClientRect())));
    if (crowded) problems.push(describe(el, box) + " and crowded");
  }
  return problems;
}"""


# A per-request secret (the CSRF token, a survey form's nonce) is not something axe looks at,
# but it makes every load of the same page differ.
PER_REQUEST_SECRETS = re.compile(
    r'(?<=<input type="hidden" name=")([^"]+" value=")[^"]*|(?<=X-CSRFToken&quot;: &quot;)[^&]*'
)
# Markup (with its viewport and scripting) that axe found clean in this process: the audit is
# a pure function of the rendered page, so the same page is audited once per test process.
AUDITED_CLEAN: set[str] = set()


def audit_key(options: dict[str, Any], markup: str) -> str:
    normalised = PER_REQUEST_SECRETS.sub(lambda match: match.group(1) or "", markup)
    return hashlib.sha256(f"{sorted(options.items())!r}\n{normalised}".encode()).hexdigest()


def format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"accessibility violations on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {node['target']}")
            lines.extend(f"      {line}" for line in node["summary"].splitlines())
        if len(violation["nodes"]) > 5:
            lines.append(f"    … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


class Browser:
    """One browser tab on the live server that checks every page it lands on.

    Navigate with :meth:`goto` and :meth:`follow` (click something that loads a new page);
    both check the page they arrive at. A page that loads any other way is caught at the next
    check or at the end of the test, so a test cannot skip a page by accident.
    """

    def __init__(
        self, engine: Any, base_url: str, *, phone: bool = False, javascript: bool = True
    ) -> None:
        self.engine = engine
        self.base_url = base_url
        self.phone = phone
        self.javascript = javascript
        self.options = {**(PHONE if phone else DESKTOP), "java_script_enabled": javascript}
        self.context = engine.new_context(**self.options)
        self.context.set_default_timeout(10_000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.unchecked_loads: list[str] = []
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("load", lambda page: self.unchecked_loads.append(page.url))
        self._auditor: Any = None

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console error on {self.page.url}: {message.text}")

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def goto(self, path: str) -> Any:
        response = self.page.goto(self.url(path))
        self.check()
        return response

    def follow(self, target: Any) -> None:
        """Click a link or button that loads a new page, then check that page."""
        with self.page.expect_navigation():
            target.click()
        self.check()

    def sign_in(self, email: str, password: str) -> None:
        self.goto(reverse("login"))
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_label("Password").fill(password)
        self.follow(self.page.get_by_role("button", name="Sign in"))

    def log_in_as(self, user: Any) -> None:
        """Start signed in, without going through the form (tests of the form use sign_in)."""
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        self.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": self.base_url}]
        )

    def check(self) -> None:
        """Audit the page as it is now: errors so far, accessibility and (on phones) layout."""
        self.page.wait_for_load_state("load")
        missed = [url for url in self.unchecked_loads[:-1] if url != self.page.url]
        self.unchecked_loads.clear()
        assert not missed, f"pages loaded without being checked: {missed}"
        self.assert_no_errors()
        violations = self._run_axe()
        assert not violations, format_violations(self.path, violations)
        if self.phone:
            self.assert_fits_width()
            self.assert_tap_targets()
        self.assert_no_errors()

    def _run_axe(self) -> list[dict[str, Any]]:
        page = self.page if self.javascript else self._auditor_showing(self.page.content())
        key = audit_key(self.options, page.evaluate(SETTLE_AND_DESCRIBE))
        if key in AUDITED_CLEAN:
            return []
        if page.evaluate("typeof axe === 'undefined'"):
            # add_script_tag would insert an inline script, which the page's CSP refuses;
            # evaluate runs it through the DevTools protocol instead.
            page.evaluate(AXE.read_text())
        violations: list[dict[str, Any]] = page.evaluate(AXE_RUN, AXE_TAGS)
        if not violations:
            AUDITED_CLEAN.add(key)
        return violations

    def _auditor_showing(self, html: str) -> Any:
        """A scripted twin of a script-free tab, showing the same document with the same CSS.

        axe needs timers, which do not run where JavaScript is off; the twin gets the page's
        HTML and stylesheets but none of its scripts, so it looks exactly like the original.
        """
        if self._auditor is None:
            context = self.engine.new_context(**{**self.options, "java_script_enabled": True})
            self._auditor = context.new_page()
        auditor, url = self._auditor, self.page.url

        def serve(route: Any) -> None:
            request = route.request
            if request.resource_type == "document" and request.url == url:
                route.fulfill(body=html, content_type="text/html; charset=utf-8")
            elif request.resource_type == "script":
                route.fulfill(body="", content_type="text/javascript")
            else:
                route.continue_()

        auditor.unroute("**/*")
        auditor.route("**/*", serve)
        auditor.goto(url)
        return auditor

    def assert_no_errors(self) -> None:
        errors, self.errors = self.errors, []
        assert not errors, "\n".join(errors)

    def assert_fits_width(self) -> None:
        # On a mobile viewport Chrome widens window.innerWidth to fit overflowing content (it
        # zooms out), so compare with the layout viewport, which stays at the device width.
        widths = self.page.evaluate(
            "[document.scrollingElement.scrollWidth,"
            " Math.min(window.innerWidth, document.documentElement.clientWidth)]"
        )
        assert widths[0] <= widths[1], (
            f"{self.path} scrolls sideways: {widths[0]}px > {widths[1]}px"
        )

    def assert_tap_targets(self) -> None:
        problems = self.page.evaluate(TAP_TARGETS, [TOUCH_CONTROL_PX, TOUCH_LINK_PX])
        assert not problems, f"targets too small to tap on {self.path}:\n" + "\n".join(problems)

    def finish(self) -> None:
        if self.unchecked_loads and not self.page.is_closed():
            self.check()
        self.assert_no_errors()

    def close(self) -> None:
        if self._auditor is not None:
            self._auditor.context.close()
        self.context.close()


@pytest.fixture(scope="session")
def browser_engine() -> Iterator[Any]:
    missing = [str(path) for path in (CHROMIUM, AXE) if not path.exists()]
    if missing:
        message = f"browser tests need {', '.join(missing)} (see README)"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        engine = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield engine
        engine.close()


@pytest.fixture
def cast(transactional_db: None) -> Cast:
    """The shared cast, committed so the live server's thread sees it.

    The first browser test finds the cast built for the run; each one after it rebuilds the
    cast, since a test on ``transactional_db`` empties the database when it ends. The rebuild
    starts every table's ids from 1 again, so the same page has the same markup from test to
    test and its accessibility audit is done once (``AUDITED_CLEAN``).
    """
    existing = load_cast()
    if existing is not None:
        return existing
    statements = connection.ops.sequence_reset_by_name_sql(
        no_style(), connection.introspection.sequence_list()
    )
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return build_cast()


@pytest.fixture
def open_browser(browser_engine: Any, live_server: Any) -> Iterator[Callable[..., Browser]]:
    """Open a checked tab: ``open_browser(phone=True)``, ``open_browser(javascript=False)``."""
    opened: list[Browser] = []

    def open_one(*, phone: bool = False, javascript: bool = True) -> Browser:
        tab = Browser(browser_engine, live_server.url, phone=phone, javascript=javascript)
        opened.append(tab)
        return tab

    yield open_one
    try:
        for tab in opened:
            tab.finish()
    finally:
        for tab in opened:
            tab.close()


@pytest.fixture
def browser(open_browser: Callable[..., Browser]) -> Browser:
    return open_browser()


@pytest.fixture
def phone(open_browser: Callable[..., Browser]) -> Browser:
    return open_browser(phone=True)
