from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from huey import Huey
from huey.contrib.djhuey import HUEY

from tests.cast import Cast, remove_cast, shared_cast
from tests.mailserver import mail_server  # noqa: F401 (a fixture for every test)

# In CI a missing service is a failure, not a skip.
REQUIRE_SERVICES = os.environ.get("ACCORD_REQUIRE_SERVICES") == "1"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    """Build the cast once, just after the test database is made (once per xdist worker).

    Each test runs in a transaction that is rolled back, so the cast is there for the next.
    """
    with django_db_blocker.unblock():
        shared_cast()


@pytest.fixture
def cast(db: None) -> Cast:
    return shared_cast()


@pytest.fixture(autouse=True)
def _cast_only_where_asked(request: pytest.FixtureRequest) -> None:
    """A test that uses the database but not the cast gets it without the cast, as it always has."""
    if "cast" in request.fixturenames:
        return
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
    elif "db" in request.fixturenames or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
    else:
        return
    remove_cast()


@pytest.fixture
def immediate_queue() -> Iterator[Huey]:
    """Run queued tasks at once, in process; the real storages are tested in tests/notify."""
    HUEY.immediate = True
    try:
        yield HUEY
    finally:
        HUEY.immediate = False
