from __future__ import annotations

import os

import pytest

from tests.cast import Cast, build_cast

# In CI a missing service is a failure, not a skip.
REQUIRE_SERVICES = os.environ.get("ACCORD_REQUIRE_SERVICES") == "1"


@pytest.fixture
def cast(db: None) -> Cast:
    return build_cast()
