"""Chad agrees expectations with Nora, his nurse manager: he starts the agreement, prepares
in private, drafts it without JavaScript (one vague expectation refused first) and sends it;
Nora, on her phone, reads it from her home page and accepts it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.cast import PASSWORD, Cast
from tests.e2e.conftest import Browser
from tests.expectations.world import in_weeks

pytestmark = pytest.mark.browser


def test_a_leader_and_his_nurse_manager_agree_on_expectations(
    open_browser: Callable[..., Browser], cast: Cast
) -> None:
    chad = open_browser(javascript=False)
    chad.sign_in(cast.chair.email, PASSWORD)
    page = chad.page
    chad.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Agreements"))
    chad.follow(page.get_by_role("link", name="Start an agreement"))
    page.get_by_label("Your colleague's HR id").fill("nora")
    page.get_by_label("My direct report").check()
    page.get_by_label("Topic").fill("Running the night shift")
    chad.follow(page.get_by_role("button", name="Start and prepare"))

    assert page.get_by_role("heading", level=1).inner_text() == "Prepare, honestly"
    for group in ("My state of mind", "Do I believe this person can succeed?", "My own part",
                  "Can I state the roles, goals and measures?",
                  "Where does this person add value today?"):  # fmt: skip
        page.get_by_role("group", name=group).get_by_label("4", exact=True).check()
    page.get_by_label("Note").nth(2).fill("I never said the rota was hers.")
    chad.follow(page.get_by_role("button", name="Save my preparation"))
    assert "Ready to draft and meet" in page.get_by_role("status").last.inner_text()

    chad.follow(page.get_by_role("link", name="Draft the agreement"))
    page.get_by_label("Why this matters").fill("Nights are where we lose nurses.")
    page.get_by_label("Expectation 1: what").fill("Improve handovers")
    page.get_by_label("Expectation 1: measured by").fill("better handovers")
    page.get_by_label("Expectation 1: due on").fill(in_weeks(4).isoformat())
    chad.follow(page.get_by_role("button", name="Save the draft"))
    assert "says what you hope for" in page.get_by_role("main").inner_text()
    page.get_by_label("Expectation 1: what").fill("Publish the night rota two weeks ahead")
    page.get_by_label("Expectation 1: measured by").fill("done when posted by the 15th")
    chad.follow(page.get_by_role("button", name="Save the draft"))
    chad.follow(page.get_by_role("button", name="Send version 1 to Nora Manager"))
    assert "Waiting for the colleague" in page.get_by_role("main").inner_text()

    nora = open_browser(phone=True)
    nora.sign_in(cast.nurse_manager.email, PASSWORD)
    nora.follow(nora.page.get_by_role("link", name="Open the agreement “Running the night shift”"))
    main = nora.page.get_by_role("main").inner_text()
    assert "Publish the night rota two weeks ahead" in main and "I never said" not in main
    nora.follow(nora.page.get_by_role("button", name="Accept version 1"))
    assert "Accepted" in nora.page.get_by_role("main").inner_text()
