"""A team's norms in a pulse survey, the whole story, through the real pages.

The charter of the ED interprofessional team is adopted (through the services, as
tests/charters/world.py does), and an administrator drafts two pulse surveys. Nora, the
team's facilitator, with JavaScript off, follows "Charters", the charter and "In the pulse",
chooses the autumn pulse and adds the norms. The survey opens; four members answer it through
the one-time links of their invitations — Paula on a phone 390px wide — paging with Next to
the last page, "Your team: …", and rating each norm (Ned cannot say for one). The survey
closes and its results are published: Nora and Sam read the pooled ratings on the team's
pulse page; Chad, who leads the department but is not on the team, finds no charter and gets
a 404 at the pulse page's address.

Every page is audited by its tab (axe-core, console errors); the phone tabs also check that the
page fits 390px and its targets can be tapped. Screenshots (desktop and phone) go to the
folder named by ``CHARTER_SHOTS``, or to the test's temporary directory.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from huey import Huey

from accord.charters.models import Charter
from accord.insights.publishing import publish_cycle
from accord.surveys.models import Cycle, TeamAnswer
from accord.surveys.services import close_now, create_cycle, open_now, schedule_cycle
from tests.cast import PASSWORD, Cast
from tests.charters.world import adopted
from tests.e2e.conftest import Browser
from tests.e2e.test_charters import (
    at_390,
    charter_nav,
    heading,
    main_text,
    status_text,
    to_charters,
)
from tests.surveys.conftest import cycle_settings, tokens_from_outbox

pytestmark = pytest.mark.browser

CHARTER = "ED interprofessional team"
HANDOVER = "We hand over face to face, with the plan said out loud."
HELP = "We ask for help before we are drowning."
PULSE = "Autumn pulse"
# How four members rate the two norms on the survey's team page.
RATINGS = {
    "sam": {HANDOVER: "Mostly", HELP: "Rarely"},
    "nina": {HANDOVER: "Fully", HELP: "Sometimes"},
    "ned": {HANDOVER: "Mostly", HELP: "Can't say"},
    "paula": {HANDOVER: "Sometimes", HELP: "Rarely"},
}
POOLED = [
    f"{HANDOVER} 4.0 of 5 (4 rated: sometimes 1, mostly 2, fully 1)",
    f"{HELP} 2.3 of 5 (3 rated: rarely 2, sometimes 1)",
]


# --- helpers (the story's own; the rest come from test_charters.py) ---------------------


def shoot(tab: Browser, folder: Path, name: str) -> None:
    kind = "phone" if tab.phone else "desktop"
    tab.page.screenshot(path=str(folder / f"{name}-{kind}.png"), full_page=True)


def open_charter(tab: Browser) -> None:
    """From the charters page, the charter's own page."""
    mine = tab.page.get_by_role("region", name="Your teams")
    tab.follow(mine.get_by_role("link", name=CHARTER))
    assert heading(tab) == CHARTER


def to_the_pulse_page(tab: Browser, email: str) -> None:
    tab.sign_in(email, PASSWORD)
    to_charters(tab)
    open_charter(tab)
    charter_nav(tab, "In the pulse")
    assert tab.page.get_by_role("heading", name="The team's norms in pulse surveys").is_visible()


def pulse_card(tab: Browser) -> str:
    card = tab.page.get_by_role("article", name=PULSE)
    return " ".join(card.inner_text().split())


def pooled(tab: Browser) -> list[str]:
    card = tab.page.get_by_role("article", name=PULSE)
    return [" ".join(text.split()) for text in card.get_by_role("listitem").all_inner_texts()]


def upcoming_pulse(cast: Cast, name: str, days: int = 0) -> Cycle:
    """A pulse drafted by the administrator, open to everyone, not yet open."""
    riverside = cast.riverside
    changes: dict[str, object] = {"name": name}
    if days:
        changes["opens_at"] = timezone.now() + dt.timedelta(days=days)
        changes["closes_at"] = timezone.now() + dt.timedelta(days=days + 14)
    return create_cycle(
        organisation=riverside, settings=cycle_settings(riverside, **changes), created_by=cast.admin
    )


# --- the story -------------------------------------------------------------------------------


def nora_adds_the_norms(nora: Browser, email: str, folder: Path) -> None:
    page = nora.page
    assert not nora.javascript  # the form works without JavaScript
    to_the_pulse_page(nora, email)
    assert "The norms have not been in a pulse survey yet." in main_text(nora)
    form = page.locator("form").filter(
        has=page.get_by_role("heading", name="Add the norms of version 1 to a pulse")
    )
    choice = form.get_by_label("Pulse survey")
    options = choice.locator("option").all_inner_texts()
    assert [o.split(", opens ")[0] for o in options] == [PULSE, "Winter pulse"]
    choice.select_option(label=next(o for o in options if o.startswith(PULSE)))
    shoot(nora, folder, "pulse-choose")
    nora.follow(form.get_by_role("button", name="Add the norms"))
    assert f"The norms are in “{PULSE}”" in status_text(nora)
    card = pulse_card(nora)
    assert "Waiting to open" in card and "the 2 norms of version 1 will be asked" in card
    # The autumn pulse is taken: only the winter one is left to choose.
    assert form.get_by_label("Pulse survey").locator("option").count() == 1
    shoot(nora, folder, "pulse-waiting")


def member_answers(tab: Browser, token: str, pid: str, folder: Path) -> None:
    """The invitation's link, Next to the last page, the team's norms rated, sent."""
    page = tab.page
    tab.goto(f"/s/{token}/")  # the link in the invitation email
    assert tab.path == "/s/answer/"
    team = page.get_by_role("heading", name=f"Your team: {CHARTER}")
    for _ in range(12):
        if team.count():
            break
        tab.follow(page.get_by_role("button", name="Next"))
    assert team.is_visible()
    text = main_text(tab)
    assert "Your team agreed on these ways of working together." in text
    assert "at least 3 members have answered" in text
    # The team's page is the last one.
    assert page.get_by_role("button", name="Next").count() == 0
    for norm, label in RATINGS[pid].items():
        group = page.get_by_role("group", name=norm)
        assert group.get_by_role("radio").count() == 6  # five points and "Can't say"
        group.get_by_label(label, exact=True).check()
    if tab.phone:
        tab.assert_fits_width()
    if pid in ("sam", "paula"):
        shoot(tab, folder, "survey-team-page")
    tab.follow(page.get_by_role("button", name="Send my answers"))
    assert tab.path.startswith("/s/done/")
    assert page.get_by_role("heading", name="Thank you — your answers are in").is_visible()


def test_a_team_rates_its_norms_in_a_pulse(
    open_browser: Callable[..., Browser], cast: Cast, immediate_queue: Huey, tmp_path: Path
) -> None:
    folder = Path(os.environ.get("CHARTER_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    charter: Charter = adopted(cast)
    riverside = cast.riverside
    riverside.survey_min_group_size = 3
    riverside.save()
    cycle = upcoming_pulse(cast, PULSE)
    upcoming_pulse(cast, "Winter pulse", days=90)

    # Nora adds the norms, her browser without JavaScript.
    nora = open_browser(javascript=False)
    nora_adds_the_norms(nora, cast.nurse_manager.email, folder)
    nora_phone = at_390(open_browser(phone=True))
    to_the_pulse_page(nora_phone, cast.nurse_manager.email)
    nora_phone.assert_fits_width()
    assert "Waiting to open" in pulse_card(nora_phone)
    shoot(nora_phone, folder, "pulse-waiting")

    # The administrator's survey opens; the invitations carry the one-time links.
    schedule_cycle(cycle=cycle)
    mail.outbox.clear()
    cycle = open_now(cycle=cycle)
    tokens = tokens_from_outbox()
    nora.goto(nora.path)  # she reads the page again
    assert "Asked of 6 members" in pulse_card(nora)

    for pid in RATINGS:
        tab = at_390(open_browser(phone=True)) if pid == "paula" else open_browser()
        member_answers(tab, tokens[f"{pid}@riverside.example"], pid, folder)

    # Before the results are out, nothing shows.
    nora.goto(nora.path)
    assert "The answers are shown here once the survey's results are published." in pulse_card(nora)
    close_now(cycle=cycle)
    assert TeamAnswer.objects.filter(questions__cycle=cycle).count() == 4
    nora.goto(nora.path)  # closed, not yet published: still nothing
    assert "The answers are shown here once the survey's results are published." in pulse_card(nora)
    publish_cycle(cycle=cycle)

    # The facilitator and a member read the pooled ratings.
    charter_nav(nora, "In the pulse")
    card = pulse_card(nora)
    assert "4 of the 6 members asked answered." in card
    assert pooled(nora) == POOLED
    shoot(nora, folder, "pulse-results")
    nora_phone.goto(nora_phone.path)
    nora_phone.assert_fits_width()
    assert pooled(nora_phone) == POOLED
    shoot(nora_phone, folder, "pulse-results")

    sam = open_browser()
    to_the_pulse_page(sam, cast.staff_nurse.email)
    assert pooled(sam) == POOLED
    assert sam.page.get_by_role("button", name="Add the norms").count() == 0
    assert sam.page.get_by_role("button", name="Take the norms out of this survey").count() == 0
    text = main_text(sam)
    for name in ("Sam Nurse", "Nina Nurse", "Ned Nurse", "Paula Physician"):
        assert name not in text

    # Chad leads the department but is not on the team (a named group): the charter is not
    # among his, and its pulse page answers him as if there were none.
    chad = open_browser()
    chad.sign_in(cast.chair.email, PASSWORD)
    to_charters(chad)
    assert CHARTER not in main_text(chad)
    response = chad.page.request.get(
        chad.url(reverse("charter-pulse", args=["riverside", charter.pk]))
    )
    assert response.status == 404
    assert HANDOVER not in response.text()
