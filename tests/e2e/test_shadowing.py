"""The shadowing programme's whole story, through the real pages.

Sam (a staff nurse in ED Nursing) hosts from his phone, without JavaScript: he offers night
shifts and one dated night. Eve (the CNO, an executive) asks Accord for suggestions and asks
to shadow that night; Sam confirms, and both get the calendar invitation with the briefing.
The night comes and goes (the test moves it back in the database). Eve, without JavaScript,
writes her reflection — a patient's bed is refused first — with two barriers tagged and two
commitments, one of them Nora's (Sam's nurse manager). Sam reads them on the visit and on his
hosting page and gives his word, whose rating Eve never reads. Nora marks hers done from the
commitments she follows, and the programme's coverage shows the visit, the reflection on time
and the commitments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from huey import Huey

from accord.shadowing.models import Slot, Visit
from tests.cast import PASSWORD, Cast
from tests.e2e.conftest import Browser

pytestmark = pytest.mark.browser

SERVICE = "Adult emergency"
NOTES = "Meet at the nurses' station at 18:45; closed shoes."
SAW = "Four admitted patients boarded in the corridor all night."
EVES_COMMITMENT = "Bring bed management into the night huddle"
NORAS_COMMITMENT = "Test a single bed-request line"
ACCOUNT = "She stayed till handover and asked good questions."


def main_text(browser: Browser) -> str:
    return browser.page.get_by_role("main").inner_text()


def status_text(browser: Browser) -> str:
    return "\n".join(browser.page.get_by_role("status").all_inner_texts())


def local_day(cast: Cast, days: int) -> dt.date:
    """The date ``days`` from today on the hospital's clock."""
    return timezone.now().astimezone(ZoneInfo(cast.riverside.time_zone)).date() + dt.timedelta(
        days=days
    )


def follow_refused(browser: Browser, target: Any) -> None:
    """Submit a form the server refuses: it answers 400 with the form and the reason.

    Chromium logs any 4xx document as a console error, which the tab would count against the
    page; that one line is expected here, and everything else on the page is checked.
    """
    with browser.page.expect_navigation() as navigation:
        target.click()
    assert navigation.value is not None and navigation.value.status == 400
    browser.page.wait_for_load_state("load")
    expected = "the server responded with a status of 400 (Bad Request)"
    browser.errors = [error for error in browser.errors if expected not in error]
    browser.check()


def to_shadowing(browser: Browser) -> None:
    nav = browser.page.get_by_role("navigation", name="Main")
    browser.follow(nav.get_by_role("link", name="Shadowing", exact=True))


def sam_offers_a_night(sam: Browser, cast: Cast) -> None:
    page = sam.page
    sam.sign_in(cast.staff_nurse.email, PASSWORD)
    to_shadowing(sam)
    sam.follow(page.get_by_role("link", name="Offer to host"))
    offer = page.get_by_role("form", name="Your offer to host")
    offer.get_by_label("Your service").fill(SERVICE)
    offer.get_by_label("Night shifts suit me").check()
    offer.get_by_label("What a visitor should know").fill(NOTES)
    sam.follow(offer.get_by_role("button", name="Offer to host"))
    assert "Saved. Now offer the shifts a visitor may join." in status_text(sam)
    assert page.get_by_role("heading", level=1).inner_text() == "Your hosting"
    assert "No shifts offered yet." in main_text(sam)

    shift = page.get_by_role("form", name="Offer a shift")
    shift.get_by_label("Shift", exact=True).select_option(label="Night")
    shift.get_by_label("Date it starts").fill(local_day(cast, 3).isoformat())
    sam.follow(shift.get_by_role("button", name="Offer this shift"))
    assert "Shift offered." in status_text(sam)
    offered = page.get_by_role("region", name="Shifts you offer").get_by_role("listitem")
    day = local_day(cast, 3)
    assert offered.count() == 1
    assert f"Night, {day:%a} {day.day} {day:%b}, 19:00 to 07:00 — open" in offered.inner_text()


def eve_books_the_suggested_night(eve: Browser, cast: Cast) -> None:
    page = eve.page
    eve.sign_in(cast.executive.email, PASSWORD)
    to_shadowing(eve)
    eve.follow(page.get_by_role("link", name="Book a visit"))
    suggested = page.get_by_role("region", name="Suggested for you")
    [offer] = suggested.get_by_role("listitem").filter(has_text="Sam Nurse").all()
    shown = offer.inner_text()
    assert "Night shift" in shown and "19:00 to 07:00" in shown and SERVICE in shown
    reasons = offer.locator(".suggestion-reasons").get_by_role("listitem").all_inner_texts()
    assert "A night shift: few visitors see these" in reasons
    assert "No one has shadowed in Emergency yet" in reasons
    mail.outbox.clear()
    eve.follow(offer.get_by_role("button", name="Ask to shadow Sam Nurse"))
    assert "Asked Sam Nurse: you will hear once they answer." in status_text(eve)
    assert page.get_by_role("heading", level=1).inner_text() == "Shadowing Sam Nurse"
    assert "Waiting for the host" in main_text(eve)
    assert "19:00 to 07:00" in main_text(eve)
    assert NOTES in main_text(eve)
    # Sam is asked by email.
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["sam@riverside.example"], "Eve Exec asks to shadow you")
    ]


def sam_confirms(sam: Browser) -> None:
    page = sam.page
    to_shadowing(sam)
    requests = page.get_by_role("region", name="Waiting for your answer")
    assert "Eve Exec shadows you" in requests.inner_text()
    assert "Waiting for the host" in requests.inner_text()
    mail.outbox.clear()
    sam.follow(requests.get_by_role("link").first)
    assert page.get_by_role("heading", level=1).inner_text() == "Eve Exec shadows you"
    answer = page.get_by_role("form", name="Will you host Eve Exec?")
    answer.get_by_role("group", name="Your answer").get_by_label("Yes, come").check()
    sam.follow(answer.get_by_role("button", name="Send my answer"))
    assert "Confirmed: you both get the invitation." in status_text(sam)
    assert "Confirmed" in main_text(sam)
    assert page.get_by_role("button", name="Send my answer").count() == 0

    # Both are invited by email: a calendar file and the briefing, with what Sam asks.
    invitations = list(mail.outbox)
    assert sorted(m.to[0] for m in invitations) == [
        "eve@riverside.example", "sam@riverside.example"
    ]  # fmt: skip
    for message in invitations:
        [(filename, content, mimetype)] = message.attachments
        assert filename.endswith(".ics") and mimetype.startswith("text/calendar")
        calendar = content if isinstance(content, str) else content.decode()
        assert "BEGIN:VEVENT" in calendar
        assert "Patients come first" in message.body and "nurses' station" in message.body


def the_night_comes_and_goes(visit: Visit, hours_ago: int = 2) -> None:
    """Move the visit and its shift back, so the night ended ``hours_ago`` hours ago."""
    shift = visit.ends_at - (timezone.now() - dt.timedelta(hours=hours_ago))
    Visit.objects.filter(pk=visit.pk).update(
        starts_at=F("starts_at") - shift, ends_at=F("ends_at") - shift
    )
    Slot.objects.filter(pk=visit.slot_id).update(
        starts_at=F("starts_at") - shift, ends_at=F("ends_at") - shift
    )


def eve_reflects(eve: Browser, cast: Cast, visit: Visit) -> None:
    page = eve.page
    eve.sign_in(cast.executive.email, PASSWORD)
    to_shadowing(eve)
    to_write = page.get_by_role("region", name="Reflections to write")
    assert "Your visit with Sam Nurse" in to_write.inner_text()
    eve.follow(to_write.get_by_role("link", name="Your visit with Sam Nurse"))
    assert "Write it by" in main_text(eve)

    # A patient's bed is refused, in plain words, beside the field.
    page.get_by_label("What you saw").fill("The patient in bed 12 waited four hours upstairs.")
    follow_refused(eve, page.get_by_role("button", name="Save my reflection"))
    field = page.locator(".field--invalid").filter(has=page.get_by_label("What you saw"))
    refusal = field.locator(".errorlist").inner_text()
    assert "This looks like a patient's room or bed" in refusal
    assert "Accord keeps nothing about patients" in refusal
    assert page.get_by_label("What you saw").input_value().startswith("The patient in bed 12")

    page.get_by_label("What you saw").fill(SAW)
    page.get_by_label("What surprised you").fill("How much of the night went on finding beds.")
    page.get_by_label("Barrier 1: kind").select_option(label="Practice efficiency")
    page.get_by_label("Barrier 1: what you noticed").fill("Bed requests by phone")
    page.get_by_label("Barrier 2: kind").select_option(label="Voice in operational decisions")
    page.get_by_label("Barrier 2: what you noticed").fill("Nurses not asked about the new form")
    for n, (what, owner, days) in enumerate(
        [(EVES_COMMITMENT, "eve", 30), (NORAS_COMMITMENT, "nora", 31)], start=1
    ):
        page.get_by_label(f"Commitment {n}: what will be done").fill(what)
        page.get_by_label(f"Commitment {n}: by whom (HR id)").fill(owner)
        page.get_by_label(f"Commitment {n}: done by").fill(local_day(cast, days).isoformat())
    mail.outbox.clear()
    eve.follow(page.get_by_role("button", name="Save my reflection"))
    assert "Reflection saved; the host sees your commitments." in status_text(eve)
    shown = page.get_by_role("region", name="The visitor's reflection").inner_text()
    assert SAW in shown
    assert "Practice efficiency: Bed requests by phone" in shown
    assert "Voice in operational decisions: Nurses not asked about the new form" in shown
    commitments = page.get_by_role("region", name="Commitments", exact=True).inner_text()
    assert f"{EVES_COMMITMENT} — Eve Exec" in commitments
    assert f"{NORAS_COMMITMENT} — Nora Manager" in commitments
    assert page.get_by_role("button", name="Save my reflection").count() == 0
    # Sam is told of the commitments made on his unit.
    assert [m.to for m in mail.outbox] == [["sam@riverside.example"]]
    assert NORAS_COMMITMENT in mail.outbox[0].body


def sam_reads_and_gives_his_word(sam: Browser) -> None:
    page = sam.page
    to_shadowing(sam)
    sam.follow(page.get_by_role("link", name="Your hosting"))
    from_visits = page.get_by_role("region", name="Commitments from visits to your unit")
    assert EVES_COMMITMENT in from_visits.inner_text()
    assert NORAS_COMMITMENT in from_visits.inner_text()
    to_word = page.get_by_role("region", name="Visits to give your word on")
    sam.follow(to_word.get_by_role("link").first)
    assert page.get_by_role("heading", level=1).inner_text() == "Eve Exec shadows you"
    reflection = page.get_by_role("region", name="The visitor's reflection").inner_text()
    assert SAW in reflection and "Practice efficiency: Bed requests by phone" in reflection
    commitments = page.get_by_role("region", name="Commitments", exact=True).inner_text()
    assert EVES_COMMITMENT in commitments and NORAS_COMMITMENT in commitments
    # Neither commitment is Sam's to move on.
    assert page.get_by_role("button", name="Update").count() == 0

    word = page.get_by_role("region", name="The host's word")
    word.get_by_label("Your account of the visit").fill(ACCOUNT)
    word.get_by_role("group", name="Was it useful?").get_by_label("5").check()
    word.get_by_role("group", name="Was the visitor engaged?").get_by_label("5").check()
    word.get_by_role("group", name="Would you host again?").get_by_label("Yes").check()
    sam.follow(word.get_by_role("button", name="Save my word"))
    assert "Thank you: your word is saved." in status_text(sam)
    given = page.get_by_role("region", name="The host's word").inner_text()
    assert ACCOUNT in given
    assert "useful 5/5, engaged 5/5, would host again: yes" in given  # his own, only his


def eve_reads_the_word(eve: Browser, visit: Visit) -> None:
    page = eve.page
    eve.goto(reverse("shadowing-visit", args=[visit.organisation.slug, visit.pk]))
    word = page.get_by_role("region", name="The host's word").inner_text()
    assert ACCOUNT in word
    assert "5/5" not in word and "useful" not in word  # one host's rating is theirs
    # She may move on both commitments: hers, and the one she gave Nora.
    commitments = page.get_by_role("region", name="Commitments", exact=True)
    assert commitments.get_by_role("button", name="Update").count() == 2


def nora_keeps_her_commitment(nora: Browser, cast: Cast) -> None:
    """Nora is neither visitor nor host, so the visit is not hers to open: she finds the
    commitment Eve gave her on her Shadowing page, and moves it on from the commitments
    she follows."""
    page = nora.page
    nora.sign_in(cast.nurse_manager.email, PASSWORD)
    to_shadowing(nora)
    mine = page.get_by_role("region", name="Your commitments").inner_text()
    assert f"{NORAS_COMMITMENT} — Nora Manager" in mine and "In progress" in mine
    nora.follow(page.get_by_role("link", name="Commitments you follow"))
    followed = page.get_by_role("main").get_by_role("listitem")
    # Eve's, made on a visit to Nora's unit, is hers to follow, not to update.
    assert followed.filter(has_text=EVES_COMMITMENT).get_by_role("button").count() == 0
    hers = followed.filter(has_text=NORAS_COMMITMENT)
    status = hers.get_by_label("Status of")
    assert status.input_value() == "in_progress"
    status.select_option(label="Done")
    mail.outbox.clear()
    nora.follow(hers.get_by_role("button", name="Update"))
    assert "Commitment updated; the host is told." in status_text(nora)
    followed = page.get_by_role("main").get_by_role("listitem")
    assert followed.filter(has_text=NORAS_COMMITMENT).locator(".tag").inner_text() == "Done"
    assert followed.filter(has_text=EVES_COMMITMENT).locator(".tag").inner_text() == "In progress"
    # Sam, the host, is told.
    [told] = mail.outbox
    assert told.to == ["sam@riverside.example"] and "done" in told.subject


def eve_sees_it_done(eve: Browser) -> None:
    eve.goto(eve.path)
    shown = eve.page.get_by_role("region", name="Commitments", exact=True).get_by_role("listitem")
    assert shown.filter(has_text=NORAS_COMMITMENT).locator(".tag").inner_text() == "Done"
    assert shown.filter(has_text=EVES_COMMITMENT).locator(".tag").inner_text() == "In progress"


def eve_reads_the_coverage(eve: Browser) -> None:
    page = eve.page
    to_shadowing(eve)
    eve.follow(page.get_by_role("link", name="The programme's coverage"))
    facts = page.locator("dl.facts")
    values = dict(
        zip(
            facts.locator("dt").all_inner_texts(),
            facts.locator("dd").all_inner_texts(),
            strict=True,
        )
    )
    assert values["Visits"] == "1"
    assert values["Reflections on time"] == "1 of 1"
    assert values["Commitments"].startswith("2 made, 1 done, 0 overdue")
    assert values["What hosts said"] == "hidden until at least three hosts have rated (1 so far)"
    shifts = page.get_by_role("region", name="Visits by shift").get_by_role("listitem")
    assert shifts.all_inner_texts() == ["Day: 0", "Evening: 0", "Night: 1", "Weekend: 0"]
    executives = page.get_by_role("region", name="Executives' visits (scrolls sideways)")
    assert (
        executives.get_by_role("row", name="Eve Exec").get_by_role("cell").nth(1).inner_text()
        == "1"
    )
    grid = page.get_by_role("region", name="Visits by department and month (scrolls sideways)")
    emergency = grid.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Emergency", exact=True)
    )
    months = emergency.get_by_role("cell").all_inner_texts()
    assert len(months) == 12 and sorted(months) == ["0"] * 11 + ["1"]


def test_a_nurse_hosts_the_cno_on_a_night_shift_and_a_commitment_is_kept(
    open_browser: Callable[..., Browser], cast: Cast, immediate_queue: Huey
) -> None:
    sam = open_browser(phone=True, javascript=False)
    sam_offers_a_night(sam, cast)

    eve = open_browser()
    eve_books_the_suggested_night(eve, cast)
    sam_confirms(sam)

    visit = Visit.objects.get()
    the_night_comes_and_goes(visit)
    eve_without_scripts = open_browser(javascript=False)
    eve_reflects(eve_without_scripts, cast, visit)
    sam_reads_and_gives_his_word(sam)
    eve_reads_the_word(eve_without_scripts, visit)
    nora_keeps_her_commitment(open_browser(), cast)
    eve_sees_it_done(eve_without_scripts)
    eve_reads_the_coverage(eve)
