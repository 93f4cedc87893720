"""Bad input to goals, check-ins and teams is refused with the field named, never a server
error, on the web, the API and the command line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from accord.access.models import User
from accord.cli import app
from accord.goals.models import Conversation, Goal
from tests.api.conftest import TokenClient
from tests.cast import Cast
from tests.goals.conftest import Story
from tests.goals.world import SLUG, goal, url


@pytest.mark.parametrize("field", ["target", "incentive_weight", "visibility", "due_date"])
def test_patching_a_required_goal_field_to_null_is_refused(
    cast: Cast, token_client: Callable[[User], TokenClient], field: str
) -> None:
    chads = goal(cast, "chad", "Chad throughput", weight="10")
    response = token_client(cast.chair).client.patch(
        f"/api/goals/{chads.pk}", {field: None}, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field
    chads.refresh_from_db()
    assert chads.incentive_weight == 10 and chads.visibility == "team"


def test_a_member_id_too_large_for_the_database_is_refused(
    cast: Cast, token_client: Callable[[User], TokenClient]
) -> None:
    response = token_client(cast.chair).client.post(
        "/api/teams", {"name": "Big", "member_ids": [2**70]}, content_type="application/json"
    )
    assert response.status_code == 422


def test_dates_out_of_range_are_refused(
    cast: Cast, token_client: Callable[[User], TokenClient]
) -> None:
    chads = goal(cast, "chad", "Chad throughput")
    chad = token_client(cast.chair).client
    response = chad.patch(f"/api/goals/{chads.pk}", {"due_date": "2101-01-01"},
                          content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "due_date"
    response = chad.post(f"/api/goals/{chads.pk}/check-ins",
                         {"value": "9", "confidence": "on_track", "recorded_on": "1899-12-31"},
                         content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "recorded_on"


def test_a_goal_with_two_owner_kinds_is_refused_naming_both_fields(
    story: Story, token_client: Callable[[User], TokenClient]
) -> None:
    chad = token_client(story.cast.chair).client
    response = chad.post("/api/goals", {
        "owner_id": story.cast.person("chad").pk, "team_id": story.emergency.pk,
        "period": "FY2026", "title": "Two owners", "metric_name": "m", "baseline": "5",
        "target": "4", "direction": "decrease", "due_date": "2026-12-31",
    }, content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["owner_id", "team_id"]
    assert not Goal.objects.filter(title="Two owners").exists()


def test_the_command_line_names_the_date_option(story: Story) -> None:
    result = CliRunner().invoke(app, ["goals", "check-in", str(story.ed_stay.pk), "--org", SLUG,
                                      "--value", "5", "--confidence", "on_track",
                                      "--date", "1850-01-01"])  # fmt: skip
    assert result.exit_code == 1
    assert "--date: A check-in cannot be dated before 1900." in result.output


def test_a_period_with_a_nul_in_the_scheduling_link_is_ignored(story: Story) -> None:
    # PostgreSQL refuses NUL characters in a query: the agenda must not be asked for one.
    client = story.cast.client_for(story.cast.chair)
    target = url("conversation-schedule", story.cast.person("sue").pk) + "?period=FY%002026"
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(target, {"date": day, "time": "10:00", "duration_minutes": 45})
    assert response.status_code == 302
    assert "Fewer surgical readmissions" in Conversation.objects.get().agenda


@pytest.mark.parametrize("name", ["\x18", "ED\tleadership", "Line one\nline two", "Bell\x07"])
def test_a_single_line_name_with_a_control_character_is_refused(
    cast: Cast, token_client: Callable[[User], TokenClient], name: str
) -> None:
    from accord.goals.models import Team

    response = token_client(cast.chair).client.post(
        "/api/teams", {"name": name}, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == "name"
    assert not Team.objects.exists()
    result = CliRunner().invoke(app, ["team", "create", name, "--org", SLUG, "--leader", "chad"])
    assert result.exit_code == 1 and "NAME:" in result.output
    assert not Team.objects.exists()


def test_a_paragraph_keeps_its_line_breaks_and_refuses_other_controls(
    cast: Cast, token_client: Callable[[User], TokenClient]
) -> None:
    client = token_client(cast.chair).client
    kept = client.post("/api/teams", {"name": "ED leaders", "purpose": "Flow.\n\tBeds too."},
                       content_type="application/json")  # fmt: skip
    assert kept.status_code == 201 and kept.json()["purpose"] == "Flow.\n\tBeds too."
    refused = client.post("/api/teams", {"name": "Other", "purpose": "Flow\x1b[31m"},
                          content_type="application/json")  # fmt: skip
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "purpose"
    goal = client.post(
        "/api/goals", {"title": "Door\x00to doctor"}, content_type="application/json"
    )
    assert goal.status_code == 422
