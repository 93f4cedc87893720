"""From stored answers to what leaders see: publishing, frozen releases, scopes, re-releases.

The attacks run through the real services and database, and the released snapshot is
attacked with the same independent auditor the engine's tests use.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse

from accord.access.scopes import scope_for
from accord.insights.engine import (
    CHANGED_SINCE_RELEASE,
    ReleasePolicy,
    release_results,
)
from accord.insights.loading import load_cycle
from accord.insights.models import Release
from accord.insights.selectors import whole_release
from accord.insights.services import ReleaseError, release_cycle
from accord.insights.snapshot import load_report
from accord.surveys.answers import ParsedAnswers
from accord.surveys.models import Cycle, Invitation, Response
from tests.insights.auditor import Record, audit, records_of
from tests.insights.survey_world import Group, World, build_organisation, run_cycle

pytestmark = pytest.mark.django_db


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def siblings_7_6_3() -> World:
    return build_organisation(
        "siblings",
        [Group("Org/A", 7), Group("Org/B", 6), Group("Org/C", 3)],
    )


def test_publishing_makes_one_frozen_release_that_the_engine_reproduces() -> None:
    world = siblings_7_6_3()
    cycle = run_cycle(world)

    release = Release.objects.get(cycle=cycle)
    assert release.number == 1 and release.note == "Published"
    stored = load_report(bytes(release.snapshot))
    inputs = load_cycle(cycle)
    fresh = release_results(
        inputs.data, inputs.tree, inputs.dimensions, inputs.instrument,
        ReleasePolicy(cycle.min_group_size, cycle.min_comment_group_size),
    )  # fmt: skip
    assert np.array_equal(stored.table.released, fresh.table.released)
    assert np.array_equal(stored.option_counts, fresh.option_counts)
    assert [g.respondents for g in stored.groups] == [g.respondents for g in fresh.groups]
    assert stored.respondents.sum() > 0


def test_siblings_7_6_3_hide_the_3_and_one_more_end_to_end() -> None:
    """Collection already reports C's 3 people with the organisation, and B's 6 with them (the
    organisation's own people would otherwise be those 3); the release then shows the
    organisation and A, and B and C say why they are hidden."""
    world = siblings_7_6_3()
    cycle = run_cycle(world)
    view = whole_release(cycle)
    report = view.report
    root = view.roots[0]
    a, b, c = (view.index_of_pk[world.unit_pk(f"Org/{name}")] for name in "ABC")
    assert report.group(root).released and report.group(root).respondents == 16
    assert report.group(a).released and report.group(a).respondents == 7
    for hidden in (report.group(b), report.group(c)):
        assert not hidden.released and hidden.respondents is None and hidden.reason

    inputs = load_cycle(cycle)
    result = audit(
        inputs.tree, inputs.dimensions, cycle.min_group_size,
        records_of(inputs.data, inputs.dimensions), [(0, report)],
    )  # fmt: skip
    assert not result.leaks, result.leaks

    page = client_for(world.executive).get(
        reverse("results-heatmap", args=[world.organisation.slug, cycle.pk])
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert text.count("Hidden — Fewer than 5 people answered in this group") == 2


def test_no_results_before_publishing_and_none_for_members() -> None:
    world = siblings_7_6_3()
    cycle = run_cycle(world, publish=False)
    assert not Release.objects.exists()
    executive = client_for(world.executive)
    slug = world.organisation.slug
    assert cycle.name not in executive.get(reverse("results", args=[slug])).content.decode()
    assert executive.get(reverse("results-heatmap", args=[slug, cycle.pk])).status_code == 404
    with pytest.raises(ReleaseError):
        release_cycle(cycle=cycle)


def test_a_leader_sees_their_subtree_and_nothing_else() -> None:
    world = build_organisation(
        "leaders",
        [Group("Org/A", 8), Group("Org/A/A1", 6), Group("Org/B", 9)],
        leaders=["Org/A"],
    )
    cycle = run_cycle(world)
    leader = client_for(world.leaders["Org/A"])
    slug = world.organisation.slug
    page = leader.get(reverse("results-heatmap", args=[slug, cycle.pk]))
    assert page.status_code == 200
    assert page.context["focus_pk"] == world.unit_pk("Org/A")
    b = world.unit_pk("Org/B")
    for name in ("results-heatmap", "results-drivers", "results-gap", "results-trends",
                 "results-comments"):  # fmt: skip
        url = reverse(name, args=[slug, cycle.pk])
        assert leader.get(url, {"unit": b}).status_code == 404, name
        assert leader.get(url, {"unit": "99999999999999999999"}).status_code == 404, name
        assert leader.get(url, {"unit": "-1"}).status_code == 404, name

    exported = json.loads(
        leader.get(reverse("results-export-file", args=[slug, cycle.pk, "json"])).content
    )
    a_path = next(u["path"] for u in exported["units"] if u["name"] == "A")
    assert all(u["path"].startswith(a_path) for u in exported["units"])
    assert all(g["unit"].startswith(a_path) for g in exported["groups"])
    assert "B" not in {u["name"] for u in exported["units"]}


def test_a_department_of_20_with_3_administrators_never_shows_the_3() -> None:
    """17 clinicians and 3 administrators: showing the clinicians next to the department would
    give the administrators away, so the department is shown whole and never by role."""
    world = build_organisation(
        "filters",
        [Group("Org/A", 17), Group("Org/A", 3, role_group="administrator", profession="Manager"),
         Group("Org/B", 12)],
    )  # fmt: skip
    cycle = run_cycle(world)
    view = whole_release(cycle)
    a = view.index_of_pk[world.unit_pk("Org/A")]
    assert view.report.group(a).respondents == 20
    assert (
        "administrator"
        not in next(d for d in view.report.dimensions if d.name == "role_group").values
    )
    assert not view.report.group(a, "role_group", "clinician").released
    for group in view.report.released_groups():
        assert group.respondents is not None and group.respondents >= 5

    executive = client_for(world.executive)
    url = reverse("results-heatmap", args=[world.organisation.slug, cycle.pk])
    a_pk = world.unit_pk("Org/A")
    page = executive.get(url, {"unit": a_pk, "filter": "role_group:clinician"})
    assert page.status_code == 200 and "Hidden —" in page.content.decode()
    for tampered in ("role_group:administrator", "role_group:nobody", "no-colon", ":"):
        assert executive.get(url, {"unit": a_pk, "filter": tampered}).status_code == 404


def test_releasing_again_after_a_deleted_response_keeps_the_earlier_figures() -> None:
    """12 → 11: showing the new total next to the old one would reveal the deleted answer."""
    world = build_organisation("rerelease", [Group("Org/A", 12), Group("Org/B", 12)])
    cycle = run_cycle(world)
    first = whole_release(cycle)
    a = first.index_of_pk[world.unit_pk("Org/A")]
    assert first.report.group(a).respondents == 12
    inputs_before = load_cycle(cycle)

    deleted = Response.objects.filter(cycle=cycle, reporting_unit_id=world.unit_pk("Org/A"))[:1]
    Response.objects.filter(pk__in=[r.pk for r in deleted]).delete()
    second_release = release_cycle(cycle=cycle, by=world.admin, note="A test response removed")
    assert second_release.number == 2
    second = whole_release(cycle)
    assert second.release.number == 2
    group = second.report.group(a)
    assert not group.released and group.reason_code == CHANGED_SINCE_RELEASE
    assert not second.report.group(second.roots[0]).released

    # The attacker holds both releases: no group of 1 to 4 answers is derivable from them.
    inputs_after = load_cycle(cycle)
    after_ids = set(inputs_after.data.response_ids.tolist())
    records = [
        Record(r.unit, r.attributes, frozenset({0, 1} if rid in after_ids else {0}))
        for r, rid in zip(
            records_of(inputs_before.data, inputs_before.dimensions),
            inputs_before.data.response_ids.tolist(),
            strict=True,
        )
    ]
    result = audit(
        inputs_before.tree, inputs_before.dimensions, 5, records,
        [(0, first.report), (1, second.report)],
    )  # fmt: skip
    assert not result.leaks, result.leaks


def test_comments_are_redacted_shuffled_and_shown_only_for_enough_writers() -> None:
    world = build_organisation("comments", [Group("Org/A", 12), Group("Org/B", 6)])
    names = {person.pk: person.name for person in world.organisation.people.all()}

    def answer(invitation: Invitation, rng: random.Random) -> ParsedAnswers:
        other = names[invitation.person_id]
        return ParsedAnswers(
            scores={"burnout": rng.choice((1, 2, 3)), "trust_senior_leaders": 4},
            comments={
                "leaders_change_first": f"Ask {other} or mail x{invitation.pk}@mail.example, "
                f"call 312-555-{1000 + invitation.pk}. Staffing is short every night."
            },
        )

    cycle = run_cycle(world, answer=answer)
    snapshot = bytes(Release.objects.get(cycle=cycle).snapshot)
    report = load_report(snapshot)
    texts = [t for c in report.comments if c.released for t in (c.texts or ())]
    assert texts, "the organisation's 18 comments are shown"
    for text in texts:
        assert "@" not in text and "312-555" not in text
        assert not any(name in text for name in names.values())
    # B's 6 comments are too few; the organisation's 18 and A's 12 cannot both be listed,
    # or the difference would be B's.
    view = whole_release(cycle)
    root, a, b = view.roots[0], *(view.index_of_pk[world.unit_pk(p)] for p in ("Org/A", "Org/B"))
    listed = {
        report.groups[c.group].unit for c in report.comments if c.released and c.group is not None
    }
    assert b not in listed and len(listed & {root, a}) == 1
    slug = world.organisation.slug
    executive = client_for(world.executive)
    url = reverse("results-comments", args=[slug, cycle.pk])
    page = executive.get(url, {"unit": view.pk(b)}).content.decode()
    assert "Staffing is short" not in page and "Hidden" in page
    (shown,) = listed
    whole = executive.get(url, {"unit": view.pk(shown)}).content.decode()
    assert "Staffing is short" in whole
    assert "the way something is worded can point to the person" in whole


def test_results_pages_work_for_an_executive() -> None:
    world = build_organisation(
        "pages",
        [Group("Org/Hospital/ED", 40), Group("Org/Hospital/ED", 12, role_group="administrator",
                                             profession="Manager"),
         Group("Org/Hospital/ICU", 35), Group("Org/Clinic", 20)],
    )  # fmt: skip
    earlier = run_cycle(world, days_ago=200, seed=2)
    cycle = run_cycle(world, days_ago=20, seed=3)
    assert earlier.pk != cycle.pk
    executive = client_for(world.executive)
    slug = world.organisation.slug
    for name in ("results-heatmap", "results-drivers", "results-gap", "results-trends",
                 "results-comments", "results-export"):  # fmt: skip
        page = executive.get(reverse(name, args=[slug, cycle.pk]))
        assert page.status_code == 200, name
    for fmt in ("json", "csv", "xlsx"):
        response = executive.get(reverse("results-export-file", args=[slug, cycle.pk, fmt]))
        assert response.status_code == 200 and response.content
    assert Cycle.objects.filter(status=Cycle.Status.PUBLISHED).count() == 2


def test_large_exports_are_built_once_by_the_queue_per_scope(
    monkeypatch: pytest.MonkeyPatch, immediate_queue: object, django_capture_on_commit_callbacks
) -> None:
    from accord.insights import exporting
    from accord.insights.models import ReleaseExport

    monkeypatch.setitem(exporting.QUEUE_ABOVE_ROWS, "xlsx", 10)  # this small cycle is "large"
    world = build_organisation("exports", [Group("Org/A", 8), Group("Org/B", 9)], leaders=["Org/A"])
    cycle = run_cycle(world)
    slug = world.organisation.slug
    url = reverse("results-export-file", args=[slug, cycle.pk, "xlsx"])
    executive = client_for(world.executive)

    with django_capture_on_commit_callbacks(execute=True):
        waiting = executive.get(url)
    assert waiting.status_code == 200 and "Preparing your export" in waiting.content.decode()
    ready = executive.get(url, HTTP_HX_REQUEST="true")
    assert "is ready" in ready.content.decode()
    download = executive.get(url)
    assert download["Content-Type"] == exporting.CONTENT_TYPES["xlsx"]
    assert download.content[:2] == b"PK"  # a zip: the workbook
    assert ReleaseExport.objects.count() == 1

    leader = client_for(world.leaders["Org/A"])
    with django_capture_on_commit_callbacks(execute=True):
        leader.get(url)
    assert ReleaseExport.objects.count() == 2  # the leader's own scope, built separately
    exports = {tuple(e.units) for e in ReleaseExport.objects.all()}
    assert () in exports and len(exports) == 2


def test_the_api_exports_what_the_page_does_and_refuses_bad_parameters(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks
) -> None:
    import jsonschema

    from accord.access.models import Membership
    from accord.access.services import issue_api_token
    from accord.insights import exporting

    world = build_organisation("api", [Group("Org/A", 8), Group("Org/B", 9)])
    cycle = run_cycle(world)
    _, token = issue_api_token(
        membership=Membership.objects.get(user=world.executive), name="reporting"
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = f"/api/results/cycles/{cycle.pk}/report"
    document = api.get(url).json()
    schema = json.loads((Path(__file__).parents[2] / "docs" / "report-schema.json").read_text())
    jsonschema.validate(document, schema)
    assert document["minimum_group_size"] == 5
    assert api.get(url, {"format": "csv"})["Content-Type"].startswith("text/csv")
    assert api.get(url, {"format": "pdf"}).status_code == 422
    assert api.get(url, {"release": 7}).status_code == 404
    assert api.get(url, {"release": 10**9}).status_code == 422
    assert api.get(f"/api/results/cycles/{10**12}/report").status_code == 404
    assert [c["id"] for c in api.get("/api/results/cycles").json()] == [cycle.pk]

    monkeypatch.setitem(exporting.QUEUE_ABOVE_ROWS, "json", 10)
    with django_capture_on_commit_callbacks(execute=False):
        pending = api.get(url)
    assert pending.status_code == 202 and pending.json()["status"] == "pending"


def test_the_command_line_exports_and_names_what_is_wrong(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from accord.cli import app

    world = build_organisation("cli", [Group("Org/A", 8), Group("Org/B", 9)])
    cycle = run_cycle(world)
    unpublished = run_cycle(world, publish=False, days_ago=5)
    runner = CliRunner()
    out = tmp_path / "report.json"
    result = runner.invoke(
        app, ["report", "export", "--cycle", str(cycle.pk), "--org", "cli", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["format"] == "accord.report/1"
    xlsx = tmp_path / "report.xlsx"
    result = runner.invoke(app, ["report", "export", "--cycle", str(cycle.pk), "--org", "cli",
                                 "--format", "xlsx", "--out", str(xlsx)])  # fmt: skip
    assert result.exit_code == 0 and xlsx.read_bytes()[:2] == b"PK"

    for arguments, message in (
        (["--cycle", str(unpublished.pk)], "--cycle"),
        (["--cycle", "999999"], "no survey cycle"),
        (["--cycle", str(cycle.pk), "--release", "9"], "--release"),
        (["--cycle", str(cycle.pk), "--format", "pdf"], "pdf"),
        (["--cycle", str(cycle.pk), "--out", str(tmp_path / "missing" / "x.json")], "--out"),
    ):
        result = runner.invoke(app, ["report", "export", "--org", "cli", *arguments])
        assert result.exit_code != 0, arguments
        assert message in result.output, (arguments, result.output)
        assert "Traceback" not in result.output

    result = runner.invoke(app, ["report", "release", "--cycle", str(cycle.pk), "--org", "cli",
                                 "--note", "Unit names corrected"])  # fmt: skip
    assert result.exit_code == 0 and "Release 2" in result.output


@pytest.mark.parametrize("limit", [10**6, 3])
def test_publishing_from_the_page_releases_results_at_once_or_through_the_queue(
    limit: int,
    monkeypatch: pytest.MonkeyPatch,
    immediate_queue: object,
    django_capture_on_commit_callbacks,
) -> None:
    from accord.insights import publishing

    monkeypatch.setattr(publishing, "PUBLISH_IN_REQUEST_LIMIT", limit)
    world = build_organisation("publish", [Group("Org/A", 8), Group("Org/B", 9)])
    cycle = run_cycle(world, publish=False)
    admin = client_for(world.admin)
    url = reverse("results-publish", args=["publish", cycle.pk])
    with django_capture_on_commit_callbacks(execute=True):
        answer = admin.post(url, follow=True)
    assert "Publishing" in answer.content.decode()
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.PUBLISHED
    (release,) = Release.objects.filter(cycle=cycle)
    assert release.created_by == world.admin
    with django_capture_on_commit_callbacks(execute=True):
        again = admin.post(url, follow=True)  # a second click
    assert "once the cycle has closed" in again.content.decode()
    assert Release.objects.filter(cycle=cycle).count() == 1


def test_a_closed_cycle_loads_from_its_answer_snapshot_which_follows_deletions() -> None:
    from accord.insights.loading import AnswerColumns, answer_columns
    from accord.insights.models import AnswerSnapshot

    world = build_organisation("snapshot", [Group("Org/A", 8), Group("Org/B", 9)])
    cycle = run_cycle(world)
    snapshot = AnswerSnapshot.objects.get(cycle=cycle)  # made when the release loaded
    assert snapshot.responses == 17
    stored = AnswerColumns.from_bytes(bytes(snapshot.data))
    assert list(stored.ids) == sorted(stored.ids)  # by random id: no trace of time
    rows = {
        (r.id.bytes, r.reporting_unit_id, bytes(r.answers))
        for r in Response.objects.filter(cycle=cycle)
    }
    raw_ids = stored.ids.tobytes()  # whole 16-byte ids: NumPy's bytes_ drops trailing NULs
    assert {
        (raw_ids[16 * j : 16 * j + 16], int(u), a.tobytes())
        for j, (u, a) in enumerate(zip(stored.unit_pks, stored.answers, strict=True))
    } == rows

    Response.objects.filter(cycle=cycle).first().delete()  # type: ignore[union-attr]
    assert len(answer_columns(cycle, stored.answers.shape[1]).ids) == 16
    assert AnswerSnapshot.objects.get(cycle=cycle).responses == 16


def test_a_re_release_after_a_reorganisation_shows_no_new_version_of_a_comment_list() -> None:
    """Moving a ward between departments changes which comments each department holds; two
    versions of a department's list side by side would single out the ward's comments."""
    from accord.org.models import Unit

    world = build_organisation(
        "reorg",
        [Group("Org/X/Ward", 6), Group("Org/X/Clinic", 12), Group("Org/Y/Theatre", 12)],
    )

    def answer(invitation: Invitation, rng: random.Random) -> ParsedAnswers:
        return ParsedAnswers(
            scores={"burnout": 2},
            comments={"leaders_change_first": f"Comment {invitation.pk} on staffing."},
        )

    cycle = run_cycle(world, answer=answer)
    first = whole_release(cycle).report

    ward = Unit.objects.get(organisation=world.organisation, name="Ward")
    theatre_dept = Unit.objects.get(organisation=world.organisation, name="Y")
    ward.parent = theatre_dept
    ward.path = f"{theatre_dept.path}{ward.pk}/"
    ward.save()
    release_cycle(cycle=cycle, note="Ward moved to Y")
    second = whole_release(cycle).report

    def lists(report: object) -> dict[tuple[str, str | None, str | None], tuple[str, ...]]:
        found = {}
        for comments in report.comments:  # type: ignore[attr-defined]
            if comments.released:
                group = report.groups[comments.group]  # type: ignore[attr-defined]
                key = (report.tree.ids[group.unit], group.dimension, group.value)  # type: ignore[attr-defined]
                found[key] = comments.texts
        return found

    before, after = lists(first), lists(second)
    assert before, "the first release shows some comment lists"
    for key, texts in after.items():
        assert before.get(key) == texts, f"{key} shows a different list than before"


def same_vector_for_every_text(texts: list[str]) -> list[list[float]]:
    """An 'embedding model' under which every text is like every theme description."""
    return [[1.0, 0.0] for _ in texts]


def test_comment_themes_come_from_the_organisations_model_when_one_is_configured(
    settings: object,
) -> None:
    from accord.insights.text import THEME_DESCRIPTIONS

    world = build_organisation("themes", [Group("Org/A", 12)])
    run_cycle(world)
    by_words = Release.objects.get().comment_themes
    assert by_words and all(
        themes == ["staffing"] for lists in by_words.values() for themes in lists
    )  # "Fewer meetings, more staff." by Accord's word lists

    settings.ACCORD_COMMENT_THEME_MODEL = (  # type: ignore[attr-defined]
        f"{__name__}.same_vector_for_every_text"
    )
    other = build_organisation("themes-model", [Group("Org/A", 12)])
    cycle = run_cycle(other)
    by_model = Release.objects.get(cycle=cycle).comment_themes
    assert by_model and all(
        set(themes) == set(THEME_DESCRIPTIONS) for lists in by_model.values() for themes in lists
    )
    page = client_for(other.executive).get(
        reverse("results-comments", args=["themes-model", cycle.pk])
    )
    assert page.context["listing"].themes and len(page.context["listing"].themes) == len(
        THEME_DESCRIPTIONS
    )


def test_once_published_the_cycle_page_shows_no_respondent_count_for_a_hidden_unit() -> None:
    from accord.surveys.selectors import response_rates

    world = build_organisation("rates", [Group("Org/A", 12), Group("Org/B", 12)])
    cycle = run_cycle(world)
    a, b = world.unit_pk("Org/A"), world.unit_pk("Org/B")
    scope = scope_for(world.executive, "rates")
    assert {a, b} <= {rate.unit.pk for rate in response_rates(scope, cycle)}

    Response.objects.filter(cycle=cycle, reporting_unit_id=a).first().delete()  # type: ignore[union-attr]
    release_cycle(cycle=cycle, note="A test response removed")  # A is hidden now
    shown = {rate.unit.pk for rate in response_rates(scope, cycle)}
    assert a not in shown and b in shown
    page = client_for(world.executive).get(reverse("survey-cycle", args=["rates", cycle.pk]))
    rows = [row.unit.pk for row in page.context["page"].object_list]
    assert a not in rows and b in rows


def test_response_ids_ending_in_zero_bytes_survive_the_answer_snapshot() -> None:
    from accord.insights.loading import AnswerColumns

    ids = np.frombuffer(b"\x01" * 15 + b"\x00" + b"\x01" * 16, dtype="S16")
    columns = AnswerColumns(
        ids=ids,
        unit_pks=np.array([1, 2], dtype=np.int64),
        answers=np.zeros((2, 3), dtype=np.uint8),
        values={"role_group": ("",), "profession": ("",), "tenure_band": ("",)},
        codes={
            name: np.zeros(2, dtype=np.int32)
            for name in ("role_group", "profession", "tenure_band")
        },
    )
    again = AnswerColumns.from_bytes(columns.to_bytes())
    assert again.ids.tobytes() == ids.tobytes() and len(set(again.ids.tolist())) == 2
