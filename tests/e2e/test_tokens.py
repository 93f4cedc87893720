"""API tokens in the browser: the secret is shown once; revoking asks first."""

from __future__ import annotations

import pytest

from accord.access.models import ApiToken
from tests.cast import Cast
from tests.e2e.conftest import Browser

pytestmark = pytest.mark.browser


def test_create_then_revoke_a_token(browser: Browser, cast: Cast) -> None:
    browser.log_in_as(cast.nurse_manager)
    browser.goto("/o/riverside/")
    browser.follow(browser.page.get_by_role("link", name="API tokens"))
    page = browser.page

    page.get_by_label("Token name").fill("Rota sync")
    page.get_by_label("Expires after (days)").fill("30")
    browser.follow(page.get_by_role("button", name="Create token"))

    secret = page.locator("#new-token").inner_text()
    token = ApiToken.objects.get(membership__user=cast.nurse_manager)
    assert secret.startswith(token.prefix)
    row = page.get_by_role("row", name="Rota sync")
    assert "expires" in row.inner_text()

    browser.goto("/o/riverside/tokens/")
    assert page.locator("#new-token").count() == 0
    assert secret not in page.content()

    dialogs: list[str] = []

    def accept(dialog):  # type: ignore[no-untyped-def]
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    browser.follow(page.get_by_role("button", name="Revoke Rota sync"))

    assert dialogs == ["Revoke this token? Scripts using it will stop working."]
    assert "revoked" in page.get_by_role("status").inner_text()
    assert "revoked" in page.get_by_role("row", name="Rota sync").inner_text()
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_dismissing_the_confirmation_keeps_the_token(browser: Browser, cast: Cast) -> None:
    browser.log_in_as(cast.staff_nurse)
    browser.goto("/o/riverside/tokens/")
    page = browser.page
    page.get_by_label("Token name").fill("Phone")
    browser.follow(page.get_by_role("button", name="Create token"))

    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Revoke Phone").click()

    assert "active" in page.get_by_role("row", name="Phone").inner_text()
    assert ApiToken.objects.get(name="Phone").revoked_at is None


def test_token_form_reports_errors_beside_the_field(browser: Browser, cast: Cast) -> None:
    browser.log_in_as(cast.chair)
    browser.goto("/o/riverside/tokens/")
    browser.follow(browser.page.get_by_role("button", name="Create token"))

    name = browser.page.get_by_label("Token name")
    assert name.get_attribute("aria-invalid") == "true"
    assert "required" in browser.page.locator("#id_name_error").inner_text()
    assert ApiToken.objects.count() == 0
