"""Every page each demo role reaches by links, in a real browser: zero axe violations, no
console error, no script error.

The crawl starts at the organisation's home and follows the links each page shows (a couple
of each kind of address: the same path with other ids), as the program admin, the executive,
the department chair, the unit nurse manager and the staff nurse. The API's own page,
/api/docs, is reached the same way, from the API tokens page.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable
from urllib.parse import urldefrag, urlsplit

import pytest

from accord.access.models import User
from accord.demo.services import seed_demo
from tests.e2e.conftest import Browser

pytestmark = pytest.mark.browser
PER_KIND = 2  # pages opened per kind of address
MOST = 80  # pages opened per role
ROLES = ["Program admin", "Executive", "Department chair", "Unit nurse manager", "Staff nurse"]
LINKS = "() => [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href'))"


def kind_of(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def within_accord(link: str) -> bool:
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:
        return False  # another site, or a mail link
    # Downloads (exports, calendar files, printable codes) are not pages to audit.
    return link.startswith(("/o/", "/api/docs")) and not re.search(
        r"/(export|download)|\.(csv|xlsx|ics|pdf)(\?|$)", parts.path
    )


def crawl(browser: Browser, start: str) -> tuple[list[str], list[str]]:
    """The pages opened, and each problem found as "page: what"."""
    opened: list[str] = []
    problems: list[str] = []
    seen = {start}
    kinds: Counter[str] = Counter([kind_of(start)])
    queue = deque([start])
    while queue and len(opened) < MOST:
        page = queue.popleft()
        try:
            browser.goto(page)
        except AssertionError as problem:
            problems.append(f"{page}: {problem}")
            continue
        opened.append(page)
        for href in browser.page.evaluate(LINKS):
            link = urldefrag(href)[0]
            path = urlsplit(link).path
            if not within_accord(link) or link in seen or kinds[kind_of(path)] >= PER_KIND:
                continue
            seen.add(link)
            kinds[kind_of(path)] += 1
            queue.append(link)
    return opened, problems


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_every_page_the_role_reaches_passes_the_page_checks(
    role: str, live_server: object, open_browser: Callable[..., Browser]
) -> None:
    logins = seed_demo(people=300, seed=5)
    login = next(login for login in logins if login.role_label == role)
    browser = open_browser()
    browser.log_in_as(User.objects.get(email=login.email))

    opened, problems = crawl(browser, "/o/riverside/")

    assert problems == [], "\n\n".join(problems)
    assert len(opened) >= 10, opened  # the crawl got past the home page
    if role == "Program admin":
        assert "/api/docs" in opened
