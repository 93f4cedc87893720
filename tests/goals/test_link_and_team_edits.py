"""Withdrawing, rewording and resolving sideways links; changing a leadership team through
the API and the command line. Every change is audited; only the right people make it."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from huey import Huey
from typer.testing import CliRunner

from accord.access.models import User
from accord.cli import app
from accord.goals import services
from accord.goals.models import AuditEntry, GoalLink, LinkStatus, Team
from tests.api.conftest import TokenClient
from tests.goals.conftest import Story
from tests.goals.world import goal

SLUG = "riverside"


def url(name: str, *args: object) -> str:
    return reverse(name, args=[SLUG, *args])


def conflict(story: Story) -> GoalLink:
    return services.declare_link(from_goal=story.ed_stay, to_goal=story.readmissions,
                                 kind="conflicts", note="Throughput vs quality",
                                 actor=story.cast.chair)  # fmt: skip


def accord(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


# Withdrawing a link ---------------------------------------------------------------------------


def test_the_declarer_withdraws_a_link_and_the_peer_is_told(
    story: Story, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    link = conflict(story)
    chad = story.cast.client_for(story.cast.chair)
    page = chad.get(url("goal-detail", story.ed_stay.pk)).content.decode()
    assert "Withdraw the link" in page
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = chad.post(url("link-withdraw", link.pk))
    assert response.status_code == 302
    assert not GoalLink.objects.filter(pk=link.pk).exists()
    [email] = mail.outbox
    assert email.to == ["sue@riverside.example"] and "withdrew" in email.subject
    entry = AuditEntry.objects.get(action="link.withdraw")
    assert (entry.goal, entry.other_goal_id) == (story.ed_stay, story.readmissions.pk)
    assert entry.changes["note"] == "Throughput vs quality"
    assert chad.post(url("link-withdraw", link.pk)).status_code == 404


def test_the_other_owner_does_not_withdraw_a_link_even_when_they_manage_the_declarer(
    story: Story,
) -> None:
    cast = story.cast
    noras = goal(cast, "nora", "Nora staffing", metric="Staffing", direction="increase",
                 baseline="1", target="2")  # fmt: skip
    chads = goal(cast, "chad", "Chad throughput", metric="Throughput", direction="increase",
                 baseline="1", target="2")  # fmt: skip
    # Nora raises a conflict with her boss's goal; he may edit her goal, but not take it back.
    link = services.declare_link(from_goal=noras, to_goal=chads, kind="conflicts",
                                 note="Throughput squeezes staffing", actor=cast.nurse_manager)  # fmt: skip
    page = cast.client_for(cast.chair).get(url("goal-detail", chads.pk)).content.decode()
    assert "Withdraw the link" not in page
    assert cast.client_for(cast.chair).post(url("link-withdraw", link.pk)).status_code == 403
    assert cast.client_for(cast.admin).post(url("link-withdraw", link.pk)).status_code == 403
    assert cast.client_for(cast.staff_nurse).post(url("link-withdraw", link.pk)).status_code == 404
    assert cast.client_for(cast.outsider).post(url("link-withdraw", link.pk)).status_code == 404
    assert GoalLink.objects.filter(pk=link.pk).exists()
    assert (
        cast.client_for(cast.nurse_manager).post(url("link-withdraw", link.pk)).status_code == 302
    )


def test_a_link_is_withdrawn_through_the_api_and_the_command_line(
    story: Story, token_client: Callable[[User], TokenClient]
) -> None:
    link = conflict(story)
    chad = token_client(story.cast.chair)  # he declared it
    assert (
        token_client(story.cast.admin)
        .client.post(f"/api/goal-links/{link.pk}/withdraw")
        .status_code
        == 403
    )
    assert chad.client.post(f"/api/goal-links/{link.pk}/withdraw").status_code == 204
    assert chad.client.post(f"/api/goal-links/{link.pk}/withdraw").status_code == 404
    link = conflict(story)
    result = accord("goals", "unlink", str(link.pk), "--org", SLUG)
    assert result.exit_code == 0, result.output
    assert not GoalLink.objects.exists()
    assert AuditEntry.objects.filter(action="link.withdraw", actor_label="command line").exists()
    result = accord("goals", "unlink", str(link.pk), "--org", SLUG)
    assert result.exit_code == 1 and "LINK_ID: no goal link" in html.unescape(result.output)


# Rewording and resolving --------------------------------------------------------------------


def test_rewording_an_answered_link_asks_the_other_owner_again(
    story: Story, token_client: Callable[[User], TokenClient], immediate_queue: Huey,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    link = conflict(story)
    services.respond_to_link(link=link, agree=True, actor=None)
    chad = token_client(story.cast.chair).client
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = chad.patch(f"/api/goal-links/{link.pk}",
                              {"note": "Early discharges raise readmissions"},
                              content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.content
    assert (response.json()["note"], response.json()["status"]) == (
        "Early discharges raise readmissions",
        "proposed",
    )
    [email] = mail.outbox
    assert email.to == ["sue@riverside.example"] and "answer again" in email.subject
    entry = AuditEntry.objects.get(action="link.update")
    assert entry.changes["status"] == ["confirmed", "proposed"]
    # The other owner answers; she does not reword it.
    sue = token_client(_login(story, "sue")).client
    response = sue.patch(f"/api/goal-links/{link.pk}", {"note": "mine now"},
                         content_type="application/json")  # fmt: skip
    assert response.status_code == 403


def test_either_owner_resolves_a_conflict_and_nobody_else(
    story: Story, token_client: Callable[[User], TokenClient]
) -> None:
    link = conflict(story)
    sue = token_client(_login(story, "sue")).client
    response = sue.patch(f"/api/goal-links/{link.pk}",
                         {"resolution": "escalated", "resolution_note": "For the CEO"},
                         content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.content
    assert (response.json()["resolution"], response.json()["unresolved"]) == ("escalated", True)
    for outsider in (story.cast.admin, story.cast.executive):
        response = token_client(outsider).client.patch(
            f"/api/goal-links/{link.pk}",
            {"resolution": "resolved"},
            content_type="application/json",
        )
        assert response.status_code == 403
    chad = story.cast.client_for(story.cast.chair)
    page = chad.get(url("goal-detail", story.ed_stay.pk)).content.decode()
    assert "This conflict is" in page
    response = chad.post(url("link-resolve", link.pk), {"resolution": "resolved",
                                                        "note": "Checklist agreed"})  # fmt: skip
    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.resolution, link.resolution_note) == ("resolved", "Checklist agreed")
    assert AuditEntry.objects.filter(action="link.resolve").count() == 2
    pia = token_client(_login(story, "pia")).client  # in the team: sees both goals
    response = pia.patch(f"/api/goal-links/{link.pk}", {"resolution": ""},
                         content_type="application/json")  # fmt: skip
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"note": None}, "note"),
        ({"note": "  "}, "note"),
        ({"note": "x" * 2001}, "note"),
        ({"resolution": "sorted"}, "resolution"),
        ({"resolution_note": "why"}, "resolution"),
        ({"note": "ok", "resolution": "resolved"}, "resolution"),  # not a conflict
    ],
)
def test_a_bad_link_change_is_a_422_naming_the_field_and_changes_nothing(
    story: Story, token_client: Callable[[User], TokenClient], body: dict[str, Any], field: str
) -> None:
    link = services.declare_link(from_goal=story.ed_stay, to_goal=story.readmissions,
                                 kind="supports", note="Shared lounge", actor=story.cast.chair)  # fmt: skip
    response = token_client(story.cast.chair).client.patch(
        f"/api/goal-links/{link.pk}", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field
    link.refresh_from_db()
    assert (link.note, link.status, link.resolution) == ("Shared lounge", LinkStatus.PROPOSED, "")
    assert not AuditEntry.objects.filter(action__in=["link.update", "link.resolve"]).exists()


def test_a_conflict_is_resolved_from_the_command_line(story: Story) -> None:
    link = conflict(story)
    result = accord("goals", "resolve", str(link.pk), "--org", SLUG, "--resolution", "resolved")
    assert result.exit_code == 0, result.output
    link.refresh_from_db()
    assert link.resolution == "resolved"
    result = accord("goals", "resolve", str(link.pk), "--org", SLUG, "--resolution", "gone")
    assert result.exit_code == 1 and "--resolution:" in result.output


# Teams through the API and the command line ---------------------------------------------------


def test_a_leader_changes_their_team_through_the_api(
    story: Story, token_client: Callable[[User], TokenClient]
) -> None:
    cast = story.cast
    chad = token_client(cast.chair).client
    team = story.emergency
    paula = cast.person("paula")
    response = chad.patch(f"/api/teams/{team.pk}", {
        "name": "ED leadership", "member_ids": [cast.person("nora").pk, paula.pk],
        "share_incentive_weights": True, "conversation_window_days": 60,
    }, content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "ED leadership"
    assert body["member_ids"] == sorted([cast.person("chad").pk, cast.person("nora").pk, paula.pk])
    assert (body["share_incentive_weights"], body["conversation_window_days"]) == (True, 60)
    entry = AuditEntry.objects.get(action="team.update")
    assert set(entry.changes) == {"name", "members", "share_incentive_weights",
                                  "conversation_window_days"}  # fmt: skip
    assert entry.actor == cast.chair
    # Leaving member_ids out keeps the members.
    response = chad.patch(f"/api/teams/{team.pk}", {"purpose": "Flow and safety"},
                          content_type="application/json")  # fmt: skip
    assert response.status_code == 200
    assert len(response.json()["member_ids"]) == 3


def test_a_leader_cannot_put_someone_outside_their_scope_in_their_team_through_the_api(
    story: Story, token_client: Callable[[User], TokenClient]
) -> None:
    cast = story.cast
    chad = token_client(cast.chair).client
    team = story.emergency
    pia = cast.person("pia")
    response = chad.patch(f"/api/teams/{team.pk}", {"member_ids": [pia.pk]},
                          content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "member_ids" and "Pia" not in error["message"]
    assert not team.members.filter(pk=pia.pk).exists()
    # A member an admin added stays when the leader lists them again.
    services.update_team(team=team, actor=None, members=[*team.members.all(), pia])
    response = chad.patch(f"/api/teams/{team.pk}",
                          {"member_ids": [pia.pk, cast.person("nora").pk]},
                          content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.content
    assert pia.pk in response.json()["member_ids"]


def test_only_the_leader_or_an_admin_changes_a_team_through_the_api(
    story: Story, token_client: Callable[[User], TokenClient]
) -> None:
    path = f"/api/teams/{story.executive.pk}"  # led by the chief executive
    chad = token_client(story.cast.chair).client  # a member
    assert chad.patch(path, {"name": "Mine"}, content_type="application/json").status_code == 403
    olive = token_client(story.cast.outsider).client
    assert olive.patch(path, {"name": "Mine"}, content_type="application/json").status_code == 404
    admin = token_client(story.cast.admin).client
    response = admin.patch(path, {"share_incentive_weights": True},
                           content_type="application/json")  # fmt: skip
    assert response.status_code == 200
    story.executive.refresh_from_db()
    assert story.executive.name == "Executive team" and story.executive.share_incentive_weights


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": None}, "name"),
        ({"name": "  "}, "name"),
        ({"name": "Executive team"}, "name"),
        ({"name": "bad\u0000name"}, "name"),
        ({"conversation_window_days": 0}, "conversation_window_days"),
        ({"conversation_window_days": 731}, "conversation_window_days"),
        ({"member_ids": [-1]}, "member_ids.0"),
        ({"member_ids": [2**63]}, "member_ids.0"),
        ({"member_ids": [999_999]}, "member_ids"),
        ({"member_ids": None}, "member_ids"),
        ({"share_incentive_weights": "perhaps"}, "share_incentive_weights"),
    ],
)
def test_a_bad_team_change_is_a_422_naming_the_field_and_changes_nothing(
    story: Story, token_client: Callable[[User], TokenClient], body: dict[str, Any], field: str
) -> None:
    team = story.emergency
    response = token_client(story.cast.chair).client.patch(
        f"/api/teams/{team.pk}", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field
    team.refresh_from_db()
    assert (team.name, team.conversation_window_days, team.members.count()) == (
        "Emergency leadership",
        90,
        3,
    )
    assert not AuditEntry.objects.filter(action="team.update").exists()


def test_a_team_is_changed_from_the_command_line(story: Story) -> None:
    team = story.emergency
    result = accord("team", "update", str(team.pk), "--org", SLUG, "--name", "ED leadership",
                    "--add-member", "paula", "--remove-member", "oscar_r", "--share-weights",
                    "--window-days", "45")  # fmt: skip
    assert result.exit_code == 0, result.output
    team.refresh_from_db()
    assert team.name == "ED leadership" and team.share_incentive_weights
    assert team.conversation_window_days == 45
    assert set(team.members.values_list("external_id", flat=True)) == {"chad", "nora", "paula"}
    assert AuditEntry.objects.filter(action="team.update", actor_label="command line").exists()
    result = accord("team", "update", str(team.pk), "--org", SLUG, "--remove-member", "chad")
    assert result.exit_code == 1 and "leads the team" in result.output
    result = accord("team", "update", str(team.pk), "--org", SLUG, "--name", "Executive team")
    assert result.exit_code == 1 and "--name: There is already a team" in result.output
    result = accord("team", "update", str(team.pk), "--org", SLUG, "--add-member", "zed")
    assert result.exit_code == 1 and "--add-member: no person with HR id 'zed'" in result.output
    assert Team.objects.get(pk=team.pk).name == "ED leadership"


def _login(story: Story, external_id: str) -> User:
    from accord.access.models import Role
    from accord.access.services import grant_membership
    from tests.cast import PASSWORD

    return grant_membership(organisation=story.cast.riverside,
                            email=f"{external_id}@riverside.example", role=Role.LEADER,
                            person=story.cast.person(external_id), password=PASSWORD).user  # fmt: skip


def test_resolving_a_link_that_is_not_a_conflict_says_why_on_the_goal_page(story: Story) -> None:
    link = services.declare_link(from_goal=story.ed_stay, to_goal=story.readmissions,
                                 kind="supports", note="Shared lounge", actor=story.cast.chair)  # fmt: skip
    chad = story.cast.client_for(story.cast.chair)
    response = chad.post(url("link-resolve", link.pk), {"resolution": "resolved"}, follow=True)
    assert "Only a conflict is resolved or escalated" in html.unescape(response.content.decode())
    response = chad.post(url("link-resolve", link.pk), {"resolution": "sorted"})
    assert response.status_code == 400
    link.refresh_from_db()
    assert link.resolution == ""
