"""`accord survey ...`, run in-process so it uses the test database."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner, Result

from accord.cli import app
from accord.org.models import Person
from accord.surveys.answers import ParsedAnswers
from accord.surveys.models import Cycle, InstrumentDefinition
from accord.surveys.services import Outcome, submit_response
from accord.surveys.tokens import normalise_token
from tests.cast import Cast
from tests.surveys.definitions import as_yaml, definition

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
NH = "Riverside Health/North Hospital"


def accord(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def create(*extra: str, name: str = "Spring pulse") -> Result:
    return accord("survey", "create", "--org", "riverside", "--name", name,
                  "--opens", "2030-03-02T07:00", "--closes", "2030-03-16T17:00", *extra)  # fmt: skip


def created_cycle(*extra: str) -> Cycle:
    result = create(*extra)
    assert result.exit_code == 0, result.output
    return Cycle.objects.get()


def open_cycle_for(cast: Cast, without_email: tuple[str, ...] = ()) -> Cycle:
    Person.objects.filter(external_id__in=without_email).update(email="")
    cycle = created_cycle()
    for step in ("schedule", "open"):
        result = accord("survey", step, str(cycle.pk), "--org", "riverside")
        assert result.exit_code == 0, result.output
    cycle.refresh_from_db()
    return cycle


def test_create_reads_times_in_the_organisation_time_zone(cast: Cast) -> None:
    cycle = created_cycle("--units", f"{NH}/Emergency", "--units", f"{NH}/Surgery",
                          "--role-group", "clinician", "--min-group-size", "6",
                          "--reminder-days", "2, 5")  # fmt: skip

    assert cycle.status == Cycle.Status.DRAFT
    assert cycle.opens_at == dt.datetime(2030, 3, 2, 7, tzinfo=CHICAGO)
    assert cycle.closes_at == dt.datetime(2030, 3, 16, 17, tzinfo=CHICAGO)
    assert sorted(unit.name for unit in cycle.audience_units.all()) == ["Emergency", "Surgery"]
    assert cycle.audience_role_groups == ["clinician"]
    assert (cycle.min_group_size, cycle.min_comment_group_size) == (6, 10)
    assert cycle.reminder_days == [2, 5]
    assert (cycle.instrument_id, cycle.instrument_version) == ("accord-core", 1)
    listed = accord("survey", "list", "--org", "riverside")
    assert listed.exit_code == 0
    assert "Spring pulse" in listed.stdout and "2030-03-02 07:00" in listed.stdout


def test_create_names_every_bad_option_and_creates_nothing(cast: Cast) -> None:
    result = accord("survey", "create", "--org", "riverside", "--name", " ",
                    "--opens", "2030-03-16T07:00", "--closes", "2030-03-02T07:00",
                    "--min-group-size", "2", "--reminder-days", "0",
                    "--role-group", "surgeon")  # fmt: skip

    assert result.exit_code == 1
    for option in ("--name", "--closes", "--min-group-size", "--reminder-days", "--role-group"):
        assert f"Error: {option}: " in result.stderr
    assert "Traceback" not in result.output
    assert not Cycle.objects.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--opens", "next tuesday"), "--opens: 'next tuesday' is not a date and time like"),
        (("--closes", "2030-03-16T17:00+02:00"), "--closes: give the time without an offset"),
        (("--units", "Nowhere"), "--units: no unit 'Nowhere' in 'riverside'"),
        (("--reminder-days", "3,six"), "--reminder-days: '3,six' is not a list of whole days"),
        (("--instrument", "gallup-q12"), "--instrument: no instrument 'gallup-q12' in"),
    ],
)
def test_create_refuses_an_unreadable_option_in_one_line(
    cast: Cast, args: tuple[str, ...], message: str
) -> None:
    result = _create_with(args)

    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert not Cycle.objects.exists()


def _create_with(args: tuple[str, ...]) -> Result:
    options = {"--name": "Pulse", "--opens": "2030-03-02T07:00", "--closes": "2030-03-16T17:00"}
    options.update(zip(args[::2], args[1::2], strict=True))
    flat = [part for pair in options.items() for part in pair]
    return accord("survey", "create", "--org", "riverside", *flat)


def test_a_cycle_lives_its_whole_life_from_the_command_line(
    cast: Cast, immediate_queue: object
) -> None:
    cycle = open_cycle_for(cast)
    assert cycle.status == Cycle.Status.OPEN and cycle.invited_count == 16

    for step, status in (("close", "closed"), ("publish", "results published")):
        result = accord("survey", step, str(cycle.pk), "--org", "riverside")
        assert result.exit_code == 0, result.output
        assert f"is now {status}." in result.stdout
    listed = accord("survey", "list", "--org", "riverside")
    assert " published " in listed.stdout and " 0/16" in listed.stdout

    again = accord("survey", "close", str(cycle.pk), "--org", "riverside")
    assert again.exit_code == 1
    assert "Error: Only an open cycle can be closed." in again.stderr


@pytest.mark.parametrize("step", ["schedule", "open", "close", "publish", "codes"])
def test_an_unknown_cycle_id_is_named(cast: Cast, step: str, tmp_path: Path) -> None:
    extra = ("--out", str(tmp_path / "codes.csv")) if step == "codes" else ()
    result = accord("survey", step, "999", "--org", "riverside", *extra)

    assert result.exit_code == 1
    assert "ID: no survey cycle 999 in 'riverside'." in result.stderr
    assert "Traceback" not in result.output


def test_an_unknown_organisation_is_named(tmp_path: Path) -> None:
    result = accord("survey", "list", "--org", "nowhere")

    assert result.exit_code == 1
    assert "--org: no organisation with the slug 'nowhere'." in result.stderr


def test_codes_as_csv_and_pdf_and_their_codes_answer(cast: Cast, tmp_path: Path) -> None:
    cycle = open_cycle_for(cast, without_email=("olga", "omar", "pat"))
    out = tmp_path / "codes.csv"

    result = accord("survey", "codes", str(cycle.pk), "--org", "riverside", "--out", str(out))

    assert result.exit_code == 0, result.output
    assert "Wrote 3 codes" in result.stdout
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert [row["name"] for row in rows] == ["Olga Periop", "Omar Periop", "Pat Peds"]
    token = normalise_token(rows[2]["code"])
    assert token is not None
    answers = ParsedAnswers(scores={"burnout": 1})
    assert submit_response(token=token, answers=answers, nonce="x") is Outcome.RECORDED

    slips = tmp_path / "slips"
    pdf = ("survey", "codes", str(cycle.pk), "--org", "riverside", "--format", "pdf",
           "--paper", "Letter", "--unit", f"{NH}/Surgery", "--out", str(slips))  # fmt: skip
    result = accord(*pdf)  # Olga and Omar have codes on the CSV: asked first
    assert result.exit_code == 1 and not slips.exists()
    assert "2 of these people already have printed codes" in result.stderr
    assert "Add --replace to print them again." in result.stderr
    result = accord(*pdf, "--replace")
    assert result.exit_code == 0, result.output
    assert "Wrote 2 codes" in result.stdout
    assert slips.read_bytes().startswith(b"%PDF-")


def test_codes_that_cannot_be_written_leave_the_earlier_codes_working(
    cast: Cast, tmp_path: Path
) -> None:
    cycle = open_cycle_for(cast, without_email=("olga", "omar", "pat"))
    out = tmp_path / "codes.csv"
    assert accord("survey", "codes", str(cycle.pk), "--org", "riverside", "--out", str(out)).exit_code == 0  # fmt: skip
    earlier = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    a_folder = tmp_path / "folder.csv"
    a_folder.mkdir()

    result = accord("survey", "codes", str(cycle.pk), "--org", "riverside", "--out", str(a_folder),
                    "--replace")  # fmt: skip

    assert result.exit_code == 1
    assert f"--out: cannot write {a_folder}: Is a directory." in result.stderr
    token = normalise_token(earlier[0]["code"])
    assert token is not None
    answers = ParsedAnswers(scores={"burnout": 1})
    assert submit_response(token=token, answers=answers, nonce="y") is Outcome.RECORDED


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "docx"), "--format: choose csv or pdf"),
        (("--paper", "A3"), "--paper: choose A4 or Letter."),
        (("--unit", "Nowhere"), "--unit: no unit 'Nowhere' in 'riverside'"),
    ],
)
def test_codes_refuse_bad_options_in_one_line(
    cast: Cast, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    cycle = open_cycle_for(cast, without_email=("pat",))
    out = tmp_path / "codes.pdf"

    result = accord("survey", "codes", str(cycle.pk), "--org", "riverside", "--out", str(out),
                    *args)  # fmt: skip

    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_codes_for_a_draft_say_when_they_can_be_printed(cast: Cast, tmp_path: Path) -> None:
    cycle = created_cycle()

    result = accord("survey", "codes", str(cycle.pk), "--org", "riverside",
                    "--out", str(tmp_path / "codes.csv"))  # fmt: skip

    assert result.exit_code == 1
    assert "Error: Codes can be printed while the cycle is open." in result.stderr


def test_load_instrument_keeps_a_valid_definition(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "pulse.yaml"
    path.write_text(as_yaml(definition()), encoding="utf-8")

    result = accord("survey", "load-instrument", str(path), "--org", "riverside")

    assert result.exit_code == 0, result.output
    assert "Loaded test-pulse version 1." in result.stdout
    assert InstrumentDefinition.objects.filter(organisation=cast.riverside).count() == 1
    assert create("--instrument", "test-pulse", name="Own pulse").exit_code == 0


def test_load_instrument_lists_every_problem(cast: Cast, tmp_path: Path) -> None:
    broken = definition()
    broken["version"] = "one"
    broken["items"][0]["scale"] = "stars"
    path = tmp_path / "broken.yaml"
    path.write_text(as_yaml(broken), encoding="utf-8")

    result = accord("survey", "load-instrument", str(path), "--org", "riverside")

    assert result.exit_code == 1
    assert "problem(s) in broken.yaml; nothing was loaded." in result.stderr
    assert "field 'version'" in result.stderr and "'stars'" in result.stderr
    assert "Traceback" not in result.output
    assert not InstrumentDefinition.objects.exists()


def test_load_instrument_of_a_missing_file_says_so(cast: Cast, tmp_path: Path) -> None:
    result = accord("survey", "load-instrument", str(tmp_path / "no.yaml"), "--org", "riverside")

    assert result.exit_code == 1
    assert "FILE: " in result.stderr and "does not exist or is not a file." in result.stderr
