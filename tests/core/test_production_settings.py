"""Production mode: secure by default, and Django's deployment checklist passes."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path


def _production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACCORD_", "DJANGO_"))}
    env.pop("DEBUG", None)
    env.update(ACCORD_DATA_DIR=str(tmp_path), **extra)
    return env


def _accord(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "accord.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_deployment_checklist_passes_in_production_mode(tmp_path: Path) -> None:
    env = _production_env(
        tmp_path, SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="accord.example.org"
    )
    result = _accord("manage", "check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _accord("migrate", env=_production_env(tmp_path))
    assert result.returncode == 1
    assert "SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_boolean_setting_is_named_in_the_error(tmp_path: Path) -> None:
    env = _production_env(tmp_path, SECRET_KEY="x" * 60, DEBUG="maybe")
    result = _accord("migrate", env=env)
    assert result.returncode == 1
    assert "DEBUG must be true or false" in result.stderr
