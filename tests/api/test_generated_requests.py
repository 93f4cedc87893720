"""Schemathesis generates requests from the OpenAPI document, valid and invalid, and sends
them to the live test server as a program admin, a department chair and a staff nurse, with
every check it has: no 5xx, every status and body as documented, every request that breaks
the document refused, every request that fits it accepted unless a rule of the data refuses
it (schemathesis_hooks.py), and sequences of calls that follow ids from one answer into the
next. The demo organisation gives it goals, teams, conversations and released results to
find."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from accord.access.models import Membership
from accord.access.services import issue_api_token
from accord.demo.services import seed_demo

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
ROOT = Path(__file__).resolve().parents[2]
# Enough examples per operation to reach every field's limits; fixed, so a failure in CI can
# be replayed with the same seed.
EXAMPLES = "12"
SEED = "20261203"


# The admin may do the most, so every phase runs as the admin, boundary values included
# (Schemathesis's "coverage" phase, its slowest); the chair and the nurse get generated and
# chained requests, where what they may not see or do shows.
PHASES = {
    "Program admin": "examples,coverage,fuzzing,stateful",
    "Department chair": "examples,fuzzing,stateful",
    "Staff nurse": "examples,fuzzing,stateful",
}


@pytest.mark.slow
@pytest.mark.parametrize("role_label", list(PHASES))
def test_generated_requests_find_no_failure(
    live_server: object, role_label: str, tmp_path: Path
) -> None:
    logins = {login.role_label: login for login in seed_demo(people=400, seed=7)}
    membership = Membership.objects.get(user__email=logins[role_label].email)
    _, token = issue_api_token(membership=membership, name="generated requests")

    run = subprocess.run(
        [
            str(SCHEMATHESIS), "run", f"{live_server}/api/openapi.json",
            "--checks", "all", "--exclude-checks", "positive_data_acceptance",
            "--header", f"Authorization: Bearer {token}",
            "--phases", PHASES[role_label], "--max-examples", EXAMPLES, "--seed", SEED,
            "--no-color", "--generation-database", "none",
            "--report-dir", str(tmp_path),
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**os.environ, "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
             "PYTHONPATH": str(ROOT)},
    )  # fmt: skip

    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
    summary = run.stdout[run.stdout.rfind("SUMMARY") :]
    tested = re.search(r"Tested: (\d+)", summary)
    operations = len(Client().get("/api/openapi.json").json()["paths"])
    assert tested and int(tested.group(1)) >= operations, summary
