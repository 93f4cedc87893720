"""Attackers of the results pages, exports, API and command line, and the worlds they attack.

The attackers: a curious leader who knows the org chart, a member (staff) with a login,
someone from another organisation, and an API token holder. The releases are made by the
real services from answers stored the way the survey writes them (``survey_world``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accord.access.models import Membership, User
from accord.access.services import issue_api_token
from accord.insights import selectors
from accord.org.importing import plan_org_import
from accord.org.models import Unit
from accord.org.services import apply_org_import
from accord.surveys.models import Cycle
from tests.insights.survey_world import (
    HEADER,
    Group,
    World,
    build_organisation,
)


@pytest.fixture(autouse=True)
def fresh_release_cache() -> Iterator[None]:
    """A process keeps loaded releases by id and digest; test databases reuse ids, and these
    worlds are alike enough to give byte-identical snapshots, so each test starts afresh."""
    selectors._load_snapshot.cache_clear()
    selectors._TRENDS.clear()
    yield
    selectors._load_snapshot.cache_clear()
    selectors._TRENDS.clear()


# The pages that show one unit (``unit=``) of a release, and the export page.
FOCUS_PAGES = (
    "results-heatmap",
    "results-drivers",
    "results-gap",
    "results-trends",
    "results-comments",
)
PAGES = (*FOCUS_PAGES, "results-export")
FORMATS = ("json", "csv", "xlsx")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def client_for(user: User, **options: object) -> Client:
    """A signed-in browser that gets a 500 page rather than an exception, like a real one."""
    client = Client(raise_request_exception=False, **options)  # type: ignore[arg-type]
    client.force_login(user)
    return client


def api_client(user: User) -> Client:
    membership = Membership.objects.get(user=user)
    _, token = issue_api_token(membership=membership, name="review")
    return Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {token}")


def page_urls(world: World, cycle: Cycle) -> Iterator[tuple[str, str]]:
    slug = world.organisation.slug
    for name in PAGES:
        yield name, reverse(name, args=[slug, cycle.pk])
    for fmt in FORMATS:
        yield f"export {fmt}", reverse("results-export-file", args=[slug, cycle.pk, fmt])


def import_rows(world: World, rows: Sequence[Sequence[str]]) -> None:
    """A later roster import (added people and units; nobody is deactivated)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER.split(","))
    writer.writerows(rows)
    plan = plan_org_import(
        organisation=world.organisation, filename="later.csv", content=buffer.getvalue().encode()
    )
    apply_org_import(plan=plan)


def unit_names(world: World) -> dict[str, int]:
    return dict(Unit.objects.filter(organisation=world.organisation).values_list("name", "pk"))


def north_and_south(slug: str) -> World:
    """A hospital with two wards and a clinic, each with its own leader; enough people
    attached directly to the top and to the hospital that collection reports every unit."""
    return build_organisation(
        slug,
        [
            Group("Org", 6),
            Group("Org/North Hospital", 6, role_group="administrator", profession="Manager"),
            Group("Org/North Hospital/Ward One", 12),
            Group("Org/North Hospital/Ward Two", 12),
            Group("Org/South Clinic", 12),
        ],
        leaders=["Org/North Hospital", "Org/South Clinic"],
    )


def csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def workbook_cells(content: bytes) -> Iterator[tuple[str, tuple[object, ...]]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            yield sheet.title, row
