"""Names, comments and notes cannot inject markup into the results pages or formulas into
their spreadsheet exports: the page's CSV and XLSX, the API's, and the command line's.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from django.urls import reverse
from typer.testing import CliRunner

from accord.cli import app
from accord.insights.models import Release
from accord.org.models import Profession, Unit
from accord.surveys.answers import ParsedAnswers
from accord.surveys.models import Invitation
from tests.insights.attackers import (
    FORMULA_STARTS,
    PAGES,
    api_client,
    client_for,
    csv_rows,
    fresh_release_cache,  # noqa: F401 — autouse, see there
    workbook_cells,
)
from tests.insights.survey_world import (
    Group,
    build_organisation,
    run_cycle,
    steady_answers,
)

pytestmark = pytest.mark.django_db


def test_unit_names_comments_professions_and_notes_cannot_inject_markup() -> None:
    world = build_organisation(
        "markup", [Group("Org/Alpha", 12), Group("Org/Bravo", 12), Group("Org/Charlie", 12)]
    )
    organisation = world.organisation
    unit_payload = "<img src=x onerror=alert(1)>"
    profession_payload = '"><svg onload=alert(3)>'
    comment_payload = "<script>alert('c')</script>"
    note_payload = "<b onmouseover=alert(2)>fixed</b>"
    Unit.objects.filter(organisation=organisation, name="Alpha").update(name=unit_payload)
    Profession.objects.filter(organisation=organisation, name="Nurse").update(
        name=profession_payload
    )

    def answer(invitation: Invitation, rng: random.Random) -> ParsedAnswers:
        scores = steady_answers(invitation, rng).scores
        return ParsedAnswers(
            scores=scores, comments={"leaders_change_first": f"{comment_payload} more staff"}
        )

    cycle = run_cycle(world, answer=answer)
    admin = client_for(world.admin)
    slug = organisation.slug
    admin.post(reverse("results-release", args=[slug, cycle.pk]), {"note": note_payload})
    assert Release.objects.filter(cycle=cycle).count() == 2
    alpha = Unit.objects.get(organisation=organisation, name=unit_payload).pk
    seen_escaped = set()
    for name in PAGES:
        for params in ({}, {"unit": alpha}, {"filter": f"profession:{profession_payload}"}):
            page = admin.get(reverse(name, args=[slug, cycle.pk]), params)
            assert page.status_code in (200, 404), (name, params)
            text = page.content.decode()
            for payload in (unit_payload, profession_payload, comment_payload, note_payload):
                assert payload not in text, (name, params, payload)
            for escaped in ("&lt;img src=x", "&lt;script&gt;", "&lt;b onmouseover"):
                if escaped in text:
                    seen_escaped.add(escaped)
    assert seen_escaped == {"&lt;img src=x", "&lt;script&gt;", "&lt;b onmouseover"}


def test_exports_defuse_spreadsheet_formulas_in_unit_and_profession_names(tmp_path: Path) -> None:
    world = build_organisation(
        "formulas",
        [Group("Org/Alpha", 9), Group("Org/Bravo", 9), Group("Org/Charlie", 9),
         Group("Org/Delta", 9)],
    )  # fmt: skip
    organisation = world.organisation
    renames = {
        "Alpha": '=HYPERLINK("http://evil.example","open")',
        "Bravo": "+SUM(1,2)",
        "Charlie": "@SUM(A1)",
        "Delta": "-2+3",
    }
    for old, new in renames.items():
        Unit.objects.filter(organisation=organisation, name=old).update(name=new)
    Profession.objects.filter(organisation=organisation, name="Nurse").update(name="=1+1")
    cycle = run_cycle(world)
    slug = organisation.slug
    executive = client_for(world.executive)
    rows = csv_rows(
        executive.get(reverse("results-export-file", args=[slug, cycle.pk, "csv"])).content
    )
    texts = ("unit_name", "unit_path", "dimension", "value", "reason", "item")
    assert {row["unit_name"] for row in rows} >= {"'" + name for name in renames.values()}
    for row in rows:
        for column in texts:
            assert not row[column].startswith(FORMULA_STARTS), (column, row[column])
    xlsx = executive.get(reverse("results-export-file", args=[slug, cycle.pk, "xlsx"])).content
    cells = [cell for _, row in workbook_cells(xlsx) for cell in row if isinstance(cell, str)]
    assert "'=1+1" in cells
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    api = api_client(world.executive)
    api_csv = api.get(f"/api/results/cycles/{cycle.pk}/report", {"format": "csv"}).content
    assert {row["unit_name"] for row in csv_rows(api_csv)} == {row["unit_name"] for row in rows}
    api_xlsx = api.get(f"/api/results/cycles/{cycle.pk}/report", {"format": "xlsx"}).content
    api_cells = [c for _, row in workbook_cells(api_xlsx) for c in row if isinstance(c, str)]
    assert "'=1+1" in api_cells
    assert not [cell for cell in api_cells if cell.startswith(FORMULA_STARTS)]
    # The command line writes the same files.
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"results.{fmt}"
        ran = CliRunner().invoke(
            app, ["report", "export", "--cycle", str(cycle.pk), "--org", slug,
                  "--format", fmt, "--out", str(out)],
        )  # fmt: skip
        assert ran.exit_code == 0, ran.output
        if fmt == "csv":
            cli_cells = [v for row in csv_rows(out.read_bytes()) for v in row.values()]
        else:
            cli_cells = [c for _, row in workbook_cells(out.read_bytes()) for c in row]
        texts_written = [cell for cell in cli_cells if isinstance(cell, str)]
        assert "'=1+1" in texts_written, fmt
        assert not [cell for cell in texts_written if cell.startswith(FORMULA_STARTS)], fmt
