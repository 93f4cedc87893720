"""The shadowing programme end to end through its pages: a nurse offers night shifts, an
executive asks for suggestions and books one, the host confirms, both get the invitation and
the briefing, the visit happens, the reflection with tagged barriers and two commitments is
written, the host sees them and gives their word, a commitment is marked done, and the
coverage shows it — with the refusals a demanding user meets on the way."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from huey import Huey
from icalendar import Calendar

from accord.shadowing import services
from accord.shadowing.errors import ShadowingError
from accord.shadowing.models import (
    Commitment,
    CommitmentStatus,
    Host,
    HostStatus,
    HostWord,
    ShadowingAuditEntry,
    Slot,
    Visit,
    VisitStatus,
)
from accord.shadowing.rules import CommitmentDraft
from accord.shadowing.selectors import coverage, pooled_ratings, suggestions
from tests.cast import Cast
from tests.shadowing.world import a_night, confirmed_visit, happened, in_days, sam_hosts, sscope

pytestmark = pytest.mark.django_db


def url(cast: Cast, name: str, *args: object) -> str:
    return reverse(name, args=[cast.riverside.slug, *args])


def test_the_whole_story_through_the_pages(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    sam, eve, nora = (cast.client_for(u) for u in (cast.staff_nurse, cast.executive,
                                                   cast.nurse_manager))  # fmt: skip
    offer = sam.post(url(cast, "shadowing-host"), {
        "service": "Adult emergency", "monthly_limit": "2",
        "visitor_notes": "Meet at the nurses' station at 18:45; closed shoes.",
        "shift_night": "on", "shift_night_starts": "19:00", "shift_night_ends": "07:00",
    })  # fmt: skip
    assert offer.status_code == 302, offer.content.decode()[-1500:]
    past = sam.post(url(cast, "shadowing-slot-add"), {"kind": "night", "day": in_days(-2)})
    assert past.status_code == 400 and "has started already" in past.content.decode()
    assert sam.post(url(cast, "shadowing-slot-add"),
                    {"kind": "night", "day": in_days(3).isoformat()}).status_code == 302  # fmt: skip
    overlap = sam.post(url(cast, "shadowing-slot-add"), {
        "kind": "day", "day": in_days(4).isoformat(), "starts": "06:00", "ends": "12:00"})  # fmt: skip
    assert "You offer a night shift then already" in overlap.content.decode()
    slot = Slot.objects.get()
    local = slot.starts_at.astimezone(ZoneInfo(cast.riverside.time_zone))  # the hospital's clock
    assert local.hour == 19 and slot.ends_at - slot.starts_at == dt.timedelta(hours=12)
    # Pages read times on the organisation's clock, whatever the server's zone.
    assert (
        f"{local:%-d %b}, 19:00 to 07:00" in sam.get(url(cast, "shadowing-host")).content.decode()
    )

    # The executive asks Accord for suggestions and books the night shift.
    page = eve.get(url(cast, "shadowing-book")).content.decode()
    assert "Suggested for you" in page and "Sam Nurse" in page
    assert "A night shift: few visitors see these" in page
    assert "No one has shadowed in Emergency yet" in page
    assert sam.get(url(cast, "shadowing-book")).status_code == 403  # a member does not book
    with django_capture_on_commit_callbacks(execute=True):
        booked = eve.post(url(cast, "shadowing-book"), {"slot": str(slot.pk)})
    visit = Visit.objects.get()
    assert booked["Location"] == url(cast, "shadowing-visit", visit.pk)
    [request] = mail.outbox
    assert (
        request.to == ["sam@riverside.example"] and request.subject == "Eve Exec asks to shadow you"
    )
    mail.outbox.clear()

    # The host confirms: both get the calendar invitation with the briefing.
    assert eve.post(url(cast, "shadowing-visit-answer", visit.pk),
                    {"decision": "confirm"}).status_code == 403  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        sam.post(url(cast, "shadowing-visit-answer", visit.pk), {"decision": "confirm"})
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CONFIRMED
    assert sorted(m.to[0] for m in mail.outbox) == [
        "eve@riverside.example",
        "sam@riverside.example",
    ]
    for message in mail.outbox:
        assert "Patients come first" in message.body and "nurses' station" in message.body
        [(name, content, mimetype)] = message.attachments
        assert name.endswith(".ics") and mimetype.startswith("text/calendar; method=REQUEST")
        [event] = Calendar.from_ical(content).walk("VEVENT")
        assert str(event["UID"]) == visit.uid and event.decoded("DTSTART") == visit.starts_at
    mail.outbox.clear()

    # The night comes and goes; the executive reflects, with a barrier and two commitments.
    happened(visit)
    bad = eve.post(url(cast, "shadowing-visit-reflect", visit.pk), {
        "what_i_saw": "The patient in bed 12 waited four hours for a bed upstairs.",
    })  # fmt: skip
    assert bad.status_code == 400 and "a patient&#x27;s room or bed" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        reflected = eve.post(url(cast, "shadowing-visit-reflect", visit.pk), {
            "what_i_saw": "Four admitted patients boarded in the corridor all night.",
            "surprised": "How much of the night went on finding beds.",
            "barriers.0.driver": "practice_efficiency", "barriers.0.note": "Bed requests by phone",
            "barriers.1.driver": "voice", "barriers.1.note": "Nurses not asked about the new form",
            "commitments.0.what": "Bring bed management into the night huddle",
            "commitments.0.owner": "eve", "commitments.0.due_on": in_days(30).isoformat(),
            "commitments.1.what": "Test a single bed-request line",
            "commitments.1.owner": "nora", "commitments.1.due_on": in_days(45).isoformat(),
        })  # fmt: skip
    assert reflected.status_code == 302, reflected.content.decode()[-2000:]
    [made] = mail.outbox
    assert made.to == ["sam@riverside.example"] and "Test a single bed-request line" in made.body

    # The host sees the reflection and the commitments, and gives their word.
    host_page = sam.get(url(cast, "shadowing-host")).content.decode()
    assert "Commitments from visits to your unit" in host_page
    visit_page = sam.get(url(cast, "shadowing-visit", visit.pk)).content.decode()
    assert "Practice efficiency" in visit_page and "Bed requests by phone" in visit_page
    sam.post(url(cast, "shadowing-visit-word", visit.pk), {
        "account": "She stayed till handover and asked good questions.", "useful": "5",
        "engaged": "5", "would_host_again": "yes", "comment": "More of this."})  # fmt: skip
    assert HostWord.objects.get().useful == 5
    shown = eve.get(url(cast, "shadowing-visit", visit.pk)).content.decode()
    assert "She stayed till handover" in shown
    assert "useful 5/5" not in shown  # one host's rating is theirs

    # Nora marks her commitment done; the host is told.
    mail.outbox.clear()
    nora_commitment = Commitment.objects.get(owner__external_id="nora")
    with django_capture_on_commit_callbacks(execute=True):
        nora.post(url(cast, "shadowing-commitment", nora_commitment.pk), {"status": "done"})
    nora_commitment.refresh_from_db()
    assert nora_commitment.status == CommitmentStatus.DONE and nora_commitment.done_at
    [told] = mail.outbox
    assert told.to == ["sam@riverside.example"] and "done" in told.subject
    cant = cast.client_for(cast.executive).post(
        url(cast, "shadowing-commitment", Commitment.objects.get(owner__external_id="eve").pk),
        {"status": "cant_do"}, follow=True,
    )  # fmt: skip
    assert "Give why it cannot be done" in cant.content.decode()

    # Coverage shows the visit, the reflection on time and the commitments.
    figures = coverage(sscope(cast, cast.executive).scope)
    assert figures.visits == 1 and figures.by_shift["night"] == 1
    assert figures.reflections_on_time == 1 and figures.reflections_due == 1
    assert (figures.commitments_made, figures.commitments_done) == (2, 1)
    emergency = [counts for unit, counts in figures.grid if unit.name == "Emergency"]
    assert emergency and sum(emergency[0]) == 1
    assert "Surgery" in {u.name for u in figures.never_visited}
    page = eve.get(url(cast, "shadowing-coverage")).content.decode()
    assert "1 of 1" in page and "2 made, 1 done" in page
    csv = eve.get(url(cast, "shadowing-coverage") + "?format=csv")
    assert csv["Content-Type"].startswith("text/csv") and "Emergency" in csv.content.decode(
        "utf-8-sig"
    )
    assert sam.get(url(cast, "shadowing-coverage")).status_code == 403
    assert ShadowingAuditEntry.objects.filter(action="visit.reflect").count() == 1


def test_a_decline_reads_not_this_time_and_keeps_the_reason_with_the_host(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    sam_hosts(cast)
    slot = a_night(cast)
    visit = services.book_visit(sscope=sscope(cast, cast.executive), actor=None, slot_id=slot.pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cast.client_for(cast.staff_nurse).post(url(cast, "shadowing-visit-answer", visit.pk), {
            "decision": "decline", "reason": "My preceptee starts that night"})  # fmt: skip
    [note] = mail.outbox
    assert note.subject.startswith("Not this time") and "preceptee" not in note.body
    shown = cast.client_for(cast.executive).get(url(cast, "shadowing-visit", visit.pk))
    assert "Not this time" in shown.content.decode() and "preceptee" not in shown.content.decode()
    assert "preceptee" in cast.client_for(cast.staff_nurse).get(
        url(cast, "shadowing-visit", visit.pk)).content.decode()  # fmt: skip
    # The shift is free again for someone else.
    again = services.book_visit(sscope=sscope(cast, cast.nurse_manager), actor=None,
                                slot_id=slot.pk)  # fmt: skip
    assert again.status == VisitStatus.REQUESTED


def test_booking_refusals(cast: Cast) -> None:
    eve, nora, sam = (sscope(cast, u) for u in (cast.executive, cast.nurse_manager,
                                                cast.staff_nurse))  # fmt: skip
    sam_hosts(cast, limit=1)
    first, second = a_night(cast, 3), a_night(cast, 5)
    if first.starts_at.month != second.starts_at.month:  # keep both in one month
        second = a_night(cast, 1)
    services.book_visit(sscope=eve, actor=None, slot_id=first.pk)
    with pytest.raises(ShadowingError, match="Someone has booked this shift"):
        services.book_visit(sscope=nora, actor=None, slot_id=first.pk)
    with pytest.raises(ShadowingError, match="hosts at most 1 visit a month"):
        services.book_visit(sscope=nora, actor=None, slot_id=second.pk)
    with pytest.raises(ShadowingError, match="No such shift"):
        services.book_visit(sscope=eve, actor=None, slot_id=10**20)
    services.set_hosting(sscope=sam, actor=None, status=HostStatus.PAUSED)
    with pytest.raises(ShadowingError, match="not hosting at the moment"):
        services.book_visit(sscope=nora, actor=None, slot_id=second.pk)
    with pytest.raises(ShadowingError, match="paused hosting"):
        a_night(cast, 9)
    from accord.access.scopes import NotAllowed

    with pytest.raises(NotAllowed, match="Executives book"):
        services.book_visit(sscope=sam, actor=None, slot_id=second.pk)
    with pytest.raises(NotAllowed, match="Clinicians host"):
        services.offer_to_host(sscope=eve, actor=None, service="x", monthly_limit=1,
                               visitor_notes="", shifts={"day": (None, None)})  # fmt: skip


def test_stopping_cancels_the_visits_to_come_for_both(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    visit = confirmed_visit(cast)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.set_hosting(sscope=sscope(cast, cast.staff_nurse), actor=None,
                             status=HostStatus.STOPPED)  # fmt: skip
    visit.refresh_from_db()
    assert visit.status == VisitStatus.CANCELLED and visit.sequence == 1
    assert len(mail.outbox) == 2
    calendar = Calendar.from_ical(mail.outbox[0].attachments[0][1])
    assert calendar["METHOD"] == "CANCEL"
    assert Host.objects.get().status == HostStatus.STOPPED


def test_patient_details_are_refused_wherever_people_write(cast: Cast) -> None:
    with pytest.raises(ShadowingError, match="medical record number"):
        services.offer_to_host(sscope=sscope(cast, cast.staff_nurse), actor=None,
                               service="Adult emergency", monthly_limit=2,
                               visitor_notes="Ask for MRN 00123456 first",
                               shifts={"night": (None, None)})  # fmt: skip
    visit = happened(confirmed_visit(cast))
    eve = sscope(cast, cast.executive)
    for text, kind in [("Spoke with the man born 4 March 1956", "date of birth"),
                       ("Call his daughter on 555-123-4567", "phone number"),
                       ("Room 305 had no call bell", "room or bed")]:  # fmt: skip
        with pytest.raises(ShadowingError, match=kind):
            services.write_reflection(sscope=eve, actor=None, visit=visit, what_i_saw=text,
                                      surprised="", barriers=[], commitments=[])  # fmt: skip
    with pytest.raises(ShadowingError, match="phone number"):
        services.write_reflection(
            sscope=eve, actor=None, visit=visit, what_i_saw="Boarding all night.", surprised="",
            barriers=[], commitments=[CommitmentDraft("Call 555-123-4567", "eve", in_days(9))],
        )  # fmt: skip
    with pytest.raises(ShadowingError, match="No one with HR id 'olive'"):
        services.write_reflection(
            sscope=eve, actor=None, visit=visit, what_i_saw="Boarding all night.", surprised="",
            barriers=[], commitments=[CommitmentDraft("Fix it", "olive", in_days(9))],
        )  # fmt: skip
    assert not hasattr(visit, "reflection") or visit.reflection is None


def test_ratings_are_shown_only_pooled_over_three_hosts(cast: Cast) -> None:
    from accord.shadowing.models import HostWord

    visit = happened(confirmed_visit(cast))
    services.write_host_word(sscope=sscope(cast, cast.staff_nurse), actor=None, visit=visit,
                             account="", useful=2, engaged=3, would_host_again=False)  # fmt: skip
    pooled = pooled_ratings(HostWord.objects.all())
    assert pooled.hosts == 1 and pooled.useful is None and pooled.would_host_again is None
    page = cast.client_for(cast.executive).get(url(cast, "shadowing")).content.decode()
    assert "Shown once at least three hosts have rated" in page


def test_suggestions_leave_out_a_host_whose_month_is_full(cast: Cast) -> None:
    sam_hosts(cast, limit=1)
    first = a_night(cast, 3)
    other = a_night(cast, 4)
    eve = sscope(cast, cast.executive)
    assert {s.slot.pk for s in suggestions(eve)} >= {first.pk, other.pk}
    services.book_visit(sscope=sscope(cast, cast.nurse_manager), actor=None, slot_id=first.pk)
    same_month = first.starts_at.month == other.starts_at.month
    assert (other.pk in {s.slot.pk for s in suggestions(eve)}) is not same_month


def test_commitments_are_followed_by_their_owner_and_the_unit_visited_and_no_one_else(
    cast: Cast,
) -> None:
    visit = happened(confirmed_visit(cast))
    services.write_reflection(
        sscope=sscope(cast, cast.executive), actor=None, visit=visit, what_i_saw="Boarding.",
        surprised="", barriers=[], notify=False,
        commitments=[CommitmentDraft("Test a single bed line", "nora", in_days(20))],
    )  # fmt: skip
    commitment = Commitment.objects.get()
    page = url(cast, "shadowing-commitments")
    nora = cast.client_for(cast.nurse_manager)  # the owner, and she works in the unit visited
    assert "Test a single bed line" in nora.get(page).content.decode()
    assert nora.get(url(cast, "shadowing-visit", visit.pk)).status_code == 404  # not her visit
    moved = nora.post(url(cast, "shadowing-commitment", commitment.pk), {"status": "done"})
    assert moved["Location"] == page
    assert "Test a single bed line" in cast.client_for(cast.staff_nurse).get(page).content.decode()
    for outsider in (cast.chair, cast.admin):  # another unit; the programme's admin
        assert "Test a single bed line" not in cast.client_for(outsider).get(page).content.decode()
        assert (
            cast.client_for(outsider)
            .post(url(cast, "shadowing-commitment", commitment.pk), {"status": "in_progress"})
            .status_code
            == 404
        )
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.DONE


def test_the_commands_report_coverage_and_remind_to_reflect(cast: Cast, tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from accord.cli import app

    happened(confirmed_visit(cast), hours_ago=3)
    mail.outbox.clear()
    result = CliRunner().invoke(app, ["shadowing", "remind", "--org", "riverside"])
    assert result.exit_code == 0 and "Sent 1 reminder to reflect." in result.output
    [reminder] = mail.outbox
    assert reminder.to == ["eve@riverside.example"] and "within 48 hours" in reminder.body
    again = CliRunner().invoke(app, ["shadowing", "remind", "--org", "riverside"])
    assert "Sent 0 reminders" in again.output  # once per visit
    out = tmp_path / "grid.xlsx"
    shown = CliRunner().invoke(
        app, ["shadowing", "coverage", "--org", "riverside", "--out", str(out)]
    )
    assert shown.exit_code == 0, shown.output
    assert "Visits in the last 12 months: 1" in shown.output and "night: 1" in shown.output
    assert "Reflections on time: 0 of 0" in shown.output  # its 48 hours are not over
    assert "Eve Exec" in shown.output  # the executives against the target
    assert out.read_bytes()[:2] == b"PK"  # an Excel workbook


def test_the_home_page_says_what_waits_in_the_programme(cast: Cast) -> None:
    sam_hosts(cast)
    slot = a_night(cast)
    visit = services.book_visit(sscope=sscope(cast, cast.executive), actor=None, slot_id=slot.pk,
                                notify=False)  # fmt: skip
    home = cast.client_for(cast.staff_nurse).get(reverse("org-home", args=["riverside"]),
                                                 follow=True).content.decode()  # fmt: skip
    assert "Eve Exec asks to shadow you" in home
    services.answer_visit(sscope=sscope(cast, cast.staff_nurse), actor=None, visit=visit,
                          confirm=True, notify=False)  # fmt: skip
    happened(visit, hours_ago=60)  # past the 48 hours to reflect
    home = cast.client_for(cast.executive).get(reverse("org-home", args=["riverside"]),
                                               follow=True).content.decode()  # fmt: skip
    assert "Overdue: your reflection on shadowing Sam Nurse" in home
    services.write_reflection(
        sscope=sscope(cast, cast.executive), actor=None, visit=visit, what_i_saw="Boarding.",
        surprised="", barriers=[], notify=False,
        commitments=[CommitmentDraft("Test a single bed line", "nora", in_days(3))],
    )  # fmt: skip
    Commitment.objects.update(due_on=in_days(-1))
    home = cast.client_for(cast.nurse_manager).get(reverse("org-home", args=["riverside"]),
                                                   follow=True).content.decode()  # fmt: skip
    assert "Overdue: Test a single bed line" in home


def test_the_unit_visited_hears_when_a_commitment_is_done_and_a_feed_can_read_it(
    cast: Cast,
) -> None:
    from accord.shadowing.selectors import commitments_for_units

    visit = happened(confirmed_visit(cast))
    eve = sscope(cast, cast.executive)
    services.write_reflection(
        sscope=eve, actor=None, visit=visit, what_i_saw="Boarding.", surprised="",
        barriers=[], notify=False,
        commitments=[CommitmentDraft("Put a bed manager on nights", "eve", in_days(20))],
    )  # fmt: skip
    home = reverse("org-home", args=["riverside"])
    nora = cast.client_for(cast.nurse_manager)  # she works in ED Nursing, the unit visited
    assert "Put a bed manager on nights" not in nora.get(home, follow=True).content.decode()
    services.update_commitment(sscope=eve, actor=None, commitment=Commitment.objects.get(),
                               status=CommitmentStatus.DONE, notify=False)  # fmt: skip
    told = nora.get(home, follow=True).content.decode()
    assert "From shadowing in your unit: “Put a bed manager on nights” is done" in told
    chad = cast.client_for(cast.chair)  # Emergency, the department above: not the unit visited
    assert "Put a bed manager on nights" not in chad.get(home, follow=True).content.decode()
    since = timezone.now() - dt.timedelta(days=1)
    [row] = commitments_for_units(cast.riverside.pk, [visit.unit_id], since)
    assert (row.what, row.status, row.visitor_name) == ("Put a bed manager on nights", "done",
                                                         "Eve Exec")  # fmt: skip
    assert commitments_for_units(cast.riverside.pk, [], since) == []
    emergency = cast.person("chad").unit  # the department above the unit visited
    assert commitments_for_units(cast.riverside.pk, [emergency.pk], since) == []
