"""The alignment map, links, the home page, agendas and a goal's history never name a goal
the viewer may not see.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

import pytest
from django.utils import timezone

from accord.access.models import User
from accord.goals import services
from accord.goals.models import AuditEntry, Goal, GoalLink
from tests.api.conftest import TokenClient
from tests.cast import Cast
from tests.goals.conftest import Story
from tests.goals.world import goal, url


def secret_of_pia(cast: Cast) -> Goal:
    """A goal of pia's that sam, nora and chad may not see (team visibility, no shared team)."""
    return goal(cast, "pia", "Pia secret plan", metric="ED length of stay", direction="increase",
                baseline="4", target="6")  # fmt: skip


def sams_goal(cast: Cast) -> Goal:
    return goal(cast, "sam", "Sam flow", metric="ED length of stay", baseline="6", target="4")


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
