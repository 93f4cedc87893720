"""The address people reach Accord at, for links that leave the site: email, printed codes.

One setting, ``ACCORD_BASE_URL``, because a queue worker or the command line has no request
to take a host name from."""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """``/o/riverside/goals/`` → ``https://accord.example.org/o/riverside/goals/``."""
    if not path.startswith("/"):
        raise ValueError(f"absolute_url needs a path starting with '/', not {path!r}")
    return f"{settings.ACCORD_BASE_URL}{path}"
