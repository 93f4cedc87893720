"""A group the release hides leaves no number, text or earlier figure anywhere: pages,
exports, the stored release, trends, gaps, drivers and comments.
"""

from __future__ import annotations

import io
import json
import random
import re

import numpy as np
import pytest
from django.urls import reverse

from accord.insights.models import Release
from accord.insights.selectors import whole_release
from accord.org.models import Person
from accord.surveys.answers import ParsedAnswers
from accord.surveys.models import Invitation
from tests.insights.attackers import (
    FOCUS_PAGES,
    client_for,
    csv_rows,
    fresh_release_cache,  # noqa: F401 — autouse, see there
    unit_names,
    workbook_cells,
)
from tests.insights.survey_world import (
    Group,
    World,
    build_organisation,
    run_cycle,
    steady_answers,
)

pytestmark = pytest.mark.django_db


def siblings_7_6_3(slug: str) -> World:
    return build_organisation(
        slug,
        [Group("Org/Alpha", 7), Group("Org/Bravo", 6), Group("Org/Charlie", 3)],
        leaders=["Org"],
    )


def test_hidden_groups_leave_no_number_in_any_page_or_export() -> None:
    """7/6/3: Bravo and Charlie are hidden; nothing of theirs is shown except the reason."""
    world = siblings_7_6_3("hidden")
    cycle = run_cycle(world)
    slug = world.organisation.slug
    names = unit_names(world)
    executive = client_for(world.executive)
    heatmap = executive.get(reverse("results-heatmap", args=[slug, cycle.pk]))
    hidden_rows = [row for row in heatmap.context["rows"] if not row.group.released]
    assert {row.name for row in hidden_rows} == {"Bravo", "Charlie"}
    for row in hidden_rows:
        assert row.group.respondents is None
        assert all(cell.value is None for cell in row.cells)
    for unit in ("Bravo", "Charlie"):
        for name in FOCUS_PAGES:
            page = executive.get(reverse(name, args=[slug, cycle.pk]), {"unit": names[unit]})
            assert page.status_code == 200, name
            assert page.context["focus_group"].respondents is None
        drivers = executive.get(
            reverse("results-drivers", args=[slug, cycle.pk]), {"unit": names[unit]}
        )
        assert "Hidden —" in drivers.content.decode()
        comments = executive.get(
            reverse("results-comments", args=[slug, cycle.pk]),
            {"unit": names[unit], "theme": "staffing"},
        )
        assert not comments.context["listing"].shown
        assert not comments.context["listing"].themes
        assert "Fewer meetings" not in comments.content.decode()

    document = json.loads(
        executive.get(reverse("results-export-file", args=[slug, cycle.pk, "json"])).content
    )
    hidden = [g for g in document["groups"] if not g["released"]]
    assert hidden
    for group in hidden:
        assert set(group) == {"unit", "filters", "released", "reason_code", "reason"}
    for group in document["groups"]:
        if "response_rate" in group or "invited" in group:
            assert group["released"] and not group["filters"]
            assert group["invited"] >= document["minimum_group_size"]

    numbers = ("respondents", "item", "answered", "favourable_pct", "mean")
    for row in csv_rows(
        executive.get(reverse("results-export-file", args=[slug, cycle.pk, "csv"])).content
    ):
        if row["released"] == "false":
            assert all(row[column] == "" for column in numbers), row
            assert all(v == "" for k, v in row.items() if k.startswith("option_")), row

    xlsx = executive.get(reverse("results-export-file", args=[slug, cycle.pk, "xlsx"])).content
    header: tuple[object, ...] = ()
    for sheet, row in workbook_cells(xlsx):
        if sheet not in ("Groups", "Items"):
            continue
        if row[0] == "unit_id":
            header = row
            continue
        released = row[header.index("released")]
        if released is False:
            after_reason = row[header.index("reason") + 1 :]
            assert all(cell is None for cell in after_reason), (sheet, row)


def test_the_stored_release_holds_no_text_or_number_of_a_hidden_group() -> None:
    world = build_organisation(
        "snapshot", [Group("Org/Alpha", 12), Group("Org/Bravo", 6), Group("Org/Charlie", 3)]
    )
    cycle = run_cycle(world)
    release = Release.objects.get(cycle=cycle)
    with np.load(io.BytesIO(bytes(release.snapshot)), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
    released = int(arrays["table_released"].sum())
    assert released < len(arrays["table_released"])
    for name in ("respondents", "answered", "option_counts", "favourable_pct", "mean"):
        assert len(arrays[name]) == released, name
    hidden_lists = [c for c in meta["comments"] if not c[2]]
    assert hidden_lists, "some comment list is hidden"
    assert all(texts == [] for _, _, _, texts, _, _ in hidden_lists)
    view = whole_release(cycle)
    for unit in view.drivers.unit_indices():
        assert view.report.group(unit).released


def test_a_unit_hidden_now_shows_no_earlier_figure_trend_gap_or_drivers() -> None:
    """Medicine was shown (with a driver analysis) last cycle; this cycle only 3 answered.
    No page of this cycle carries last cycle's Medicine figures next to anything."""
    world = build_organisation(
        "trend",
        [Group("Org/Surgery", 36), Group("Org/Medicine", 33),
         Group("Org/Medicine", 12, role_group="administrator", profession="Manager")],
    )  # fmt: skip
    earlier = run_cycle(world, days_ago=200, seed=3)
    before = whole_release(earlier)
    medicine = world.unit_pk("Org/Medicine")
    assert before.report.group(before.index_of_pk[medicine]).released
    assert before.drivers.for_unit(before.index_of_pk[medicine]) is not None

    medicine_people = set(
        Person.objects.filter(unit_id=medicine).values_list("pk", flat=True).order_by("pk")
    )
    answering = set(sorted(medicine_people)[:3])

    def few_in_medicine(invitation: Invitation, rng: random.Random) -> ParsedAnswers | None:
        if invitation.person_id in medicine_people and invitation.person_id not in answering:
            return None
        return steady_answers(invitation, rng)

    cycle = run_cycle(world, answer=few_in_medicine, days_ago=20, seed=4)
    now = whole_release(cycle)
    assert not now.report.group(now.index_of_pk[medicine]).released

    client = client_for(world.executive)
    slug = world.organisation.slug
    trends = client.get(reverse("results-trends", args=[slug, cycle.pk]), {"unit": medicine})
    assert trends.status_code == 200
    assert trends.context["previous"] is not None
    assert trends.context["trend"].lines == []
    assert trends.context["trend"].previous_respondents is None
    assert "respondents then" not in trends.content.decode()
    for value in ("clinician", "administrator"):
        filtered = client.get(
            reverse("results-trends", args=[slug, cycle.pk]),
            {"unit": medicine, "filter": f"role_group:{value}"},
        )
        assert filtered.context["trend"].lines == []
    root_trends = client.get(reverse("results-trends", args=[slug, cycle.pk]))
    children = {name: count for _, name, count in root_trends.context["trend"].children}
    assert children["Medicine"] is None

    gap = client.get(reverse("results-gap", args=[slug, cycle.pk]), {"unit": medicine})
    assert gap.context["gap"] is None
    drivers = client.get(reverse("results-drivers", args=[slug, cycle.pk]), {"unit": medicine})
    assert drivers.context["unit_drivers"] == []
    assert "Hidden —" in drivers.content.decode()


WORDS = (
    "amber", "basil", "cedar", "delta", "ermine", "fjord", "garnet", "harbor", "indigo",
    "juniper", "kestrel", "lagoon", "meadow", "nectar", "orchid", "prairie", "quartz",
    "raven", "saffron", "tundra",
)  # fmt: skip


def test_comments_below_the_minimum_stay_hidden_shuffled_and_never_next_to_scores() -> None:
    world = build_organisation("remarks", [Group("Org/Alpha", 12), Group("Org/Bravo", 6)])
    order: list[str] = []

    def answer(invitation: Invitation, rng: random.Random) -> ParsedAnswers:
        word = WORDS[len(order)]
        order.append(word)
        scores = steady_answers(invitation, rng).scores
        return ParsedAnswers(
            scores=scores, comments={"leaders_change_first": f"Please {word} staffing now"}
        )

    cycle = run_cycle(world, answer=answer)
    slug = world.organisation.slug
    names = unit_names(world)
    client = client_for(world.executive)
    url = reverse("results-comments", args=[slug, cycle.pk])
    bravo = client.get(url, {"unit": names["Bravo"]})
    assert not bravo.context["listing"].shown
    assert not set(re.findall(r"[a-z]+", bravo.content.decode())) & set(WORDS)

    shown = 0
    for unit in ("Org", "Alpha"):
        page = client.get(url, {"unit": names[unit]})
        listing = page.context["listing"]
        if not listing.shown:
            continue
        shown += 1
        text = page.content.decode()
        words = [c.text.split()[1] for c in listing.comments]
        submitted = [w for w in order if w in words]
        assert sorted(words) == sorted(submitted)
        assert words != submitted, "comments are listed in the order they were written"
        # No score, respondent count or heatmap cell on the comments page.
        assert 'class="heatmap"' not in text and "%</td>" not in text
        assert "Respondents" not in text
    assert shown == 1, "the organisation's and Alpha's lists cannot both be shown"
