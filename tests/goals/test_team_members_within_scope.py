"""Regression tests for the goals review: teams, link answers, the map, agendas, bad input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accord.access.models import User
from accord.access.scopes import Scope
from accord.goals import services, tasks
from accord.goals.models import Goal, GoalLink, Team
from tests.api.conftest import TokenClient
from tests.cast import Cast
from tests.goals.world import emergency_team, executive_team, goal

SLUG = "riverside"


def url(name: str, *args: object) -> str:
    return reverse(name, args=[SLUG, *args])


def secret_of_pia(cast: Cast) -> Goal:
    """A goal of pia's that sam, nora and chad may not see (team visibility, no shared team)."""
    return goal(cast, "pia", "Pia secret plan", metric="ED length of stay", direction="increase",
                baseline="4", target="6")  # fmt: skip


def sams_goal(cast: Cast) -> Goal:
    return goal(cast, "sam", "Sam flow", metric="ED length of stay", baseline="6", target="4")


# 1. Team members must be in the creator's scope ------------------------------------------


def test_a_leader_cannot_create_a_team_with_someone_outside_their_scope_through_the_api(
    cast: Cast, token_client: Callable[[User], TokenClient]
) -> None:
    chad = token_client(cast.chair).client
    response = chad.post("/api/teams", {"name": "Spies", "member_ids": [cast.person("pia").pk]},
                         content_type="application/json")  # fmt: skip
    assert response.status_code == 422, response.content
    [error] = response.json()["errors"]
    assert error["field"] == "member_ids"
    # Refused like an id that names nobody: nothing about pia is revealed.
    assert error["message"] == (
        "No such people in your part of the organisation (a program admin can add anyone): "
        f"[{cast.person('pia').pk}]."
    )
    assert not Team.objects.filter(name="Spies").exists()
    response = chad.post("/api/teams", {"name": "ED", "member_ids": [cast.person("nora").pk]},
                         content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    admin = token_client(cast.admin).client
    response = admin.post("/api/teams", {"name": "Cross", "member_ids": [cast.person("pia").pk],
                                         "leader_id": cast.person("chad").pk},
                          content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content


def test_a_leader_cannot_add_someone_outside_their_scope_by_hr_id_on_the_web(cast: Cast) -> None:
    client = cast.client_for(cast.chair)
    response = client.post(url("team-list"), {"name": "Spies", "more_members": "pia sue",
                                              "conversation_window_days": 90})  # fmt: skip
    assert response.status_code == 200
    assert "No one in your part of the org chart has the HR id(s): pia, sue." in (
        response.content.decode()
    )
    assert "Pia Pediatrics" not in response.content.decode()
    assert not Team.objects.filter(name="Spies").exists()
    team = emergency_team(cast)
    members = [
        str(pk) for pk in team.members.exclude(pk=team.leader_id).values_list("pk", flat=True)
    ]
    response = client.post(url("team-edit", team.pk), {"name": team.name, "members": members,
                           "more_members": "pia", "conversation_window_days": 90})  # fmt: skip
    assert response.status_code == 200
    assert "No one in your part of the org chart has the HR id(s): pia." in (
        response.content.decode()
    )
    assert not team.members.filter(external_id="pia").exists()


def test_a_leader_may_keep_members_an_admin_added_when_editing_the_team(cast: Cast) -> None:
    team = services.create_team(organisation=cast.riverside, actor=None, name="Mixed",
                                leader=cast.person("chad"), members=[cast.person("pia")])  # fmt: skip
    services.update_team(team=team, actor=cast.chair, scope=_scope(cast, cast.chair),
                         name="Mixed again", members=list(team.members.all()))  # fmt: skip
    assert team.members.filter(external_id="pia").exists()


def _scope(cast: Cast, user: User) -> Scope:
    return Scope(cast.membership(user))


# 2. Only the other owner answers a sideways link -----------------------------------------


def test_the_declarer_cannot_confirm_their_own_link(cast: Cast) -> None:
    chads = goal(cast, "chad", "Chad throughput", metric="Throughput", direction="increase",
                 baseline="1", target="2")  # fmt: skip
    noras = goal(cast, "nora", "Nora quality", metric="Quality", direction="increase",
                 baseline="1", target="2")  # fmt: skip
    to_nora = services.declare_link(from_goal=chads, to_goal=noras, kind="supports",
                                    note="helps", actor=cast.chair)  # fmt: skip
    # Chad manages nora and may edit her goal, but the link is his: he may not answer it.
    chad = cast.client_for(cast.chair)
    assert chad.post(url("link-respond", to_nora.pk), {"answer": "confirm"}).status_code == 403
    # Declared by chad from nora's goal to his own: he owns the "to" goal but declared it.
    to_chad = services.declare_link(from_goal=noras, to_goal=chads, kind="depends",
                                    note="needs it", actor=cast.chair)  # fmt: skip
    assert chad.post(url("link-respond", to_chad.pk), {"answer": "confirm"}).status_code == 403
    admin = cast.client_for(cast.admin)
    assert admin.post(url("link-respond", to_nora.pk), {"answer": "confirm"}).status_code == 403
    nora = cast.client_for(cast.nurse_manager)
    assert nora.post(url("link-respond", to_nora.pk), {"answer": "confirm"}).status_code == 302
    to_nora.refresh_from_db()
    assert to_nora.status == "confirmed"


# 3. The alignment map shows only goals the viewer may see --------------------------------


def test_the_team_map_does_not_name_goals_the_viewer_may_not_see(
    cast: Cast, token_client: Callable[[User], TokenClient]
) -> None:
    team = services.create_team(organisation=cast.riverside, actor=None, name="Cross",
                                leader=cast.person("nora"),
                                members=[cast.person("sam"), cast.person("pia")])  # fmt: skip
    sam, pia = sams_goal(cast), secret_of_pia(cast)
    # Chad is above the team's leader, so he sees the map, but pia's goals are not his to see.
    page = cast.client_for(cast.chair).get(url("team-map", team.pk))
    assert page.status_code == 200
    assert "Sam flow" in page.content.decode()
    assert "Pia secret plan" not in page.content.decode()
    body = token_client(cast.chair).get(f"/api/teams/{team.pk}/alignment").json()
    assert sam.pk in body["goals_not_linked_up"]
    assert pia.pk not in body["goals_not_linked_up"]
    assert len(body["pairs"]) == 3
    assert not any("Pia secret plan" in s for p in body["pairs"] for s in p["suggestions"])
    everything = token_client(cast.admin).get(f"/api/teams/{team.pk}/alignment").json()
    assert pia.pk in everything["goals_not_linked_up"]


# 4. Links and agendas do not reveal goals ------------------------------------------------


def test_a_link_from_a_goal_the_other_owner_cannot_see_is_refused(cast: Cast) -> None:
    pia, sam = secret_of_pia(cast), sams_goal(cast)
    with pytest.raises(services.GoalsError, match="may not see “Pia secret plan”"):
        services.declare_link(from_goal=pia, to_goal=sam, kind="conflicts", note="x", actor=None)
    services.update_goal(goal=pia, actor=None, visibility="organisation")
    services.declare_link(from_goal=pia, to_goal=sam, kind="conflicts", note="x", actor=None)


def test_the_home_page_does_not_show_links_from_goals_one_may_not_see(cast: Cast) -> None:
    pia, sam = secret_of_pia(cast), sams_goal(cast)
    GoalLink.objects.create(organisation=cast.riverside, from_goal=pia, to_goal=sam,
                            kind="conflicts", note="pia's private reasoning")  # fmt: skip
    page = cast.client_for(cast.staff_nurse).get(url("goal-home")).content.decode()
    assert "Sam flow" in page
    assert "Pia secret plan" not in page and "private reasoning" not in page


def test_the_agenda_shows_each_person_only_goals_the_other_may_see(cast: Cast) -> None:
    pia, sam = secret_of_pia(cast), sams_goal(cast)
    GoalLink.objects.create(organisation=cast.riverside, from_goal=pia, to_goal=sam,
                            kind="conflicts", note="pia's private reasoning")  # fmt: skip
    conversation = services.schedule_conversation(
        organisation=cast.riverside, actor=None, people=(cast.person("sam"), cast.person("pia")),
        starts_at=timezone.now() + dt.timedelta(days=2), notify=False,
    )  # fmt: skip
    assert "Pia secret plan" not in conversation.agenda
    assert "Sam flow" not in conversation.agenda
    assert "private reasoning" not in conversation.agenda
    goal(cast, "nora", "Nora staffing", metric="Staffing", direction="increase", baseline="1",
         target="2")  # fmt: skip
    conversation = services.schedule_conversation(
        organisation=cast.riverside, actor=None, people=(cast.person("sam"), cast.person("nora")),
        starts_at=timezone.now() + dt.timedelta(days=2), notify=False,
    )  # fmt: skip
    assert "Sam flow" in conversation.agenda and "Nora staffing" in conversation.agenda


# 5. A conversation tagged with a team is between two of its members ----------------------


def test_a_conversation_tagged_with_a_team_needs_both_people_in_it(cast: Cast) -> None:
    executive = executive_team(cast)  # chad is in it, nora is not
    client = cast.client_for(cast.chair)
    target = url("conversation-schedule", cast.person("nora").pk) + f"?team={executive.pk}"
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(target, {"date": day, "time": "10:00", "duration_minutes": 45})
    assert response.status_code == 200
    assert "Nora Manager is not in it" in response.content.decode()
    assert not executive.conversations.exists()
    emergency = emergency_team(cast)
    target = url("conversation-schedule", cast.person("nora").pk) + f"?team={emergency.pk}"
    response = client.post(target, {"date": day, "time": "10:00", "duration_minutes": 45})
    assert response.status_code == 302


# 6. Bad input is refused, not a server error ---------------------------------------------


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


# 7. Reminder emails link to the site ------------------------------------------------------


def test_a_reminder_links_to_the_conversation_on_the_site(cast: Cast) -> None:
    conversation = services.schedule_conversation(
        organisation=cast.riverside, actor=None, people=(cast.person("chad"), cast.person("nora")),
        starts_at=timezone.now() + dt.timedelta(days=2), notify=False,
    )  # fmt: skip
    mail.outbox.clear()
    assert tasks.remind_about_conversation.call_local(conversation.pk, "upcoming", 0) == 1
    page = reverse("conversation-detail", args=[SLUG, conversation.pk])
    assert f"{settings.ACCORD_BASE_URL}{page}" in mail.outbox[-1].body
