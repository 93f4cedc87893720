"""Survey invitations survive a queue worker killed mid-send, on the SQLite queue and on Redis.

Everything is real: the installed ``accord`` command sets up an organisation and opens a
cycle, ``accord worker`` sends through a real SMTP server on loopback (aiosmtpd), and the
worker is killed with SIGKILL once the first batches are out. A second worker, started
afterwards, must finish the job: everyone gets their invitation, at most one batch twice.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from accord.surveys.mail import BATCH
from tests.conftest import REQUIRE_SERVICES
from tests.mailserver import MailServer

COMMAND = Path(sys.executable).with_name("accord")
PEOPLE = 900
# The test's own Redis database, emptied before and after, so no other queue is touched.
REDIS_URL = re.sub(r"/\d*$", "", os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379") + "/13"

pytestmark = pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="runs once, in the SQLite pass: the commands keep their own SQLite database",
)


def accord(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([str(COMMAND), *args], env=env, capture_output=True, text=True,
                            timeout=180)  # fmt: skip
    assert result.returncode == 0, f"accord {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout


def pending(data_dir: Path) -> int:
    with sqlite3.connect(data_dir / "accord.sqlite3") as db:
        return int(db.execute("SELECT COUNT(*) FROM surveys_pendingemail").fetchone()[0])


def emailed_invitees(data_dir: Path) -> set[str]:
    with sqlite3.connect(data_dir / "accord.sqlite3") as db:
        rows = db.execute(
            "SELECT p.email FROM surveys_invitation i JOIN org_person p ON p.id = i.person_id "
            "WHERE i.channel = 'email'"
        )
        return {email for (email,) in rows}


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([str(COMMAND), "worker"], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip


@pytest.mark.parametrize("queue", ["sqlite", "redis"])
def test_a_killed_worker_leaves_no_one_without_their_invitation(
    tmp_path: Path, mail_server: MailServer, queue: str
) -> None:
    recorder, port = mail_server, mail_server.port
    data_dir = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCORD_", "DJANGO_"))}
    for name in ("DATABASE_URL", "REDIS_URL"):
        env.pop(name, None)
    env.update(ACCORD_DATA_DIR=str(data_dir), DEBUG="true", EMAIL_URL=f"smtp://127.0.0.1:{port}",
               ACCORD_EMAIL_CLAIM_SECONDS="2", ACCORD_WORKERS="1")  # fmt: skip
    if queue == "redis":
        try:
            redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).flushdb()
        except redis.RedisError:
            if REQUIRE_SERVICES:
                pytest.fail(f"Redis is required but not reachable at {REDIS_URL}")
            pytest.skip(f"Redis not reachable at {REDIS_URL}")
        env["REDIS_URL"] = REDIS_URL

    roster = tmp_path / "roster.csv"
    accord(env, "migrate")
    accord(env, "generate-demo", "--people", str(PEOPLE), "--out", str(roster))
    accord(env, "create-org", "Riverside Health", "--slug", "riverside")
    accord(env, "import-org", str(roster), "--org", "riverside")
    now = dt.datetime.now(dt.UTC)
    created = accord(env, "survey", "create", "--org", "riverside", "--name", "Pulse",
                     "--opens", f"{now + dt.timedelta(hours=1):%Y-%m-%dT%H:%M}",
                     "--closes", f"{now + dt.timedelta(days=14):%Y-%m-%dT%H:%M}")  # fmt: skip
    cycle = re.search(r"draft cycle (\d+)", created)[1]  # type: ignore[index]
    accord(env, "survey", "schedule", cycle, "--org", "riverside")
    accord(env, "survey", "open", cycle, "--org", "riverside")
    invitees = emailed_invitees(data_dir)
    assert len(invitees) > 2 * BATCH and pending(data_dir) == len(invitees)

    first = start_worker(env)
    try:
        deadline = time.monotonic() + 90
        while recorder.accepted() < BATCH // 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.killpg(first.pid, signal.SIGKILL)  # mid-send, no chance to tidy up
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
    sent_before_the_kill = recorder.accepted()
    assert 0 < sent_before_the_kill < len(invitees), "the kill must land mid-send"
    assert pending(data_dir) > 0

    second = start_worker(env)
    try:
        deadline = time.monotonic() + 120
        while pending(data_dir) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        second.send_signal(signal.SIGINT)
        try:
            second.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(second.pid, signal.SIGKILL)
    if queue == "redis":
        redis.Redis.from_url(REDIS_URL).flushdb()

    assert pending(data_dir) == 0, "the second worker left emails unsent"
    assert set(recorder.recipients) == invitees  # everyone, and no one else
    twice = sum(count - 1 for count in recorder.recipients.values())
    assert twice <= BATCH, f"{twice} people got their invitation twice"
