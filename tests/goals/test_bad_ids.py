"""Ids too large for the database, negative or of another organisation, in every goals page
and API path and in JSON bodies: a 404 or a 422, never a server error, and nothing written."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accord.access.models import User
from accord.goals.models import AuditEntry
from accord.goals.urls import urlpatterns
from tests.api.conftest import TokenClient
from tests.goals.conftest import Story

HUGE = 2**64
TOO_BIG = str(10**30)

WEB_ROUTES = sorted(
    (p.name, [k for k in p.pattern.converters if k != "direction"])
    for p in urlpatterns
    if p.pattern.converters and p.name != "my-map"
)


@pytest.mark.parametrize(("name", "params"), WEB_ROUTES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_pages_answer_an_id_too_large_with_a_404(
    story: Story, name: str, params: list[str], method: str
) -> None:
    client: Client = story.cast.client_for(story.cast.admin)
    url = reverse(name, args=["riverside", *[HUGE] * len(params)])
    response = getattr(client, method)(url)
    assert response.status_code in (404, 405), (url, response.status_code)
    assert not AuditEntry.objects.exclude(actor_label="test").exists()


@pytest.mark.parametrize(
    "query",
    ["?person=-1", f"?person={TOO_BIG}", "?team=x", f"?team={TOO_BIG}", "?organisation=1&team=0"],
)
def test_the_goal_form_answers_bad_owners_with_a_404(story: Story, query: str) -> None:
    client = story.cast.client_for(story.cast.admin)
    response = client.get(reverse("goal-create", args=["riverside"]) + query)
    assert response.status_code == 404


@pytest.mark.parametrize("query", [f"?and={TOO_BIG}", "?and=-3", f"?team={TOO_BIG}", "?team=z"])
def test_scheduling_answers_bad_ids_with_a_404(story: Story, query: str) -> None:
    client = story.cast.client_for(story.cast.admin)
    sue = story.cast.person("sue")
    url = reverse("conversation-schedule", args=["riverside", sue.pk]) + query
    assert client.get(url).status_code == 404


API_PATHS = [
    ("get", "/api/goals/{}"),
    ("patch", "/api/goals/{}"),
    ("get", "/api/goals/{}/check-ins"),
    ("post", "/api/goals/{}/check-ins"),
    ("post", "/api/goals/{}/serves"),
    ("get", "/api/goal-links/{}"),
    ("patch", "/api/goal-links/{}"),
    ("post", "/api/goal-links/{}/withdraw"),
    ("post", "/api/goal-links/{}/answer"),
    ("get", "/api/teams/{}"),
    ("patch", "/api/teams/{}"),
    ("get", "/api/teams/{}/alignment"),
    ("get", "/api/conversations/{}"),
    ("post", "/api/conversations/{}/reschedule"),
    ("post", "/api/conversations/{}/cancel"),
    ("post", "/api/conversations/{}/record"),
    ("patch", "/api/conversations/{}/commitments/{}"),
]
BODY = {"title": "x", "value": "1", "confidence": "on_track", "serves_id": 1, "agree": True,
        "note": "x", "starts_at": "2099-01-01T10:00:00Z", "held_on": "2026-01-01", "done": True}  # fmt: skip


@pytest.mark.parametrize(("method", "path"), API_PATHS)
@pytest.mark.parametrize("bad", [TOO_BIG, "-1", "0"])
def test_api_paths_answer_bad_ids_with_a_404_or_422(
    story: Story, token_client: Callable[[User], TokenClient], method: str, path: str, bad: str
) -> None:
    client = token_client(story.cast.admin).client
    url = path.replace("{}", bad)
    response = getattr(client, method)(url, BODY, content_type="application/json")
    assert response.status_code in (404, 422), (url, response.status_code, response.content)
    assert not AuditEntry.objects.exclude(actor_label="test").exists()


@pytest.mark.parametrize("bad", [2**63, -1, 0, "1e3", None])
@pytest.mark.parametrize(
    ("path", "field", "body"),
    [
        ("/api/goals", "owner_id", {"period": "FY2026", "title": "t", "metric_name": "m",
                                    "baseline": 2, "target": 1, "direction": "decrease",
                                    "due_date": "2026-12-31"}),
        ("/api/goals", "team_id", {"period": "FY2026", "title": "t", "metric_name": "m",
                                   "baseline": 2, "target": 1, "direction": "decrease",
                                   "due_date": "2026-12-31"}),
        ("/api/goal-links", "from_goal_id", {"to_goal_id": 1, "kind": "supports", "note": "x"}),
        ("/api/goal-links", "to_goal_id", {"from_goal_id": 1, "kind": "supports", "note": "x"}),
        ("/api/teams", "leader_id", {"name": "T"}),
        ("/api/conversations", "team_id", {"person_ids": [1],
                                           "starts_at": "2099-01-01T10:00:00Z"}),
    ],
)  # fmt: skip
def test_json_ids_out_of_range_are_a_422_naming_the_field(
    story: Story, token_client: Callable[[User], TokenClient], path: str, field: str,
    body: dict[str, object], bad: object,
) -> None:  # fmt: skip
    client = token_client(story.cast.admin).client
    response = client.post(path, {**body, field: bad}, content_type="application/json")
    if bad is None and field in ("owner_id", "team_id", "leader_id"):
        # Null is how these are left out.
        assert response.status_code in (201, 403, 404, 422), response.content
        return
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field


def test_another_organisations_goals_teams_and_links_are_404s_in_json_bodies(
    story: Story, token_client: Callable[[User], TokenClient]
) -> None:
    olive = token_client(story.cast.outsider).client
    ids = {"goal": story.ed_stay.pk, "team": story.executive.pk}
    for path, body in (
        ("/api/goal-links", {"from_goal_id": ids["goal"], "to_goal_id": story.readmissions.pk,
                             "kind": "supports", "note": "x"}),
        ("/api/goals", {"team_id": ids["team"], "period": "FY2026", "title": "t",
                        "metric_name": "m", "baseline": 2, "target": 1,
                        "direction": "decrease", "due_date": "2026-12-31"}),
        ("/api/conversations", {"person_ids": [story.cast.person("sue").pk],
                                "starts_at": "2099-01-01T10:00:00Z"}),
    ):  # fmt: skip
        response = olive.post(path, body, content_type="application/json")
        assert response.status_code == 404, (path, response.content)
