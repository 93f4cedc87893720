"""The alignment map: pair states, headline figures, and the same view up and down."""

from __future__ import annotations

import datetime as dt

from accord.goals import services
from accord.goals.selectors import LINKED, UNKNOWN, UNRESOLVED, alignment_map, team_members
from tests.goals.conftest import Story


def figures(story: Story):  # type: ignore[no-untyped-def]
    return alignment_map(team_members(story.executive), team=story.executive)


def test_headline_figures_count_what_is_open(story: Story) -> None:
    alignment = figures(story)
    assert len(alignment.pairs) == 10  # five people
    assert alignment.aligned_share == 0
    assert alignment.open_conflicts == 0
    # Only chad's ED goal serves the team's shared goal.
    assert {g.title for g in alignment.not_linked_up} == {
        "Fewer surgical readmissions", "More elective cases", "Pediatric patient experience",
        "Safe nurse staffing", "Lower ED labour cost",
    }  # fmt: skip
    assert {p.name for p in alignment.unseen} == {"Chad Chair", "Sue Surgeon", "Pia Pediatrics",
                                                  "Eve Exec"}  # fmt: skip
    services.declare_link(from_goal=story.ed_stay, to_goal=story.readmissions, kind="conflicts",
                          note="Throughput vs quality", actor=None)  # fmt: skip
    services.declare_link(from_goal=story.peds_experience, to_goal=story.readmissions,
                          kind="supports", note="Shared follow-up calls", actor=None)  # fmt: skip
    link = services.declare_link(from_goal=story.readmissions, to_goal=story.peds_experience,
                                 kind="depends", note="Paediatric surgery list", actor=None)  # fmt: skip
    services.respond_to_link(link=link, agree=True, actor=None)
    alignment = figures(story)
    assert alignment.open_conflicts == 1
    states = {frozenset((p.a.name, p.b.name)): p.state for p in alignment.pairs}
    assert states[frozenset(("Chad Chair", "Sue Surgeon"))] == UNRESOLVED
    assert states[frozenset(("Pia Pediatrics", "Sue Surgeon"))] == UNRESOLVED  # one unconfirmed
    assert states[frozenset(("Chad Chair", "Pia Pediatrics"))] == UNKNOWN


def test_someone_opening_a_persons_goals_makes_them_seen(story: Story) -> None:
    sue = story.cast.person("sue")
    story.cast.client_for(story.cast.chair).get(f"/o/riverside/goals/people/{sue.pk}/")
    assert "Sue Surgeon" not in {p.name for p in figures(story).unseen}


def test_the_map_page_shows_matrix_network_and_table(story: Story) -> None:
    response = story.cast.client_for(story.cast.chair).get(
        f"/o/riverside/goals/teams/{story.executive.pk}/map/?days=30"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert '<table class="matrix">' in page
    assert 'role="img"' in page and "<svg" in page
    assert "Every pair" in page and "Chad Chair and Sue Surgeon" in page
    assert "in the last 30 days" in page
    assert "whose goals nobody else has seen" in page


def test_a_team_member_outside_the_pair_cannot_see_anothers_team_map(story: Story) -> None:
    # Nora is in the Emergency team, not the executive team.
    nora = story.cast.client_for(story.cast.nurse_manager)
    assert nora.get(f"/o/riverside/goals/teams/{story.executive.pk}/map/").status_code in (403, 404)
    assert nora.get(f"/o/riverside/goals/teams/{story.emergency.pk}/map/").status_code == 200


def test_up_is_me_and_my_boss_and_down_is_me_and_my_reports(story: Story) -> None:
    chad = story.cast.client_for(story.cast.chair)
    up = chad.get("/o/riverside/goals/map/up/")
    assert up.status_code == 200
    assert up.context["map"].people == [story.cast.person("chad"), story.cast.person("ceo")]
    down = chad.get("/o/riverside/goals/map/down/")
    names = [p.name for p in down.context["map"].people]
    assert names[0] == "Chad Chair" and "Nora Manager" in names and "Oscar Liaison" in names
    assert chad.get("/o/riverside/goals/map/sideways/").status_code == 404


def test_a_contribution_between_two_members_links_the_pair(story: Story) -> None:
    ceo_goal = services.create_goal(
        organisation=story.cast.riverside, actor=None, owner=story.cast.person("ceo"),
        title="System margin", period="FY2026", metric_name="Margin", direction="increase",
        baseline=1, target=3, due_date=dt.date(2026, 12, 31),
    )  # fmt: skip
    services.add_contribution(goal=story.readmissions, serves=ceo_goal, actor=None)
    states = {frozenset((p.a.name, p.b.name)): p.state for p in figures(story).pairs}
    assert states[frozenset(("Cora Chief", "Sue Surgeon"))] == LINKED
