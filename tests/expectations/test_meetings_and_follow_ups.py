"""The meeting (a calendar invitation to both, moved and cancelled as one event, recorded by
each side in their own words), the follow-up cadence chosen there and changed later, the
reminders the queue sends in each person's language, what carries forward to the next round,
a proposal that waits too long, and an admin removing an agreement on request."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from huey import Huey
from icalendar import Calendar

from accord.expectations import services, tasks
from accord.expectations.errors import ExpectationsError
from accord.expectations.models import (
    Agreement,
    AgreementAuditEntry,
    AgreementStatus,
    FollowUp,
    Meeting,
    MeetingStatus,
    Version,
)
from accord.expectations.reminders import remind_due_follow_ups
from accord.expectations.rules import FollowUpAnswerDraft, describe_cadence, parse_cadence
from accord.expectations.selectors import carry_forward
from accord.org.models import Person
from tests.cast import Cast
from tests.expectations.world import SECRET, escope, proposed_agreement

pytestmark = pytest.mark.django_db


def url(cast: Cast, name: str, *args: object) -> str:
    return reverse(name, args=[cast.riverside.slug, *args])


def calendar_of(message: Any) -> Any:
    [(filename, content, mimetype)] = message.attachments
    assert filename == "agreement-meeting.ics" and mimetype.startswith("text/calendar")
    [event] = Calendar.from_ical(content).walk("VEVENT")
    return Calendar.from_ical(content), event


def in_days(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def speaks_spanish(cast: Cast, hr_id: str) -> None:
    person = cast.person(hr_id)
    person.attributes = {**(person.attributes or {}), "language": "es"}
    person.save()


def test_the_meeting_invites_both_in_their_language_moves_and_cancels_as_one_event(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    agreement = proposed_agreement(cast)
    speaks_spanish(cast, "nora")
    chad = cast.client_for(cast.chair)
    form = chad.get(url(cast, "agreement-meeting", agreement.pk)).content.decode()
    assert "Your preparation is never in it" in form
    refused = chad.post(url(cast, "agreement-meeting", agreement.pk),
                        {"date": "2020-01-01", "time": "09:00", "duration_minutes": 45})  # fmt: skip
    assert refused.status_code == 200 and "Choose a date and time in the future" in (
        refused.content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        booked = chad.post(url(cast, "agreement-meeting", agreement.pk),
                           {"date": in_days(3), "time": "10:00", "duration_minutes": 60,
                            "location": "ED office"})  # fmt: skip
    assert booked.status_code == 302
    meeting = Meeting.objects.get(agreement=agreement)
    # One message per person, each in their language, each with the same calendar event.
    assert len(mail.outbox) == 2
    by_person = {message.to[0]: message for message in mail.outbox}
    english, spanish = by_person["chad@riverside.example"], by_person["nora@riverside.example"]
    assert english.subject.startswith("Agreement meeting: ")
    assert spanish.subject.startswith("Reunión de acuerdo: ") and "Orden del día" in spanish.body
    for message in (english, spanish):
        calendar, event = calendar_of(message)
        assert calendar["METHOD"] == "REQUEST" and str(event["UID"]) == meeting.uid
        assert int(event["SEQUENCE"]) == 0 and str(event["LOCATION"]) == "ED office"
        assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=60)
        attendees = sorted(str(a) for a in event["ATTENDEE"])
        assert attendees == ["mailto:chad@riverside.example", "mailto:nora@riverside.example"]
        # The agenda: the context, the expectations in hand — never the preparation.
        assert "Nights are where we lose nurses." in message.body
        assert "Publish the night rota two weeks ahead" in message.body
        assert SECRET not in message.body and SECRET not in str(event["DESCRIPTION"])
    assert "I never made clear the rota was yours to run." in meeting.agenda

    # Nora may not move or cancel it; Chad moves it, and both calendars move the same event.
    nora = cast.client_for(cast.nurse_manager)
    assert nora.get(url(cast, "agreement-meeting-move", meeting.pk)).status_code == 403
    nora.post(url(cast, "agreement-meeting-cancel", meeting.pk))
    assert Meeting.objects.get().status == MeetingStatus.SCHEDULED
    mail.outbox.clear()
    same = chad.post(url(cast, "agreement-meeting-move", meeting.pk),
                     {"date": in_days(3), "time": "10:00", "duration_minutes": 60,
                      "location": "ED office"})  # fmt: skip
    assert "That is when and where it already is" in same.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        chad.post(url(cast, "agreement-meeting-move", meeting.pk),
                  {"date": in_days(4), "time": "11:30", "duration_minutes": 45})  # fmt: skip
    assert len(mail.outbox) == 2
    assert {m.subject.split(":")[0] for m in mail.outbox} == {"Moved", "Cambio de hora"}
    _, moved = calendar_of(mail.outbox[0])
    assert str(moved["UID"]) == meeting.uid and int(moved["SEQUENCE"]) == 1
    # The invitation queued before the move stays quiet when its turn comes.
    assert tasks.deliver_meeting_invitation.call_local(meeting.pk, 0) == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        chad.post(url(cast, "agreement-meeting-cancel", meeting.pk))
    assert len(mail.outbox) == 2
    calendar, cancelled = calendar_of(mail.outbox[0])
    assert calendar["METHOD"] == "CANCEL" and int(cancelled["SEQUENCE"]) == 2
    assert Meeting.objects.get().status == MeetingStatus.CANCELLED
    actions = list(
        AgreementAuditEntry.objects.filter(action__startswith="meeting.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["meeting.cancel", "meeting.reschedule", "meeting.schedule"]


def test_each_side_records_the_meeting_once_in_their_own_words(cast: Cast) -> None:
    agreement = proposed_agreement(cast)
    chad, nora = escope(cast, cast.chair), escope(cast, cast.nurse_manager)
    meeting = services.schedule_meeting(escope=chad, actor=None, agreement=agreement,
                                        starts_at=timezone.now() + dt.timedelta(hours=1),
                                        notify=False)  # fmt: skip
    with pytest.raises(ExpectationsError, match="record it once it has begun"):
        services.record_meeting(escope=chad, actor=None, meeting=meeting, working="x",
                                could_improve="")  # fmt: skip
    with pytest.raises(ExpectationsError, match="already scheduled"):
        services.schedule_meeting(escope=chad, actor=None, agreement=agreement,
                                  starts_at=timezone.now() + dt.timedelta(days=1), notify=False)  # fmt: skip
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    client = cast.client_for(cast.nurse_manager)
    page = client.get(url(cast, "agreement", agreement.pk)).content.decode()
    assert "Your record of the meeting, in your own words" in page
    empty = client.post(url(cast, "agreement-meeting-record", meeting.pk), {"working": " "})
    assert empty.status_code == 400 and "What is working" in empty.content.decode()
    nul = client.post(url(cast, "agreement-meeting-record", meeting.pk),
                      {"working": "Fine\x00", "could_improve": ""})  # fmt: skip
    assert nul.status_code == 400
    saved = client.post(url(cast, "agreement-meeting-record", meeting.pk),
                        {"working": "The huddles", "could_improve": "Start on time"})  # fmt: skip
    assert saved.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    with pytest.raises(ExpectationsError, match="recorded this meeting already"):
        services.record_meeting(escope=nora, actor=None, meeting=meeting, working="Again",
                                could_improve="")  # fmt: skip
    services.record_meeting(escope=chad, actor=None, meeting=meeting, working="Nora's rota",
                            could_improve="My cover")  # fmt: skip
    shown = cast.client_for(cast.chair).get(url(cast, "agreement", agreement.pk)).content.decode()
    assert "The huddles" in shown and "Nora&#x27;s rota" in shown
    assert "Your record of the meeting" not in shown  # both have written


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "Give when to follow up"),
        ("4h, 2x", "is not a time after the acceptance"),
        ("2d, 1d", "from the soonest to the latest"),
        ("0h", "1 hour to 52 weeks"),
        ("53w", "1 hour to 52 weeks"),
        (", ".join(f"{n}d" for n in range(1, 12)), "At most 10 follow-ups"),
    ],
)
def test_a_cadence_that_cannot_work_is_refused_in_plain_words(text: str, problem: str) -> None:
    hours, problems = parse_cadence(text)
    assert hours == [] and problem in problems[0][1]


def test_the_cadence_reads_back_as_written() -> None:
    hours, problems = parse_cadence("4h, 2d; 1W, 2w,4w")
    assert problems == [] and hours == [4, 48, 168, 336, 672]
    assert describe_cadence(hours) == "4h, 2d, 1w, 2w, 4w"


def test_the_cadence_chosen_at_the_meeting_sets_the_follow_ups_and_can_change_later(
    cast: Cast,
) -> None:
    agreement = proposed_agreement(cast)
    chad, nora = escope(cast, cast.chair), escope(cast, cast.nurse_manager)
    with pytest.raises(ExpectationsError, match="The leader sets the follow-up cadence"):
        services.set_cadence(escope=nora, actor=None, agreement=agreement, cadence="1d")
    services.set_cadence(escope=chad, actor=None, agreement=agreement, cadence="1d, 1w")
    services.accept(escope=nora, actor=None, agreement=agreement, number=1)
    accepted = Version.objects.get(agreement=agreement, number=1)
    assert accepted.accepted_at is not None
    offsets = [f.due_at - accepted.accepted_at for f in FollowUp.objects.order_by("due_at")]
    assert offsets == [dt.timedelta(days=1), dt.timedelta(weeks=1)]
    # Two days on, the first has fallen due and been answered by one side: it stays, and the
    # follow-ups still to come move to the new cadence (whose first point is past).
    two_days = dt.timedelta(days=2)
    Version.objects.filter(pk=accepted.pk).update(accepted_at=accepted.accepted_at - two_days)
    FollowUp.objects.update(due_at=F("due_at") - two_days, answer_by=F("answer_by") - two_days)
    accepted.refresh_from_db()
    assert accepted.accepted_at is not None
    first = FollowUp.objects.order_by("due_at").first()
    assert first is not None
    FollowUp.objects.filter(pk=first.pk).update(leader_answered_at=timezone.now())
    agreement.refresh_from_db()
    services.set_cadence(escope=chad, actor=None, agreement=agreement, cadence="1d, 2w, 4w")
    kept = FollowUp.objects.order_by("due_at")
    assert kept[0].pk == first.pk
    assert [f.due_at - accepted.accepted_at for f in kept[1:]] == [
        dt.timedelta(weeks=2), dt.timedelta(weeks=4)
    ]  # fmt: skip
    page = cast.client_for(cast.chair).get(url(cast, "agreement", agreement.pk)).content.decode()
    assert 'value="1d, 2w, 4w"' in page


def test_a_follow_up_that_falls_due_is_reminded_once_to_whoever_has_not_answered(
    cast: Cast,
) -> None:
    agreement = proposed_agreement(cast)
    speaks_spanish(cast, "nora")
    services.accept(escope=escope(cast, cast.nurse_manager), actor=None,
                    agreement=agreement, number=1)  # fmt: skip
    first, second, *_ = FollowUp.objects.order_by("due_at")
    now = timezone.now()
    FollowUp.objects.filter(pk=first.pk).update(due_at=now - dt.timedelta(minutes=5),
                                                leader_answered_at=now)  # fmt: skip
    # Long past its time to answer: missed, not reminded.
    FollowUp.objects.filter(pk=second.pk).update(
        due_at=now - dt.timedelta(days=5), answer_by=now - dt.timedelta(days=3)
    )
    mail.outbox.clear()
    assert remind_due_follow_ups() == 1
    [reminder] = mail.outbox
    assert reminder.to == ["nora@riverside.example"]
    assert reminder.subject == "Seguimiento pendiente: Running the night shift"
    assert f"/expectations/{agreement.pk}/" in reminder.body
    assert remind_due_follow_ups() == 0  # once
    assert tasks.remind_follow_ups.call_local() == 0


def test_the_remind_command_sends_the_due_reminders_now(cast: Cast) -> None:
    from typer.testing import CliRunner

    from accord.cli import app

    agreement = proposed_agreement(cast)
    services.accept(escope=escope(cast, cast.nurse_manager), actor=None,
                    agreement=agreement, number=1)  # fmt: skip
    FollowUp.objects.filter(pk=FollowUp.objects.order_by("due_at")[0].pk).update(
        due_at=timezone.now() - dt.timedelta(minutes=1)
    )
    mail.outbox.clear()
    result = CliRunner().invoke(app, ["expectations", "remind", "--org", "riverside"])
    assert result.exit_code == 0, result.output
    assert "Sent 2 follow-up reminders." in result.output and len(mail.outbox) == 2
    shown = CliRunner().invoke(app, ["expectations", "show", "--org", "riverside",
                                     "--agreement", str(agreement.pk)])  # fmt: skip
    assert shown.exit_code == 0, shown.output
    assert "Accepted" in shown.output and "Nora" in shown.output
    assert "Running the night shift" not in shown.output  # the topic is theirs
    assert "Publish the night rota" not in shown.output
    missing = CliRunner().invoke(app, ["expectations", "show", "--org", "riverside",
                                       "--agreement", "99999999999999999999"])  # fmt: skip
    assert missing.exit_code != 0 and "--agreement" in missing.output


def test_a_review_starts_from_the_version_in_force_and_carries_forward_what_is_open(
    cast: Cast,
) -> None:
    agreement = proposed_agreement(cast)
    chad, nora = escope(cast, cast.chair), escope(cast, cast.nurse_manager)
    services.accept(escope=nora, actor=None, agreement=agreement, number=1)
    now = timezone.now()
    # Every follow-up done: the review is proposed on the page.
    FollowUp.objects.update(due_at=now - dt.timedelta(days=1), leader_answered_at=now,
                            colleague_answered_at=now)  # fmt: skip
    page = cast.client_for(cast.chair).get(url(cast, "agreement", agreement.pk)).content.decode()
    assert "time to review the agreement together" in page and "Open the review" in page
    with pytest.raises(ExpectationsError, match="The leader opens a review"):
        services.start_review(escope=nora, actor=None, agreement=agreement)
    response = cast.client_for(cast.chair).post(url(cast, "agreement-review", agreement.pk))
    assert response["Location"] == url(cast, "agreement-draft", agreement.pk)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.PREPARING
    draft = Version.objects.get(agreement=agreement, number=2)
    assert [i.what for i in draft.items.all()] == [
        i.what for i in Version.objects.get(agreement=agreement, number=1).items.all()
    ]
    carried = carry_forward(agreement)
    assert carried is not None and carried.same_agreement and carried.version.number == 1
    assert {c.state for c in carried.items} == {"open"}  # not yet due
    shown = (
        cast.client_for(cast.nurse_manager)
        .get(url(cast, "agreement", agreement.pk))
        .content.decode()
    )
    assert "Last time" in shown and "Still open" in shown
    # A new agreement between the same two carries forward from this one.
    other = services.start_agreement(escope=nora, actor=None, colleague_hr_id="chad",
                                     relationship="manager", topic="My development")  # fmt: skip
    found = carry_forward(other)
    assert found is not None and not found.same_agreement and found.version.agreement == agreement
    # Not for anyone else's agreements.
    unrelated = services.start_agreement(escope=chad, actor=None, colleague_hr_id="eve",
                                         relationship="peer", topic="Beds")  # fmt: skip
    assert carry_forward(unrelated) is None


def test_a_proposal_shows_as_waiting_after_the_organisations_working_days(cast: Cast) -> None:
    agreement = proposed_agreement(cast)
    Version.objects.filter(agreement=agreement).update(
        proposed_at=timezone.now() - dt.timedelta(days=14)
    )
    page = cast.client_for(cast.chair).get(url(cast, "agreement", agreement.pk)).content.decode()
    assert "longer than the 2 agreed here" in page
    admin = cast.client_for(cast.admin)
    assert (
        admin.post(url(cast, "agreements-settings"), {"answer_within_days": "0"}).status_code == 200
    )
    saved = admin.post(url(cast, "agreements-settings"), {"answer_within_days": "30"})
    assert saved.status_code == 302
    page = cast.client_for(cast.chair).get(url(cast, "agreement", agreement.pk)).content.decode()
    assert "waiting " in page and "longer than the" not in page
    assert cast.client_for(cast.chair).get(url(cast, "agreements-settings")).status_code == 403


def test_an_admin_removes_an_agreement_on_request_without_reading_it(cast: Cast) -> None:
    agreement = proposed_agreement(cast)
    admin = cast.client_for(cast.admin)
    assert admin.get(url(cast, "agreement", agreement.pk)).status_code == 404
    wrong = admin.post(url(cast, "agreements-remove"), {
        "agreement": agreement.pk, "leader": "nora", "colleague": "chad", "reason": "Asked"
    })  # fmt: skip
    assert wrong.status_code == 200 and "No agreement" in wrong.content.decode()
    no_reason = admin.post(url(cast, "agreements-remove"), {
        "agreement": agreement.pk, "leader": "chad", "colleague": "nora", "reason": ""
    })  # fmt: skip
    assert no_reason.status_code == 200 and Agreement.objects.filter(pk=agreement.pk).exists()
    done = admin.post(url(cast, "agreements-remove"), {
        "agreement": agreement.pk, "leader": "CHAD", "colleague": "nora",
        "reason": "Asked by Nora on 3 May",
    })  # fmt: skip
    assert done.status_code == 302
    assert not Agreement.objects.filter(pk=agreement.pk).exists()
    assert not Version.objects.filter(agreement_id=agreement.pk).exists()
    entry = AgreementAuditEntry.objects.get(action="agreement.remove")
    assert entry.actor == cast.admin and "Asked by Nora on 3 May" in entry.summary
    assert Person.objects.filter(external_id="nora").exists()
    chair = cast.client_for(cast.chair)
    assert chair.post(url(cast, "agreements-remove"), {}).status_code == 403


def test_an_accepted_expectation_becomes_its_owners_goal_in_one_step_and_stays_linked(
    cast: Cast,
) -> None:
    from accord.expectations.models import Item
    from accord.goals.models import Goal

    agreement = proposed_agreement(cast)
    chad, nora = escope(cast, cast.chair), escope(cast, cast.nurse_manager)
    item = Item.objects.filter(version__agreement=agreement).order_by("position").first()
    assert item is not None
    with pytest.raises(ExpectationsError, match="Only an accepted expectation"):
        services.make_goal(escope=nora, actor=None, item=item, metric_name="Huddles held",
                           baseline=Decimal(0), target=Decimal(90))  # fmt: skip
    services.accept(escope=nora, actor=None, agreement=agreement, number=1)
    item.refresh_from_db()
    with pytest.raises(ExpectationsError, match="Nora Manager's: they make it their goal"):
        services.make_goal(escope=chad, actor=None, item=item, metric_name="Huddles held",
                           baseline=Decimal(0), target=Decimal(90))  # fmt: skip
    client = cast.client_for(cast.nurse_manager)
    page = client.get(url(cast, "agreement", agreement.pk)).content.decode()
    assert "Goals from this agreement" in page and "Make it my goal" in page
    prefix = f"goal-{item.pk}"
    same = client.post(url(cast, "agreement-item-goal", item.pk), {
        f"{prefix}-metric_name": "Huddles held", f"{prefix}-baseline": "5",
        f"{prefix}-target": "5"})  # fmt: skip
    assert same.status_code == 400 and "differs from the baseline" in same.content.decode()
    made = client.post(url(cast, "agreement-item-goal", item.pk), {
        f"{prefix}-metric_name": "Shifts with a huddle (%)", f"{prefix}-baseline": "20",
        f"{prefix}-target": "90"})  # fmt: skip
    assert made.status_code == 302
    item.refresh_from_db()
    goal = Goal.objects.get(pk=item.goal_id)
    assert goal.owner == cast.person("nora") and goal.title == item.what
    assert goal.due_date == item.due_on and goal.target == 90 and goal.direction == "increase"
    page = client.get(url(cast, "agreement", agreement.pk)).content.decode()
    assert reverse("goal-detail", args=[cast.riverside.slug, goal.pk]) in page
    with pytest.raises(ExpectationsError, match="a goal already"):
        services.make_goal(escope=nora, actor=None, item=item, metric_name="Again",
                           baseline=Decimal(0), target=Decimal(1))  # fmt: skip
    # Chad, her manager, sees the goal through the goals app as any goal of hers.
    assert (
        cast.client_for(cast.chair)
        .get(reverse("goal-detail", args=[cast.riverside.slug, goal.pk]))
        .status_code
        == 200
    )
    assert AgreementAuditEntry.objects.filter(action="item.goal").count() == 1


def test_a_follow_up_answered_after_its_time_reads_as_late_not_done(cast: Cast) -> None:
    agreement = proposed_agreement(cast)
    nora = escope(cast, cast.nurse_manager)
    services.accept(escope=nora, actor=None, agreement=agreement, number=1)
    first = FollowUp.objects.order_by("due_at")[0]
    now = timezone.now()
    FollowUp.objects.filter(pk=first.pk).update(
        due_at=now - dt.timedelta(days=4), answer_by=now - dt.timedelta(days=2),
        leader_answered_at=now - dt.timedelta(days=3),
    )  # fmt: skip
    first.refresh_from_db()
    answers = [FollowUpAnswerDraft(item.pk, True, True) for item in first.version.items.all()]
    services.answer_follow_up(escope=nora, actor=None, follow_up=first, answers=answers)
    page = cast.client_for(cast.chair).get(url(cast, "agreement", agreement.pk)).content.decode()
    assert "Done late" in page and "Done by both" not in page


def test_a_note_with_a_control_character_is_refused_on_the_page_not_a_crash(cast: Cast) -> None:
    agreement = proposed_agreement(cast)
    concern = services.add_concern(escope=escope(cast, cast.nurse_manager), actor=None,
                                   agreement=agreement, text="When?")  # fmt: skip
    client = cast.client_for(cast.chair)
    response = client.post(url(cast, "agreement-concern-address", concern.pk),
                           {"note": "Done\x07"}, follow=True)  # fmt: skip
    assert response.status_code == 200 and "control character" in response.content.decode()
    concern.refresh_from_db()
    assert concern.addressed_at is None


def test_accord_drafts_an_opening_that_owns_the_leaders_part_for_him_to_edit(cast: Cast) -> None:
    chad = escope(cast, cast.chair)
    agreement = services.start_agreement(escope=chad, actor=None, colleague_hr_id="nora",
                                         relationship="direct_report", topic="Night rota")  # fmt: skip
    draft = url(cast, "agreement-draft", agreement.pk)
    blank = cast.client_for(cast.chair).get(draft).content.decode()
    assert "Nora, before we get to what I expect" in blank
    assert "[what I asked, said or left unsaid]" in blank and "not a verdict on you" in blank
    services.save_preparation(escope=chad, actor=cast.chair, agreement=agreement, ratings={},
                              notes={"own_part": "I never said the rota was hers"})  # fmt: skip
    own = cast.client_for(cast.chair).get(draft).content.decode()
    assert "how things stand on “Night rota”: I never said the rota was hers." in own
    assert cast.client_for(cast.nurse_manager).get(draft).status_code == 403
    assert Version.objects.get(agreement=agreement).opening == ""  # only if he saves it
