"""Leaders reading released results in a browser: every view, on a desktop and on a phone.

Every page is audited by the tab (axe-core, console errors, and on a phone the width and tap
targets), so visiting a page is part of each assertion.
"""

from __future__ import annotations

import random

import pytest

from accord.surveys.answers import ParsedAnswers
from accord.surveys.models import Invitation
from tests.e2e.conftest import Browser
from tests.insights.survey_world import Group, World, build_organisation, run_cycle

pytestmark = pytest.mark.browser

COMMENTS = (
    "Staffing on nights is not enough and the workload keeps growing.",
    "Leaders should come to the unit and listen before deciding.",
    "Too much time on documentation, not enough with patients.",
    "Our team works well together across professions.",
)


def answers(invitation: Invitation, rng: random.Random) -> ParsedAnswers:
    clinician = invitation.role_group == "clinician"
    agree = (1, 2, 3, 4) if clinician else (3, 4, 4, 5)
    scores = {
        "burnout": rng.choice((2, 3, 3, 4) if clinician else (1, 2, 2, 3)),
        "intent_to_leave": rng.choice((1, 2, 3, 4)),
        "feeling_valued": rng.choice(agree),
        "recommend_workplace": rng.randint(3, 10),
        "trust_senior_leaders": rng.choice(agree),
        "say_in_operational_decisions": rng.choice(agree),
        "ideas_taken_seriously": rng.choice(agree),
        "staffing_enough": rng.choice(agree),
        "documentation_time": rng.choice(agree),
        "one_team_across_professions": rng.choice((3, 4, 5)),
        "safe_to_speak_up": rng.choice(agree),
        "trust_direct_leader": rng.choice((2, 3, 4, 5)),
    }
    return ParsedAnswers(scores=scores, comments={"leaders_change_first": rng.choice(COMMENTS)})


@pytest.fixture
def hospital(transactional_db: None) -> World:
    world = build_organisation(
        "results",
        [
            Group("Org/Hospital/Emergency", 45),
            Group("Org/Hospital/Emergency", 14, role_group="administrator", profession="Manager"),
            Group("Org/Hospital/Intensive Care", 38),
            Group("Org/Hospital/Intensive Care", 11, role_group="administrator",
                  profession="Manager"),
            Group("Org/Clinics", 25),
        ],
        leaders=["Org/Hospital"],
    )  # fmt: skip
    run_cycle(world, answer=answers, days_ago=200, seed=11)
    run_cycle(world, answer=answers, days_ago=20, seed=12)
    return world


def test_an_executive_walks_through_every_view(browser: Browser, hospital: World) -> None:
    page = browser.page
    browser.log_in_as(hospital.executive)
    browser.goto("/o/results/")
    browser.follow(page.get_by_role("link", name="Results", exact=True))
    browser.follow(page.get_by_role("link", name=hospital.cycle.name))
    heatmap = page.get_by_role("table")
    assert heatmap.get_by_role("columnheader", name="Burnout").is_visible()
    assert heatmap.get_by_role("rowheader", name="Clinics").is_visible()

    page.get_by_label("Show").select_option(label="Role group: Clinicians")
    browser.follow(page.get_by_role("button", name="Show"))
    assert "filter=role_group" in browser.path or "filter=role_group" in page.url
    browser.follow(page.get_by_role("link", name="Hospital"))
    assert page.get_by_role("rowheader", name="Emergency").is_visible()

    browser.follow(page.get_by_role("link", name="Drivers"))
    assert page.get_by_role("heading", name="What moves burnout").is_visible()
    browser.follow(page.get_by_role("link", name="Perception gap"))
    assert page.get_by_role("table").first.is_visible()
    assert page.get_by_text("clinicians and").first.is_visible()
    browser.follow(page.get_by_role("link", name="Trends"))
    assert page.get_by_role("heading", name="Change since").is_visible()
    browser.follow(page.get_by_role("link", name="Comments"))
    assert page.get_by_text("the way something is worded").is_visible()
    themes = page.get_by_role("navigation", name="Themes")
    browser.follow(themes.get_by_role("link").nth(1))
    assert page.locator(".comment-list li").count() > 0
    browser.follow(page.get_by_role("link", name="Export"))
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.endswith(".csv")


def test_a_leader_reads_their_hospital_on_a_phone(phone: Browser, hospital: World) -> None:
    page = phone.page
    phone.log_in_as(hospital.leaders["Org/Hospital"])
    phone.goto(f"/o/results/results/{hospital.cycle.pk}/")
    assert page.get_by_role("rowheader", name="Emergency").is_visible()
    assert page.get_by_role("rowheader", name="Clinics").count() == 0
    phone.follow(page.get_by_role("link", name="Comments"))
    assert page.locator(".comment-list li").count() > 0


TABS = ("Drivers", "Perception gap", "Trends", "Comments", "Export", "Heatmap")


@pytest.mark.parametrize("role", ["Executive", "Department chair"])
def test_every_view_works_on_the_demo_organisation(
    browser: Browser, transactional_db: None, role: str
) -> None:
    from accord.access.models import User
    from accord.demo.services import seed_demo

    logins = seed_demo(people=600, seed=7)
    login = next(login for login in logins if login.role_label == role)
    page = browser.page
    browser.log_in_as(User.objects.get(email=login.email))
    browser.goto("/o/riverside/results/")
    cycles = page.get_by_role("table").get_by_role("link")
    assert cycles.count() == 3  # the two published pulses and Emergency's own, before them
    assert cycles.last.inner_text().startswith("Emergency")
    browser.follow(cycles.first)
    assert page.get_by_role("columnheader", name="Burnout").is_visible()
    for tab in TABS:
        browser.follow(
            page.get_by_role("navigation", name="Results views").get_by_role("link", name=tab)
        )
        assert (
            page.get_by_role("link", name=tab, exact=True).get_attribute("aria-current") == "page"
        )
    rows = page.locator("table.heatmap tbody th a")
    if rows.count():
        browser.follow(rows.first)  # one level down
        assert page.get_by_role("navigation", name="Units above").get_by_role("link").count() >= 1
