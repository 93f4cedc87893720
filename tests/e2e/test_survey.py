"""Answering a survey in a browser, and an admin running a cycle from its pages.

Every page is audited by the tab (accessibility, console errors and, on a phone, width and
tap targets), so visiting a page is part of each assertion.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core import mail
from huey.contrib.djhuey import HUEY

from accord.surveys import form as survey_form
from accord.surveys.models import Cycle
from accord.surveys.selectors import instrument_for, responses_received
from accord.surveys.services import create_cycle, open_now, schedule_cycle
from tests.cast import Cast
from tests.e2e.conftest import Browser
from tests.surveys.conftest import RunningCycle, cycle_settings, tokens_from_outbox

pytestmark = pytest.mark.browser


@pytest.fixture
def emails_sent_now() -> Iterator[None]:
    """Invitations go through the queue; run its tasks at once so the outbox holds them."""
    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = False


@pytest.fixture
def running(cast: Cast, emails_sent_now: None) -> RunningCycle:
    """Riverside with a cycle open to everyone (committed, so the live server sees it)."""
    riverside = cast.riverside
    riverside.survey_min_group_size = 3
    riverside.save()
    cycle = create_cycle(
        organisation=riverside, settings=cycle_settings(riverside), created_by=cast.admin
    )
    schedule_cycle(cycle=cycle)
    cycle = open_now(cycle=cycle)
    return RunningCycle(cycle=cycle, instrument=instrument_for(cycle), tokens=tokens_from_outbox())


def questions_on(running: RunningCycle, page: int, language: str) -> list[survey_form.Question]:
    items = survey_form.pages(running.instrument)[page - 1]
    return [survey_form.question(item, language) for item in items]


def radio(tab: Browser, question: survey_form.Question, option: int) -> object:
    group = tab.page.get_by_role("group", name=question.text)
    return group.get_by_role("radio", name=question.options[option].label, exact=True)


# A real browser matters here: a no-referrer policy once made Chrome send "Origin: null"
# with the form, which Django's CSRF check refuses, and the test client never noticed.
def test_a_respondent_answers_on_a_phone_in_two_languages(
    phone: Browser, running: RunningCycle
) -> None:
    page = phone.page
    token = running.token("nina")
    phone.goto(f"/s/{token}/")
    assert phone.path == "/s/answer/"  # the token left the address bar
    assert page.get_by_text("Who sees what").is_visible()
    assert page.get_by_text("Your answers are stored without your name").is_visible()
    assert page.get_by_text("Page 1 of 6").is_visible()

    first_page = questions_on(running, 1, "en")
    chosen = {question.field: 1 for question in first_page[:3]}
    for question in first_page[:3]:
        radio(phone, question, 1).check()
    phone.follow(page.get_by_role("button", name="Next"))
    assert page.get_by_text("Page 2 of 6").is_visible()
    second = questions_on(running, 2, "en")[0]
    radio(phone, second, 0).check()

    phone.follow(page.get_by_role("button", name="Español"))
    assert page.get_by_text("Página 2 de 6").is_visible()
    assert page.evaluate("document.documentElement.lang") == "es"
    assert radio(phone, questions_on(running, 2, "es")[0], 0).is_checked()

    phone.follow(page.get_by_role("button", name="Atrás"))
    assert page.get_by_text("Página 1 de 6").is_visible()
    for question in questions_on(running, 1, "es")[:3]:
        assert radio(phone, question, chosen[question.field]).is_checked()
    assert not radio(phone, questions_on(running, 1, "es")[3], 1).is_checked()

    # Skip the rest: forward to the last page and send.
    send = page.get_by_role("button", name="Enviar mis respuestas")
    for _ in range(6):
        if send.count():
            break
        phone.follow(page.get_by_role("button", name="Siguiente"))
    phone.follow(send)
    assert phone.path.startswith("/s/done/")
    assert page.get_by_role("heading", name="Gracias: recibimos sus respuestas").is_visible()
    assert responses_received(running.cycle) == 1

    phone.goto(f"/s/{token}/")
    assert page.get_by_role("heading", name="You have already answered").is_visible()
    assert responses_received(running.cycle) == 1


def test_radio_groups_are_reached_and_chosen_with_the_keyboard(
    browser: Browser, running: RunningCycle
) -> None:
    page = browser.page
    browser.goto(f"/s/{running.token('sam')}/")
    first, second = questions_on(running, 1, "en")[:2]

    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == first.field:
            break
    assert page.evaluate("document.activeElement.type") == "radio"
    page.keyboard.press("ArrowRight")  # moves to the next answer and chooses it
    assert radio(browser, first, 1).is_checked()

    page.keyboard.press("Tab")  # one stop per group: on to the next question
    assert page.evaluate("document.activeElement.name") == second.field
    page.keyboard.press("Space")
    assert radio(browser, second, 0).is_checked()
    assert radio(browser, first, 1).is_checked()


def test_an_admin_creates_schedules_and_opens_a_cycle(
    browser: Browser, cast: Cast, emails_sent_now: None
) -> None:
    riverside = cast.riverside
    riverside.survey_min_group_size = 3
    riverside.survey_min_comment_group_size = 3
    riverside.save()
    page = browser.page
    browser.log_in_as(cast.admin)
    browser.goto("/o/riverside/surveys/new/")
    page.get_by_label("Name").fill("Spring pulse")
    browser.follow(page.get_by_role("button", name="Save draft"))
    cycle = Cycle.objects.get(organisation=riverside, name="Spring pulse")
    assert browser.path == f"/o/riverside/surveys/{cycle.pk}/"
    assert page.get_by_role("heading", name="Spring pulse").is_visible()

    browser.follow(page.get_by_role("button", name="Schedule"))
    assert page.get_by_text("Scheduled: it opens by itself").is_visible()

    page.once("dialog", lambda dialog: dialog.accept())
    browser.follow(page.get_by_role("button", name="Open now"))
    assert page.get_by_text("invitations are on their way").is_visible()
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN
    assert len(mail.outbox) == cycle.invited_count > 0

    rates = page.get_by_role("table", name="Response rate by unit (including everything below it)")
    assert rates.is_visible()
    root = rates.get_by_role("row", name="Riverside Health")
    assert root.get_by_role("cell").nth(0).inner_text() == str(cycle.invited_count)
    # Nobody has answered yet: fewer than the minimum, so no count and no rate.
    assert root.get_by_role("cell").nth(1).inner_text() == f"fewer than {cycle.min_group_size}"
    assert root.get_by_role("cell").nth(2).inner_text() == "—"
