"""Signing out, a wrong password, and the password reset email."""

from __future__ import annotations

import pytest
from django.core import mail

from tests.cast import PASSWORD, Cast
from tests.e2e.conftest import Browser

pytestmark = pytest.mark.browser


def test_sign_out_ends_the_session(browser: Browser, cast: Cast) -> None:
    browser.sign_in(cast.executive.email, PASSWORD)
    browser.follow(browser.page.get_by_role("button", name="Sign out"))

    assert browser.path == "/accounts/login/"
    browser.goto("/o/riverside/")
    assert browser.path == "/accounts/login/?next=/o/riverside/"


def test_wrong_password_is_announced(browser: Browser, cast: Cast) -> None:
    browser.goto("/accounts/login/")
    browser.page.get_by_label("Email").fill(cast.chair.email)
    browser.page.get_by_label("Password").fill("not-the-password")
    browser.follow(browser.page.get_by_role("button", name="Sign in"))

    assert "enter a correct email and password" in browser.page.get_by_role("alert").inner_text()
    assert browser.page.get_by_label("Email").input_value() == cast.chair.email


def test_password_reset_sends_a_working_link(browser: Browser, cast: Cast) -> None:
    browser.goto("/accounts/login/")
    browser.follow(browser.page.get_by_role("link", name="Forgotten your password?"))
    browser.page.get_by_label("Email").fill(cast.staff_nurse.email)
    browser.follow(browser.page.get_by_role("button", name="Send the link"))

    assert browser.page.get_by_role("heading", level=1).inner_text() == "Check your email"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [cast.staff_nurse.email]
    link = next(line for line in message.body.splitlines() if "/accounts/password/reset/" in line)

    browser.goto(link.removeprefix(browser.base_url))
    page = browser.page
    page.get_by_label("New password", exact=True).fill("a-brand-new-passphrase")
    page.get_by_label("New password confirmation").fill("a-brand-new-passphrase")
    browser.follow(page.get_by_role("button", name="Set password"))
    assert page.get_by_role("heading", level=1).inner_text() == "Password set"

    browser.sign_in(cast.staff_nurse.email, "a-brand-new-passphrase")
    assert browser.path == "/o/riverside/"
