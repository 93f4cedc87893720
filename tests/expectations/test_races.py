"""An acceptance and a proposal of changes made at the same moment end in one outcome: one
goes through, the other is refused with the reason, nothing is half-written.

On PostgreSQL two threads race on their own connections, and the agreement's row lock
serialises them. On SQLite the test database is an in-memory shared cache, whose table locks
fail at once instead of waiting, so there two `accord` processes race on a real database
file — as the server runs it: WAL, and immediate transactions that wait for the writer."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from accord.expectations import services
from accord.expectations.errors import ExpectationsError
from accord.expectations.models import Agreement, AgreementStatus, FollowUp, Version
from accord.expectations.rules import ItemDraft
from tests.cast import Cast, build_cast, load_cast
from tests.concurrency import at_once
from tests.expectations.world import escope, in_weeks, proposed_agreement


@pytest.fixture
def committed_cast(transactional_db: None) -> Cast:
    return load_cast() or build_cast()


ON_SQLITE = not os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.mark.skipif(ON_SQLITE, reason="SQLite: see the two-process race below")
@pytest.mark.parametrize("round_", range(3))
def test_an_acceptance_racing_a_proposal_of_changes_ends_in_one_outcome(
    committed_cast: Cast, round_: int
) -> None:
    cast = committed_cast
    agreement = proposed_agreement(cast, f"Race {round_}")
    nora = escope(cast, cast.nurse_manager)
    changes = [ItemDraft("Publish the rota", "done when posted", "colleague", in_weeks(5))]
    results = at_once(
        lambda: services.accept(escope=nora, actor=None, agreement=agreement, number=1),
        lambda: services.propose_changes(
            escope=nora, actor=None, agreement=agreement, number=1, items=changes, comment="Later"
        ),
    )
    refused = [r for r in results if isinstance(r, ExpectationsError)]
    done = [r for r in results if isinstance(r, Version)]
    assert len(done) == 1 and len(refused) == 1, results
    agreement.refresh_from_db()
    versions = list(Version.objects.filter(agreement=agreement).order_by("number"))
    if done[0].status == "accepted":
        assert agreement.status == AgreementStatus.ACCEPTED and len(versions) == 1
        assert FollowUp.objects.filter(agreement=agreement).count() == 5
        assert "already been accepted" in str(refused[0])
    else:
        assert agreement.status == AgreementStatus.CHANGES_PROPOSED and len(versions) == 2
        assert not FollowUp.objects.filter(agreement=agreement).exists()
        assert "Nothing waits for your answer" in str(refused[0])
    assert Agreement.objects.filter(pk=agreement.pk).count() == 1


RACER = """
import time
from accord.access.models import Membership
from accord.access.scopes import Scope
from accord.expectations import services
from accord.expectations.errors import ExpectationsError
from accord.expectations.models import Agreement
from accord.expectations.rules import ItemDraft
from accord.expectations.visibility import ExpectationScope
import datetime as dt
nora = ExpectationScope(Scope(Membership.objects.get(user__email="nora@riverside.example")))
agreement = Agreement.objects.get()
time.sleep(max(0, START - time.time()))
try:
    if ACTION == "accept":
        services.accept(escope=nora, actor=None, agreement=agreement, number=1)
    else:
        services.propose_changes(escope=nora, actor=None, agreement=agreement, number=1,
            items=[ItemDraft("Publish the rota", "done when posted", "colleague",
                             dt.date.today() + dt.timedelta(weeks=5))], comment="Later")
    print("DONE", ACTION)
except ExpectationsError as refusal:
    print("REFUSED", ACTION, refusal)
"""

SETUP = """
import datetime as dt
from accord.access.models import Membership
from accord.access.scopes import Scope
from accord.expectations import services
from accord.expectations.rules import ItemDraft
from accord.expectations.visibility import ExpectationScope
chad = ExpectationScope(Scope(Membership.objects.get(user__email="chad@riverside.example")))
a = services.start_agreement(escope=chad, actor=None, colleague_hr_id="nora",
                             relationship="direct_report", topic="Night rota")
services.save_draft(escope=chad, actor=None, agreement=a, why_it_matters="Nights",
    how_it_fits="", opening="", goal_ids=[], items=[ItemDraft("Publish the rota two weeks ahead",
    "done when posted by the 15th", "colleague", dt.date.today() + dt.timedelta(weeks=4))])
services.propose(escope=chad, actor=None, agreement=a)
"""


@pytest.mark.skipif(not ON_SQLITE, reason="PostgreSQL: the threads above")
def test_on_sqlite_two_processes_racing_end_in_one_outcome(tmp_path: Path) -> None:
    from tests.cast import roster_csv

    command = str(Path(sys.executable).with_name("accord"))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ACCORD_", "DJANGO_", "DATABASE_URL", "REDIS_URL", "DEBUG"))}  # fmt: skip
    env.update(ACCORD_DATA_DIR=str(tmp_path / "var"), SECRET_KEY="race-" + "x" * 50,
               ALLOWED_HOSTS="127.0.0.1", EMAIL_URL="console://")  # fmt: skip

    def accord(*args: str) -> str:
        done = subprocess.run([command, *args], env=env, cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    accord("migrate")
    accord("create-org", "Riverside Health", "--slug", "riverside")
    (tmp_path / "roster.csv").write_bytes(roster_csv())
    accord("import-org", str(tmp_path / "roster.csv"), "--org", "riverside")
    for hr_id in ("chad", "nora"):
        accord("grant", f"{hr_id}@riverside.example", "--org", "riverside", "--role", "leader",
               "--person", hr_id)  # fmt: skip
    accord("manage", "shell", "-c", SETUP)
    start = time.time() + 6  # both processes are up by then, and act in the same millisecond
    racers = [
        subprocess.Popen(
            [command, "manage", "shell", "-c", f"START = {start}\nACTION = {action!r}\n{RACER}"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for action in ("accept", "changes")
    ]
    outputs = []
    for racer in racers:
        out, err = racer.communicate(timeout=120)
        assert racer.returncode == 0 and "Traceback" not in err, out + err
        outputs.append(out.strip().splitlines()[-1])
    assert sorted(line.split()[0] for line in outputs) == ["DONE", "REFUSED"], outputs
    state = accord("expectations", "show", "--org", "riverside", "--agreement", "1")
    if "DONE accept" in outputs:
        assert "Accepted" in state and "5 upcoming" in state
    else:
        assert "Changes proposed" in state and re.search(r"Versions\s+2\b", state), state
