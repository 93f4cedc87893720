from __future__ import annotations

from dataclasses import dataclass

import pytest

from accord.goals import services
from accord.goals.models import Goal, Team
from tests.api.conftest import token_client  # noqa: F401 — the API tests' fixture, for goals too
from tests.cast import Cast
from tests.goals.world import emergency_team, executive_team, goal


@dataclass
class Story:
    """The executive team with a shared goal, each chair's goals, and one tension."""

    cast: Cast
    executive: Team
    emergency: Team
    margin: Goal  # the executive team's shared goal
    ed_stay: Goal  # chad: push ED length of stay down
    readmissions: Goal  # sue: readmissions down (quality), tension with throughput
    surgical_volume: Goal  # sue: more elective cases
    peds_experience: Goal  # pia
    staffing: Goal  # eve: nursing hours per patient day kept within a range
    nurse_hours: Goal  # chad: nursing hours per patient day pushed down (labour cost)


@pytest.fixture
def story(cast: Cast) -> Story:
    executive = executive_team(cast)
    emergency = emergency_team(cast)
    margin = goal(cast, None, "Operating margin", team=executive, direction="increase",
                  baseline="1.2", target="3", metric_unit="%")  # fmt: skip
    ed_stay = goal(cast, "chad", "Cut ED length of stay", metric="ED length of stay",
                   baseline="6.5", target="4.5", weight="40", metric_unit="hours")  # fmt: skip
    readmissions = goal(cast, "sue", "Fewer surgical readmissions", metric="30-day readmissions",
                        baseline="14", target="11", weight="30", metric_unit="%")  # fmt: skip
    volume = goal(cast, "sue", "More elective cases", metric="Elective surgical cases",
                  direction="increase", baseline="900", target="1000")  # fmt: skip
    peds = goal(cast, "pia", "Pediatric patient experience", metric="Likelihood to recommend",
                direction="increase", baseline="78", target="85")  # fmt: skip
    staffing = goal(cast, "eve", "Safe nurse staffing", metric="Nursing hours per patient day",
                    direction="range", baseline="8.9", target="8.5", target_upper="9.5")  # fmt: skip
    nurse_hours = goal(cast, "chad", "Lower ED labour cost",
                       metric="nursing hours per patient day", baseline="9.6", target="8.8")  # fmt: skip
    services.add_contribution(goal=ed_stay, serves=margin, actor=None, via="test")
    return Story(cast, executive, emergency, margin, ed_stay, readmissions, volume, peds,
                 staffing, nurse_hours)  # fmt: skip
