"""The demo seeds leadership teams whose alignment map has something worth fixing."""

from __future__ import annotations

from accord.demo.goals import seed_demo_goals
from accord.demo.services import seed_demo
from accord.goals.models import Goal, GoalLink, LinkStatus, Team
from accord.goals.selectors import ALIGNED, UNKNOWN, alignment_map, team_members
from accord.org.models import Organisation


def test_demo_has_an_executive_team_and_two_department_teams_with_tensions(db: None) -> None:
    seed_demo(people=2000, seed=7)
    names = set(Team.objects.values_list("name", flat=True))
    assert names == {"Executive team", "Emergency leadership, first hospital",
                     "Surgery leadership, first hospital"}  # fmt: skip
    executive = Team.objects.get(name="Executive team")
    assert executive.members.count() == 6
    alignment = alignment_map(team_members(executive), team=executive)
    assert len(alignment.pairs) == 15
    states = [pair.state for pair in alignment.pairs]
    assert states.count(ALIGNED) == 2  # two recent conversations, nothing open between them
    assert states.count(UNKNOWN) >= 8
    assert alignment.open_conflicts == 2  # throughput vs quality, labour cost vs staffing
    assert GoalLink.objects.filter(status=LinkStatus.DISPUTED).count() == 1
    assert alignment.not_linked_up and alignment.unseen
    suggestions = [s.reason for pair in alignment.pairs for s in pair.suggestions]
    assert any("opposite directions" in reason for reason in suggestions)  # occupancy
    assert Goal.objects.filter(title="Cut ED length of stay").get().check_ins.count() == 3


def test_the_same_roster_gives_the_same_goals(db: None) -> None:
    seed_demo(people=2000, seed=7, slug="one", name="One Health")
    seed_demo(people=2000, seed=7, slug="two", name="One Health")

    def goals(slug: str) -> list[tuple[str, str | None, str]]:
        rows = Goal.objects.filter(organisation__slug=slug)
        return sorted(rows.values_list("title", "owner__external_id", "period"))

    assert goals("one") == goals("two")
    assert len(goals("one")) > 20


def test_a_tiny_demo_without_the_chiefs_has_no_teams(db: None) -> None:
    organisation = Organisation.objects.create(name="Tiny", slug="tiny")
    assert seed_demo_goals(organisation=organisation) == {}
