from __future__ import annotations

import pytest

from accord.org.models import Organisation
from accord.org.services import create_organisation


@pytest.fixture
def org(db: None) -> Organisation:
    """An empty organisation with the default unit kinds and professions."""
    return create_organisation(name="Test Health", slug="test-health")
