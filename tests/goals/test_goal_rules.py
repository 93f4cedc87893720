"""A goal's fields: targets that fit the direction, ranges with bounds, weights up to 100%."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accord.goals import services
from accord.goals.models import AuditEntry, Goal
from tests.cast import Cast
from tests.goals.world import PERIOD, goal


def test_a_goal_is_recorded_with_its_metric_and_audited(cast: Cast) -> None:
    created = goal(cast, "chad", "ED length of stay", baseline="6.5", target="4.5", weight="30",
                   metric_unit="hours")  # fmt: skip
    stored = Goal.objects.get(pk=created.pk)
    assert (stored.baseline, stored.target, stored.incentive_weight) == (
        Decimal("6.5"), Decimal("4.5"), Decimal("30"),
    )  # fmt: skip
    entry = AuditEntry.objects.get(target_type="Goal", target_id=created.pk)
    assert entry.action == "goal.create"
    assert entry.actor_label == "test"
    assert entry.changes["target"] == "4.5"


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "upper", "field", "message"),
    [
        ("increase", "80", "70", None, "target", "must be above the baseline"),
        ("decrease", "6", "7", None, "target", "must be below the baseline"),
        ("range", "8", "8", None, "target_upper", "needs an upper bound"),
        ("range", "8", "9", "8.5", "target_upper", "must not be below the lower bound"),
        ("increase", "1", "2", "3", "target_upper", "Only a goal that stays within a range"),
        ("sideways", "1", "2", None, "direction", "is not a direction"),
    ],
)
def test_targets_must_fit_the_direction(
    cast: Cast, direction: str, baseline: str, target: str, upper: str | None, field: str,
    message: str,
) -> None:  # fmt: skip
    with pytest.raises(services.GoalProblems) as error:
        goal(cast, "chad", "Throughput", direction=direction, baseline=baseline, target=target,
             target_upper=upper)  # fmt: skip
    assert any(f == field and message in m for f, m in error.value.problems)
    assert not Goal.objects.exists()


def test_weights_for_one_period_cannot_pass_one_hundred_percent(cast: Cast) -> None:
    goal(cast, "chad", "ED length of stay", weight="60")
    goal(cast, "chad", "Left without being seen", weight="30")
    with pytest.raises(services.GoalsError, match=r"would add up to 110%") as error:
        goal(cast, "chad", "Door to doctor", weight="20")
    assert error.value.field == "incentive_weight"
    # Another period has its own 100%.
    goal(cast, "chad", "Door to doctor", weight="20", period="FY2027")
    assert Goal.objects.filter(owner=cast.person("chad"), period=PERIOD).count() == 2


def test_raising_a_weight_counts_the_other_goals_but_not_itself(cast: Cast) -> None:
    first = goal(cast, "chad", "ED length of stay", weight="60")
    goal(cast, "chad", "Left without being seen", weight="30")
    services.update_goal(goal=first, actor=None, incentive_weight=Decimal("70"))
    with pytest.raises(services.GoalsError, match="would add up to 101%"):
        services.update_goal(goal=first, actor=None, incentive_weight=Decimal("71"))
    first.refresh_from_db()
    assert first.incentive_weight == Decimal("70")


def test_an_update_is_audited_with_before_and_after(cast: Cast) -> None:
    created = goal(cast, "chad", "ED length of stay", baseline="6.5", target="4.5")
    services.update_goal(goal=created, actor=cast.chair, target=Decimal("4"))
    entry = AuditEntry.objects.filter(action="goal.update").get()
    assert entry.changes == {"target": ["4.5", "4"]}
    assert entry.actor == cast.chair
    assert "chad@riverside.example" in entry.actor_label


def test_team_and_organisation_goals_carry_no_weight(cast: Cast) -> None:
    with pytest.raises(services.GoalProblems, match="Only a person's own goal"):
        goal(cast, None, "Operating margin", direction="increase", baseline="1", target="3",
             weight="10")  # fmt: skip
