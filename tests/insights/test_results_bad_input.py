"""Bad input to the results pages, API and command line is refused with a clear answer,
never a server error: odd digits in unit ids, NUL characters in notes, unknown parameters.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.insights.models import Release
from tests.insights.attackers import (
    FOCUS_PAGES,
    PAGES,
    api_client,
    client_for,
    fresh_release_cache,  # noqa: F401 — autouse, see there
    north_and_south,
)
from tests.insights.survey_world import run_cycle

pytestmark = pytest.mark.django_db


def test_a_unit_id_written_in_other_unicode_digits_is_a_404_not_a_500() -> None:
    """``str.isdigit`` accepts "²" but ``int`` refuses it: every page with ``unit=`` fails."""
    world = north_and_south("digits")
    cycle = run_cycle(world)
    slug = world.organisation.slug
    for user in (world.executive, world.leaders["Org/North Hospital"]):
        client = client_for(user)
        for name in FOCUS_PAGES:
            url = reverse(name, args=[slug, cycle.pk])
            for raw in ("\u00b2", "1\u00b2", "\u2460"):  # ², 1², ①
                response = client.get(url, {"unit": raw})
                assert response.status_code == 404, (name, raw, response.status_code)


def test_a_release_note_with_a_nul_character_is_refused() -> None:
    """The note is saved as given: SQLite stores the NUL and shows it in every viewer's
    header; PostgreSQL refuses it and the page fails with a 500."""
    world = north_and_south("nulnote")
    cycle = run_cycle(world)
    admin = client_for(world.admin)
    url = reverse("results-release", args=[world.organisation.slug, cycle.pk])
    response = admin.post(url, {"note": "Corrected\x00 the wards"})
    assert response.status_code == 302, response.status_code
    assert Release.objects.filter(cycle=cycle).count() == 1
    assert all("\x00" not in note for note in Release.objects.values_list("note", flat=True))


def test_the_command_line_refuses_a_release_note_with_a_nul_character() -> None:
    from typer.testing import CliRunner

    from accord.cli import app

    world = north_and_south("nulcli")
    cycle = run_cycle(world)
    result = CliRunner().invoke(
        app,
        ["report", "release", "--org", "nulcli", "--cycle", str(cycle.pk), "--note", "a\x00b"],
    )
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "--note" in result.output
    assert Release.objects.filter(cycle=cycle).count() == 1


BAD_VALUES = (
    "\x00", "1\x00", "9" * 40, "-1", "0", "1.0", "1e3", " 1", "%", ":", "role_group:",
    ":clinician", "role_group:clinician:x", "role_group:Clinician", "profession:\x00",
    "x" * 3000, "\U0001f642", "<script>", "NaN", "inf", "99999999999", "2147483648",
)  # fmt: skip


def test_bad_parameters_are_answered_with_a_4xx_never_a_500() -> None:
    world = north_and_south("fuzz")
    run_cycle(world, days_ago=200, seed=5)
    cycle = run_cycle(world)
    slug = world.organisation.slug
    for user in (world.executive, world.leaders["Org/North Hospital"]):
        client = client_for(user)
        for name in PAGES:
            url = reverse(name, args=[slug, cycle.pk])
            for value in BAD_VALUES:
                for param in ("unit", "filter"):
                    status = client.get(url, {param: value}).status_code
                    expected = (404,) if name in FOCUS_PAGES else (200,)
                    if param == "filter" and name in ("results-drivers", "results-gap"):
                        expected = (200,)  # these pages take no filter
                    assert status in expected, (name, param, value[:20], status)
                params = {"question": value, "theme": value, "page": value, "release": value}
                assert client.get(url, params).status_code == 200, (name, value[:20])
        for cycle_id in ("0", "2147483648", "9" * 30):
            for name in PAGES:
                url = reverse(name, args=[slug, 1]).replace("/1/", f"/{cycle_id}/", 1)
                assert client.get(url).status_code == 404, (name, cycle_id)
        for fmt in ("pdf", "JSON", "json1", "x" * 200):
            url = reverse("results-export-file", args=[slug, cycle.pk, fmt])
            assert client.get(url).status_code == 404, fmt

    api = api_client(world.executive)
    report = f"/api/results/cycles/{cycle.pk}/report"
    for params, status in (
        ({"release": "1\x00"}, 422),
        ({"release": "0"}, 422),
        ({"release": "-3"}, 422),
        ({"release": "1.5"}, 422),
        ({"release": "9" * 30}, 422),
        ({"release": "7"}, 404),
        ({"format": "json\x00"}, 422),
        ({"format": "XLSX"}, 422),
    ):
        response = api.get(report, params)
        assert response.status_code == status, (params, response.status_code)
        assert "detail" in response.json()
    for cycle_id in ("0", "-1", "9" * 30, "2147483648"):
        response = api.get(f"/api/results/cycles/{cycle_id}/report")
        assert response.status_code == 404, cycle_id
    assert api.get("/api/results/cycles/abc/report").status_code == 422
