"""A security review of the results pages, exports, API and command line, as attackers.

The attackers: a curious leader who knows the org chart, a member (staff) with a login,
someone from another organisation, and an API token holder. Each test either shows a
problem (and fails until it is fixed) or pins an attack that is correctly defended, so it
stays defended. The releases are made by the real services from answers stored the way the
survey writes them (``survey_world``).
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accord.access.models import Membership, Role, User
from accord.access.scopes import scope_for
from accord.access.services import grant_membership, issue_api_token, revoke_api_token
from accord.insights import exporting, selectors
from accord.insights.models import Release, ReleaseExport
from accord.insights.selectors import whole_release
from accord.org.importing import ImportFileError, plan_org_import
from accord.org.models import Person, Profession, Unit
from accord.org.services import apply_org_import
from accord.surveys.answers import ParsedAnswers
from accord.surveys.models import Cycle, Invitation
from tests.insights.survey_world import (
    HEADER,
    PASSWORD,
    Group,
    World,
    build_organisation,
    run_cycle,
    steady_answers,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_release_cache() -> Iterator[None]:
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


# ---------------------------------------------------------------------------------------
# Problems found: these fail until fixed.
# ---------------------------------------------------------------------------------------


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
    response = admin.post(
        reverse("results-publish", args=[world.organisation.slug, cycle.pk])
    )
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


# ---------------------------------------------------------------------------------------
# Attacks that are defended: these pass and must keep passing.
# ---------------------------------------------------------------------------------------


def test_a_leader_reaches_no_unit_outside_their_subtree() -> None:
    world = north_and_south("curious")
    other = build_organisation("neighbour", [Group("Org/Far Away", 9)])
    run_cycle(other)
    cycle = run_cycle(world)
    slug = world.organisation.slug
    names = unit_names(world)
    leader = client_for(world.leaders["Org/North Hospital"])
    outside = [names["Org"], names["South Clinic"], other.unit_pk("Org/Far Away")]
    for name in FOCUS_PAGES:
        url = reverse(name, args=[slug, cycle.pk])
        page = leader.get(url)
        assert page.status_code == 200, name
        assert "South Clinic" not in page.content.decode(), name
        for pk in outside:
            for params in ({"unit": pk}, {"unit": pk, "filter": "role_group:clinician"}):
                assert leader.get(url, params).status_code == 404, (name, params)
        # The links on the page only lead inside the subtree.
        assert f"unit={names['South Clinic']}" not in page.content.decode()

    # The organisation row "for comparison" is the released whole; no sibling is named.
    heatmap = leader.get(reverse("results-heatmap", args=[slug, cycle.pk]))
    assert heatmap.context["organisation"].group.released
    assert [row.name for row in heatmap.context["rows"]] == [
        "North Hospital",
        "Ward One",
        "Ward Two",
    ]

    view = whole_release(cycle)
    north_path = view.report.units[view.index_of_pk[names["North Hospital"]]].path
    for _, url in page_urls(world, cycle):
        response = leader.get(url)
        assert response.status_code == 200, url
        if url.endswith(("/json/", "/csv/")):
            assert b"South Clinic" not in response.content, url
    document = json.loads(
        leader.get(reverse("results-export-file", args=[slug, cycle.pk, "json"])).content
    )
    assert {g["unit"][: len(north_path)] for g in document["groups"]} == {north_path}
    assert all(row["unit_path"].startswith(north_path) for row in csv_rows(
        leader.get(reverse("results-export-file", args=[slug, cycle.pk, "csv"])).content
    ))  # fmt: skip
    xlsx = leader.get(reverse("results-export-file", args=[slug, cycle.pk, "xlsx"])).content
    assert not any("South Clinic" in str(cell) for _, row in workbook_cells(xlsx) for cell in row)

    # The same leader's API token, whatever release or format it asks for.
    api = api_client(world.leaders["Org/North Hospital"])
    url = f"/api/results/cycles/{cycle.pk}/report"
    document = api.get(url).json()
    assert {g["unit"][: len(north_path)] for g in document["groups"]} == {north_path}
    assert b"South Clinic" not in api.get(url, {"format": "csv"}).content
    assert api.get(f"/api/results/cycles/{other.cycle.pk}/report").status_code == 404


def test_a_leader_does_not_see_the_units_of_people_who_report_to_them_elsewhere() -> None:
    """A leader's scope of people includes their reports' units; results follow only the
    subtree they lead."""
    world = north_and_south("reports")
    import_rows(
        world,
        [
            [f"rep{n}", f"Report Person {n}", f"rep{n}@reports.example", "Org/South Clinic",
             "system/hospital", "lead1", "clinician", "Nurse", "2020-01-01", "no"]
            for n in range(3)
        ],
    )  # fmt: skip
    cycle = run_cycle(world)
    leader = world.leaders["Org/North Hospital"]
    south = unit_names(world)["South Clinic"]
    assert scope_for(leader, world.organisation.slug).units().filter(pk=south).exists()
    client = client_for(leader)
    for name in FOCUS_PAGES:
        url = reverse(name, args=[world.organisation.slug, cycle.pk])
        assert client.get(url, {"unit": south}).status_code == 404, name


def test_members_outsiders_and_lapsed_leaders_see_no_results() -> None:
    world = north_and_south("staff")
    cycle = run_cycle(world)
    slug = world.organisation.slug
    nurse = Person.objects.filter(organisation=world.organisation, is_leader=False).first()
    assert nurse is not None
    member = grant_membership(
        organisation=world.organisation, email="nurse@staff.example", role=Role.MEMBER,
        person=nurse, password=PASSWORD,
    ).user  # fmt: skip
    member_client = client_for(member)
    assert member_client.get(reverse("results", args=[slug])).status_code == 403
    for name, url in page_urls(world, cycle):
        assert member_client.get(url).status_code == 403, name
    member_api = api_client(member)
    assert member_api.get("/api/results/cycles").status_code == 403
    assert member_api.get(f"/api/results/cycles/{cycle.pk}/report").status_code == 403

    # Someone from another organisation: a 404 whatever they try, and no hint of existence.
    outsider_world = build_organisation("outsider", [Group("Org/Elsewhere", 9)])
    outsider_cycle = run_cycle(outsider_world)
    outsider = client_for(outsider_world.executive)
    assert outsider.get(reverse("results", args=[slug])).status_code == 404
    for name, url in page_urls(world, cycle):
        assert outsider.get(url).status_code == 404, name
    own = outsider_world.organisation.slug
    for name in PAGES:
        assert outsider.get(reverse(name, args=[own, cycle.pk])).status_code == 404, name
        url = reverse(name, args=[own, outsider_cycle.pk])
        if name in FOCUS_PAGES:
            unit = unit_names(world)["North Hospital"]
            assert outsider.get(url, {"unit": unit}).status_code == 404, name
    outsider_api = api_client(outsider_world.executive)
    assert outsider_api.get(f"/api/results/cycles/{cycle.pk}/report").status_code == 404
    assert [c["id"] for c in outsider_api.get("/api/results/cycles").json()] == [outsider_cycle.pk]

    # A leader no longer flagged as one, and one whose person record is inactive.
    south_leader = world.leaders["Org/South Clinic"]
    north_leader = world.leaders["Org/North Hospital"]
    Person.objects.filter(pk=Membership.objects.get(user=south_leader).person_id).update(
        is_leader=False
    )
    Person.objects.filter(pk=Membership.objects.get(user=north_leader).person_id).update(
        is_active=False
    )
    for lapsed in (south_leader, north_leader):
        client = client_for(lapsed)
        for name, url in page_urls(world, cycle):
            assert client.get(url).status_code == 403, name
    # A revoked token stops at once.
    membership = Membership.objects.get(user=world.executive)
    token, plaintext = issue_api_token(membership=membership, name="old script")
    revoke_api_token(token=token)
    revoked = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert revoked.get(f"/api/results/cycles/{cycle.pk}/report").status_code == 401


def test_nothing_is_shown_before_publishing_on_any_page_api_or_command() -> None:
    from typer.testing import CliRunner

    from accord.cli import app

    world = north_and_south("unpublished")
    cycle = run_cycle(world, publish=False)
    slug = world.organisation.slug
    for user in (world.executive, world.admin, world.leaders["Org/North Hospital"]):
        client = client_for(user)
        for name, url in page_urls(world, cycle):
            assert client.get(url).status_code == 404, (name, user)
        assert cycle.name not in client.get(reverse("results", args=[slug])).content.decode()
    assert (
        client_for(world.admin)
        .post(reverse("results-release", args=[slug, cycle.pk]), {"note": "early"})
        .status_code
        == 404
    )
    api = api_client(world.executive)
    assert api.get(f"/api/results/cycles/{cycle.pk}/report").status_code == 404
    assert api.get("/api/results/cycles").json() == []
    result = CliRunner().invoke(
        app, ["report", "export", "--org", "unpublished", "--cycle", str(cycle.pk)]
    )
    assert result.exit_code != 0 and "--cycle" in result.output
    assert not Release.objects.exists()


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


def test_exports_defuse_spreadsheet_formulas_in_unit_and_profession_names() -> None:
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


def test_queued_exports_are_built_per_scope_and_never_handed_to_another_viewer(
    monkeypatch: pytest.MonkeyPatch,
    immediate_queue: object,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    monkeypatch.setitem(exporting.QUEUE_ABOVE_ROWS, "json", 1)  # every export is "large"
    world = north_and_south("queued")
    cycle = run_cycle(world)
    slug = world.organisation.slug
    url = reverse("results-export-file", args=[slug, cycle.pk, "json"])
    viewers = {
        "executive": world.executive,
        "north": world.leaders["Org/North Hospital"],
        "south": world.leaders["Org/South Clinic"],
    }
    documents = {}
    for label, user in viewers.items():
        client = client_for(user)
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[attr-defined]
            waiting = client.get(url)
        assert "Preparing your export" in waiting.content.decode(), label
        fragment = client.get(url, HTTP_HX_REQUEST="true")
        assert "is ready" in fragment.content.decode(), label
        documents[label] = json.loads(client.get(url).content)
    assert ReleaseExport.objects.count() == 3
    assert len(set(ReleaseExport.objects.values_list("scope_key", flat=True))) == 3

    def names(document: dict[str, object]) -> set[str]:
        return {unit["name"] for unit in document["units"]}  # type: ignore[attr-defined]

    assert names(documents["executive"]) == {
        "Org", "North Hospital", "Ward One", "Ward Two", "South Clinic",
    }  # fmt: skip
    assert names(documents["north"]) == {"North Hospital", "Ward One", "Ward Two"}
    assert names(documents["south"]) == {"South Clinic"}

    # The queue's stored file is only ever the requester's own scope, also over the API.
    api = api_client(world.leaders["Org/South Clinic"])
    from_api = api.get(f"/api/results/cycles/{cycle.pk}/report")
    assert from_api.status_code == 200
    assert names(from_api.json()) == {"South Clinic"}
    assert ReleaseExport.objects.count() == 3


def test_the_pages_show_the_latest_release_and_the_api_scopes_earlier_ones() -> None:
    """Earlier releases stay reachable through the API and the command line (the ledger
    closed every release against the ones before), but only within the viewer's units."""
    world = north_and_south("releases")
    cycle = run_cycle(world)
    release_cycle_again = client_for(world.admin).post(
        reverse("results-release", args=[world.organisation.slug, cycle.pk]),
        {"note": "Corrected the chart"},
    )
    assert release_cycle_again.status_code == 302
    assert Release.objects.filter(cycle=cycle).count() == 2
    leader = client_for(world.leaders["Org/North Hospital"])
    for name in PAGES:
        url = reverse(name, args=[world.organisation.slug, cycle.pk])
        assert leader.get(url, {"release": "1"}).context["release"].number == 2, name
    api = api_client(world.leaders["Org/North Hospital"])
    for number in (1, 2):
        document = api.get(f"/api/results/cycles/{cycle.pk}/report", {"release": number}).json()
        assert {u["name"] for u in document["units"]} == {"North Hospital", "Ward One", "Ward Two"}


def test_releasing_again_is_a_csrf_protected_post_for_program_admins_only() -> None:
    world = north_and_south("rerelease")
    cycle = run_cycle(world)
    url = reverse("results-release", args=[world.organisation.slug, cycle.pk])
    for user in (world.executive, world.leaders["Org/North Hospital"]):
        assert client_for(user).post(url, {"note": "mine"}).status_code == 403
    assert client_for(world.admin).get(url).status_code == 405
    strict = client_for(world.admin, enforce_csrf_checks=True)
    assert strict.post(url, {"note": "forged"}).status_code == 403
    blank = client_for(world.admin).post(url, {"note": "   "})
    assert blank.status_code == 302
    assert Release.objects.filter(cycle=cycle).count() == 1
