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


def test_a_follow_up_is_answered_through_the_api(cast: Cast) -> None:
    import datetime as dt

    from django.utils import timezone

    from accord.expectations import services
    from accord.expectations.models import FollowUp
    from tests.expectations.world import escope, proposed_agreement

    agreement = proposed_agreement(cast)
    services.accept(escope=escope(cast, cast.nurse_manager), actor=None, agreement=agreement,
                    number=1)  # fmt: skip
    nora = api(cast, cast.nurse_manager)
    detail = nora.get(f"{BASE}/agreements/{agreement.pk}").json()
    follow_ups = detail["follow_ups"]
    assert [f["state"] for f in follow_ups] == ["upcoming"] * 5
    items = [item["id"] for item in detail["versions"][0]["items"]]
    json = {"content_type": "application/json"}
    first = follow_ups[0]["id"]
    answers = {"answers": [{"item_id": pk, "on_track": True, "still_fair": n == 0}
                           for n, pk in enumerate(items)]}  # fmt: skip
    early = nora.post(f"{BASE}/follow-ups/{first}/answers", answers, **json)
    assert early.status_code == 422 and "This follow-up opens" in early.content.decode()
    FollowUp.objects.filter(pk=first).update(due_at=timezone.now() - dt.timedelta(minutes=1))
    partial = nora.post(f"{BASE}/follow-ups/{first}/answers",
                        {"answers": answers["answers"][:1]}, **json)  # fmt: skip
    assert partial.status_code == 422 and partial.json()["errors"][0]["field"] == "items.1"
    done = nora.post(f"{BASE}/follow-ups/{first}/answers", answers, **json)
    assert done.status_code == 200, done.content
    assert done.json()["colleague_answered_at"] and done.json()["state"] == "due"
    again = nora.post(f"{BASE}/follow-ups/{first}/answers", answers, **json)
    assert again.status_code == 422 and "answered this follow-up already" in again.content.decode()
    outsider = api(cast, cast.executive)
    assert outsider.post(f"{BASE}/follow-ups/{first}/answers", answers, **json).status_code == 404
