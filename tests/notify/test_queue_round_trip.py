"""Tasks travel through the real queue storages: SQLite by default, Redis when configured."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.core import mail
from huey import Huey, RedisHuey, SqliteHuey

from accord.notify.tasks import deliver_email, queue_echo
from tests.conftest import REQUIRE_SERVICES

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def _redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["sqlite", "redis"])
def queue(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Huey]:
    name = f"accord-test-{uuid.uuid4().hex[:8]}"
    if request.param == "sqlite":
        huey: Huey = SqliteHuey(name=name, filename=str(tmp_path / "queue.sqlite3"))
    else:
        if not _redis_available():
            if REQUIRE_SERVICES:
                pytest.fail(f"Redis is required but not reachable at {REDIS_URL}")
            pytest.skip(f"Redis not reachable at {REDIS_URL}")
        huey = RedisHuey(name=name, url=REDIS_URL)
    consumer = huey.create_consumer(workers=1, worker_type="thread", periodic=False,
                                    initial_delay=0.01, max_delay=0.05)  # fmt: skip
    consumer.start()
    try:
        yield huey
    finally:
        consumer.stop(graceful=True)
        huey.flush()


def test_task_result_round_trips_through_the_queue(queue: Huey) -> None:
    echo = queue.task()(queue_echo.func)
    result = echo("hello from the worker")
    assert result.get(blocking=True, timeout=10) == "hello from the worker"
    assert len(queue) == 0  # nothing left behind


def test_email_is_delivered_by_the_worker_not_the_caller(queue: Huey) -> None:
    deliver = queue.task()(deliver_email.func)
    mail.outbox.clear()
    result = deliver(to=["nurse@riverside.example"], subject="Reminder", body="Your pulse survey")
    # The caller only enqueued; the worker thread sends.
    assert result.get(blocking=True, timeout=10) == 1
    assert [m.subject for m in mail.outbox] == ["Reminder"]
    assert mail.outbox[0].to == ["nurse@riverside.example"]


def test_failing_task_reports_its_error_to_the_caller(queue: Huey) -> None:
    deliver = queue.task()(deliver_email.func)
    result = deliver(to=[], subject="No one", body="")
    with pytest.raises(Exception, match="at least one recipient"):
        result.get(blocking=True, timeout=10)


def test_accord_worker_command_answers_a_queued_task(tmp_path: Path) -> None:
    """`accord worker` in one process answers `accord worker --check` from another (SQLite)."""
    env = {**os.environ, "ACCORD_DATA_DIR": str(tmp_path), "DEBUG": "true"}
    for name in ("DATABASE_URL", "REDIS_URL", "ACCORD_TESTING", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    accord = [sys.executable, "-m", "accord.cli"]
    worker = subprocess.Popen([*accord, "worker"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)  # fmt: skip
    try:
        time.sleep(0.5)
        check = subprocess.run([*accord, "worker", "--check"], env=env, capture_output=True,
                               text=True, timeout=60)  # fmt: skip
        assert check.returncode == 0, check.stderr
        assert "Queue round trip: ok" in check.stdout
    finally:
        worker.terminate()
        worker.wait(timeout=20)
