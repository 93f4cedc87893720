"""The story of a chair who closes the loop, and of a nurse who hears what was done.

Bayside's Emergency department (35 people) answered a pulse: they have little say in
operational decisions, and those with least say are the most burnt out. Bruno, its chair,
signs in, reads the results and finds voice in decisions marked "act here first" among the
drivers of burnout. He records the team's discussion of the results (in a browser without
JavaScript), makes a plan from that driver, starts it, and publishes an update on what was
done. Keiko, a staff nurse in Emergency, reads it on her home page under "You said, we did"
with what the survey said, and finds nothing there she could change; the plan's own pages
are not hers. The next pulse is published: the plan shows the finding then and now, better,
on a desktop and on a phone, and the loop at a glance counts the discussion, the plan and
its verdict.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from accord.access.models import Role, User
from accord.access.services import grant_membership
from accord.actions import findings
from accord.actions.models import ActionPlan
from accord.insights.selectors import whole_release
from accord.org.models import Person
from accord.surveys.answers import ParsedAnswers
from accord.surveys.models import Cycle, Invitation
from tests.cast import local_today
from tests.e2e.conftest import Browser
from tests.insights.survey_world import (
    PASSWORD,
    Answerer,
    Group,
    World,
    build_organisation,
    run_cycle,
)

pytestmark = pytest.mark.browser

EMERGENCY = "Bayside/Emergency"
SURGERY = "Bayside/Surgery"
# Every agree-scale question but voice's and one reverse-coded one: answered favourably on the
# whole, so voice, low in Emergency, is the driver that scores low.
AGREE = (
    "leaders_understand_my_work", "hear_about_changes_first", "decisions_serve_patient_care",
    "priorities_explained", "trust_senior_leaders", "senior_leaders_follow_through",
    "trust_direct_leader", "safe_to_speak_up", "safe_to_admit_mistakes", "staffing_enough",
    "workflow_works", "one_team_across_professions", "count_on_other_professions",
    "leader_calm_under_pressure", "leader_builds_teamwork", "leader_develops_me",
    "leader_advocates_for_team", "feeling_valued", "satisfaction",
)  # fmt: skip
VOICE = "Voice in operational decisions"
DRIVER = "driver:voice:burnout_rate"


def voice_drives_burnout(emergency_voice: tuple[int, ...]) -> Answerer:
    """Everyone answers every question; in Emergency voice comes from ``emergency_voice``, and
    burnout mirrors each person's voice (less say, more burnout), give or take one step."""

    def answer(invitation: Invitation, rng: random.Random) -> ParsedAnswers:
        in_emergency = invitation.person.unit.full_name.startswith(EMERGENCY)
        voice = rng.choice(emergency_voice if in_emergency else (2, 3, 4, 5))

        def near(score: int) -> int:
            return max(1, min(5, score + rng.choice((-1, 0, 0, 1))))

        scores = {item: rng.choice((3, 4, 4, 5)) for item in AGREE}
        scores |= {
            "say_in_operational_decisions": voice,
            "ideas_taken_seriously": near(voice),
            "documentation_time": rng.choice((1, 2, 2, 3)),
            "burnout": near(6 - voice),
            "intent_to_leave": rng.choice((1, 2, 3, 4)),
            "recommend_workplace": rng.randint(5, 10),
        }
        return ParsedAnswers(scores=scores, comments={})

    return answer


@dataclass
class Bayside:
    world: World
    first: Cycle
    chair: User  # leads Emergency
    nurse: User  # a staff nurse in Emergency

    @property
    def slug(self) -> str:
        return self.world.organisation.slug

    def person(self, user: User) -> Person:
        return Person.objects.get(organisation=self.world.organisation, email=user.email)

    def driver_figures(self) -> tuple[str, str]:
        """Voice's released figure in Emergency and the organisation's, as pages show them."""
        view = whole_release(self.first)
        found = findings.find(view, view.index_of_pk[self.world.unit_pk(EMERGENCY)], DRIVER)
        assert found.organisation_figure is not None
        return found.shown, findings.shown_figure("voice", found.organisation_figure)

    def publish_the_next_pulse(self) -> Cycle:
        """The next pulse: Emergency now has a say in decisions, so less burnout."""
        return run_cycle(
            self.world, days_ago=20, seed=2, answer=voice_drives_burnout((3, 4, 4, 5, 5))
        )


@pytest.fixture
def bayside(transactional_db: None) -> Bayside:
    world = build_organisation(
        "bayside", [Group(EMERGENCY, 34), Group(SURGERY, 12)], leaders=[EMERGENCY, SURGERY]
    )
    first = run_cycle(world, days_ago=60, answer=voice_drives_burnout((1, 2, 2, 3, 3, 4)))
    person = Person.objects.get(organisation=world.organisation, name="Keiko Okafor")
    assert person.unit.full_name == EMERGENCY and not person.is_leader
    nurse = grant_membership(
        organisation=world.organisation, email=person.email, role=Role.MEMBER, person=person,
        password=PASSWORD,
    ).user  # fmt: skip
    return Bayside(world, first, world.leaders[EMERGENCY], nurse)


def main_text(browser: Browser) -> str:
    return browser.page.get_by_role("main").inner_text()


def fact(browser: Browser, term: str) -> str:
    """The value beside ``term`` in the plan's facts."""
    return browser.page.locator(f"dl.facts dt:text-is('{term}') + dd").inner_text()


def card(browser: Browser, label: str) -> tuple[str, str]:
    """A figure on the loop page and what it counts."""
    found = browser.page.locator(".card").filter(has_text=label)
    return found.locator(".figure").inner_text(), found.locator(".figure-label").inner_text()


def test_the_chair_closes_the_loop_and_the_nurse_hears_what_was_done(
    open_browser: Callable[..., Browser], bayside: Bayside
) -> None:
    slug, first = bayside.slug, bayside.first
    here, organisation = bayside.driver_figures()
    chair_name = bayside.person(bayside.chair).name

    # The chair signs in and reads his department's results: voice drives burnout here.
    chair = open_browser()
    page = chair.page
    chair.sign_in(bayside.chair.email, PASSWORD)
    chair.follow(page.get_by_role("link", name=f"Read the results of {first.name}"))
    assert page.get_by_role("heading", level=1).inner_text() == first.name
    chair.follow(
        page.get_by_role("navigation", name="Results views").get_by_role("link", name="Drivers")
    )
    burnout = page.get_by_role("region", name="What moves burnout")
    voice_row = burnout.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=VOICE, exact=True)
    )
    assert "act here first" in voice_row.inner_text()
    assert here in voice_row.inner_text()

    # He talks the results through with the team, and records it from his home page, in a
    # browser without JavaScript.
    plain = open_browser(javascript=False)
    plain.log_in_as(bayside.chair)
    plain.goto(reverse("org-home", args=[slug]))
    steps = plain.page.get_by_role("region", name="What to do next")
    plain.follow(steps.get_by_role("link", name=f"Record Emergency's discussion of {first.name}"))
    form = plain.page
    form.get_by_label("Discussed on").fill(local_today().isoformat())
    form.get_by_label("People who took part").fill("14")
    form.get_by_label("What the team said mattered most").fill(
        "Rota and bed-flow changes arrive without anyone asking the nurses first."
    )
    plain.follow(form.get_by_role("button", name="Record the discussion"))
    assert "Recorded Emergency's discussion" in form.get_by_role("status").inner_text()
    # It lands on choosing what to plan, with Accord's suggestion first.
    suggested = form.get_by_role("region", name="Where Accord suggests starting")
    assert f"{VOICE} (a driver of burnout)" in suggested.inner_text()
    plain.goto(reverse("org-home", args=[slug]))
    assert "Record Emergency's discussion" not in main_text(plain)

    # He makes a plan from the driver to act on first.
    chair.follow(voice_row.get_by_role("link", name=f"Plan an action on {VOICE}"))
    said = page.locator(".card--next").first.inner_text()
    assert f"{VOICE} (a driver of burnout): {here}, against {organisation}" in said
    assert page.get_by_role("checkbox", name=re.compile(chair_name)).is_checked()
    page.get_by_label("Title").fill("Nurses at the table for rota decisions")
    page.get_by_label("Description").fill("Two staff nurses join the weekly operations huddle.")
    due = local_today() + dt.timedelta(days=60)
    page.get_by_label("Due on").fill(due.isoformat())
    page.get_by_label("First steps").fill(
        "Ask each shift to choose a nurse for the huddle\nShare the huddle's notes on the unit board"
    )
    chair.follow(page.get_by_role("button", name="Make the plan"))
    assert "Made the plan" in page.get_by_role("status").inner_text()
    assert (
        page.get_by_role("heading", level=1).inner_text()
        == "Nurses at the table for rota decisions"
    )
    assert fact(chair, "The survey said") == (
        f"{VOICE} (a driver of burnout): {here} favourable, organisation {organisation} in “{first.name}”"
    )
    assert fact(chair, "Measured again") == "To be measured again at the next pulse."
    assert fact(chair, "Owners") == chair_name
    plan = ActionPlan.objects.get(title="Nurses at the table for rota decisions")

    # The work starts and a step is done; he writes an update, then publishes it.
    status = page.get_by_role("form", name="Status")
    status.get_by_label("Status").select_option(label="In progress")
    chair.follow(status.get_by_role("button", name="Save the status"))
    assert fact(chair, "Status") == "In progress"
    chair.follow(page.get_by_role("button", name=re.compile(r"^Mark done\W+Ask each shift")))
    assert "50%" in fact(chair, "Done")
    updates = page.get_by_role("form", name="Write an update")
    updates.get_by_label("What was done").fill(
        "Since May two staff nurses sit in the weekly operations huddle, and rota changes "
        "wait for them."
    )
    chair.follow(updates.get_by_role("button", name="Save the update"))
    assert "Update saved" in page.get_by_role("status").inner_text()
    chair.follow(page.get_by_role("button", name=re.compile(r"^Publish\W+the update of")))
    assert "Update published" in page.get_by_role("status").inner_text()
    assert "not published" not in page.get_by_role("region", name="Updates").inner_text()

    # The staff nurse reads it on her home page, with what the survey said.
    nurse = open_browser()
    nurse.sign_in(bayside.nurse.email, PASSWORD)
    assert nurse.page.get_by_role("heading", level=1).inner_text() == "Welcome, Keiko Okafor"
    feed = nurse.page.get_by_role("region", name="You said, we did")
    entry = feed.get_by_role("listitem").filter(has_text="Nurses at the table")
    assert entry.count() == 1
    assert (
        f"You said: {VOICE} (a driver of burnout) in Emergency: {here} favourable in “{first.name}”."
        in entry.inner_text()
    )
    assert "We did: Since May two staff nurses" in entry.inner_text()
    assert "In progress" in entry.inner_text()
    assert "To be measured again at the next pulse." in entry.inner_text()
    assert entry.get_by_role("link").count() == 0  # she may not open the plan
    nurse.follow(feed.get_by_role("link", name="Everything done since the surveys"))
    assert nurse.page.get_by_role("heading", level=1).inner_text() == "You said, we did"
    assert "Nurses at the table for rota decisions" in main_text(nurse)
    main = nurse.page.get_by_role("main")
    assert main.get_by_role("button").count() == 0
    assert main.get_by_role("link", name=re.compile("Edit|Publish|Plan an action")).count() == 0
    # The plan's own pages are not hers: the app answers as if there were none.
    for name in ("action-plan", "action-plan-edit"):
        response = nurse.page.request.get(nurse.url(reverse(name, args=[slug, plan.pk])))
        assert response.status == 404, name
    # Nor may she post an update to it, with a valid form and token.
    token = next(c["value"] for c in nurse.context.cookies() if c["name"] == "csrftoken")
    response = nurse.page.request.post(
        nurse.url(reverse("action-update-add", args=[slug, plan.pk])),
        form={"text": "Nothing changed.", "publish": "on"}, headers={"X-CSRFToken": token},
    )  # fmt: skip
    assert response.status == 404

    # The next pulse is published: the plan shows its finding then and now.
    later = bayside.publish_the_next_pulse()
    chair.goto(reverse("org-home", args=[slug]))
    chair.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Actions"))
    chair.follow(page.get_by_role("link", name="Nurses at the table for rota decisions"))
    measured = fact(chair, "Measured again")
    assert measured.startswith("Better “" + later.name + f"”: {here} then, ")
    assert measured.endswith("now — better.")

    # On a phone, the plan and the nurse's feed read as well.
    phone = open_browser(phone=True)
    phone.log_in_as(bayside.chair)
    phone.goto(reverse("action-plan", args=[slug, plan.pk]))
    assert "better" in fact(phone, "Measured again")
    nurse_phone = open_browser(phone=True)
    nurse_phone.log_in_as(bayside.nurse)
    nurse_phone.goto(reverse("you-said-we-did", args=[slug]))
    assert f"“{later.name}”: {here} then, " in main_text(nurse_phone)

    # The loop at a glance counts the discussion, the plan and its verdict.
    executive = open_browser()
    executive.log_in_as(bayside.world.executive)
    executive.goto(reverse("org-home", args=[slug]))
    glance = executive.page
    executive.follow(
        glance.get_by_role("navigation", name="Main").get_by_role("link", name="Actions")
    )
    executive.follow(glance.get_by_role("link", name="The loop at a glance"))
    executive.follow(glance.get_by_role("link", name=first.name, exact=True))
    assert card(executive, "plans:") == ("1", "plans: 0 done, 0 overdue")
    assert card(executive, "discussed the results")[0] == "1"
    assert card(executive, "re-measured") == (
        "1 / 0 / 0",
        f"re-measured in “{later.name}”: better / not clearly changed / worse",
    )
    emergency = glance.get_by_role("row").filter(
        has=glance.get_by_role("link", name="Emergency", exact=True)
    )
    cells = emergency.get_by_role("cell").all_inner_texts()
    assert cells[2] == local_today().strftime("%-d %b %Y")
    assert cells[3] == "1"
    assert cells[6] == "1 better, 0 not clearly changed, 0 worse"
