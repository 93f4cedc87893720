"""Regression tests for the second permission review: what a viewer could learn or change
beyond the rules, and bad input that reached the database or the calendar code."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone
from typer.testing import CliRunner

from accord.access.models import User
from accord.access.scopes import Scope
from accord.cli import app
from accord.goals import importing, services
from accord.goals.models import AuditEntry, Conversation, Goal
from accord.org.models import Unit
from tests.api.conftest import TokenClient
from tests.cast import Cast
from tests.goals.conftest import Story
from tests.goals.world import goal

SLUG = "riverside"


def url(name: str, *args: object) -> str:
    return reverse(name, args=[SLUG, *args])


def form_data(target: Goal, **changes: str) -> dict[str, str]:
    data = {
        "title": target.title, "period": target.period, "due_date": "2026-12-31",
        "metric_name": target.metric_name, "direction": target.direction,
        "baseline": str(target.baseline), "target": str(target.target), "visibility": "team",
    }  # fmt: skip
    return {**data, **changes}


# 1. Incentive weights: whoever may not see them may not learn them from the 100% check ----


def test_an_admin_adding_a_goal_for_someone_cannot_set_or_probe_their_weight_through_the_api(
    story: Story, token_client: Callable[[User], TokenClient]
) -> None:
    admin = token_client(story.cast.admin).client
    chad = story.cast.person("chad")
    body = {"owner_id": chad.pk, "period": "FY2026", "title": "Probe", "metric_name": "m",
            "baseline": "5", "target": "4", "direction": "decrease", "due_date": "2026-12-31",
            "incentive_weight": "61"}  # fmt: skip
    response = admin.post("/api/goals", body, content_type="application/json")
    assert response.status_code == 403
    assert "40%" not in response.content.decode() and "101%" not in response.content.decode()
    assert not Goal.objects.filter(title="Probe").exists()
    response = admin.post("/api/goals", {**body, "incentive_weight": "0"},
                          content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["incentive_weight"] is None
    # Chad's boss may see his weights, and so set one.
    boss = token_client(_login(story.cast, "ceo")).client
    response = boss.post("/api/goals", {**body, "title": "Boss's", "incentive_weight": "60"},
                         content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content


def test_an_admin_adding_a_goal_for_someone_on_the_web_has_no_weight_field(story: Story) -> None:
    admin = story.cast.client_for(story.cast.admin)
    chad = story.cast.person("chad")
    page = admin.get(url("goal-create") + f"?person={chad.pk}").content.decode()
    assert 'name="incentive_weight"' not in page
    response = admin.post(url("goal-create") + f"?person={chad.pk}",
                          form_data(story.ed_stay, title="Probe", incentive_weight="61"))  # fmt: skip
    assert response.status_code == 302
    assert Goal.objects.get(title="Probe").incentive_weight == 0


def test_moving_a_goal_whose_weight_one_may_not_see_is_refused_without_the_numbers(
    story: Story,
) -> None:
    goal(story.cast, "chad", "Next year's flow", weight="70", period="FY2027")
    admin = story.cast.client_for(story.cast.admin)
    response = admin.post(url("goal-edit", story.ed_stay.pk),
                          form_data(story.ed_stay, period="FY2027"))  # fmt: skip
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "more than 100% of Chad Chair's bonus" in page
    assert "110%" not in page and "70%" not in page and "40%" not in page
    story.ed_stay.refresh_from_db()
    assert story.ed_stay.period == "FY2026"


def test_importing_goals_for_a_member_one_does_not_manage_is_refused_and_reveals_no_weight(
    story: Story,
) -> None:
    cast = story.cast
    mixed = services.create_team(organisation=cast.riverside, actor=None, name="Mixed",
                                 leader=cast.person("chad"),
                                 members=[cast.person("pia"), cast.person("nora")])  # fmt: skip
    goal(cast, "pia", "Pia's bonus goal", weight="40")
    content = (
        b"owner,title,metric,direction,baseline,target,due_date,incentive_weight\n"
        b"pia,Planted goal,Beds,decrease,10,8,2026-12-31,70\n"
        b"nora,Nora's goal,Turnover,decrease,18,12,2026-12-31,20\n"
    )
    with pytest.raises(importing.GoalImportError) as refused:
        importing.import_goals(team=mixed, filename="g.csv", content=content,
                               actor=cast.chair, dry_run=True,
                               scope=Scope(cast.membership(cast.chair)))  # fmt: skip
    messages = [str(issue) for issue in refused.value.issues]
    assert any("row 2, column owner" in m and "not for Pia Pediatrics" in m for m in messages)
    assert not any("40%" in m or "110%" in m for m in messages)
    assert len(messages) == 1  # nora reports to chad: her row is fine
    # The command line (no scope) may import for anyone in the team, and is told the numbers.
    with pytest.raises(importing.GoalImportError) as refused:
        importing.import_goals(team=mixed, filename="g.csv", content=content, actor=None,
                               via="test", dry_run=True)  # fmt: skip
    [issue] = refused.value.issues
    assert "would add up to 110%" in str(issue)


def test_the_import_page_applies_the_importers_scope(story: Story) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    cast = story.cast
    mixed = services.create_team(organisation=cast.riverside, actor=None, name="Mixed",
                                 leader=cast.person("chad"), members=[cast.person("pia")])  # fmt: skip
    upload = SimpleUploadedFile("g.csv", b"owner,title,metric,direction,baseline,target,"
                                b"due_date\npia,Planted,Beds,decrease,10,8,2026-12-31\n")  # fmt: skip
    response = cast.client_for(cast.chair).post(url("goal-import"),
                                                {"team": mixed.pk, "file": upload})  # fmt: skip
    assert response.status_code == 200
    assert "not for Pia Pediatrics" in response.content.decode()
    assert not Goal.objects.filter(title="Planted").exists()


def test_an_import_names_only_units_in_the_importers_scope(story: Story) -> None:
    cast = story.cast
    content = (
        b"owner,title,metric,direction,baseline,target,due_date,measured_in\n"
        b"nora,Peds beds,Beds,decrease,10,8,2026-12-31,Pediatrics\n"
    )
    with pytest.raises(importing.GoalImportError) as refused:
        importing.import_goals(team=story.emergency, filename="g.csv", content=content,
                               actor=cast.chair, dry_run=True,
                               scope=Scope(cast.membership(cast.chair)))  # fmt: skip
    [issue] = refused.value.issues
    assert "No unit is called 'Pediatrics'" in str(issue)


# 2. A goal's history names only goals the viewer may see ---------------------------------


def test_a_goals_history_does_not_name_a_goal_above_it_the_viewer_may_not_see(
    story: Story,
) -> None:
    cast = story.cast
    noras = goal(cast, "nora", "Nora's turnover", baseline="18", target="12")
    services.add_contribution(goal=noras, serves=story.ed_stay, actor=None)  # chad's goal
    # Sam sees his boss nora's goals, not chad's.
    page = html.unescape(
        cast.client_for(cast.staff_nurse).get(url("goal-detail", noras.pk)).content.decode()
    )
    assert "Nora's turnover" in page
    assert "Cut ED length of stay" not in page
    # Chad, who may see both, reads the whole history.
    page = html.unescape(
        cast.client_for(cast.chair).get(url("goal-detail", noras.pk)).content.decode()
    )
    assert "now serves “Cut ED length of stay”" in page


def test_a_goals_history_does_not_name_the_other_end_of_a_link_the_viewer_may_not_see(
    story: Story,
) -> None:
    cast = story.cast
    services.update_goal(goal=story.ed_stay, actor=None, visibility="organisation")
    services.declare_link(from_goal=story.ed_stay, to_goal=story.readmissions,
                          kind="conflicts", note="Throughput vs quality", actor=None)  # fmt: skip
    # Sam sees chad's goal, opened to everyone, but not sue's.
    page = cast.client_for(cast.staff_nurse).get(url("goal-detail", story.ed_stay.pk))
    assert page.status_code == 200
    assert "Fewer surgical readmissions" not in page.content.decode()
    entry = AuditEntry.objects.get(action="link.declare")
    assert entry.other_goal_id == story.readmissions.pk


# 3. Team members: a refusal says nothing about people outside the viewer's scope ---------


def test_an_id_outside_ones_scope_reads_exactly_like_an_id_that_names_nobody(
    cast: Cast, token_client: Callable[[User], TokenClient]
) -> None:
    chad = token_client(cast.chair).client

    def refusal(member: int) -> str:
        response = chad.post("/api/teams", {"name": "T", "member_ids": [member]},
                             content_type="application/json")  # fmt: skip
        assert response.status_code == 422
        return str(response.json()["errors"][0]["message"]).replace(str(member), "N")

    assert refusal(cast.person("pia").pk) == refusal(999_999)


# 4. Bad input never reaches the database or the calendar ---------------------------------


def test_a_conversation_in_the_far_future_is_refused_not_a_server_error(
    story: Story, token_client: Callable[[User], TokenClient]
) -> None:
    client = story.cast.client_for(story.cast.chair)
    sue = story.cast.person("sue")
    response = client.post(url("conversation-schedule", sue.pk),
                           {"date": "9999-12-31", "time": "23:30", "duration_minutes": 45})  # fmt: skip
    assert response.status_code == 200
    assert "Choose a date before 2100-12-31." in response.content.decode()
    response = token_client(story.cast.chair).client.post(
        "/api/conversations",
        {"person_ids": [sue.pk], "starts_at": "9999-12-31T23:30:00-06:00"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "starts_at", "message": "Choose a date before 2100-12-31."}
    ]
    assert not Conversation.objects.exists()


def test_a_conversation_with_someone_who_has_left_is_refused(story: Story) -> None:
    sue = story.cast.person("sue")
    sue.is_active = False
    sue.save()
    with pytest.raises(services.GoalsError, match="Sue Surgeon is no longer active"):
        services.schedule_conversation(
            organisation=story.cast.riverside, actor=None,
            people=(story.cast.person("chad"), sue),
            starts_at=timezone.now() + dt.timedelta(days=2), notify=False,
        )  # fmt: skip


def test_a_team_whose_member_has_left_can_still_be_renamed(story: Story) -> None:
    nora = story.cast.person("nora")
    nora.is_active = False
    nora.save()
    services.update_team(team=story.emergency, actor=None, name="ED leadership",
                         members=list(story.emergency.members.all()))  # fmt: skip
    story.emergency.refresh_from_db()
    assert story.emergency.name == "ED leadership"
    # Adding someone who has left is still refused.
    pat = story.cast.person("pat")
    pat.is_active = False
    pat.save()
    with pytest.raises(services.GoalsError, match="Not active in the org chart: Pat Peds"):
        services.update_team(team=story.emergency, actor=None,
                             members=[*story.emergency.members.all(), pat])  # fmt: skip


def test_a_goal_whose_unit_is_outside_the_editors_scope_can_still_be_saved(
    story: Story,
) -> None:
    pediatrics = Unit.objects.get(organisation=story.cast.riverside, name="Pediatrics")
    services.update_goal(goal=story.ed_stay, actor=None, unit=pediatrics)
    chad = story.cast.client_for(story.cast.chair)
    response = chad.post(url("goal-edit", story.ed_stay.pk),
                         form_data(story.ed_stay, title="Shorter ED stays", unit=pediatrics.pk,
                                   incentive_weight="40"))  # fmt: skip
    assert response.status_code == 302, response.content.decode()[-3000:]
    story.ed_stay.refresh_from_db()
    assert (story.ed_stay.title, story.ed_stay.unit) == ("Shorter ED stays", pediatrics)


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


def _login(cast: Cast, external_id: str) -> User:
    from accord.access.models import Role
    from accord.access.services import grant_membership
    from tests.cast import PASSWORD

    return grant_membership(organisation=cast.riverside, email=f"{external_id}@riverside.example",
                            role=Role.LEADER, person=cast.person(external_id),
                            password=PASSWORD).user  # fmt: skip


def test_a_period_with_a_nul_in_the_scheduling_link_is_ignored(story: Story) -> None:
    # PostgreSQL refuses NUL characters in a query: the agenda must not be asked for one.
    client = story.cast.client_for(story.cast.chair)
    target = url("conversation-schedule", story.cast.person("sue").pk) + "?period=FY%002026"
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(target, {"date": day, "time": "10:00", "duration_minutes": 45})
    assert response.status_code == 302
    assert "Fewer surgical readmissions" in Conversation.objects.get().agenda


def test_older_audit_entries_are_given_their_other_goal_by_the_migration(story: Story) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "accord.goals.migrations.0002_cancel_conversations_audit_other_goal"
    )
    link = services.declare_link(from_goal=story.ed_stay, to_goal=story.readmissions,
                                 kind="conflicts", note="x", actor=None)  # fmt: skip
    services.respond_to_link(link=link, agree=True, actor=None)
    gone = services.add_contribution(goal=story.readmissions, serves=story.margin, actor=None)
    services.remove_contribution(contribution=gone, actor=None)
    AuditEntry.objects.update(other_goal_id=None)  # as the entries were before the field
    migration.name_other_goals(apps, None)
    other = dict(AuditEntry.objects.values_list("action", "other_goal_id"))
    assert other["link.declare"] == story.readmissions.pk
    assert other["link.confirm"] == story.ed_stay.pk
    assert other["contribution.delete"] == 0  # gone: only whole-organisation viewers see it
    assert other["goal.create"] is None
    assert (
        AuditEntry.objects.get(action="contribution.create", goal=story.ed_stay).other_goal_id
        == story.margin.pk
    )
