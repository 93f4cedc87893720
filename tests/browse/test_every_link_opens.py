"""Every link a page shows opens for the person it is shown to.

The demo health system is crawled by links, as each demo role: from the organisation's home,
every link on every page reached, a few of each kind of address. A link to a page the viewer
may not open (a 403 or a 404) is a broken promise, and a hint at something they may not see.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

import pytest
from django.test import Client

from accord.access.models import User
from accord.demo.services import seed_demo

pytestmark = pytest.mark.django_db
PER_KIND = 3  # pages opened per kind of address (the same path with other ids)
MOST = 250  # pages opened per role


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.found.append(href)


def kind_of(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def crawl(client: Client, start: str) -> list[str]:
    """Broken links as "page → link: status"."""
    broken = []
    seen = {start}
    kinds: Counter[str] = Counter()
    queue = deque([start])
    opened = 0
    while queue and opened < MOST:
        page = queue.popleft()
        response = client.get(page)
        opened += 1
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Links()
        parser.feed(response.content.decode())
        for href in parser.found:
            link = urldefrag(href)[0]
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not link.startswith("/o/"):
                continue  # another site, a mail link, or a page outside the organisation
            if link in seen or kinds[kind_of(parts.path)] >= PER_KIND:
                continue
            seen.add(link)
            kinds[kind_of(parts.path)] += 1
            status = client.get(link).status_code
            if status in (403, 404):
                broken.append(f"{page} → {link}: {status}")
            elif status == 200:
                queue.append(link)
    return broken


@pytest.mark.parametrize(
    "role", ["Program admin", "Executive", "Department chair", "Unit nurse manager", "Staff nurse"]
)
def test_every_link_opens_for_the_role_it_is_shown_to(role: str) -> None:
    logins = seed_demo(people=300, seed=5)
    login = next(login for login in logins if login.role_label == role)
    client = Client()
    client.force_login(User.objects.get(email=login.email))
    assert crawl(client, "/o/riverside/") == []
