"""Moving and cancelling an alignment conversation, and the commitments made in one: both
people are emailed, calendars update the same event, every change is audited."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from huey import Huey
from icalendar import Calendar
from typer.testing import CliRunner

from accord.access.models import User
from accord.cli import app
from accord.goals import services, tasks
from accord.goals.models import AuditEntry, Commitment, Conversation, ConversationStatus
from accord.goals.selectors import alignment_map, team_members
from tests.api.conftest import TokenClient
from tests.goals.conftest import Story

SLUG = "riverside"


def url(name: str, *args: object) -> str:
    return reverse(name, args=[SLUG, *args])


def schedule(story: Story, days: int = 3) -> Conversation:
    return services.schedule_conversation(
        organisation=story.cast.riverside, actor=story.cast.chair,
        people=(story.cast.person("chad"), story.cast.person("sue")),
        starts_at=timezone.now() + dt.timedelta(days=days), location="Boardroom 2",
    )  # fmt: skip


def calendar_of(message: Any) -> tuple[Calendar, Any]:
    [(filename, content, mimetype)] = message.attachments
    assert filename.endswith(".ics") and mimetype.startswith("text/calendar")
    calendar = Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def in_days(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


# Moving a conversation ---------------------------------------------------------------------


def test_a_moved_conversation_sends_both_people_the_same_event_with_a_higher_sequence(
    story: Story, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        conversation = schedule(story)
    [invitation] = mail.outbox
    _, first = calendar_of(invitation)
    mail.outbox.clear()
    client = story.cast.client_for(story.cast.chair)
    assert client.get(url("conversation-reschedule", conversation.pk)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("conversation-reschedule", conversation.pk), {
            "date": in_days(10), "time": "14:30", "duration_minutes": 60, "location": "Room 5",
        })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[-2000:]
    [update] = mail.outbox
    assert sorted(update.to) == ["chad@riverside.example", "sue@riverside.example"]
    assert update.subject.startswith("Moved: ")
    calendar, event = calendar_of(update)
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == str(first["UID"]) == conversation.uid
    assert int(event["SEQUENCE"]) == int(first["SEQUENCE"]) + 1 == 1
    conversation.refresh_from_db()
    assert event.decoded("DTSTART") == conversation.starts_at.astimezone(dt.UTC)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=60)
    assert str(event["LOCATION"]) == "Room 5"
    entry = AuditEntry.objects.get(action="conversation.reschedule")
    assert entry.actor == story.cast.chair
    assert set(entry.changes) == {"starts_at", "duration_minutes", "location"}
    assert entry.changes["location"] == ["Boardroom 2", "Room 5"]
    # Reminders queued for the old time stay quiet; new ones carry the new sequence.
    assert tasks.remind_about_conversation.call_local(conversation.pk, "upcoming", 0) == 0
    assert tasks.remind_about_conversation.call_local(conversation.pk, "upcoming", 1) == 1
    kinds = sorted(t.args[1:] for t in immediate_queue.scheduled() if t.args[0] == conversation.pk)
    assert ("upcoming", 1) in kinds and ("record", 1) in kinds


def test_an_invitation_overtaken_by_a_move_is_not_sent(story: Story) -> None:
    conversation = schedule(story)
    services.reschedule_conversation(conversation=conversation, actor=None,
                                     starts_at=timezone.now() + dt.timedelta(days=5))  # fmt: skip
    mail.outbox.clear()
    assert tasks.deliver_invitation.call_local(conversation.pk, 0) == 0
    assert tasks.deliver_invitation.call_local(conversation.pk, 1) == 1


def test_moving_into_the_past_is_refused_and_changes_nothing(story: Story) -> None:
    conversation = schedule(story)
    client = story.cast.client_for(story.cast.chair)
    response = client.post(url("conversation-reschedule", conversation.pk),
                           {"date": in_days(-2), "time": "10:00", "duration_minutes": 45})  # fmt: skip
    assert response.status_code == 400
    assert "Choose a date and time in the future." in response.content.decode()
    with pytest.raises(services.GoalsError, match="already is") as refused:
        services.reschedule_conversation(conversation=conversation, actor=None,
                                         starts_at=conversation.starts_at)  # fmt: skip
    assert refused.value.field == "starts_at"
    conversation.refresh_from_db()
    assert conversation.sequence == 0
    assert not AuditEntry.objects.filter(action="conversation.reschedule").exists()


# Cancelling ----------------------------------------------------------------------------------


def test_a_cancelled_conversation_sends_both_people_a_calendar_cancellation(
    story: Story, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        conversation = schedule(story)
    mail.outbox.clear()
    client = story.cast.client_for(story.cast.chair)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("conversation-cancel", conversation.pk),
                               {"note": "Sue is on call that week."})  # fmt: skip
    assert response.status_code == 302
    [message] = mail.outbox
    assert sorted(message.to) == ["chad@riverside.example", "sue@riverside.example"]
    assert message.subject.startswith("Cancelled: ")
    assert "Sue is on call that week." in message.body
    calendar, event = calendar_of(message)
    assert calendar["METHOD"] == "CANCEL"
    assert str(event["UID"]) == conversation.uid
    assert int(event["SEQUENCE"]) == 1
    assert str(event["STATUS"]) == "CANCELLED"
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.CANCELLED
    assert conversation.cancelled_at is not None
    entry = AuditEntry.objects.get(action="conversation.cancel")
    assert entry.changes["note"] == "Sue is on call that week."
    # Its reminders stay quiet, it cannot be recorded or moved, and the map forgets it.
    assert tasks.remind_about_conversation.call_local(conversation.pk, "upcoming", 1) == 0
    with pytest.raises(services.GoalsError, match="was cancelled"):
        services.record_conversation(conversation=conversation, actor=None,
                                     held_on=timezone.localdate())  # fmt: skip
    with pytest.raises(services.GoalsError, match="was cancelled"):
        services.reschedule_conversation(conversation=conversation, actor=None,
                                         starts_at=timezone.now() + dt.timedelta(days=4))  # fmt: skip
    pairs = alignment_map(team_members(story.executive), team=story.executive).pairs
    assert all(p.next_conversation is None for p in pairs)
    page = client.get(url("conversation-detail", conversation.pk)).content.decode()
    assert "Record the conversation" not in page and "Cancel the conversation" not in page
    ics = client.get(url("conversation-ics", conversation.pk)).content
    assert Calendar.from_ical(ics)["METHOD"] == "CANCEL"


def test_a_held_conversation_cannot_be_cancelled(story: Story) -> None:
    conversation = schedule(story)
    services.record_conversation(conversation=conversation, actor=None,
                                 held_on=timezone.localdate())  # fmt: skip
    response = story.cast.client_for(story.cast.chair).post(
        url("conversation-cancel", conversation.pk), {"note": ""}
    )
    assert response.status_code == 400
    assert "already been held" in response.content.decode()
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.HELD


def test_only_the_people_the_organiser_or_an_admin_change_a_conversation(story: Story) -> None:
    conversation = schedule(story)
    eve = story.cast.client_for(story.cast.executive)  # sees every conversation
    assert eve.get(url("conversation-detail", conversation.pk)).status_code == 200
    assert eve.post(url("conversation-cancel", conversation.pk)).status_code == 403
    assert eve.get(url("conversation-reschedule", conversation.pk)).status_code == 403
    nora = story.cast.client_for(story.cast.nurse_manager)
    assert nora.post(url("conversation-cancel", conversation.pk)).status_code == 404
    outsider = story.cast.client_for(story.cast.outsider)
    assert outsider.post(url("conversation-cancel", conversation.pk)).status_code == 404
    admin = story.cast.client_for(story.cast.admin)
    assert admin.post(url("conversation-cancel", conversation.pk)).status_code == 302
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.CANCELLED


# Commitments --------------------------------------------------------------------------------


def held_with_commitment(story: Story) -> Commitment:
    conversation = schedule(story)
    services.record_conversation(
        conversation=conversation, actor=None, held_on=timezone.localdate(),
        commitments=[services.NewCommitment(story.cast.person("sue"), "Share readmission data",
                                            timezone.localdate() + dt.timedelta(days=30))],
    )  # fmt: skip
    return Commitment.objects.get()


def test_a_commitment_is_marked_done_and_reopened_and_both_are_audited(story: Story) -> None:
    commitment = held_with_commitment(story)
    client = story.cast.client_for(story.cast.chair)
    page = client.get(url("conversation-detail", commitment.conversation_id)).content.decode()
    assert "Mark done" in page
    response = client.post(url("commitment-mark", commitment.pk), {"done": "1"})
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.is_done
    page = client.get(url("conversation-detail", commitment.conversation_id)).content.decode()
    assert "Not done after all" in page
    assert client.post(url("commitment-mark", commitment.pk), {"done": "0"}).status_code == 302
    commitment.refresh_from_db()
    assert not commitment.is_done
    actions = list(
        AuditEntry.objects.filter(target_type="Commitment").values_list("action", flat=True)
    )
    assert sorted(actions) == ["commitment.done", "commitment.reopen"]
    # Nothing but 1 or 0 is an answer.
    assert client.post(url("commitment-mark", commitment.pk), {"done": "yes"}).status_code == 302
    assert AuditEntry.objects.filter(target_type="Commitment").count() == 2


def test_only_those_who_may_change_the_conversation_mark_its_commitments(story: Story) -> None:
    commitment = held_with_commitment(story)
    eve = story.cast.client_for(story.cast.executive)
    assert eve.post(url("commitment-mark", commitment.pk), {"done": "1"}).status_code == 403
    sam = story.cast.client_for(story.cast.staff_nurse)
    assert sam.post(url("commitment-mark", commitment.pk), {"done": "1"}).status_code == 404
    commitment.refresh_from_db()
    assert not commitment.is_done


# The API -------------------------------------------------------------------------------------


def test_a_conversation_is_scheduled_moved_recorded_and_its_commitment_done_through_the_api(
    story: Story, token_client: Callable[[User], TokenClient]
) -> None:
    chad = token_client(story.cast.chair).client
    sue = story.cast.person("sue")
    link = services.declare_link(from_goal=story.ed_stay, to_goal=story.readmissions,
                                 kind="conflicts", note="Throughput vs quality", actor=None)  # fmt: skip
    starts = (timezone.now() + dt.timedelta(days=3)).replace(microsecond=0)
    response = chad.post("/api/conversations", {
        "person_ids": [sue.pk], "starts_at": starts.isoformat(), "location": "Room 1",
        "team_id": story.executive.pk,
    }, content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    cid = body["id"]
    assert sorted(body["person_ids"]) == sorted([story.cast.person("chad").pk, sue.pk])
    assert (body["status"], body["sequence"], body["team_id"]) == (
        "scheduled",
        0,
        story.executive.pk,
    )
    assert "Throughput vs quality" in body["agenda"]
    moved = (starts + dt.timedelta(days=2)).isoformat()
    response = chad.post(f"/api/conversations/{cid}/reschedule", {"starts_at": moved},
                         content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["sequence"] == 1
    assert response.json()["location"] == "Room 1"
    response = chad.post(f"/api/conversations/{cid}/record", {
        "held_on": timezone.localdate().isoformat(), "summary": "Agreed a checklist.",
        "link_outcomes": [{"link_id": link.pk, "action": "resolve"}],
        "commitments": [{"owner_id": sue.pk, "text": "Share data", "due_date": "2026-12-01"}],
    }, content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.content
    [commitment] = response.json()["commitments"]
    assert response.json()["status"] == "held"
    link.refresh_from_db()
    assert link.resolution == "resolved"
    response = chad.patch(f"/api/conversations/{cid}/commitments/{commitment['id']}",
                          {"done": True}, content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.content
    assert response.json()["done_at"] is not None
    assert [c["id"] for c in token_client(story.cast.chair).items("/api/conversations")] == [cid]
    assert chad.get(f"/api/conversations/{cid}").json()["commitments"][0]["done_at"]


def test_a_conversation_is_cancelled_through_the_api(
    story: Story, token_client: Callable[[User], TokenClient]
) -> None:
    conversation = schedule(story)
    chad = token_client(story.cast.chair).client
    response = chad.post(f"/api/conversations/{conversation.pk}/cancel", {"note": "Clash"},
                         content_type="application/json")  # fmt: skip
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["sequence"]) == ("cancelled", 1)
    response = chad.post(f"/api/conversations/{conversation.pk}/cancel", {},
                         content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    assert "was cancelled" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"starts_at": "2026-06-30T10:00:00"}, "starts_at"),  # no time zone
        ({"starts_at": "2001-06-30T10:00:00Z"}, "starts_at"),  # the past
        ({"starts_at": "2099-06-30T10:00:00Z", "duration_minutes": 4}, "duration_minutes"),
        ({"starts_at": "2099-06-30T10:00:00Z", "location": "x" * 201}, "location"),
        ({"starts_at": None}, "starts_at"),
        ({"starts_at": "soon"}, "starts_at"),
    ],
)
def test_a_bad_new_time_is_a_422_naming_the_field_and_changes_nothing(
    story: Story, token_client: Callable[[User], TokenClient], body: dict[str, Any], field: str
) -> None:
    conversation = schedule(story)
    response = token_client(story.cast.chair).client.post(
        f"/api/conversations/{conversation.pk}/reschedule", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == field
    conversation.refresh_from_db()
    assert conversation.sequence == 0


def test_recording_through_the_api_refuses_links_and_people_outside_the_pair(
    story: Story, token_client: Callable[[User], TokenClient]
) -> None:
    conversation = schedule(story)
    elsewhere = services.declare_link(from_goal=story.nurse_hours, to_goal=story.staffing,
                                      kind="conflicts", note="cost vs staffing", actor=None)  # fmt: skip
    chad = token_client(story.cast.chair).client
    path = f"/api/conversations/{conversation.pk}/record"
    today = timezone.localdate().isoformat()
    response = chad.post(path, {"held_on": today, "link_outcomes": [
        {"link_id": elsewhere.pk, "action": "resolve"}]}, content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "link_outcomes"
    response = chad.post(path, {"held_on": today, "commitments": [
        {"owner_id": story.cast.person("pia").pk, "text": "x", "due_date": "2026-12-01"}]},
        content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "commitments"
    response = chad.post(path, {"held_on": today, "commitments": [
        {"owner_id": story.cast.person("sue").pk, "text": "x", "due_date": "2400-12-01"}]},
        content_type="application/json")  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "commitments"
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.SCHEDULED
    elsewhere.refresh_from_db()
    assert elsewhere.resolution == ""


def test_another_organisations_conversation_is_a_404_through_the_api(
    story: Story, token_client: Callable[[User], TokenClient]
) -> None:
    conversation = schedule(story)
    commitment_path = f"/api/conversations/{conversation.pk}/commitments/1"
    olive = token_client(story.cast.outsider).client
    for method, path in (
        ("get", f"/api/conversations/{conversation.pk}"),
        ("post", f"/api/conversations/{conversation.pk}/cancel"),
        ("post", f"/api/conversations/{conversation.pk}/reschedule"),
        ("post", f"/api/conversations/{conversation.pk}/record"),
        ("patch", commitment_path),
    ):
        body = {"starts_at": "2099-01-01T10:00:00Z", "held_on": "2026-01-01", "done": True}
        response = getattr(olive, method)(path, body, content_type="application/json")
        assert response.status_code == 404, (method, path, response.content)
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.SCHEDULED


# The command line ----------------------------------------------------------------------------


def accord(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_a_conversation_is_moved_and_cancelled_from_the_command_line(story: Story) -> None:
    conversation = schedule(story)
    at = (timezone.localtime() + dt.timedelta(days=6)).strftime("%Y-%m-%dT10:00")
    result = accord("goals", "conversation", "reschedule", str(conversation.pk), "--org", SLUG,
                    "--at", at, "--duration", "30")  # fmt: skip
    assert result.exit_code == 0, result.output
    conversation.refresh_from_db()
    assert (conversation.sequence, conversation.duration_minutes) == (1, 30)
    result = accord("goals", "conversation", "reschedule", str(conversation.pk), "--org", SLUG,
                    "--at", "tomorrow")  # fmt: skip
    assert result.exit_code == 1 and "--at:" in result.output
    result = accord("goals", "conversation", "list", "--org", SLUG, "--person", "sue")
    assert result.exit_code == 0 and "Chad Chair and Sue" in result.output
    result = accord("goals", "conversation", "cancel", str(conversation.pk), "--org", SLUG,
                    "--note", "Clash")  # fmt: skip
    assert result.exit_code == 0, result.output
    conversation.refresh_from_db()
    assert conversation.status == ConversationStatus.CANCELLED
    assert AuditEntry.objects.filter(action="conversation.cancel",
                                     actor_label="command line").exists()  # fmt: skip
    result = accord("goals", "conversation", "cancel", str(conversation.pk), "--org", "lakeview")
    assert result.exit_code == 1 and "no conversation" in result.output


def test_a_commitment_is_marked_done_from_the_command_line(story: Story) -> None:
    commitment = held_with_commitment(story)
    result = accord("goals", "conversation", "done", str(commitment.pk), "--org", SLUG)
    assert result.exit_code == 0, result.output
    commitment.refresh_from_db()
    assert commitment.is_done
    result = accord("goals", "conversation", "done", str(2**70), "--org", SLUG)
    assert result.exit_code == 1 and "COMMITMENT_ID: no commitment" in html.unescape(result.output)


@pytest.mark.parametrize("body", ["[1, 2]", '"hello"', "3", "null"])
def test_a_cancellation_body_that_is_not_an_object_is_refused(
    story: Story, token_client: Callable[[User], TokenClient], body: str
) -> None:
    conversation = schedule(story)
    chad = token_client(story.cast.chair).client
    response = chad.post(f"/api/conversations/{conversation.pk}/cancel", body,
                         content_type="application/json")  # fmt: skip
    assert response.status_code == 400, response.content  # the body is not readable as fields
    assert "Cannot parse request body" in response.json()["detail"]
    conversation.refresh_from_db()
    assert conversation.cancelled_at is None
