"""The admin's Logins page in the browser: give a login, change a role, remove access."""

from __future__ import annotations

import pytest
from django.core import mail
from huey import Huey

from accord.access.models import Membership, Role
from tests.cast import Cast
from tests.e2e.conftest import Browser

pytestmark = pytest.mark.browser


def test_admin_gives_a_login_changes_its_role_and_removes_it(
    browser: Browser, cast: Cast, immediate_queue: Huey
) -> None:
    browser.log_in_as(cast.admin)
    browser.goto("/o/riverside/")
    browser.follow(browser.page.get_by_role("link", name="Logins"))
    page = browser.page
    mail.outbox.clear()

    page.get_by_label("Person's HR id").fill("pia")
    page.get_by_label("Role").first.select_option("leader")
    browser.follow(page.get_by_role("button", name="Give a login and email them"))
    assert (
        "pia@riverside.example can now sign in as Leader" in page.get_by_role("status").inner_text()
    )
    membership = Membership.objects.get(user__email="pia@riverside.example")
    assert membership.role == Role.LEADER
    [invitation] = mail.outbox
    assert invitation.to == ["pia@riverside.example"]
    assert "/accounts/password/reset/" in invitation.body

    page.get_by_label("Role of pia@riverside.example").select_option("executive")
    browser.follow(page.get_by_role("button", name="Change role of pia@riverside.example"))
    membership.refresh_from_db()
    assert membership.role == Role.EXECUTIVE

    page.once("dialog", lambda dialog: dialog.accept())
    browser.follow(page.get_by_role("button", name="Remove pia@riverside.example"))
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_bad_invitation_shows_the_reason_on_the_page(browser: Browser, cast: Cast) -> None:
    browser.log_in_as(cast.admin)
    browser.goto("/o/riverside/logins/")
    page = browser.page
    page.get_by_label("Person's HR id").fill("nobody")
    browser.follow(page.get_by_role("button", name="Give a login and email them"))
    assert "No one in the org chart has the HR id 'nobody'" in page.content()
