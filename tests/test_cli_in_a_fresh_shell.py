"""Every `accord ...` command the README documents, run as an admin runs it: the installed
command, in a new process, in a shell where Django is not configured (no
``DJANGO_SETTINGS_MODULE``, a fresh ``ACCORD_DATA_DIR``, production settings). Each is run
once with good input and once with bad input: bad input exits non-zero with a message that
names what to fix, and never a traceback.

The in-process CLI tests (``test_cli*.py``, ``goals/test_goals_cli.py``…) check what each
command does in detail; these check that it starts at all where a real shell starts it.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from accord.actions.loop import HEADER
from tests.cast import roster_csv

COMMAND = Path(sys.executable).with_name("accord")

# The commands keep their own SQLite database in their data folder whatever the suite runs
# on; the PostgreSQL pass runs the same commands in process, so once per run is enough here.
pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="runs once, in the SQLite pass: the commands use their own SQLite database",
)


@dataclass
class Shell:
    """A data folder and the environment a fresh shell would have."""

    home: Path
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(COMMAND), *args],
            env=self.env,
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def ok(self, *args: str) -> str:
        result = self.run(*args)
        assert result.returncode == 0, f"accord {' '.join(args)}:\n{result.stdout}{result.stderr}"
        assert "Traceback" not in result.stderr
        return result.stdout

    def refused(self, *args: str, says: str) -> str:
        """Bad input: exit 1 or 2 (a usage error), the message, no traceback."""
        result = self.run(*args)
        output = result.stdout + result.stderr
        assert result.returncode in (1, 2), f"accord {' '.join(args)}:\n{output}"
        assert "Traceback" not in output
        assert says in " ".join(output.split()), output
        return output

    def file(self, name: str, content: bytes | str) -> str:
        path = self.home / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return str(path)


def _fresh_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCORD_", "DJANGO_"))}
    for name in ("DEBUG", "DATABASE_URL", "REDIS_URL", "PYTHONPATH"):
        env.pop(name, None)
    env.update(
        ACCORD_DATA_DIR=str(data_dir),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        EMAIL_URL="console://",
        COLUMNS="200",  # one line per message, as in a wide terminal
    )
    return env


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once per module: Riverside Health with the cast's org chart, an admin login."""
    home = tmp_path_factory.mktemp("accord-shell")
    shell = Shell(home, _fresh_env(home / "var"))
    shell.ok("migrate")
    shell.ok("create-org", "Riverside Health", "--slug", "riverside", "--time-zone",
             "America/Chicago")  # fmt: skip
    shell.ok("import-org", shell.file("roster.csv", roster_csv()), "--org", "riverside")
    shell.ok("grant", "alice@riverside.example", "--org", "riverside", "--role", "admin",
             "--person", "alice")  # fmt: skip
    return home


@pytest.fixture
def shell(prepared: Path, tmp_path: Path) -> Shell:
    """A copy of the prepared data folder for each test, so tests stay independent."""
    home = tmp_path / "shell"
    shutil.copytree(prepared, home)
    return Shell(home, _fresh_env(home / "var"))


def test_help_needs_no_configuration(tmp_path: Path) -> None:
    env = _fresh_env(tmp_path)
    env.pop("SECRET_KEY")
    shell = Shell(tmp_path, env)
    assert "survey" in shell.ok("--help")
    assert "publish" in shell.ok("survey", "--help")
    shell.refused("no-such-command", says="No such command")


def test_migrate(shell: Shell) -> None:
    assert "Database is up to date." in shell.ok("migrate")
    shell.env.pop("SECRET_KEY")
    shell.refused("migrate", says="SECRET_KEY is not set")


def test_create_org(shell: Shell) -> None:
    out = shell.ok("create-org", "Lakeview Clinics", "--slug", "lakeview")
    assert "Created Lakeview Clinics (slug: lakeview)." in out
    shell.refused("create-org", "Hillside", "--time-zone", "Mars/Olympus",
                  says="--time-zone: unknown time zone 'Mars/Olympus'")  # fmt: skip


def test_import_org(shell: Shell) -> None:
    roster = shell.file("again.csv", roster_csv())
    assert "Dry run: nothing was written" in shell.ok(
        "import-org", roster, "--org", "riverside", "--dry-run"
    )
    broken = roster_csv().replace(b"2019-04-01", b"not-a-date", 1)
    out = shell.refused("import-org", shell.file("broken.csv", broken), "--org", "riverside",
                        says="nothing was imported")  # fmt: skip
    assert "row 2" in out.lower()


def test_grant(shell: Shell) -> None:
    assert (
        "executive"
        in shell.ok(
            "grant", "eve@riverside.example", "--org", "riverside", "--role", "executive"
        ).lower()
    )
    shell.refused("grant", "eve@riverside.example", "--org", "riverside", "--role", "leader",
                  "--person", "nobody", says="--person: no person with external id 'nobody'")  # fmt: skip


def test_token_create(shell: Shell) -> None:
    out = shell.ok("token", "create", "alice@riverside.example", "--org", "riverside",
                   "--name", "reporting")  # fmt: skip
    assert out.strip().startswith("acc_")
    shell.refused("token", "create", "nobody@riverside.example", "--org", "riverside",
                  "--name", "x", says="nobody@riverside.example has no membership in 'riverside'")  # fmt: skip


def test_profession_list_and_add(shell: Shell) -> None:
    assert "Physician" in shell.ok("profession", "list", "--org", "riverside")
    assert "Added the profession 'Respiratory therapist'" in shell.ok(
        "profession", "add", "Respiratory therapist", "--org", "riverside",
        "--role-group", "clinician",
    )  # fmt: skip
    shell.refused("profession", "add", "Chaplain", "--org", "riverside", "--role-group",
                  "wizard", says="wizard")  # fmt: skip


def test_generate_demo_to_files(shell: Shell) -> None:
    for name in ("roster.csv", "roster.xlsx"):
        out = shell.ok("generate-demo", "--people", "60", "--out", str(shell.home / name))
        assert "Wrote 60 people" in out
        assert (shell.home / name).stat().st_size > 0
    shell.refused("generate-demo", "--out", "roster.txt",
                  says="--out: the file name must end in .csv or .xlsx")  # fmt: skip


def test_demo_without_serving(tmp_path: Path) -> None:
    shell = Shell(tmp_path, _fresh_env(tmp_path / "var"))
    assert "Demo logins" in shell.ok("demo", "--people", "50", "--no-serve")
    shell.refused("demo", "--people", "3", "--no-serve", says="--people")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_and_stops(shell: Shell) -> None:
    port = _free_port()
    # As behind a hospital's HTTPS proxy, which answers plain HTTP itself.
    env = {**shell.env, "SECURE_SSL_REDIRECT": "false"}
    output = shell.home / "server.log"
    with output.open("wb") as log:
        server = subprocess.Popen(
            [str(COMMAND), "serve", "--port", str(port), "--workers", "1"],
            env=env, cwd=shell.home, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert server.poll() is None, output.read_text()
                assert time.monotonic() < deadline, "the server did not answer within 60 s"
                time.sleep(0.3)
        # A password reset email (printed by the console mail backend) links to this server.
        with urllib.request.urlopen(f"{base}/accounts/password/reset/", timeout=10) as page:
            cookie = page.headers["Set-Cookie"].split(";")[0]
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.read().decode())
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token[1], "email": "alice@riverside.example"}  # type: ignore[index]
        ).encode()
        request = urllib.request.Request(f"{base}/accounts/password/reset/", data=form,
                                         headers={"Cookie": cookie})  # fmt: skip
        with urllib.request.urlopen(request, timeout=10) as sent:
            assert sent.status == 200
        deadline = time.monotonic() + 10
        while f"{base}/accounts/password/reset/" not in output.read_text():
            assert time.monotonic() < deadline, output.read_text()
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)  # stops when asked, or the test fails here
    shell.refused("serve", "--port", "0", says="--port")


def test_worker_answers_its_check(shell: Shell) -> None:
    worker = subprocess.Popen([str(COMMAND), "worker"], env=shell.env, cwd=shell.home,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        assert "Queue round trip: ok" in shell.ok("worker", "--check")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    shell.refused("worker", "--checks", says="No such option")


def test_manage(shell: Shell) -> None:
    assert "no issues" in shell.ok("manage", "check")
    shell.refused("manage", "no-such-management-command", says="Unknown command")


CORE_PULSE = (
    Path(__file__).resolve().parents[1] / "src/accord/surveys/instruments/accord-core-v1.yaml"
)


def test_survey_and_report_commands(shell: Shell) -> None:
    """A cycle from draft to a second release, each step once as asked and once refused."""
    org = ("--org", "riverside")
    shell.refused("survey", "create", *org, "--name", "Short", "--opens", "2026-12-01T07:00",
                  "--closes", "2026-12-02T07:00",
                  says="--reminder-days: Day 3 is not before the cycle closes")  # fmt: skip
    out = shell.ok("survey", "create", *org, "--name", "Winter pulse", "--opens",
                   "2026-12-01T07:00", "--closes", "2026-12-20T07:00", "--reminder-days", "3")  # fmt: skip
    cycle = re.search(r"Created the draft cycle (\d+): Winter pulse\.", out)[1]
    shell.refused("survey", "open", cycle, *org, says="Schedule the cycle before opening it")
    shell.refused("survey", "schedule", "999", *org, says="ID: no survey cycle 999 in 'riverside'")
    assert "is now scheduled" in shell.ok("survey", "schedule", cycle, *org)
    assert "is now open" in shell.ok("survey", "open", cycle, *org)
    said = shell.ok("survey", "codes", cycle, *org, "--out", str(shell.home / "codes.csv"))
    assert "there are no codes to print" in said  # everyone in the cast has an email address
    shell.refused("survey", "codes", cycle, *org, "--out", str(shell.home / "codes.doc"),
                  says="--format: choose csv or pdf")  # fmt: skip
    shell.refused("survey", "publish", cycle, *org, says="once the cycle has closed")
    assert "is now closed" in shell.ok("survey", "close", cycle, *org)
    shell.refused("survey", "close", cycle, *org, says="Only an open cycle can be closed")
    assert "is now results published" in shell.ok("survey", "publish", cycle, *org)
    assert "Winter pulse" in shell.ok("survey", "list", *org)
    shell.refused("survey", "list", "--org", "nowhere", says="--org: no organisation")

    exported = shell.ok("report", "export", "--cycle", cycle, *org)
    assert '"accord.report/1"' in exported
    shell.ok("report", "export", "--cycle", cycle, *org, "--format", "xlsx",
             "--out", str(shell.home / "results.xlsx"))  # fmt: skip
    assert (shell.home / "results.xlsx").read_bytes()[:2] == b"PK"
    shell.refused("report", "export", "--cycle", "999", *org, says="--cycle: no survey cycle 999")
    assert "Release 2 of Winter pulse" in shell.ok(
        "report", "release", "--cycle", cycle, *org, "--note", "a late fix"
    )
    shell.refused("report", "release", "--cycle", cycle, *org, "--note", " ",
                  says="--note: say why the results are released again")  # fmt: skip

    # The loop of the published cycle: nobody answered, so no plans and no unit to list.
    assert "No plans." in shell.ok("actions", "list", *org, "--cycle", cycle)
    assert "No plan is overdue." in shell.ok("actions", "overdue", *org)
    loop = shell.ok("actions", "export", *org, "--cycle", cycle)
    assert loop.lstrip("\ufeff").splitlines() == [",".join(HEADER)]
    shell.refused("actions", "list", "--org", "nowhere", says="--org: no organisation")
    shell.refused("actions", "export", *org, "--cycle", "999", says="--cycle: no survey cycle 999")


def test_survey_load_instrument(shell: Shell) -> None:
    own = CORE_PULSE.read_text(encoding="utf-8").replace("id: accord-core", "id: riverside-pulse")
    assert "Loaded riverside-pulse version 1" in shell.ok(
        "survey", "load-instrument", shell.file("pulse.yaml", own), "--org", "riverside"
    )
    bad = shell.file("instrument.yaml", "id: broken\nversion: 1\n")
    shell.refused("survey", "load-instrument", bad, "--org", "riverside",
                  says="nothing was loaded")  # fmt: skip


GOALS = """owner,title,metric,metric_unit,direction,baseline,target,due_date,serves
team,ED patient flow,ED length of stay,hours,decrease,6.4,4.8,2026-12-31,
nora,Fewer patients leave unseen,Left without being seen,%,decrease,4.8,2.5,2026-12-31,ED patient flow
chad,Shorter waits for a bed,Boarding hours,hours,decrease,5,3,2026-12-31,
"""


def test_team_and_goals_commands(shell: Shell) -> None:
    out = shell.ok("team", "create", "ED leadership", "--org", "riverside", "--leader", "chad",
                   "--member", "nora")  # fmt: skip
    team = re.search(r"Created the team ED leadership \(id (\d+)\)\.", out)[1]
    assert "ED leadership" in shell.ok("team", "list", "--org", "riverside")
    shell.refused("team", "create", "Nobody's", "--org", "riverside", "--leader", "ghost",
                  says="--leader: no person with HR id 'ghost'")  # fmt: skip

    goals = shell.file("goals.csv", GOALS)
    assert "Would add 3 goals" in shell.ok("goals", "import", goals, "--org", "riverside",
                                           "--team", team, "--dry-run")  # fmt: skip
    assert "Added 3 goals" in shell.ok(
        "goals", "import", goals, "--org", "riverside", "--team", team
    )
    shell.refused("goals", "import", shell.file("bad.csv", GOALS.replace("decrease", "sideways")),
                  "--org", "riverside", "--team", team, says="nothing was imported")  # fmt: skip

    listing = shell.ok("goals", "list", "--org", "riverside")
    assert "Fewer patients leave unseen" in listing
    shell.refused("goals", "list", "--org", "riverside", "--person", "ghost", says="ghost")

    ids = {title: goal_id for goal_id, title in _goal_ids(shell)}
    unseen, beds = ids["Fewer patients leave unseen"], ids["Shorter waits for a bed"]
    assert "Checked in" in shell.ok("goals", "check-in", unseen, "--org", "riverside",
                                    "--value", "4.1", "--confidence", "on_track")  # fmt: skip
    shell.refused("goals", "check-in", unseen, "--org", "riverside", "--value", "many",
                  "--confidence", "on_track", says="--value")  # fmt: skip
    assert "Linked" in shell.ok("goals", "link", unseen, beds, "--org", "riverside",
                                "--kind", "conflicts", "--note", "Same beds")  # fmt: skip
    shell.refused("goals", "link", unseen, "999999", "--org", "riverside", "--kind", "supports",
                  says="no goal 999999")  # fmt: skip
    shell.refused("goals", "unlink", "999999", "--org", "riverside", says="no goal link 999999")
    shell.refused("goals", "resolve", "999999", "--org", "riverside", "--resolution",
                  "resolved", says="no goal link 999999")  # fmt: skip

    assert "open conflicts: 1" in shell.ok("team", "map", team, "--org", "riverside")
    shell.refused("team", "map", "999999", "--org", "riverside", says="TEAM_ID: no team 999999")
    shell.ok("team", "update", team, "--org", "riverside", "--name", "ED leaders")
    shell.refused("team", "update", team, "--org", "riverside", "--window-days", "0",
                  says="--window-days")  # fmt: skip

    shell.ok("goals", "conversation", "list", "--org", "riverside")
    for args in (("reschedule", "999999", "--at", "2026-12-30T10:00"), ("cancel", "999999")):
        shell.refused("goals", "conversation", *args, "--org", "riverside",
                      says="CONVERSATION_ID: no conversation 999999")  # fmt: skip
    shell.refused("goals", "conversation", "done", "999999", "--org", "riverside",
                  says="COMMITMENT_ID: no commitment 999999")  # fmt: skip


def _goal_ids(shell: Shell) -> Iterator[tuple[str, str]]:
    """(id, title) of every goal, read through Django in the shell's own data folder."""
    script = (
        "import django; django.setup()\n"
        "from accord.goals.models import Goal\n"
        "for g in Goal.objects.order_by('pk'): print(f'{g.pk}\\t{g.title}')\n"
    )
    env = {**shell.env, "DJANGO_SETTINGS_MODULE": "accord.settings"}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, timeout=60, check=True)  # fmt: skip
    for line in result.stdout.splitlines():
        goal_id, title = line.split("\t")
        yield goal_id, title


def test_expectations_list(shell: Shell) -> None:
    out = shell.ok("expectations", "list", "--org", "riverside")
    assert (
        "Waiting for the colleague" in out
        and "People with a current accepted agreement: 0 of" in out
    )
    shell.refused("expectations", "list", "--org", "nowhere", says="--org: no organisation")


def _an_agreement(shell: Shell) -> str:
    """Chad's agreement with Nora, started through the service (no command starts one: the
    two people do, on their pages). Both get logins first: the colleague needs one."""
    for hr_id in ("chad", "nora"):
        shell.ok("grant", f"{hr_id}@riverside.example", "--org", "riverside", "--role", "leader",
                 "--person", hr_id)  # fmt: skip
    code = (
        "from accord.access.models import Membership;"
        "from accord.access.scopes import Scope;"
        "from accord.expectations.services import start_agreement;"
        "from accord.expectations.visibility import ExpectationScope;"
        "m = Membership.objects.get(user__email='chad@riverside.example');"
        "a = start_agreement(escope=ExpectationScope(Scope(m)), actor=None,"
        " colleague_hr_id='nora', relationship='direct_report', topic='Night rota');"
        "print(a.pk)"
    )
    return shell.ok("manage", "shell", "-c", code).strip().splitlines()[-1]


def test_expectations_show_remind_and_remove(shell: Shell) -> None:
    agreement = _an_agreement(shell)
    out = shell.ok("expectations", "show", "--org", "riverside", "--agreement", agreement)
    assert "Chad" in out and "Nora" in out and "Being prepared" in out
    assert "Night rota" not in out  # what it is about stays the two people's
    shell.refused("expectations", "show", "--org", "riverside", "--agreement", "999999",
                  says="--agreement: no agreement 999999")  # fmt: skip
    assert "Sent 0 follow-up reminders." in shell.ok("expectations", "remind", "--org", "riverside")
    shell.refused("expectations", "remind", "--org", "nowhere", says="--org: no organisation")
    shell.refused("expectations", "remove", "--org", "riverside", "--agreement", agreement,
                  "--leader", "nora", "--colleague", "chad", "--reason", "Asked by Nora",
                  says=f"--agreement: No agreement {agreement} led by 'nora'")  # fmt: skip
    shell.refused("expectations", "remove", "--org", "riverside", "--agreement", agreement,
                  "--leader", "chad", "--colleague", "nora", "--reason", " ",
                  says="--reason:")  # fmt: skip
    out = shell.ok("expectations", "remove", "--org", "riverside", "--agreement", agreement,
                   "--leader", "chad", "--colleague", "nora", "--reason", "Asked by Nora")  # fmt: skip
    assert f"Removed agreement {agreement}" in out
    shell.refused("expectations", "show", "--org", "riverside", "--agreement", agreement,
                  says="--agreement: no agreement")  # fmt: skip


def test_shadowing_coverage_and_remind(shell: Shell) -> None:
    out = shell.ok("shadowing", "coverage", "--org", "riverside")
    assert "Visits in the last 12 months: 0" in out and "Departments never visited" in out
    written = shell.ok("shadowing", "coverage", "--org", "riverside", "--out", "grid.csv")
    assert "Wrote" in written and (shell.home / "grid.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    shell.refused("shadowing", "coverage", "--org", "riverside", "--out", "grid.pdf",
                  says="--out: write a .csv or .xlsx file")  # fmt: skip
    assert "Sent 0 reminders to reflect." in shell.ok("shadowing", "remind", "--org", "riverside")
    shell.refused("shadowing", "remind", "--org", "nowhere", says="--org: no organisation")


def test_leadership_frameworks_cohorts_progress_and_reminders(shell: Shell) -> None:
    framework = (Path(__file__).parents[1] / "src/accord/surveys/instruments"
                 / "accord-relational-leadership-v1.yaml").read_text(encoding="utf-8")  # fmt: skip
    own = shell.file("ours.yaml", framework.replace("id: accord-relational-leadership",
                                                    "id: riverside-360"))  # fmt: skip
    assert "Loaded the 360 framework riverside-360 version 1" in shell.ok(
        "leadership", "load-framework", own, "--org", "riverside")  # fmt: skip
    pulse = shell.file("pulse.yaml", framework.replace("purpose: leadership-360\n", ""))
    shell.refused("leadership", "load-framework", pulse, "--org", "riverside",
                  says="problem(s) in pulse.yaml")  # fmt: skip
    leaders = shell.file("leaders.txt", "chad\nsue@riverside.example\n")
    answer_by = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    out = shell.ok("leadership", "start-cohort", "--org", "riverside", "--name", "Chairs 2027",
                   "--leaders", leaders, "--answer-by", answer_by,
                   "--framework", "riverside-360:1")  # fmt: skip
    assert "2 leader(s) are asked to choose their raters" in out
    cohort = re.search(r"cohort (\d+)", out).group(1)  # type: ignore[union-attr]
    shell.refused("leadership", "start-cohort", "--org", "riverside", "--name", "Chairs 2027",
                  "--leaders", leaders, "--answer-by", answer_by,
                  says="already a cohort named")  # fmt: skip
    shell.refused("leadership", "start-cohort", "--org", "riverside", "--name", "Later",
                  "--leaders", leaders, "--answer-by", "31/03/2099",
                  says="--answer-by: '31/03/2099' is not a date")  # fmt: skip
    nobody = shell.file("nobody.txt", "nobody\n")
    shell.refused("leadership", "start-cohort", "--org", "riverside", "--name", "Later",
                  "--leaders", nobody, "--answer-by", answer_by,
                  says="line 1: no one in the org chart")  # fmt: skip
    assert "Chairs 2027" in shell.ok("leadership", "progress", "--org", "riverside")
    progress = shell.ok("leadership", "progress", "--org", "riverside", "--cohort", cohort)
    assert "Chad Chair" in progress and "Choosing raters" in progress
    shell.refused("leadership", "progress", "--org", "riverside", "--cohort", "999999",
                  says="--cohort: no cohort 999999")  # fmt: skip
    assert "Reminded the raters who have not answered, in 0 open round(s)." in shell.ok(
        "leadership", "remind", "--org", "riverside", "--cohort", cohort)  # fmt: skip
    assert "Finished 0 360(s)." in shell.ok("leadership", "finish")


CHARTER = """
from accord.access.models import Membership
from accord.access.scopes import Scope
from accord.charters import services
from accord.charters.models import TeamKind
from accord.charters.rules import Draft, GoalDraft, NormDraft, RoleDraft
from accord.charters.visibility import CharterScope
from accord.org.models import Person
m = Membership.objects.get(user__email='nora@riverside.example')
cscope, nora = CharterScope(Scope(m)), m.person
sam = Person.objects.get(organisation=m.organisation, external_id='sam')
charter = services.start_charter(cscope=cscope, actor=m.user, name='ED huddle team',
    kind=TeamKind.GROUP, people=[nora, sam])
services.save_draft(cscope=cscope, actor=m.user, charter=charter, draft=Draft(
    vision='We keep every patient safe and look after each other.',
    norms=[NormDraft('We hand over face to face.', 'The receiving nurse repeats the plan back')],
    roles=[RoleDraft('Runs the huddle', nora.pk), RoleDraft('Orders supplies', sam.pk)],
    goals=[GoalDraft(None, 'Fewer patients leave unseen')]))
services.propose(cscope=cscope, actor=m.user, charter=charter)
services.endorse(cscope=cscope, actor=m.user, charter=charter, version_number=1,
    decision='endorsed')
print(charter.pk)
"""


def test_charter_list_remind_and_export(shell: Shell) -> None:
    """A charter of Nora and Sam, started, drafted and proposed through the services (the
    team does that on its pages), endorsed by Nora; adopted by the clock after the week."""
    import io
    import json

    from pypdf import PdfReader

    org = ("--org", "riverside")
    shell.ok("grant", "nora@riverside.example", *org, "--role", "leader", "--person", "nora")
    charter = shell.ok("manage", "shell", "-c", CHARTER).strip().splitlines()[-1]

    listed = shell.ok("charter", "list", *org)
    assert "ED huddle team" in listed and "Waiting for endorsements" in listed
    assert "1/2" in listed
    shell.refused("charter", "list", "--org", "nowhere", says="--org: no organisation")
    shell.refused("charter", "list", *org, "--stage", "finished", says="--stage")

    waiting = shell.ok("charter", "remind", *org, "--charter", charter, "--dry-run")
    assert (
        "Dry run: nothing was sent" in waiting and "1 member would be asked: Sam Nurse" in waiting
    )
    shell.refused("charter", "remind", *org, "--charter", "999999",
                  says="--charter: no charter 999999 in 'riverside'")  # fmt: skip
    shell.refused("charter", "export", *org, "--charter", charter, "--out", "charter.pdf",
                  says="has no charter in force yet")  # fmt: skip

    week_ago = (
        "from datetime import timedelta; from django.utils import timezone;"
        "from accord.charters.models import Version;"
        f"Version.objects.filter(charter_id={charter}).update("
        "proposed_at=timezone.now() - timedelta(days=8))"
    )
    shell.ok("manage", "shell", "-c", week_ago)
    assert "1 adopted" in shell.ok("charter", "remind", *org)
    assert "In force" in shell.ok("charter", "list", *org, "--stage", "in-force")

    for name in ("charter.pdf", "charter.json", "charter.md"):
        out = shell.ok("charter", "export", *org, "--charter", charter, "--out", name)
        assert f"Wrote version 1 of ED huddle team (charter {charter}) to {name}." in out
    pdf = (shell.home / "charter.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "We keep every patient safe" in " ".join(text.split())
    exported = json.loads((shell.home / "charter.json").read_text(encoding="utf-8"))
    assert exported["vision"] == "We keep every patient safe and look after each other."
    assert "## How we work together" in (shell.home / "charter.md").read_text(encoding="utf-8")
    shell.refused("charter", "export", *org, "--charter", "999999", "--out", "x.pdf",
                  says="--charter: no charter 999999 in 'riverside'")  # fmt: skip
    shell.refused("charter", "export", "--org", "nowhere", "--charter", charter, "--out", "x.pdf",
                  says="--org: no organisation with the slug 'nowhere'")  # fmt: skip
    shell.refused("charter", "export", *org, "--charter", charter, "--out", "no/such/x.pdf",
                  says="--out: cannot write no/such/x.pdf")  # fmt: skip
