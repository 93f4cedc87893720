"""Sign-in throttling: how django-axes names the account a failed sign-in was for."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def attempted_email(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The email a sign-in attempt named, as Accord compares emails: trimmed, lower case.

    Without this, "Chad@…" and "chad@…" would count as different accounts, and an attacker
    could try five passwords per spelling.
    """
    credentials = credentials or {}
    email = credentials.get("username") or credentials.get("email")
    if email is None:
        email = request.POST.get("username", "")
    return str(email).strip().lower()
