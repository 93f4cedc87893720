"""The loop at a glance counts, per unit with released results, the discussion with the
team, the plans and how they moved; it exports as CSV and XLSX, on the page and the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.urls import reverse
from typer.testing import CliRunner

from accord.actions import loop
from accord.actions.models import TeamDiscussion
from accord.cli import app
from accord.insights.selectors import whole_release
from tests.actions.world import EMERGENCY, SURGERY, LoopWorld
from tests.cast import local_today

pytestmark = pytest.mark.django_db


def rows_by_unit(content: bytes) -> dict[str, dict[str, str]]:
    reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
    return {row["unit_path"]: row for row in reader}


def test_discussions_plans_and_remeasures_are_counted_per_unit(loop_world: LoopWorld) -> None:
    w = loop_world
    leader = w.leader(EMERGENCY)
    client = w.client(leader)
    today = local_today()
    discussion = reverse("team-discussion-new", args=[w.slug]) + (
        f"?cycle={w.first.pk}&unit={w.unit(EMERGENCY)}"
    )
    refused = client.post(discussion, {"held_on": (today + dt.timedelta(days=3)).isoformat(),
                                       "attended": "0", "what_mattered": ""})  # fmt: skip
    assert refused.status_code == 200
    assert not TeamDiscussion.objects.exists()
    done = client.post(discussion, {"held_on": today.isoformat(), "attended": "11",
                                    "what_mattered": "Breaks, and being asked first."})  # fmt: skip
    assert done.status_code == 302
    w.plan(leader, EMERGENCY, "outcome:burnout_rate")
    w.plan(leader, EMERGENCY, "construct:voice", title="Ask first")

    export = w.client(w.world.executive).get(
        reverse("action-loop-export", args=[w.slug, w.first.pk, "csv"])
    )
    rows = rows_by_unit(export.content)
    assert rows[EMERGENCY]["discussed_within_window"] == "yes"
    assert rows[EMERGENCY]["plans"] == "2"
    assert rows[EMERGENCY]["planned_within_8_weeks"] == "yes"
    assert rows[EMERGENCY]["better"] == "1"
    assert rows[SURGERY]["plans"] == "0"
    assert rows[SURGERY]["discussed_within_window"] == "no"

    found = loop.loop_at_a_glance(w.ascope(w.world.executive), whole_release(w.first))
    assert found.units_planned_in_time == 1
    assert found.share_planned_in_time == pytest.approx(100 / found.units)
    page = w.client(w.world.executive).get(reverse("action-loop", args=[w.slug, w.first.pk]))
    assert "made a plan within 8 weeks" in page.content.decode()


def test_the_cli_exports_the_same_table(loop_world: LoopWorld, tmp_path: Path) -> None:
    w = loop_world
    w.plan(w.leader(EMERGENCY), EMERGENCY, "outcome:burnout_rate")
    out = tmp_path / "loop.csv"
    result = CliRunner().invoke(app, ["actions", "export", "--org", w.slug, "--cycle",
                                      str(w.first.pk), "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    page = w.client(w.world.executive).get(
        reverse("action-loop-export", args=[w.slug, w.first.pk, "csv"])
    )
    assert rows_by_unit(out.read_bytes()) == rows_by_unit(page.content)
    listed = CliRunner().invoke(app, ["actions", "list", "--org", w.slug])
    assert "Protect breaks" in listed.output
    missing = CliRunner().invoke(app, ["actions", "export", "--org", w.slug, "--cycle", "999999"])
    assert missing.exit_code == 1
    assert "--cycle" in missing.output
