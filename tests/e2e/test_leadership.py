"""A leader's 360, the whole story, through the real pages.

Alice (program admin) starts the cohort "Nurse managers 2027" for Nora (nurse manager, ED
Nursing) and names Rosa, an external coach, as Nora's coach. Nora chooses her raters from
what the org chart suggests — Chad her manager, his other reports as peers, her own reports
— types Olga in as an "other", rates herself (highly on drawing in every profession's view),
and sends the list to Chad, who sees the warning about the lone "other" and approves. The
eight raters answer through the links their emails carried, each on a phone 390px wide: page
by page, a competency a page, some "Not observed", some skipped, some comments, one in
Spanish; Sam, a rater with a login, first finds the request on his 360s page. Alice, who sees
counts and never names, closes the round early. Rosa finds the report, with its blind spot,
and releases it. Nora reads it (who answered, groups hidden and why, the blind spot),
downloads the PDF and builds her plan on the behaviour it suggests, then records a check-in;
Rosa records one too. Chad, the approver, never reads the report.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from huey import Huey

from accord.leadership.models import Review, ReviewStatus
from accord.surveys import form as survey_form
from accord.surveys.answers import NOT_OBSERVED
from accord.surveys.instruments import leadership_framework
from tests.cast import PASSWORD, Cast
from tests.e2e.conftest import Browser

pytestmark = pytest.mark.browser

COHORT = "Nurse managers 2027"
FRAMEWORK = leadership_framework()
PAGES = survey_form.pages(FRAMEWORK)  # a page per competency, then the open questions
TEXT = {item.id: item.text.en for item in FRAMEWORK.items}
BLIND_SPOT = "team_every_voice"  # Nora rates it "Always"; the people around her do not
HIDDEN_STRENGTH = "team_credit_shared"  # she rates it "Rarely"; they see it more often
LINK = re.compile(r"/s/([0-9A-Z]{16})/")
# A phone of today (the conftest's phone is 375px wide): the raters answer on this one.
PHONE_390 = {"width": 390, "height": 844}
NAMES = {
    "chad": "Chad Chair", "paula": "Paula Physician", "peter": "Peter Physician",
    "oscar_r": "Oscar Liaison", "sam": "Sam Nurse", "nina": "Nina Nurse", "ned": "Ned Nurse",
    "olga": "Olga Periop",
}  # fmt: skip
NORAS_ACTIONS = (
    "Go round every profession before closing the safety huddle",
    "Ask Paula's team how the physicians want to be heard",
)
NORAS_CHECK_IN = "Two huddles so far; the physicians spoke first at the second."
ROSAS_CHECK_IN = "We rehearsed how to ask the quiet ones first; she has started."


@dataclass(frozen=True)
class Rater:
    """How one rater answers: ``usual`` on every behaviour unless told otherwise."""

    external_id: str
    group: str
    usual: int
    blind_spot: int
    not_observed: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()
    strengths: str = ""
    develop: str = ""
    spanish_from_page: int = 0  # 0: stays in English
    skipped_pages: tuple[int, ...] = ()

    def answer(self, item_id: str) -> int | None:
        if item_id in self.skipped:
            return None
        if item_id in self.not_observed:
            return NOT_OBSERVED
        return self.blind_spot if item_id == BLIND_SPOT else self.usual


COACHING = tuple(item.id for item in PAGES[2])
RATERS = [
    Rater("chad", "manager", 4, 4, strengths="Nora keeps the department calm on the worst "
          "nights. She listens.", develop="Hand more of the rota to the charge nurses."),
    Rater("paula", "peer", 4, 2, not_observed=COACHING[3:],
          strengths="Always fair with the physicians. Quick to own a mistake."),
    Rater("peter", "peer", 4, 2, not_observed=COACHING[3:], skipped=("advocate_sustains",)),
    Rater("oscar_r", "peer", 3, 3, strengths="She backs her nurses with theatre."),
    Rater("sam", "direct_report", 4, 2, skipped=("self_balances_needs",),
          strengths="She is on the floor when it is busy.",
          develop="Ask the night team before changing the rota."),
    Rater("nina", "direct_report", 5, 2, spanish_from_page=2),
    Rater("ned", "direct_report", 4, 3, skipped_pages=(4,)),
    Rater("olga", "other", 3, 3, not_observed=COACHING),
]  # fmt: skip


def main_text(browser: Browser) -> str:
    return browser.page.get_by_role("main").inner_text()


def status_text(browser: Browser) -> str:
    return "\n".join(browser.page.get_by_role("status").all_inner_texts())


def heading(browser: Browser) -> str:
    return browser.page.get_by_role("heading", level=1).inner_text()


def local_day(cast: Cast, days: int = 0) -> dt.date:
    """The date ``days`` from today on the hospital's clock."""
    zone = ZoneInfo(cast.riverside.time_zone)
    return timezone.now().astimezone(zone).date() + dt.timedelta(days=days)


def at_390(tab: Browser) -> Browser:
    """A phone tab made 390px wide; its audits are keyed to that width."""
    tab.page.set_viewport_size(PHONE_390)
    tab.options = {**tab.options, "viewport": PHONE_390}
    return tab


def to_360s(browser: Browser) -> None:
    """Open 360s from the main navigation (behind the menu button on a phone)."""
    if browser.phone and browser.javascript:
        browser.page.get_by_role("button", name="Menu").tap()
    nav = browser.page.get_by_role("navigation", name="Main")
    browser.follow(nav.get_by_role("link", name="360s", exact=True))
    assert heading(browser) == "Leadership 360s"


def goto_refused(browser: Browser, path: str, status: int) -> None:
    """Open a page the server refuses: Chromium logs the status as a console error, which is
    expected here; everything else on the refusal page is checked."""
    response = browser.page.goto(browser.url(path))
    assert response is not None and response.status == status, path
    browser.page.wait_for_load_state("load")
    expected = f"the server responded with a status of {status}"
    browser.errors = [error for error in browser.errors if expected not in error]
    browser.check()


def facts(browser: Browser) -> dict[str, str]:
    shown = browser.page.locator("dl.facts")
    return dict(
        zip(
            shown.locator("dt").all_inner_texts(),
            shown.locator("dd").all_inner_texts(),
            strict=True,
        )
    )


def review_of_nora() -> Review:
    return Review.objects.select_related("cycle").get(cohort__name=COHORT)


# 1. Alice starts the cohort and names Nora's coach --------------------------------------------


def alice_starts_the_cohort(alice: Browser, cast: Cast) -> None:
    page = alice.page
    alice.sign_in(cast.admin.email, PASSWORD)
    to_360s(alice)
    alice.follow(page.get_by_role("link", name="Cohorts", exact=True))
    assert heading(alice) == "360 cohorts"
    assert "No cohort yet." in main_text(alice)
    page.get_by_label("Name").fill(COHORT)
    page.get_by_label("And these leaders").fill("nora@riverside.example")
    page.get_by_label("Raters answer by").fill(local_day(cast, 14).isoformat())
    assert page.get_by_label("Fewest raters a group is shown with").input_value() == "3"
    page.get_by_label("Coached: each report goes to the leader's coach first").check()
    mail.outbox.clear()
    alice.follow(page.get_by_role("button", name="Start the cohort"))
    assert "asked to choose their raters" in status_text(alice)
    assert heading(alice) == COHORT
    assert "coached" in main_text(alice)
    leaders = page.get_by_role("region", name="Leaders of the cohort (scrolls sideways)")
    [row] = leaders.get_by_role("row").filter(has_text="Nora Manager").all()
    cells = row.get_by_role("cell").all_inner_texts()
    assert cells[1:] == ["Choosing raters", "0", "—", "—"]
    # Nora is asked by email to choose her raters.
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["nora@riverside.example"], "Your 360: choose who gives you feedback")
    ]

    # The coach is named on the 360's own page.
    alice.follow(row.get_by_role("link", name="Nora Manager"))
    assert heading(alice) == "Nora Manager's 360"
    run = page.get_by_role("region", name="Run this 360")
    run.get_by_label("Coach's email").fill(cast.coach.email)
    alice.follow(run.get_by_role("button", name="Save the coach"))
    assert "Coach saved." in status_text(alice)
    assert f"coach: {cast.coach.email}" in main_text(alice)
    assert (
        page.get_by_role("region", name="Run this 360").get_by_label("Coach's email").input_value()
        == cast.coach.email
    )


# 2. Nora chooses her raters, rates herself and sends them for approval -------------------------


def nora_chooses_her_raters(nora: Browser, cast: Cast) -> None:
    page = nora.page
    nora.sign_in(cast.nurse_manager.email, PASSWORD)
    to_360s(nora)
    mine = page.get_by_role("region", name="Your 360s")
    assert "Choosing raters" in mine.inner_text()
    nora.follow(mine.get_by_role("link", name=COHORT))
    assert heading(nora) == "Your 360"
    assert f"coach: {cast.coach.email}" in main_text(nora)
    nora.follow(page.get_by_role("link", name="Choose your raters"))
    assert heading(nora) == "Choose your raters"
    assert "ask at least 4 per group" in main_text(nora)

    # The org chart suggests her manager, his other reports as peers, and her own reports.
    suggested = {
        legend: page.get_by_role("group", name=legend, exact=True)
        .locator("label").all_inner_texts()
        for legend in ("Manager", "Peers", "Direct reports")
    }  # fmt: skip
    assert suggested == {
        "Manager": ["Chad Chair — Emergency"],
        "Peers": ["Oscar Liaison — Perioperative", "Paula Physician — ED Physicians",
                  "Peter Physician — ED Physicians"],
        "Direct reports": ["Ned Nurse — ED Nursing", "Nina Nurse — ED Nursing",
                           "Sam Nurse — ED Nursing"],
    }  # fmt: skip
    assert page.get_by_role("group", name="Others").count() == 0  # Olga is not suggested
    for legend in ("Manager", "Peers", "Direct reports"):
        for box in page.get_by_role("group", name=legend, exact=True).get_by_role("checkbox").all():
            assert not box.is_checked()
            box.check()
    page.get_by_label("Anyone else").fill("olga@riverside.example, other")
    nora.follow(page.get_by_role("button", name="Save for now"))
    assert "Saved. Send the list for approval when it is complete." in status_text(nora)
    # Olga, alone as an "other", will be pooled; the page says so before anything is sent.
    warning = page.locator(".card--warn").inner_text()
    assert "The pooled raters number 1: fewer than 3" in warning
    others = page.get_by_role("group", name="Others", exact=True)
    assert others.get_by_label("Olga Periop").is_checked()
    assert len(page.get_by_role("checkbox").all()) == 8
    assert all(box.is_checked() for box in page.get_by_role("checkbox").all())
    nora.follow(page.get_by_role("link", name="← Your 360"))


def nora_rates_herself(nora: Browser) -> None:
    page = nora.page
    nora.follow(page.get_by_role("link", name="Rate yourself"))
    assert heading(nora) == "Rate yourself"
    assert "no one else sees them" in main_text(nora)
    own = {item.id: 4 for items in PAGES[:2] for item in items}
    own |= {BLIND_SPOT: 5, HIDDEN_STRENGTH: 2, "coach_asks_first": 4, "coach_stretch": 4}
    for item_id, code in own.items():
        question = survey_form.question(FRAMEWORK.item(item_id), "en")
        label = next(option.label for option in question.options if option.code == code)
        page.get_by_role("group", name=question.text).get_by_label(label, exact=True).check()
    page.get_by_label(TEXT["strengths"]).fill("I keep the unit steady on busy nights.")
    nora.follow(page.get_by_role("button", name="Save my ratings"))
    assert "Your own ratings are saved" in status_text(nora)
    assert heading(nora) == "Your 360"
    assert "Change your own ratings on the same behaviours (saved)." in main_text(nora)

    # Her ratings come back as she gave them.
    nora.follow(page.get_by_role("link", name="Change your own ratings"))
    voice = page.get_by_role("group", name=TEXT[BLIND_SPOT])
    assert voice.get_by_label("Always", exact=True).is_checked()
    advocacy = survey_form.question(FRAMEWORK.item("advocate_speaks_up"), "en")
    assert not any(
        box.is_checked() for box in page.get_by_role("group", name=advocacy.text).get_by_role(
            "radio"
        ).all()
    )  # fmt: skip
    nora.follow(page.get_by_role("link", name="← Your 360"))


def nora_sends_her_raters(nora: Browser) -> None:
    page = nora.page
    nora.follow(page.get_by_role("link", name="Choose your raters"))
    mail.outbox.clear()
    nora.follow(page.get_by_role("button", name="Save and send for approval"))
    assert "Sent for approval." in status_text(nora)
    assert heading(nora) == "Your 360"
    steps = page.locator("ol.steps").inner_text()
    assert "Raters chosen (8 asked)." in steps
    assert "Waiting for Chad Chair to approve your raters." in steps
    raters = page.get_by_role("region", name="Raters").get_by_role("listitem").all_inner_texts()
    assert "Olga Periop — other" in raters and "Chad Chair — manager" in raters
    assert page.get_by_role("link", name="Choose your raters").count() == 0
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["chad@riverside.example"], "Approve the raters of Nora Manager's 360")
    ]


# 3. Chad approves ---------------------------------------------------------------------------


def chad_approves(chad: Browser, cast: Cast) -> dict[str, str]:
    """Chad approves the raters; each rater's one-time link, by HR id, from their email."""
    page = chad.page
    chad.sign_in(cast.chair.email, PASSWORD)
    to_360s(chad)
    waiting = page.get_by_role("region", name="Raters to approve")
    assert f"Nora Manager's raters ({COHORT})" in waiting.inner_text()
    chad.follow(waiting.get_by_role("link", name="Nora Manager's raters"))
    assert heading(chad) == "Approve Nora Manager's raters"
    assert "The pooled raters number 1" in page.locator(".card--warn").inner_text()
    boxes = page.get_by_role("checkbox").all()
    assert len(boxes) == 8 and all(box.is_checked() for box in boxes)
    mail.outbox.clear()
    chad.follow(page.get_by_role("button", name="Approve and send the links"))
    assert "Approved: the raters are being sent their links." in status_text(chad)
    assert heading(chad) == "Nora Manager's 360"
    assert "Raters answering" in main_text(chad)

    links = {}
    for message in mail.outbox:
        found = LINK.search(str(message.body))
        assert found, message.subject
        links[message.to[0].removesuffix("@riverside.example")] = found.group(1)
        assert message.subject.startswith("Nora Manager would value your feedback")
        if message.to == ["chad@riverside.example"]:
            assert "they are not anonymous" in message.body
        else:
            assert "at least 3 raters" in message.body and "not anonymous" not in message.body
    assert set(links) == set(NAMES)
    return links


# 4. Eight raters answer on their phones ---------------------------------------------------------


def sam_finds_the_request(sam: Browser, cast: Cast) -> None:
    sam.sign_in(cast.staff_nurse.email, PASSWORD)
    to_360s(sam)
    asked = sam.page.get_by_role("region", name="Feedback you are asked for")
    text = asked.inner_text()
    assert "Nora Manager — answer by" in text
    assert asked.get_by_role("button", name="Give feedback", exact=True).is_visible()
    assert asked.get_by_role("button", name="I can't give feedback on Nora Manager").is_visible()


def choose(tab: Browser, question: survey_form.Question, code: int) -> None:
    label = next(option.label for option in question.options if option.code == code)
    group = tab.page.get_by_role("group", name=question.text, exact=True)
    group.get_by_role("radio", name=label, exact=True).check()


def rater_answers(tab: Browser, rater: Rater, token: str) -> None:
    """The rater follows their emailed link and answers page by page."""
    page = tab.page
    tab.goto(f"/s/{token}/")
    assert tab.path == "/s/answer/"  # the token left the address bar
    assert page.evaluate("document.documentElement.clientWidth") == PHONE_390["width"]
    assert heading(tab) == "Feedback for Nora Manager"
    who_sees = page.locator("details.survey__privacy").inner_text()
    if rater.group == "manager":
        assert "You were asked as Nora Manager's manager" in who_sees
        assert "They are not anonymous." in who_sees
    else:
        assert "Nora Manager sees ratings only for groups of at least 3 raters" in who_sees
        assert "not anonymous" not in who_sees
    assert "Every question is optional" in who_sees
    assert page.get_by_role("button", name="I can't give feedback on Nora Manager").is_visible()
    language = "en"
    for number, items in enumerate(PAGES, start=1):
        words = survey_form.WORDS[language]
        assert page.get_by_text(words["page"].format(page=number, pages=len(PAGES))).is_visible()
        if number < len(PAGES):
            competency = survey_form.page_heading(FRAMEWORK, items, language)
            assert page.get_by_role("heading", level=2).inner_text() == competency
        chosen: dict[str, int] = {}
        for item in items if number not in rater.skipped_pages else ():
            question = survey_form.question(item, language)
            if question.is_comment:
                text = getattr(rater, item.id)
                if text:
                    page.get_by_label(question.text).fill(text)
                continue
            code = rater.answer(item.id)
            if code is not None:
                choose(tab, question, code)
                chosen[item.id] = code
        if number == rater.spanish_from_page:
            tab.follow(page.get_by_role("group", name="Language").get_by_role("button",
                                                                               name="Español"))  # fmt: skip
            language = "es"
            words = survey_form.WORDS[language]
            assert page.evaluate("document.documentElement.lang") == "es"
            assert page.get_by_text(
                words["page"].format(page=number, pages=len(PAGES))
            ).is_visible()
            assert heading(tab) == "Su opinión sobre Nora Manager"
            for item_id, code in chosen.items():  # the page's answers came along
                question = survey_form.question(FRAMEWORK.item(item_id), language)
                label = next(o.label for o in question.options if o.code == code)
                group = page.get_by_role("group", name=question.text, exact=True)
                assert group.get_by_role("radio", name=label, exact=True).is_checked()
        button = words["next"] if number < len(PAGES) else words["submit"]
        tab.follow(page.get_by_role("button", name=button, exact=True))
    assert tab.path.startswith("/s/done/")
    thanks = "Gracias: recibimos sus respuestas" if language == "es" else "Thank you"
    assert heading(tab).startswith(thanks)
    # The link was for once.
    tab.goto(f"/s/{token}/")
    assert tab.page.get_by_role("heading", name="You have already answered").is_visible()


def progress_while_collecting(nora: Browser, sam: Browser) -> None:
    sam.goto(reverse("org-home", args=["riverside"]))  # the survey's pages link nowhere
    to_360s(sam)
    answered = sam.page.get_by_role("region", name="Feedback you are asked for")
    assert "Answered, thank you" in answered.inner_text()
    assert answered.get_by_role("button", name="Give feedback", exact=True).count() == 0

    nora.goto(nora.path)
    assert "Raters are answering: 8 of 8 so far." in nora.page.locator("ol.steps").inner_text()


# 5. Alice follows counts, never names, and closes the round -----------------------------------


def alice_closes_the_round(alice: Browser) -> None:
    page = alice.page
    to_360s(alice)
    alice.follow(page.get_by_role("link", name="Cohorts", exact=True))
    alice.follow(page.get_by_role("link", name=COHORT))
    row = page.get_by_role("row").filter(has_text="Nora Manager")
    assert row.get_by_role("cell").all_inner_texts()[1:] == [
        "Raters answering", "8", "8", "rosa@coaching.example"
    ]  # fmt: skip
    alice.follow(row.get_by_role("link", name="Nora Manager"))
    assert facts(alice) == {
        "Raters asked": "8", "Answered": "8", "Approver": "Chad Chair"
    }  # fmt: skip
    shown = main_text(alice)
    assert "who was asked, the ratings and the report stay with the leader" in shown
    # No rater is named (Chad shows as the approver, which he is by the org chart).
    assert not [name for pid, name in NAMES.items() if pid != "chad" and name in shown]
    assert page.get_by_role("region", name="Raters").count() == 0
    assert page.get_by_role("link", name="Read the report").count() == 0
    mail.outbox.clear()
    alice.follow(page.get_by_role("button", name="Close the round now"))
    assert "The round is closed and the report computed." in status_text(alice)
    assert "Report with the coach" in main_text(alice)
    assert page.get_by_role("button", name="Close the round now").count() == 0
    assert page.get_by_role("link", name="Read the report").count() == 0
    # Rosa is told the report is with her; Nora is not told yet.
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["rosa@coaching.example"], "A 360 report to go through with Nora Manager")
    ]


def nobody_else_reads_it_yet(chad: Browser, nora: Browser, review: Review) -> None:
    report = reverse("leadership-report", args=["riverside", review.pk])
    goto_refused(chad, report, 403)
    assert "The report is the leader's (and their coach's) alone." in main_text(chad)
    nora.goto(reverse("leadership-review", args=["riverside", review.pk]))
    assert "Your coach has the report and will release it to you" in main_text(nora)
    assert nora.page.get_by_role("link", name="Read the report").count() == 0
    goto_refused(nora, report, 403)
    assert "Your coach releases your report after your first conversation." in main_text(nora)


# 6. Rosa reads and releases it --------------------------------------------------------------


def rosa_releases_the_report(rosa: Browser, cast: Cast) -> None:
    page = rosa.page
    rosa.sign_in(cast.coach.email, PASSWORD)
    assert rosa.path == "/o/riverside/leadership/"  # a coach's Accord is the 360s they coach
    nav = page.get_by_role("navigation", name="Main").get_by_role("link").all_inner_texts()
    assert nav == ["Leaders you coach"]
    coached = page.get_by_role("region", name="Leaders you coach")
    assert "Report with the coach" in coached.inner_text()
    rosa.follow(coached.get_by_role("link", name="Nora Manager"))
    assert heading(rosa) == "Nora Manager's 360"
    assert "Go through it with Nora Manager first" in main_text(rosa)
    rosa.follow(page.get_by_role("link", name="Read the report"))
    assert heading(rosa) == "360 report: Nora Manager"
    gaps = page.get_by_role("region", name="Where others see Nora Manager differently")
    blind = gaps.locator(".card").filter(has_text="Blind spots").get_by_role("listitem")
    assert blind.all_inner_texts() == [TEXT[BLIND_SPOT]]
    strengths = gaps.locator(".card").filter(has_text="Hidden strengths").get_by_role("listitem")
    assert strengths.all_inner_texts() == [TEXT[HIDDEN_STRENGTH]]
    mail.outbox.clear()
    rosa.follow(page.get_by_role("button", name="Release the report to Nora Manager"))
    assert "Released: the leader can read their report." in status_text(rosa)
    assert "Report released" in main_text(rosa)
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["nora@riverside.example"], "Your 360 report is ready")
    ]


# 7. Nora reads her report, keeps the PDF and builds her plan ---------------------------------


def behaviour_figures(browser: Browser, item_id: str) -> dict[str, str]:
    block = browser.page.locator(".behaviour").filter(has_text=TEXT[item_id])
    rows = block.locator(".ratings li")
    return {
        row.locator(".who").inner_text(): row.locator(".figure-text").inner_text()
        for row in rows.all()
    }


def nora_reads_her_report(nora: Browser) -> None:
    page = nora.page
    to_360s(nora)
    nora.follow(page.get_by_role("region", name="Your 360s").get_by_role("link", name=COHORT))
    assert "The report is ready" in main_text(nora)
    nora.follow(page.get_by_role("link", name="Read the report"))
    assert heading(nora) == "360 report: Nora Manager"

    who = page.get_by_role("region", name="Who answered")
    assert who.get_by_role("listitem").all_inner_texts() == [
        "Manager: 1 of 1 answered", "Peers: 3 of 3 answered",
        "Direct reports: 3 of 3 answered",
        "Others: 1 asked; their ratings are pooled with the other raters'",
    ]  # fmt: skip
    assert "How this report protects raters" in who.inner_text()

    # Olga, alone, is pooled and too few to show; and so as not to leave her the difference
    # of all others, peers and direct reports, one more group is hidden, with the reason.
    managing = page.get_by_role("region", name="Managing self")
    summary = managing.get_by_role(
        "list", name="Managing self: the competency's score by rater group"
    )
    cells = {
        row.locator(".who").inner_text(): row.locator(".figure-text").inner_text()
        for row in summary.get_by_role("listitem").all()
    }
    assert list(cells) == ["Self", "Manager", "Peers", "Direct reports", "Others (pooled)",
                           "All others"]  # fmt: skip
    assert cells["Self"] == "4.0 of 5" and cells["Manager"] == "4.0 of 5"
    assert cells["Others (pooled)"] == "Too few raters"
    protected = [cells["Peers"], cells["Direct reports"]]
    assert "Hidden to protect a smaller group" in protected
    assert cells["All others"].endswith("(7 raters)")

    figures = behaviour_figures(nora, BLIND_SPOT)
    assert figures["Self"].endswith("5.0")
    assert figures["Manager"].endswith("4.0")
    assert figures["All others"].startswith("2.4 — rarely 4, sometimes 3")
    assert (
        page.locator(".behaviour")
        .filter(has_text=TEXT[BLIND_SPOT])
        .get_by_text("Blind spot", exact=True)
        .is_visible()
    )
    gaps = page.get_by_role("region", name="Where others see you differently")
    assert TEXT[BLIND_SPOT] in gaps.inner_text()
    # "Not observed" is counted, not scored: two peers never saw her connect people.
    connects = behaviour_figures(nora, "coach_connects")
    assert "not observed by 2" in connects["All others"]

    comments = page.get_by_role("region", name="In raters' own words").inner_text()
    assert "She listens." in comments and "Always fair with the physicians." in comments
    assert "[name] keeps the department calm on the worst nights." in comments  # no names
    develop = page.locator(".card").filter(has_text=TEXT["develop"])
    assert "Fewer than 3 raters wrote here, so nothing is shown." in develop.inner_text()
    own = page.locator(".card").filter(has_text="What you wrote yourself").inner_text()
    assert "I keep the unit steady on busy nights." in own


def nora_keeps_the_pdf(nora: Browser) -> None:
    page = nora.page
    link = page.get_by_role("link", name="Download the report (PDF)")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "360-report-nora-manager.pdf"
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    href = link.get_attribute("href")
    assert href is not None
    response = page.request.get(nora.url(href))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")
    nora.check()  # still on the report, nothing amiss


def nora_builds_her_plan(nora: Browser) -> None:
    page = nora.page
    nora.follow(page.get_by_role("link", name="Build your development plan"))
    assert heading(nora) == "Your development plan"
    points = page.locator(".card").filter(has_text="Where your report points")
    suggested = points.get_by_role("listitem").all_inner_texts()
    assert suggested[0] == (
        f"{TEXT[BLIND_SPOT]} — A blind spot: others see it less often than you do"
    )

    first = page.get_by_role("group", name="The first behaviour to work on", exact=True)
    first.get_by_label("The behaviour").select_option(label=TEXT[BLIND_SPOT])
    first.get_by_label("Why this one, and what good looks like").fill(
        "Physicians and nurses both speak at every huddle."
    )
    starts = dt.date.fromisoformat(page.get_by_label("Starts on").input_value())
    for n, (what, kind, days) in enumerate(
        zip(NORAS_ACTIONS, ("Practice on the job", "Learn from people"), (30, 60), strict=True),
        start=1,
    ):
        first.get_by_label(f"Action {n}: what you will do").fill(what)
        first.get_by_label(f"Action {n}: kind").select_option(label=kind)
        first.get_by_label(f"Action {n}: by").fill((starts + dt.timedelta(days=days)).isoformat())
    page.get_by_label("Review on").fill((starts + dt.timedelta(days=120)).isoformat())
    nora.follow(page.get_by_role("button", name="Save the plan"))
    assert "Your plan is saved." in status_text(nora)
    focus = page.get_by_role("region", name=TEXT[BLIND_SPOT])
    shown = focus.inner_text()
    assert f"{NORAS_ACTIONS[0]} (practice on the job, by" in shown
    assert f"{NORAS_ACTIONS[1]} (learn from people, by" in shown
    over_time = focus.get_by_role("list", name="This behaviour over time").inner_text()
    assert "you 5.0, all others 2.4" in over_time
    assert "coach: rosa@coaching.example" in main_text(nora)


def record_check_in(browser: Browser, note: str, progress: str) -> None:
    page = browser.page
    form = page.locator("form").filter(has=page.get_by_role("heading", name="Record a check-in"))
    form.get_by_label("How it is going").fill(note)
    form.get_by_label(TEXT[BLIND_SPOT]).select_option(label=progress)
    browser.follow(form.get_by_role("button", name="Record the check-in"))
    assert "Check-in recorded." in status_text(browser)


def check_ins(browser: Browser) -> str:
    return browser.page.get_by_role("region", name="Check-ins").inner_text()


# 8. Rosa checks in too -------------------------------------------------------------------


def rosa_checks_in(rosa: Browser) -> None:
    page = rosa.page
    nav = page.get_by_role("navigation", name="Main")
    rosa.follow(nav.get_by_role("link", name="Leaders you coach"))
    rosa.follow(page.get_by_role("region", name="Leaders you coach").get_by_role(
        "link", name="Nora Manager"
    ))  # fmt: skip
    rosa.follow(page.get_by_role("link", name="The development plan"))
    assert heading(rosa) == "Nora Manager's development plan"
    assert NORAS_CHECK_IN in check_ins(rosa)
    assert page.get_by_role("button", name="Save the plan").count() == 0  # Nora's to write
    assert page.get_by_role("button", name=re.compile("^Mark done")).count() == 0  # hers to mark
    record_check_in(rosa, ROSAS_CHECK_IN, "Some progress")
    both = check_ins(rosa)
    assert NORAS_CHECK_IN in both and ROSAS_CHECK_IN in both
    assert "Some progress" in page.get_by_role("region", name=TEXT[BLIND_SPOT]).inner_text()


def nora_on_her_phone(phone: Browser, cast: Cast) -> None:
    """The report and the plan, read on a phone: each page fits and is checked."""
    page = phone.page
    phone.sign_in(cast.nurse_manager.email, PASSWORD)
    to_360s(phone)
    phone.follow(page.get_by_role("region", name="Your 360s").get_by_role("link", name=COHORT))
    phone.follow(page.get_by_role("link", name="Read the report"))
    assert TEXT[BLIND_SPOT] in main_text(phone)
    phone.follow(page.get_by_role("link", name="Your development plan"))
    both = check_ins(phone)
    assert NORAS_CHECK_IN in both and ROSAS_CHECK_IN in both


def test_a_nurse_managers_360_from_nomination_to_her_plan(
    open_browser: Callable[..., Browser], cast: Cast, immediate_queue: Huey
) -> None:
    alice = open_browser()
    alice_starts_the_cohort(alice, cast)

    nora = open_browser()
    nora_chooses_her_raters(nora, cast)
    nora_rates_herself(nora)
    nora_sends_her_raters(nora)

    chad = open_browser()
    links = chad_approves(chad, cast)
    review = review_of_nora()
    assert review.status == ReviewStatus.COLLECTING and review.coach == cast.coach

    sam = at_390(open_browser(phone=True))
    sam_finds_the_request(sam, cast)
    for rater in RATERS:
        tab = sam if rater.external_id == "sam" else at_390(open_browser(phone=True))
        rater_answers(tab, rater, links[rater.external_id])
    progress_while_collecting(nora, sam)

    alice_closes_the_round(alice)
    nobody_else_reads_it_yet(chad, nora, review)

    rosa = open_browser()
    rosa_releases_the_report(rosa, cast)
    goto_refused(chad, reverse("leadership-report", args=["riverside", review.pk]), 403)

    nora_reads_her_report(nora)
    nora_keeps_the_pdf(nora)
    nora_builds_her_plan(nora)
    record_check_in(nora, NORAS_CHECK_IN, "Good progress")
    assert NORAS_CHECK_IN in check_ins(nora)

    rosa_checks_in(rosa)
    nora.goto(nora.path)
    both = check_ins(nora)
    assert NORAS_CHECK_IN in both and ROSAS_CHECK_IN in both
    goto_refused(chad, reverse("leadership-plan", args=["riverside", review.pk]), 403)

    nora_on_her_phone(at_390(open_browser(phone=True)), cast)
