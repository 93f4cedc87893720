"""`accord profession`: the configurable list of professions an org chart may use."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner, Result

from accord.cli import app
from accord.org.importing import ImportFileError, plan_org_import
from accord.org.models import Profession
from tests.cast import NH, Cast, roster_csv

pytestmark = pytest.mark.django_db


def accord(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_added_profession_can_be_used_by_the_next_import(cast: Cast) -> None:
    row = (
        "rt1",
        "Rita Breath",
        f"{NH}/Emergency",
        "",
        "chad",
        "clinician",
        "Respiratory therapist",
        "no",
    )
    with pytest.raises(ImportFileError, match="problem"):
        plan_org_import(organisation=cast.riverside, filename="r.csv", content=roster_csv([row]))
    result = accord("profession", "add", "Respiratory  therapist", "--org", "riverside",
                    "--role-group", "clinician")  # fmt: skip
    assert result.exit_code == 0, result.output
    plan = plan_org_import(organisation=cast.riverside, filename="r.csv", content=roster_csv([row]))
    assert plan.summary()["create"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("nurse", "--org", "riverside", "--role-group", "clinician"),
            "already has the profession",
        ),
        (("Chaplain", "--org", "riverside", "--role-group", "spiritual"), "Unknown role group"),
        (("   ", "--org", "riverside", "--role-group", "other"), "needs a name"),
        (
            ("Chaplain", "--org", "atlantis", "--role-group", "other"),
            "no organisation with the slug",
        ),
    ],
)
def test_bad_professions_are_refused_with_a_reason(
    cast: Cast, args: tuple[str, ...], message: str
) -> None:
    before = Profession.objects.count()
    result = accord("profession", "add", *args)
    assert result.exit_code == 1
    assert message in result.output
    assert Profession.objects.count() == before


def test_profession_list_counts_people(cast: Cast) -> None:
    result = accord("profession", "list", "--org", "riverside")
    assert result.exit_code == 0
    nurse_line = next(line for line in result.output.splitlines() if "Nurse " in line)
    assert nurse_line.split()[-2] == "9"
