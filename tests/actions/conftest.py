from __future__ import annotations

import pytest

from tests.actions.world import LoopWorld, build_loop_world


@pytest.fixture
def loop_world(db: None) -> LoopWorld:
    return build_loop_world()
