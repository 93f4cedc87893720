"""The whole story of an agreement on expectations, through the real pages.

Chad (chair of Emergency) agrees expectations with Nora, his nurse manager. Chad works without
JavaScript, to show that every form he uses works without it; Nora uses her phone. He starts
the agreement and prepares in private; drafts it with its context, a goal of his they can both
see, and checked expectations (one vague one refused first); schedules the meeting, which
invites both by email with a calendar file and an agenda that never holds his preparation;
and sends version 1. Nora reads it from her home page and accepts it. As time passes (the test
moves dates back in the database) a follow-up falls due and she answers it; one Chad never
answers is shown as missed; each records the meeting in their own words; and a concern she
raises ages in working days until Chad addresses it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from huey import Huey

from accord.expectations.models import Agreement, Concern, FollowUp, Meeting
from tests.cast import PASSWORD, Cast
from tests.e2e.conftest import Browser
from tests.expectations.world import chads_goal, in_weeks

pytestmark = pytest.mark.browser

TOPIC = "Running the night shift"
PRIVATE_NOTE = "I never said the rota was hers."
CONTEXT = "Nights are where we lose nurses."
ITEM = "Publish the night rota two weeks ahead"


def main_text(browser: Browser) -> str:
    return browser.page.get_by_role("main").inner_text()


def status_text(browser: Browser) -> str:
    return "\n".join(browser.page.get_by_role("status").all_inner_texts())


def open_from_home(browser: Browser, link: str) -> None:
    """Go home and follow the first next step with this link."""
    browser.goto(reverse("home"))
    browser.follow(browser.page.get_by_role("link", name=link).first)


def agreement_path(agreement: Agreement) -> str:
    return reverse("agreement", args=[agreement.organisation.slug, agreement.pk])


def follow_up_rows(browser: Browser) -> list[str]:
    rows = browser.page.get_by_role("region", name="Follow-ups").get_by_role("listitem")
    # Each row starts "<when> — <state>", and may go on with the form to answer it.
    return [text.split("\n")[0].split(" — ")[-1] for text in rows.all_inner_texts()]


def working_days_ago(days: int, zone: str) -> dt.datetime:
    """A moment ``days`` working days (Monday to Friday) before today, in ``zone``."""
    tz = ZoneInfo(zone)
    day = timezone.now().astimezone(tz).date()
    while days:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return dt.datetime.combine(day, dt.time(9), tzinfo=tz)


def chad_prepares_and_drafts(chad: Browser) -> None:
    page = chad.page
    chad.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Agreements"))
    chad.follow(page.get_by_role("link", name="Start an agreement"))
    page.get_by_label("Your colleague's HR id").fill("nora")
    page.get_by_label("My direct report").check()
    page.get_by_label("Topic").fill(TOPIC)
    chad.follow(page.get_by_role("button", name="Start and prepare"))

    # Prepare, honestly: in private.
    assert page.get_by_role("heading", level=1).inner_text() == "Prepare, honestly"
    for group in ("My state of mind", "Do I believe this person can succeed?", "My own part",
                  "Can I state the roles, goals and measures?",
                  "Where does this person add value today?"):  # fmt: skip
        page.get_by_role("group", name=group).get_by_label("4", exact=True).check()
    page.get_by_label("Note").nth(2).fill(PRIVATE_NOTE)
    chad.follow(page.get_by_role("button", name="Save my preparation"))
    assert "Only you can read it" in status_text(chad)
    assert "Ready to draft and meet" in status_text(chad)

    # The context, linked to a goal both can see; a vague expectation is refused.
    chad.follow(page.get_by_role("link", name="Draft the agreement"))
    page.get_by_label("Why this matters").fill(CONTEXT)
    goals = page.get_by_role("group", name="Goals it serves")
    assert goals.get_by_label("Cut ED length of stay (Chad Chair)").is_visible()
    goals.get_by_label("Cut ED length of stay").check()
    page.get_by_label("How you will open the meeting").fill(
        "I never made clear the rota was yours to run."
    )
    page.get_by_label("Expectation 1: what").fill("Improve handovers")
    page.get_by_label("Expectation 1: measured by").fill("better handovers")
    page.get_by_label("Expectation 1: due on").fill(in_weeks(4).isoformat())
    chad.follow(page.get_by_role("button", name="Save the draft"))
    assert "says what you hope for" in main_text(chad)
    assert (
        page.get_by_role("group", name="Goals it serves")
        .get_by_label("Cut ED length of stay")
        .is_checked()
    )  # kept through the refusal
    page.get_by_label("Expectation 1: what").fill(ITEM)
    page.get_by_label("Expectation 1: measured by").fill("done when posted by the 15th")
    chad.follow(page.get_by_role("button", name="Save the draft"))
    assert "Draft saved." in status_text(chad)
    draft = main_text(chad)
    assert "Goals it serves: Cut ED length of stay" in draft and ITEM in draft


def chad_schedules_the_meeting_and_proposes(chad: Browser) -> None:
    page = chad.page
    meeting = page.get_by_role("region", name="Meeting")
    assert "No meeting yet" not in meeting.inner_text()
    chad.follow(meeting.get_by_role("link", name="Schedule the meeting"))
    assert "Your preparation is never in it" in main_text(chad)
    page.get_by_label("Date").fill((timezone.localdate() + dt.timedelta(days=3)).isoformat())
    page.get_by_label("Time").fill("10:00")
    page.get_by_label("Length (minutes)").fill("60")
    page.get_by_label("Location").fill("ED office")
    mail.outbox.clear()
    chad.follow(page.get_by_role("button", name="Schedule and invite"))
    assert "Nora Manager and you will get the invitation by email" in status_text(chad)

    # Both are invited by email, with a calendar file and the agenda: the context, the goal
    # and the expectations, never the private preparation.
    invitations = [m for m in mail.outbox if m.subject.startswith("Agreement meeting")]
    assert sorted(m.to[0] for m in invitations) == [
        "chad@riverside.example", "nora@riverside.example"
    ]  # fmt: skip
    for message in invitations:
        [(filename, content, mimetype)] = message.attachments
        assert filename.endswith(".ics") and mimetype.startswith("text/calendar")
        calendar = content if isinstance(content, str) else content.decode()
        assert "BEGIN:VEVENT" in calendar and "ED office" in calendar
        assert CONTEXT in message.body and ITEM in message.body
        assert "Cut ED length of stay" in message.body
        assert PRIVATE_NOTE not in message.body and PRIVATE_NOTE not in calendar

    # The page shows the meeting and its agenda (a <details>, which opens without JavaScript).
    meeting = page.get_by_role("region", name="Meeting")
    card = meeting.inner_text()
    assert "60 minutes, ED office" in card and "Scheduled" in card
    meeting.get_by_text("Agenda", exact=True).click()
    agenda = meeting.locator(".agenda")
    assert agenda.is_visible()
    assert CONTEXT in agenda.inner_text() and ITEM in agenda.inner_text()
    assert PRIVATE_NOTE not in agenda.inner_text()

    chad.follow(page.get_by_role("button", name="Send version 1 to Nora Manager"))
    assert "Version 1 sent to Nora Manager." in status_text(chad)
    assert "Waiting for the colleague" in main_text(chad)


def nora_reads_and_accepts(nora: Browser, cast: Cast) -> None:
    nora.sign_in(cast.nurse_manager.email, PASSWORD)
    nora.follow(nora.page.get_by_role("link", name=f"Open the agreement “{TOPIC}”"))
    shown = main_text(nora)
    assert ITEM in shown and "Goals it serves: Cut ED length of stay" in shown
    assert "60 minutes, ED office" in shown  # the meeting she is invited to
    assert PRIVATE_NOTE not in shown
    nora.follow(nora.page.get_by_role("button", name="Accept version 1"))
    assert "Version 1 accepted: it is now fixed." in status_text(nora)
    assert "Accepted" in main_text(nora)
    assert set(follow_up_rows(nora)) == {"Coming"}


def answer_follow_up(browser: Browser, *, on_track: str, note: str) -> None:
    page = browser.page
    page.get_by_role("group", name=f"“{ITEM}”: still on track?").get_by_label(on_track).check()
    page.get_by_role("group", name=f"“{ITEM}”: still fair?").get_by_label("Yes").check()
    page.get_by_label(f"“{ITEM}”: note").fill(note)
    browser.follow(page.get_by_role("button", name="Send my follow-up"))
    assert "Follow-up answered." in status_text(browser)


def follow_ups_fall_due_and_one_is_missed(
    chad: Browser, nora: Browser, agreement: Agreement
) -> None:
    first, second, *_ = FollowUp.objects.filter(agreement=agreement).order_by("due_at")
    now = timezone.now()
    # The first follow-up falls due: Nora answers it from her home page.
    FollowUp.objects.filter(pk=first.pk).update(
        due_at=now - dt.timedelta(hours=1), answer_by=now + dt.timedelta(hours=47)
    )
    open_from_home(nora, f"Open the agreement “{TOPIC}”")
    assert follow_up_rows(nora)[:2] == ["Due now", "Coming"]
    answer_follow_up(nora, on_track="Yes", note="This month's rota went up on the 14th.")
    assert follow_up_rows(nora)[:2] == ["Due now", "Coming"]  # Chad has yet to answer

    # Days pass: Chad never answered the first, and the second falls due.
    FollowUp.objects.filter(pk=first.pk).update(
        due_at=now - dt.timedelta(days=3), answer_by=now - dt.timedelta(days=1)
    )
    FollowUp.objects.filter(pk=second.pk).update(
        due_at=now - dt.timedelta(hours=2), answer_by=now + dt.timedelta(hours=46)
    )
    open_from_home(nora, f"Open the agreement “{TOPIC}”")
    assert follow_up_rows(nora)[:3] == ["Missed", "Due now", "Coming"]
    answer_follow_up(nora, on_track="No", note="Next month's rota waits on two contracts.")
    assert follow_up_rows(nora)[:3] == ["Missed", "Due now", "Coming"]
    assert nora.page.get_by_role("button", name="Send my follow-up").count() == 0

    # Chad's home page tells him what he missed; the agreement shows it too.
    chad.goto(reverse("home"))
    assert f"Missed: the follow-up on {TOPIC}" in main_text(chad)
    chad.follow(chad.page.get_by_role("link", name=f"Open the agreement “{TOPIC}”").first)
    assert follow_up_rows(chad)[:3] == ["Missed", "Due now", "Coming"]


def both_record_the_meeting(chad: Browser, nora: Browser, agreement: Agreement) -> None:
    Meeting.objects.filter(agreement=agreement).update(
        starts_at=timezone.now() - dt.timedelta(hours=2)
    )
    for browser, working, improve in (
        (nora, "Posting the rota early stopped the swaps.", "Start the huddle on time."),
        (chad, "Nora owns the rota now.", "I should cover the first huddles."),
    ):
        browser.goto(agreement_path(agreement))
        assert "Your record of the meeting, in your own words" in main_text(browser)
        browser.page.get_by_label("What is working").fill(working)
        browser.page.get_by_label("What could improve").fill(improve)
        browser.follow(browser.page.get_by_role("button", name="Save my record"))
        assert "Your record of the meeting is saved." in status_text(browser)
    meeting = chad.page.get_by_role("region", name="Meeting").inner_text()
    assert "Held" in meeting
    assert "Nora Manager's record" in meeting and "Chad Chair's record" in meeting
    assert "Posting the rota early stopped the swaps." in meeting
    assert "I should cover the first huddles." in meeting
    assert "Your record of the meeting" not in meeting


def a_concern_ages_until_it_is_addressed(
    chad: Browser, nora: Browser, cast: Cast, agreement: Agreement
) -> None:
    nora.goto(agreement_path(agreement))
    nora.page.get_by_label("Your concern").fill("Payroll still edits the rota after I post it.")
    nora.follow(nora.page.get_by_role("button", name="Raise the concern"))
    assert "Concern raised." in status_text(nora)
    concerns = nora.page.get_by_role("region", name="Concerns")
    assert "raised today" in concerns.inner_text()
    assert "Overdue" not in concerns.inner_text()

    # Three working days pass unanswered.
    Concern.objects.filter(agreement=agreement).update(
        raised_at=working_days_ago(3, cast.riverside.time_zone)
    )
    nora.goto(agreement_path(agreement))
    concerns = nora.page.get_by_role("region", name="Concerns")
    assert "open 3 working days" in concerns.inner_text()
    assert "Overdue" in concerns.inner_text()

    # Chad finds it on his home page and addresses it, without JavaScript.
    chad.goto(reverse("home"))
    assert "Nora Manager raised a concern" in main_text(chad)
    assert "Open 3 working days" in main_text(chad)
    chad.follow(chad.page.get_by_role("link", name=f"Answer the concern on “{TOPIC}”"))
    concerns = chad.page.get_by_role("region", name="Concerns")
    assert "Overdue" in concerns.inner_text()
    concerns.get_by_label("How it was addressed").fill("Payroll now reads it, and edits nothing.")
    chad.follow(concerns.get_by_role("button", name="Mark addressed"))
    assert "Concern addressed." in status_text(chad)
    concerns = chad.page.get_by_role("region", name="Concerns").inner_text()
    assert "addressed in 3 working days: Payroll now reads it, and edits nothing." in concerns
    assert "Overdue" not in concerns and "Mark addressed" not in concerns


def test_a_leader_and_his_nurse_manager_agree_on_expectations_and_keep_them(
    open_browser: Callable[..., Browser], cast: Cast, immediate_queue: Huey
) -> None:
    chads_goal(cast, TOPIC)  # a goal of Chad's, which Nora can see too
    chad = open_browser(javascript=False)
    chad.sign_in(cast.chair.email, PASSWORD)
    chad_prepares_and_drafts(chad)
    chad_schedules_the_meeting_and_proposes(chad)

    nora = open_browser(phone=True)
    nora_reads_and_accepts(nora, cast)
    agreement = Agreement.objects.get(leader__external_id="chad", topic=TOPIC)
    follow_ups_fall_due_and_one_is_missed(chad, nora, agreement)
    both_record_the_meeting(chad, nora, agreement)
    a_concern_ages_until_it_is_addressed(chad, nora, cast, agreement)
