from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from huey import Huey
from huey.contrib.djhuey import HUEY

from tests.cast import Cast, build_cast

# In CI a missing service is a failure, not a skip.
REQUIRE_SERVICES = os.environ.get("ACCORD_REQUIRE_SERVICES") == "1"


@pytest.fixture
def cast(db: None) -> Cast:
    return build_cast()


@pytest.fixture
def immediate_queue() -> Iterator[Huey]:
    """Run queued tasks at once, in process; the real storages are tested in tests/notify."""
    HUEY.immediate = True
    try:
        yield HUEY
    finally:
        HUEY.immediate = False
