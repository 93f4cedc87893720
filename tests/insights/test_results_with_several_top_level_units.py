"""An org chart with more than one top-level unit publishes and releases again."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.insights.models import Release
from accord.org.importing import ImportFileError
from accord.surveys.models import Cycle
from tests.insights.attackers import (
    client_for,
    fresh_release_cache,  # noqa: F401 — autouse, see there
    import_rows,
    north_and_south,
)
from tests.insights.survey_world import (
    Group,
    World,
    build_organisation,
    run_cycle,
)

pytestmark = pytest.mark.django_db


def two_top_level_units(slug: str) -> World:
    return build_organisation(
        slug,
        [Group("Org/A", 8), Group("Org/B", 9), Group("Acquired/C", 9), Group("Acquired/D", 7)],
    )


def test_publishing_an_organisation_with_two_top_level_units_does_not_fail() -> None:
    """The roster import accepts two top-level units; the engine needs exactly one root, and
    neither `release_cycle` nor the publish action turns that into a message: a 500, and the
    cycle's results can never be published."""
    try:
        world = two_top_level_units("tworoots")
    except ImportFileError:
        return  # fixed by refusing a second top-level unit at import
    cycle = run_cycle(world, publish=False)
    admin = client_for(world.admin)
    response = admin.post(reverse("results-publish", args=[world.organisation.slug, cycle.pk]))
    assert response.status_code == 302, response.status_code
    cycle.refresh_from_db()
    published = cycle.status == Cycle.Status.PUBLISHED
    assert published == Release.objects.filter(cycle=cycle).exists()


def add_acquired_hospital(world: World) -> None:
    import_rows(
        world,
        [
            [f"acq{n}", f"Acquired Person {n}", f"acq{n}@acquired.example", "Acquired/Ward",
             "system/hospital", "", "clinician", "Nurse", "2020-01-01", "no"]
            for n in range(6)
        ],
    )  # fmt: skip


def test_releasing_again_after_a_second_top_level_unit_is_imported_does_not_fail() -> None:
    """An acquired hospital imported as its own top-level unit after publishing: "Release
    again" answers with a 500 and `accord report release` with a traceback."""
    from typer.testing import CliRunner

    from accord.cli import app

    world = north_and_south("acquired")
    cycle = run_cycle(world)
    try:
        add_acquired_hospital(world)
    except ImportFileError:
        return  # fixed by refusing a second top-level unit at import
    admin = client_for(world.admin)
    url = reverse("results-release", args=[world.organisation.slug, cycle.pk])
    response = admin.post(url, {"note": "New hospital in the chart"})
    assert response.status_code == 302, response.status_code
    heatmap = reverse("results-heatmap", args=[world.organisation.slug, cycle.pk])
    assert client_for(world.executive).get(heatmap).status_code == 200

    result = CliRunner().invoke(
        app,
        ["report", "release", "--org", "acquired", "--cycle", str(cycle.pk), "--note", "again"],
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
