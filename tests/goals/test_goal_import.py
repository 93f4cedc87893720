"""Importing a team's goals: every problem at once, with row and column; all or nothing."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from accord.goals.importing import GoalImportError, import_goals
from accord.goals.models import AuditEntry, Contribution, Goal
from tests.goals.conftest import Story

HEADER = "owner,title,metric,direction,baseline,target,target_upper,due_date,incentive_weight,serves,measured_in"
GOOD = f"""{HEADER}
team,Patient flow,ED boarding hours,decrease,900,600,,2026-12-31,,,
chad,Door to doctor,Door to doctor minutes,decrease,42,30,,2026-12-31,20,Patient flow,Emergency
nora,ED nurse turnover,Nurse turnover,decrease,18,12,,2026-12-31,25,Patient flow,ED Nursing
oscar_r,Safe staffing,Nursing hours per patient day,range,9,8.5,9.5,2026-12-31,10,,
"""


def run(story: Story, content: bytes, **extra):  # type: ignore[no-untyped-def]
    return import_goals(team=story.emergency, filename="goals.csv", content=content,
                        actor=story.cast.chair, **extra)  # fmt: skip


def test_a_valid_file_adds_goals_and_their_links(story: Story) -> None:
    before = Goal.objects.count()
    result = run(story, GOOD.encode())
    assert (result.goals, result.links) == (4, 2)
    assert Goal.objects.count() == before + 4
    shared = Goal.objects.get(team=story.emergency, title="Patient flow")
    assert set(Contribution.objects.filter(serves=shared).values_list("goal__title", flat=True)) == {
        "Door to doctor", "ED nurse turnover",
    }  # fmt: skip
    assert Goal.objects.get(title="Door to doctor").unit.name == "Emergency"
    assert AuditEntry.objects.filter(action="goal.create", actor=story.cast.chair).count() == 4


def test_every_problem_is_reported_and_nothing_is_added(story: Story) -> None:
    bad = f"""{HEADER}
team,Patient flow,ED boarding hours,decrease,900,600,,2026-12-31,,,
chad,Door to doctor,Door to doctor minutes,decrease,42,50,,2026-12-31,20,Patient flow,
sue,Not a member,X,decrease,2,1,,2026-12-31,,,
nora,Turnover,Nurse turnover,sideways,18,lots,,31/12/2026,,Nothing,Atlantis
chad,Left without being seen,LWBS,decrease,4,2,,2026-12-31,90,,
"""
    before = Goal.objects.count()
    with pytest.raises(GoalImportError) as error:
        run(story, bad.encode())
    messages = [str(issue) for issue in error.value.issues]
    assert (
        "row 3, column target: To decrease the metric, the target must be below the baseline."
        in messages
    )
    assert any(
        m.startswith("row 4, column owner:") and "not the HR id of a member" in m for m in messages
    )
    assert any(m.startswith("row 5, column direction:") for m in messages)
    assert any(m.startswith("row 5, column target:") and "not a number" in m for m in messages)
    assert any(m.startswith("row 5, column due_date:") for m in messages)
    assert any(m.startswith("row 5, column serves:") for m in messages)
    assert any(m.startswith("row 5, column measured_in:") for m in messages)
    assert any(m.startswith("row 6, column incentive_weight:") and "150%" in m for m in messages)
    assert Goal.objects.count() == before


def test_a_missing_column_is_named(story: Story) -> None:
    with pytest.raises(GoalImportError) as error:
        run(story, b"owner,title,metric\nchad,x,y\n")
    assert {issue.column for issue in error.value.issues} >= {"direction", "baseline", "target"}


def test_an_xlsx_file_with_date_cells_imports(story: Story) -> None:
    import datetime as dt

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["owner", "title", "metric", "direction", "baseline", "target", "due_date"])
    sheet.append(
        ["chad", "Door to doctor", "Minutes", "decrease", 42, 30, dt.datetime(2026, 12, 31)]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert run(story, buffer.getvalue()).goals == 1
    assert Goal.objects.get(title="Door to doctor").due_date == dt.date(2026, 12, 31)


def test_a_formula_saved_without_its_value_is_refused(story: Story) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["owner", "title", "metric", "direction", "baseline", "target", "due_date"])
    sheet.append(["chad", "Door to doctor", "Minutes", "decrease", 42, "=B1*0", "2026-12-31"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = Goal.objects.count()
    with pytest.raises(GoalImportError) as error:
        run(story, buffer.getvalue())
    assert any(
        str(issue).startswith("row 2, column target: holds a formula with no saved value")
        for issue in error.value.issues
    )
    assert Goal.objects.count() == before


def test_a_dry_run_adds_nothing(story: Story) -> None:
    before = Goal.objects.count()
    assert run(story, GOOD.encode(), dry_run=True).goals == 4
    assert Goal.objects.count() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\xff\xfe\x00o", "not UTF-8"),
        (b"PK\x03\x04broken", "not a readable Excel"),
    ],
)
def test_unreadable_files_are_refused_clearly(story: Story, content: bytes, message: str) -> None:
    with pytest.raises(GoalImportError, match="problem") as error:
        run(story, content)
    assert message in str(error.value.issues[0])


def test_the_browser_upload_lists_every_problem(story: Story) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = story.cast.client_for(story.cast.chair)
    response = client.post("/o/riverside/goals/import/", {
        "team": story.emergency.pk,
        "file": SimpleUploadedFile("goals.csv", b"owner,title\nchad,x\n"),
    })  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert "nothing was added" in page and "column metric" in page
