"""Alignment conversations: an invitation with a real calendar file, reminders through the
queue, and outcomes that change the links and the map."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from huey import Huey
from icalendar import Calendar

from accord.goals import services, tasks
from accord.goals.models import Commitment, Conversation, GoalLink, LinkStatus, Resolution
from accord.goals.selectors import ALIGNED, UNKNOWN, UNRESOLVED, alignment_map, team_members
from tests.cast import local_today
from tests.goals.conftest import Story


def schedule(story: Story, **extra) -> Conversation:  # type: ignore[no-untyped-def]
    return services.schedule_conversation(
        organisation=story.cast.riverside, actor=story.cast.chair,
        people=(story.cast.person("chad"), story.cast.person("sue")),
        starts_at=extra.pop("starts_at", timezone.now() + dt.timedelta(days=3)),
        location="Boardroom 2", **extra,
    )  # fmt: skip


@override_settings(ACCORD_BASE_URL="https://accord.example.org")
def test_both_people_get_an_invitation_with_a_calendar_file_and_an_agenda(
    story: Story, immediate_queue: Huey, django_capture_on_commit_callbacks
) -> None:
    services.declare_link(from_goal=story.ed_stay, to_goal=story.readmissions, kind="conflicts",
                          note="Throughput vs quality", actor=None)  # fmt: skip
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        conversation = schedule(story)
    [email] = [m for m in mail.outbox if "Alignment conversation" in m.subject]
    assert sorted(email.to) == ["chad@riverside.example", "sue@riverside.example"]
    assert "Cut ED length of stay" in email.body and "Fewer surgical readmissions" in email.body
    assert (
        f"https://accord.example.org/o/riverside/goals/conversations/{conversation.pk}/"
        in email.body
    )
    [(filename, content, mimetype)] = email.attachments
    assert filename.endswith(".ics") and mimetype.startswith("text/calendar")
    calendar = Calendar.from_ical(content)
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == conversation.uid
    assert event.decoded("DTSTART") == conversation.starts_at.astimezone(dt.UTC)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=45)
    attendees = sorted(str(a) for a in event["ATTENDEE"])
    assert attendees == ["mailto:chad@riverside.example", "mailto:sue@riverside.example"]
    assert "Throughput vs quality" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "Boardroom 2"


def test_reminders_are_queued_and_skip_a_recorded_conversation(
    story: Story, immediate_queue: Huey, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        conversation = schedule(story)
    scheduled = immediate_queue.scheduled()
    kinds = sorted(task.args[1] for task in scheduled if task.args[0] == conversation.pk)
    assert kinds == ["record", "upcoming"]
    mail.outbox.clear()
    assert tasks.remind_about_conversation.call_local(conversation.pk, "upcoming", 0) == 1
    assert "Tomorrow" in mail.outbox[-1].subject
    services.record_conversation(conversation=conversation, actor=None,
                                 held_on=local_today())  # fmt: skip
    assert tasks.remind_about_conversation.call_local(conversation.pk, "record", 0) == 0


@pytest.mark.parametrize(
    ("when", "message"),
    [(-1, "Choose a time in the future")],
)
def test_a_conversation_in_the_past_is_refused(story: Story, when: int, message: str) -> None:
    with pytest.raises(services.GoalsError, match=message):
        schedule(story, starts_at=timezone.now() + dt.timedelta(days=when))
    assert not Conversation.objects.exists()


def test_recording_outcomes_resolves_the_conflict_and_aligns_the_pair(story: Story) -> None:
    link = services.declare_link(from_goal=story.ed_stay, to_goal=story.readmissions,
                                 kind="conflicts", note="Throughput vs quality", actor=None)  # fmt: skip
    people = team_members(story.executive)
    chad, sue = story.cast.person("chad"), story.cast.person("sue")

    def state() -> str:
        pairs = alignment_map(people, team=story.executive).pairs
        return next(p.state for p in pairs if {p.a.pk, p.b.pk} == {chad.pk, sue.pk})

    assert state() == UNRESOLVED
    conversation = schedule(story)
    client = story.cast.client_for(story.cast.chair)
    response = client.post(f"/o/riverside/goals/conversations/{conversation.pk}/record/", {
        "held_on": local_today().isoformat(), "summary": "Agreed a discharge checklist.",
        f"link_{link.pk}": "resolve",
        "commitment_0_owner": str(chad.pk), "commitment_0_text": "Share ED discharge data weekly",
        "commitment_0_due": (local_today() + dt.timedelta(days=30)).isoformat(),
    })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    link.refresh_from_db()
    assert (link.status, link.resolution) == (LinkStatus.CONFIRMED, Resolution.RESOLVED)
    assert Commitment.objects.get().owner == chad
    assert state() == ALIGNED
    # Outside the window the conversation no longer counts.
    later = local_today() + dt.timedelta(days=120)
    pairs = alignment_map(people, team=story.executive, today=later).pairs
    assert next(p.state for p in pairs if {p.a.pk, p.b.pk} == {chad.pk, sue.pk}) != ALIGNED


def test_a_half_filled_commitment_is_refused_and_nothing_is_recorded(story: Story) -> None:
    conversation = schedule(story)
    client = story.cast.client_for(story.cast.chair)
    response = client.post(f"/o/riverside/goals/conversations/{conversation.pk}/record/", {
        "held_on": local_today().isoformat(), "commitment_0_text": "Something",
    })  # fmt: skip
    assert response.status_code == 400
    assert "Say who made this commitment" in response.content.decode()
    conversation.refresh_from_db()
    assert conversation.status == "scheduled"


def test_someone_outside_the_pair_cannot_schedule_for_them(story: Story) -> None:
    eve = story.cast.client_for(story.cast.executive)
    chad, sue = story.cast.person("chad"), story.cast.person("sue")
    response = eve.get(f"/o/riverside/goals/conversations/new/{chad.pk}/?and={sue.pk}")
    assert response.status_code == 403


def test_unknown_pairs_are_the_default(story: Story) -> None:
    alignment = alignment_map(team_members(story.executive), team=story.executive)
    assert {p.state for p in alignment.pairs} >= {UNKNOWN}
    assert GoalLink.objects.count() == 0
