"""Error pages are Accord's own: the site's layout, a plain explanation, a way back home."""

from __future__ import annotations

import subprocess
import sys

from tests.cast import Cast
from tests.core.test_production_settings import _production_env


def test_a_missing_page_is_accords_own(cast: Cast) -> None:
    response = cast.client_for(cast.staff_nurse).get("/o/riverside/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in html and 'class="site-header"' in html
    assert "Go to your home page" in html


def test_a_refusal_says_why(cast: Cast) -> None:
    response = cast.client_for(cast.staff_nurse).get("/o/riverside/logins/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in html and 'class="site-header"' in html


def test_the_demo_runs_locally_without_debug_pages(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = _production_env(tmp_path, ACCORD_DEMO="true")
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'accord.settings'; "
            "django.setup(); from django.conf import settings as s; "
            "print(s.DEBUG, s.LOCAL, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE)")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "False", "False"]
