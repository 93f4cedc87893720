"""The goals API: the same rules as the pages, as JSON."""

from __future__ import annotations

from collections.abc import Callable

from accord.access.models import User
from accord.goals.models import CheckIn, GoalLink
from tests.api.conftest import TokenClient
from tests.goals.conftest import Story


def test_goals_are_listed_in_scope_with_weights_hidden_from_peers(
    story: Story, token_client: Callable[[User], TokenClient]
) -> None:
    eve = token_client(story.cast.executive)
    items = eve.items("/api/goals")
    by_title = {item["title"]: item for item in items}
    assert by_title["Cut ED length of stay"]["incentive_weight"] is None
    chad = token_client(story.cast.chair)
    mine = {i["title"]: i for i in chad.items("/api/goals", owner_id=story.cast.person("chad").pk)}
    assert mine["Cut ED length of stay"]["incentive_weight"] == "40.00"


def test_a_goal_check_in_and_link_can_be_added_through_the_api(
    story: Story, token_client: Callable[[User], TokenClient]
) -> None:
    chad = token_client(story.cast.chair).client
    response = chad.post("/api/goals", {
        "period": "FY2026", "title": "Left without being seen", "metric_name": "LWBS rate",
        "baseline": "4.1", "target": "2", "direction": "decrease", "due_date": "2026-12-31",
        "incentive_weight": "10",
    }, content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    goal_id = response.json()["id"]
    response = chad.post(f"/api/goals/{goal_id}/check-ins",
                         {"value": "3.9", "confidence": "off_track"},
                         content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "note", "message": response.json()["errors"][0]["message"], "kind": "refused"}
    ]
    assert "needs a note" in response.json()["errors"][0]["message"]
    assert not CheckIn.objects.filter(goal_id=goal_id).exists()
    response = chad.post("/api/goal-links", {
        "from_goal_id": goal_id, "to_goal_id": story.readmissions.pk, "kind": "conflicts",
        "note": "Faster triage, earlier discharge",
    }, content_type="application/json")  # fmt: skip
    assert response.status_code == 201
    assert response.json()["unresolved"] is True
    assert GoalLink.objects.get().declared_by == story.cast.chair


def test_weights_over_one_hundred_percent_are_a_422_naming_the_field(
    story: Story, token_client: Callable[[User], TokenClient]
) -> None:
    chad = token_client(story.cast.chair).client
    response = chad.patch(f"/api/goals/{story.ed_stay.pk}", {"incentive_weight": "101"},
                          content_type="application/json")  # fmt: skip
    assert response.json()["errors"][0]["field"] == "incentive_weight"
    from tests.goals.world import goal

    goal(story.cast, "chad", "Door to doctor", weight="50")
    response = chad.patch(f"/api/goals/{story.ed_stay.pk}", {"incentive_weight": "60"},
                          content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "incentive_weight"


def test_the_team_alignment_is_available_as_json(
    story: Story, token_client: Callable[[User], TokenClient]
) -> None:
    chad = token_client(story.cast.chair)
    body = chad.get(f"/api/teams/{story.executive.pk}/alignment").json()
    assert body["period"] == "FY2026"
    assert len(body["pairs"]) == 10
    assert body["pairs_aligned_percent"] == 0
    suggestions = [s for pair in body["pairs"] for s in pair["suggestions"]]
    assert any("keeps within a range" in s for s in suggestions)
