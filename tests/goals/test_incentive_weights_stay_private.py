"""Whoever may not see a person's incentive weights cannot set them or learn them, not even
through the check that weights add up to 100%.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import pytest

from accord.access.models import User
from accord.access.scopes import Scope
from accord.goals import importing, services
from accord.goals.models import Goal
from tests.api.conftest import TokenClient
from tests.cast import Cast
from tests.goals.conftest import Story
from tests.goals.world import form_data, goal, url


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


def _login(cast: Cast, external_id: str) -> User:
    from accord.access.models import Role
    from accord.access.services import grant_membership
    from tests.cast import PASSWORD

    return grant_membership(organisation=cast.riverside, email=f"{external_id}@riverside.example",
                            role=Role.LEADER, person=cast.person(external_id),
                            password=PASSWORD).user  # fmt: skip
