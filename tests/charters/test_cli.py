"""`accord charter list|remind|export`, run in process so the commands use the test database
(tests/test_cli_in_a_fresh_shell.py runs them again as an admin's shell does)."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.core import mail
from huey import Huey
from pypdf import PdfReader
from typer.testing import CliRunner, Result

from accord import cli_support
from accord.charters.cli import md_text
from accord.charters.models import Charter, Version, VersionStatus
from accord.charters.state import version_in_force
from accord.cli import app
from tests.cast import Cast
from tests.charters.world import (
    TEAM,
    VALUES,
    adopted,
    answered_values,
    drafted,
    endorsed_by,
    full_draft,
    proposed,
    started,
)

pytestmark = pytest.mark.django_db

ORG = ("--org", "riverside")


def accord(*args: str) -> Result:
    # As wide as an admin's terminal: a table row on one line. The shared console reads
    # COLUMNS once, when first imported — possibly by another test of this process.
    cli_support.console.width = 200
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})


def ok(*args: str) -> str:
    result = accord(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def refused(*args: str, says: str) -> str:
    result = accord(*args)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # never a traceback
    assert "Traceback" not in result.output
    assert says in " ".join(result.stderr.split()), result.stderr
    return result.stderr


def endorsing(cast: Cast, who: tuple[str, ...] = ("sam", "nina")) -> Charter:
    """A second charter for the team, proposed, endorsed by ``who`` so far."""
    charter = started(cast)
    drafted(cast, charter)
    proposed(cast, charter)
    endorsed_by(cast, charter, who)
    return charter


def pdf_text(content: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


# --- list ---------------------------------------------------------------------------------------


def test_the_list_shows_each_charter_where_it_stands_and_no_private_answer(cast: Cast) -> None:
    in_force = adopted(cast)
    waiting = endorsing(cast)
    drafting = started(cast)
    answered_values(cast, drafting)

    out = ok("charter", "list", *ORG)

    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()[:1].isdigit()}
    assert "In force" in lines[str(in_force.pk)]
    assert "Nora Manager" in lines[str(in_force.pk)]
    assert in_force.next_revisit_on is not None
    assert in_force.next_revisit_on.isoformat() in lines[str(in_force.pk)]
    assert "Waiting for endorsements" in lines[str(waiting.pk)]
    assert "2/6" in lines[str(waiting.pk)]
    assert "Drafting" in lines[str(drafting.pk)]
    for answers in VALUES.values():
        assert not any(text in out for text in answers.values())
    assert "Sam Nurse" not in out  # who answered, or endorsed, is not listed


def test_the_list_filters_by_stage_and_prints_json(cast: Cast) -> None:
    in_force = adopted(cast)
    waiting = endorsing(cast)

    out = ok("charter", "list", *ORG, "--stage", "endorsing")
    assert "Waiting for endorsements" in out and "In force" not in out

    rows = json.loads(ok("charter", "list", *ORG, "--json"))
    by_id = {row["id"]: row for row in rows}
    assert by_id[in_force.pk]["stage"] == "in-force"
    assert by_id[in_force.pk]["proposed_version"] is None
    assert by_id[in_force.pk]["members"] == len(TEAM)
    assert by_id[in_force.pk]["recharter"] is False
    assert by_id[waiting.pk]["stage"] == "endorsing"
    assert by_id[waiting.pk]["proposed_version"] == {"endorsed": 2, "members": 6}
    assert by_id[waiting.pk]["team_kind"] == "group"

    only = json.loads(ok("charter", "list", *ORG, "--stage", "in-force", "--json"))
    assert [row["id"] for row in only] == [in_force.pk]
    assert "No charter is at the stage 'revisit'." in ok(
        "charter", "list", *ORG, "--stage", "revisit"
    )
    assert "No charters." in ok("charter", "list", "--org", "lakeview")


def test_a_charter_in_force_with_a_new_draft_is_listed_in_force(cast: Cast) -> None:
    from accord.charters import services
    from tests.charters.world import cscope_of

    charter = adopted(cast)
    services.revise(
        cscope=cscope_of(cast, cast.nurse_manager), actor=cast.nurse_manager, charter=charter
    )
    rows = json.loads(ok("charter", "list", *ORG, "--stage", "in-force", "--json"))
    assert [(r["id"], r["stage_label"]) for r in rows] == [
        (charter.pk, "In force; a new draft in progress")
    ]


# --- remind -------------------------------------------------------------------------------------


def test_a_dry_run_names_who_is_waiting_and_sends_nothing(
    cast: Cast, immediate_queue: Huey
) -> None:
    charter = endorsing(cast)
    mail.outbox.clear()
    audit_before = charter.audit_entries.count()

    out = ok("charter", "remind", *ORG, "--charter", str(charter.pk), "--dry-run")

    assert "Dry run: nothing was sent" in out
    assert "4 members would be asked" in out
    for name in ("Nora Manager", "Ned Nurse", "Paula Physician", "Peter Physician"):
        assert name in out
    assert "Sam Nurse" not in out and "Nina Nurse" not in out
    assert mail.outbox == []
    assert charter.audit_entries.count() == audit_before

    everyone = ok("charter", "remind", *ORG, "--dry-run")
    assert f"charter {charter.pk}" in everyone and "Ned Nurse" in everyone
    assert mail.outbox == []


def test_remind_asks_again_whoever_has_a_step_waiting_by_name(
    cast: Cast, immediate_queue: Huey
) -> None:
    charter = endorsing(cast)
    mail.outbox.clear()

    out = ok("charter", "remind", *ORG, "--charter", str(charter.pk))

    assert "Ran the charters' clock" in out
    assert "Asked again 4 members of ED interprofessional team" in out
    assert "Peter Physician" in out and "Sam Nurse" not in out
    asked = sorted(m.to[0] for m in mail.outbox)
    assert asked == sorted(f"{p}@riverside.example" for p in ("nora", "ned", "paula", "peter"))
    assert all("still waiting for your answer" in m.body for m in mail.outbox)


def test_everyone_named_as_asked_is_emailed_a_late_joiner_too(
    cast: Cast, immediate_queue: Huey
) -> None:
    from accord.charters import services
    from tests.charters.world import cscope_of

    charter = adopted(cast)
    services.set_group_members(
        cscope=cscope_of(cast, cast.nurse_manager), actor=cast.nurse_manager, charter=charter,
        people=[cast.person(p) for p in (*TEAM, "olga")],
    )  # fmt: skip
    mail.outbox.clear()

    out = ok("charter", "remind", *ORG, "--charter", str(charter.pk))

    assert "Asked again 1 member of ED interprofessional team" in out and "Olga Periop" in out
    assert [m.to for m in mail.outbox] == [["olga@riverside.example"]]


def test_remind_sends_no_second_email_when_the_clock_has_just_reminded(
    cast: Cast, immediate_queue: Huey
) -> None:
    charter = endorsing(cast)
    Version.objects.filter(charter=charter).update(
        proposed_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=4)
    )
    mail.outbox.clear()

    out = ok("charter", "remind", *ORG, "--charter", str(charter.pk))

    assert "1 reminder sent" in out
    assert "The clock has just reminded 4 members of ED interprofessional team" in out
    asked = sorted(m.to[0] for m in mail.outbox)
    assert asked == sorted(f"{p}@riverside.example" for p in ("nora", "ned", "paula", "peter"))


def test_remind_runs_the_clock_and_adopts_after_the_week(cast: Cast) -> None:
    charter = endorsing(cast, who=TEAM[:-1])
    Version.objects.filter(charter=charter).update(
        proposed_at=dt.datetime.now(dt.UTC) - dt.timedelta(days=8)
    )

    out = ok("charter", "remind", *ORG)

    assert "1 adopted" in out
    assert "Name a charter with --charter" in out
    assert version_in_force(charter) is not None


def test_nobody_waiting_is_said(cast: Cast, immediate_queue: Huey) -> None:
    charter = adopted(cast)
    mail.outbox.clear()
    out = ok("charter", "remind", *ORG, "--charter", str(charter.pk))
    assert "nobody was asked" in out
    assert mail.outbox == []
    assert "Nobody has a step waiting." in ok(
        "charter", "remind", *ORG, "--charter", str(charter.pk), "--dry-run"
    )


# --- export -------------------------------------------------------------------------------------


def test_export_writes_the_charter_in_force_as_a_pdf(cast: Cast, tmp_path: Path) -> None:
    charter = adopted(cast)
    out = tmp_path / "charter.pdf"

    said = ok("charter", "export", *ORG, "--charter", str(charter.pk), "--format", "pdf",
              "--out", str(out))  # fmt: skip

    assert f"Wrote version 1 of ED interprofessional team (charter {charter.pk})" in said
    content = out.read_bytes()
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert full_draft(cast).vision in text
    assert "We ask for help before we are drowning." in text


def test_export_json_round_trips(cast: Cast, tmp_path: Path) -> None:
    charter = adopted(cast)
    out = tmp_path / "charter.json"

    ok("charter", "export", *ORG, "--charter", str(charter.pk), "--out", str(out))

    exported = json.loads(out.read_text(encoding="utf-8"))
    draft = full_draft(cast)
    version = version_in_force(charter)
    assert version is not None and version.adopted_at is not None
    assert exported["format"] == "accord.charter/1"
    assert exported["charter"] == charter.pk and exported["name"] == charter.name
    assert exported["version"] == 1
    assert exported["vision"] == draft.vision
    assert dt.date.fromisoformat(exported["adopted"]) in (
        version.adopted_at.date(), version.adopted_at.date() - dt.timedelta(days=1)
    )  # fmt: skip
    assert exported["next_revisit"] == charter.next_revisit_on.isoformat()  # type: ignore[union-attr]
    assert exported["norms"] == [{"text": n.text, "how_we_notice": n.signs} for n in draft.norms]
    assert [r["what"] for r in exported["roles"]] == [r.what for r in draft.roles]
    assert exported["roles"][0]["owner"] == "Nora Manager"
    assert exported["goals"] == [
        {"text": "Fewer patients leaving without being seen", "measure": "", "goal_id": None}
    ]
    assert json.loads(json.dumps(exported)) == exported


def test_export_markdown_reads_as_the_charter(cast: Cast, tmp_path: Path) -> None:
    charter = adopted(cast)
    out = tmp_path / "charter.md"

    ok("charter", "export", *ORG, "--charter", str(charter.pk), "--format", "md", "--out",
       str(out))  # fmt: skip

    text = out.read_text(encoding="utf-8")
    assert text.startswith("# ED interprofessional team\n")
    for heading in ("## Why we exist", "## How we work together", "## Who does what"):
        assert heading in text
    assert full_draft(cast).vision in text
    assert "1. We hand over face to face, with the plan said out loud." in text
    assert "| Runs the 1 huddle | Nora Manager |" in text


def test_markdown_keeps_someones_words_from_becoming_markup() -> None:
    assert md_text("# Not a heading") == "\\# Not a heading"
    assert md_text("1. not a list") == "1\\. not a list"
    assert md_text("- nor this") == "\\- nor this"
    assert md_text("<script>x</script> a|b") == "\\<script\\>x\\</script\\> a\\|b"
    assert md_text("[link](http://x)") == "\\[link\\](http://x)"


def test_export_refuses_a_charter_not_in_force(cast: Cast, tmp_path: Path) -> None:
    charter = endorsing(cast)
    out = tmp_path / "charter.pdf"
    refused("charter", "export", *ORG, "--charter", str(charter.pk), "--out", str(out),
            says=f"--charter: ED interprofessional team (charter {charter.pk}) has no charter "
            "in force yet")  # fmt: skip
    assert not out.exists()
    assert version_in_force(charter) is None
    assert Version.objects.filter(charter=charter, status=VersionStatus.PROPOSED).exists()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (
            ("--org", "nowhere", "--charter", "{id}"),
            "--org: no organisation with the slug 'nowhere'",
        ),
        (
            ("--org", "riverside", "--charter", "999999"),
            "--charter: no charter 999999 in 'riverside'",
        ),
        (("--org", "riverside", "--charter", "-3"), "--charter: no charter -3 in 'riverside'"),
        (("--org", "riverside", "--charter", str(2**70)), "--charter: no charter"),
        # A charter of another organisation reads exactly like one that does not exist.
        (("--org", "lakeview", "--charter", "{id}"), "--charter: no charter {id} in 'lakeview'"),
    ],
)
def test_export_refuses_what_names_no_charter(
    cast: Cast, tmp_path: Path, args: tuple[str, ...], says: str
) -> None:
    charter = adopted(cast)
    filled = [a.replace("{id}", str(charter.pk)) for a in args]
    out = tmp_path / "charter.json"
    refused("charter", "export", *filled, "--out", str(out),
            says=says.replace("{id}", str(charter.pk)))  # fmt: skip
    assert not out.exists()


def test_export_refuses_a_file_it_cannot_write_or_format_it_cannot_tell(
    cast: Cast, tmp_path: Path
) -> None:
    charter = str(adopted(cast).pk)
    missing = tmp_path / "no-such-folder" / "charter.pdf"
    refused("charter", "export", *ORG, "--charter", charter, "--out", str(missing),
            says=f"--out: cannot write {missing}: No such file or directory")  # fmt: skip
    refused("charter", "export", *ORG, "--charter", charter, "--format", "md",
            "--out", str(tmp_path), says="--out: cannot write")  # fmt: skip
    refused("charter", "export", *ORG, "--charter", charter, "--out", str(tmp_path / "c.docx"),
            says="--format: choose pdf, json or md")  # fmt: skip
    bad = accord("charter", "export", *ORG, "--charter", charter, "--format", "docx",
                 "--out", str(tmp_path / "c.docx"))  # fmt: skip
    assert bad.exit_code == 2 and "--format" in bad.stderr and "Traceback" not in bad.output


def test_list_and_remind_refuse_what_they_cannot_find(cast: Cast) -> None:
    refused("charter", "list", "--org", "nowhere", says="--org: no organisation")
    refused("charter", "remind", "--org", "nowhere", "--dry-run", says="--org: no organisation")
    refused("charter", "remind", *ORG, "--charter", "999999", says="--charter: no charter 999999")
    bad = accord("charter", "list", *ORG, "--stage", "finished")
    assert bad.exit_code == 2 and "--stage" in bad.stderr and "Traceback" not in bad.output


def test_who_has_not_answered_the_private_questions_is_never_named(
    cast: Cast, immediate_queue: Huey
) -> None:
    from tests.charters.world import answered_values, started

    charter = started(cast)
    answered_values(cast, charter, ("sam", "nina"))
    mail.outbox.clear()
    dry = ok("charter", "remind", *ORG, "--charter", str(charter.pk), "--dry-run")
    assert "4 members would be asked the private questions (never named)" in dry
    out = ok("charter", "remind", *ORG, "--charter", str(charter.pk))
    assert "4 members for the private questions, never named" in out
    for name in ("Nora Manager", "Ned Nurse", "Paula Physician", "Peter Physician", "Sam Nurse"):
        assert name not in dry and name not in out
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        f"{p}@riverside.example" for p in ("nora", "ned", "paula", "peter")
    )
