"""The `accord` command, run in-process so it uses the test database."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from accord.cli import app
from accord.org.importing import ImportIssue
from accord.org.models import Organisation, Person
from accord.org.services import preview_org_import
from tests.cast import NH, ROSTER, Cast, roster_csv

pytestmark = pytest.mark.django_db


def accord(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def write(tmp_path: Path, content: bytes, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def broken_roster() -> bytes:
    bad_email = ("x1", "Bad Email", f"{NH}/Surgery", "", "sue", "clinician", "Nurse", "no")
    no_manager = ("x2", "No Manager", f"{NH}/Surgery", "", "nobody", "clinician", "Nurse", "no")
    bad_group = ("x3", "Bad Group", f"{NH}/Surgery", "", "sue", "surgeon", "Nurse", "maybe")
    content = roster_csv([bad_email, no_manager, bad_group])
    return content.replace(b"x1@riverside.example", b"x1 at riverside")


def test_import_org_lists_the_same_problems_as_the_web_and_exits_non_zero(
    cast: Cast, tmp_path: Path
) -> None:
    content = broken_roster()
    web = preview_org_import(
        organisation=cast.riverside, filename="r.csv", content=content, deactivate_missing=False
    )
    people_before = Person.objects.count()

    result = accord("import-org", str(write(tmp_path, content)), "--org", "riverside")

    assert result.exit_code == 1
    assert "4 problem(s) in roster.csv; nothing was imported." in result.stderr
    listed = [line.strip() for line in result.stderr.splitlines() if line.startswith("  row ")]
    assert listed == [str(ImportIssue(**issue)) for issue in web.errors]
    assert len(listed) == 4
    assert "Traceback" not in result.output
    assert Person.objects.count() == people_before


def test_import_org_applies_and_prints_the_counts(cast: Cast, tmp_path: Path) -> None:
    new_hire = ("newbie", "New Nurse", f"{NH}/Emergency/ED Nursing", "", "nora", "clinician",
                "Nurse", "no")  # fmt: skip
    path = write(tmp_path, roster_csv([*ROSTER, new_hire]))

    result = accord("import-org", str(path), "--org", "riverside", "--deactivate-missing")

    assert result.exit_code == 0, result.output
    assert "Imported" in result.stdout
    assert cast.person("newbie").manager == cast.person("nora")


def test_import_org_dry_run_writes_nothing(cast: Cast, tmp_path: Path) -> None:
    without_pat = [row for row in ROSTER if row[0] != "pat"]
    path = write(tmp_path, roster_csv(without_pat))
    before = list(Person.objects.values_list("pk", "updated_at", "is_active"))

    result = accord("import-org", str(path), "--org", "riverside", "--dry-run",
                    "--deactivate-missing")  # fmt: skip

    assert result.exit_code == 0, result.output
    assert "Dry run: nothing was written" in result.stdout
    assert list(Person.objects.values_list("pk", "updated_at", "is_active")) == before


def test_import_org_with_an_unknown_slug_says_so(cast: Cast, tmp_path: Path) -> None:
    result = accord("import-org", str(write(tmp_path, roster_csv())), "--org", "nowhere")

    assert result.exit_code == 1
    assert "--org: no organisation with the slug 'nowhere'." in result.stderr
    assert "Traceback" not in result.output


def test_import_org_with_a_missing_file_says_so(cast: Cast, tmp_path: Path) -> None:
    result = accord("import-org", str(tmp_path / "missing.csv"), "--org", "riverside")

    assert result.exit_code == 1
    assert "does not exist or is not a file" in result.stderr
    assert "Traceback" not in result.output


def test_import_org_of_a_picture_says_what_it_is(cast: Cast, tmp_path: Path) -> None:
    path = write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "org-chart.png")

    result = accord("import-org", str(path), "--org", "riverside")

    assert result.exit_code == 1
    assert "This is a PNG image, not a CSV or XLSX file." in result.stderr


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_generated_demo_file_imports_cleanly(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"demo{suffix}"
    generated = accord("generate-demo", "--people", "300", "--out", str(out))
    assert generated.exit_code == 0, generated.output
    created = accord("create-org", "Riverside Health", "--slug", "riverside-demo")
    assert created.exit_code == 0, created.output

    result = accord("import-org", str(out), "--org", "riverside-demo")

    assert result.exit_code == 0, result.output
    organisation = Organisation.objects.get(slug="riverside-demo")
    assert organisation.people.count() == 300
    assert organisation.people.filter(manager__isnull=True).count() == 1  # the chief executive
    again = accord("import-org", str(out), "--org", "riverside-demo", "--dry-run")
    assert again.exit_code == 0
    assert "│  300 │      0 │      0 │       300 │" in again.stdout


def test_generate_demo_refuses_other_file_types(tmp_path: Path) -> None:
    result = accord("generate-demo", "--out", str(tmp_path / "demo.json"))

    assert result.exit_code == 1
    assert "--out: the file name must end in .csv or .xlsx." in result.stderr


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_generate_demo_into_a_missing_folder_says_so(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / "no-such-folder" / f"roster{suffix}"

    result = accord("generate-demo", "--people", "50", "--out", str(out))

    assert result.exit_code == 1
    assert f"--out: cannot write {out}: No such file or directory." in result.stderr


def test_create_org_with_a_bad_time_zone_is_refused() -> None:
    result = accord("create-org", "Harbor Health", "--time-zone", "Mars/Olympus_Mons")

    assert result.exit_code == 1
    assert "--time-zone: unknown time zone 'Mars/Olympus_Mons'." in result.stderr
    assert not Organisation.objects.filter(name="Harbor Health").exists()


def test_create_org_with_a_taken_slug_is_refused(cast: Cast) -> None:
    result = accord("create-org", "Riverside Again", "--slug", "riverside")

    assert result.exit_code == 1
    assert "An organisation with the slug 'riverside' already exists." in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("N" * 201,), "An organisation's name can be at most 200 characters."),
        (("Harbor Health", "--slug", "h" * 61), "A slug can be at most 60 characters."),
    ],
)
def test_create_org_with_too_long_a_name_or_slug_is_refused(
    args: tuple[str, ...], message: str
) -> None:
    result = accord("create-org", *args)

    assert result.exit_code == 1
    assert message in result.stderr
    assert not Organisation.objects.exists()


def test_create_org_shortens_a_slug_made_from_a_long_name() -> None:
    name = "Harbor Health " + "and Regional Clinics " * 8

    assert accord("create-org", name).exit_code == 0

    organisation = Organisation.objects.get()
    assert organisation.slug == "harbor-health-and-regional-clinics-and-regional-clinics-and"


def test_create_org_makes_the_default_kinds_and_professions() -> None:
    result = accord("create-org", "Harbor Health", "--time-zone", "America/New_York")

    assert result.exit_code == 0
    assert "Created Harbor Health (slug: harbor-health)." in result.stdout
    organisation = Organisation.objects.get(slug="harbor-health")
    assert organisation.time_zone == "America/New_York"
    assert organisation.unit_kinds.count() == 4
    assert organisation.professions.filter(name="Nurse").exists()


def test_served_links_lead_to_the_address_the_server_listens_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from accord.cli import point_links_at

    monkeypatch.delenv("ACCORD_BASE_URL", raising=False)
    point_links_at("0.0.0.0", 8123)  # noqa: S104 — every address, reached on this machine
    assert os.environ["ACCORD_BASE_URL"] == "http://127.0.0.1:8123"
    monkeypatch.setenv("ACCORD_BASE_URL", "https://accord.example.org")
    point_links_at("127.0.0.1", 9000)  # behind a proxy, the setting stands
    assert os.environ["ACCORD_BASE_URL"] == "https://accord.example.org"
