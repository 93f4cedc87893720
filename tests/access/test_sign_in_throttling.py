"""Repeated wrong passwords for one account from one address lock that pair out for a while."""

from __future__ import annotations

import datetime as dt

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from accord.access.models import User
from tests.cast import PASSWORD, Cast

LOGIN = reverse("login")


def sign_in(client: Client, email: str, password: str) -> int:
    return client.post(LOGIN, {"username": email, "password": password}).status_code


def fail_until_locked(client: Client, user: User) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, user.email, "wrong password") == 200
    # The failure that reaches the limit is answered with the lockout itself.
    assert sign_in(client, user.email, "wrong password") == 429


def test_after_five_wrong_passwords_even_the_right_one_is_refused(cast: Cast) -> None:
    client = Client()
    fail_until_locked(client, cast.chair)
    assert sign_in(client, cast.chair.email, PASSWORD) == 429
    assert SESSION_KEY not in client.session


def test_changing_the_emails_case_does_not_buy_more_attempts(cast: Cast) -> None:
    client = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        email = cast.chair.email.upper() if attempt % 2 else cast.chair.email
        sign_in(client, email, "wrong password")
    assert sign_in(client, cast.chair.email.title(), PASSWORD) == 429


def test_the_lockout_holds_only_that_account_from_that_address(cast: Cast) -> None:
    fail_until_locked(Client(), cast.chair)
    assert sign_in(Client(), cast.nurse_manager.email, PASSWORD) == 302
    elsewhere = Client(REMOTE_ADDR="192.0.2.40")
    assert sign_in(elsewhere, cast.chair.email, PASSWORD) == 302


def test_the_lockout_ends_after_the_cool_off(cast: Cast) -> None:
    client = Client()
    fail_until_locked(client, cast.chair)
    later = settings.AXES_COOLOFF_TIME + dt.timedelta(minutes=1)
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - later)
    assert sign_in(client, cast.chair.email, PASSWORD) == 302


def test_signing_in_clears_earlier_failures(cast: Cast) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, cast.chair.email, "wrong password")
    assert sign_in(client, cast.chair.email, PASSWORD) == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, cast.chair.email, "wrong password")
    assert sign_in(client, cast.chair.email, PASSWORD) == 302


def test_locked_out_person_sees_an_explanation_and_a_way_out(cast: Cast) -> None:
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": cast.chair.email, "password": "nope"})
    response = client.post("/accounts/login/", {"username": cast.chair.email, "password": "nope"})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many sign-in attempts" in page
    assert "/accounts/password/reset/" in page
