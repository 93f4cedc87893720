"""`accord goals` and `accord team` from the command line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner, Result

from accord.cli import app
from accord.goals.models import AuditEntry, CheckIn, Team
from tests.goals.conftest import Story

pytestmark = pytest.mark.django_db


def accord(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_a_team_is_created_and_its_map_printed(story: Story) -> None:
    result = accord("team", "create", "Surgery leadership", "--org", "riverside",
                    "--leader", "sue", "--member", "olga", "--member", "omar")  # fmt: skip
    assert result.exit_code == 0, result.output
    team = Team.objects.get(name="Surgery leadership")
    assert team.members.count() == 3
    result = accord("team", "map", str(story.executive.pk), "--org", "riverside")
    assert result.exit_code == 0, result.output
    assert "Pairs aligned: 0% (0 of 10)" in result.output


def test_a_check_in_from_the_command_line_is_audited(story: Story) -> None:
    result = accord("goals", "check-in", str(story.ed_stay.pk), "--org", "riverside",
                    "--value", "5.8", "--confidence", "on_track")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert CheckIn.objects.get().goal == story.ed_stay
    assert AuditEntry.objects.filter(action="check_in.create", actor_label="command line").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--value", "lots", "--confidence", "on_track"), "--value: this 'lots' is not a number"),
        (
            ("--value", "5", "--confidence", "at_risk"),
            "--note: A check-in marked “at risk” needs a note",
        ),
        (("--value", "5", "--confidence", "on_track", "--date", "2026-13-01"), "--date:"),
    ],
)
def test_bad_check_in_arguments_are_named(
    story: Story, args: tuple[str, ...], message: str
) -> None:
    result = accord("goals", "check-in", str(story.ed_stay.pk), "--org", "riverside", *args)
    assert result.exit_code == 1
    assert message in result.output
    assert not CheckIn.objects.exists()


def test_goals_are_listed_and_linked(story: Story) -> None:
    result = accord("goals", "link", str(story.readmissions.pk), str(story.margin.pk),
                    "--org", "riverside", "--kind", "serves")  # fmt: skip
    assert result.exit_code == 0, result.output
    result = accord("goals", "list", "--org", "riverside", "--person", "sue")
    assert result.exit_code == 0
    assert "Fewer" in result.output and "readmissi" in result.output


def test_importing_a_file_with_problems_lists_them(story: Story, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "goals.csv"
    path.write_text("owner,title,metric,direction,baseline,target,due_date\nzed,T,M,up,1,2,soon\n")
    result = accord("goals", "import", str(path), "--org", "riverside", "--team",
                    str(story.emergency.pk))  # fmt: skip
    assert result.exit_code == 1
    assert "nothing was imported" in result.output
    assert "row 2, column owner" in result.output
