"""The agreement's whole round through the API: start, prepare, draft, propose, accept, raise
and address a concern — with the same checks and refusals as the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from accord.access.models import User
from accord.access.services import issue_api_token
from tests.cast import Cast
from tests.expectations.world import SECRET, in_weeks

pytestmark = pytest.mark.django_db
BASE = "/api/expectations"


def api(cast: Cast, user: User) -> Client:
    _, token = issue_api_token(membership=cast.membership(user), name="script")
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_a_whole_round_through_the_api(cast: Cast) -> None:
    chad, nora = api(cast, cast.chair), api(cast, cast.nurse_manager)
    json = {"content_type": "application/json"}
    started = chad.post(f"{BASE}/agreements", {"colleague_hr_id": "nora",
                        "relationship": "direct_report", "topic": "Nights"}, **json)  # fmt: skip
    assert started.status_code == 201, started.content
    agreement = started.json()["id"]
    prepared = chad.put(f"{BASE}/agreements/{agreement}/preparation",
                        {"belief": 2, "belief_note": SECRET}, **json)  # fmt: skip
    assert prepared.status_code == 200 and prepared.json()["ready"] is False
    assert any("coach or mentor" in line for line in prepared.json()["advice"])
    assert nora.get(f"{BASE}/agreements/{agreement}/preparation").status_code == 403
    vague = chad.put(f"{BASE}/agreements/{agreement}/draft", {"why_it_matters": "Nights", "items": [
        {"what": "Support the team", "measure": "more support", "due_on": in_weeks(3).isoformat()}]},
        **json)  # fmt: skip
    assert vague.status_code == 422
    assert vague.json()["errors"][0]["field"] == "items.0.measure"
    drafted = chad.put(f"{BASE}/agreements/{agreement}/draft", {"why_it_matters": "Nights", "items": [
        {"what": "Publish the rota", "measure": "done when posted by the 15th",
         "due_on": in_weeks(3).isoformat()}]}, **json)  # fmt: skip
    assert drafted.status_code == 200 and drafted.json()["items"][0]["what"] == "Publish the rota"
    assert chad.post(f"{BASE}/agreements/{agreement}/propose").json()["status"] == "proposed"
    read = nora.get(f"{BASE}/agreements/{agreement}")
    assert read.status_code == 200 and SECRET not in read.content.decode()
    accepted = nora.post(f"{BASE}/agreements/{agreement}/accept", {"version": 1}, **json)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    concern = nora.post(f"{BASE}/agreements/{agreement}/concerns", {"text": "When?"}, **json)
    assert concern.status_code == 201
    addressed = chad.post(f"{BASE}/concerns/{concern.json()['id']}/address",
                          {"note": "From Monday."}, **json)  # fmt: skip
    assert addressed.json()["addressed_note"] == "From Monday."
    assert [a["status"] for a in nora.get(f"{BASE}/agreements").json()] == ["accepted"]
    assert api(cast, cast.staff_nurse).get(f"{BASE}/agreements/{agreement}").status_code == 404
