"""API routes for alignment conversations: /api/conversations."""

# No `from __future__ import annotations`: django-ninja reads these annotations at run time.
import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import StrictBool

from accord.api_fields import Changes, Id, Line, Name, Paragraph, Refusal, left_out
from accord.goals import selectors, services
from accord.goals.api.common import acting_user, goal_scope_of_request, router
from accord.goals.models import Commitment, Conversation
from accord.org.api import Page


class CommitmentOut(Schema):
    id: int
    owner_id: int
    text: str
    due_date: dt.date
    done_at: dt.datetime | None


class ConversationOut(Schema):
    id: int
    person_ids: list[int]
    team_id: int | None
    starts_at: dt.datetime
    duration_minutes: int
    location: str
    status: str
    held_on: dt.date | None
    summary: str
    cancelled_at: dt.datetime | None
    cancellation_note: str
    sequence: int = Field(description="The calendar event's SEQUENCE: up by one per change.")
    agenda: str
    commitments: list[CommitmentOut]

    @staticmethod
    def resolve_person_ids(conversation: Conversation) -> list[int]:
        return [conversation.person_a_id, conversation.person_b_id]

    @staticmethod
    def resolve_commitments(conversation: Conversation) -> list[Commitment]:
        return list(conversation.commitments.all())


class ConversationIn(Schema):
    person_ids: list[Id] = Field(
        min_length=1, max_length=2,
        description="One person: you and them. Two: those two (a team's leader for two of its "
        "members, or a program admin).",
    )  # fmt: skip
    starts_at: dt.datetime = Field(
        description="With its time zone, such as 2026-06-30T10:00:00-05:00."
    )
    duration_minutes: int = Field(45, ge=5, le=480)
    location: Line = Field("", max_length=200)
    team_id: Id | None = None
    period: Line = Field("", max_length=20, description="Goals of this period on the agenda.")


class RescheduleIn(Changes):
    starts_at: dt.datetime
    duration_minutes: int = left_out(ge=5, le=480)
    location: Line = left_out(max_length=200)


class CancelIn(Schema):
    note: Paragraph = Field("", max_length=2000, description="Sent to both people.")


class LinkOutcomeIn(Schema):
    link_id: Id
    action: Literal["confirm", "resolve", "escalate", "keep"]


class CommitmentIn(Schema):
    owner_id: Id
    text: Name = Field(max_length=300)
    due_date: dt.date


class RecordIn(Schema):
    held_on: dt.date
    summary: Paragraph = Field("", max_length=10000)
    link_outcomes: list[LinkOutcomeIn] = Field(default_factory=list, max_length=200)
    commitments: list[CommitmentIn] = Field(default_factory=list, max_length=50)


class CommitmentPatch(Schema):
    done: StrictBool


@router.get(
    "/conversations", response=list[ConversationOut], summary="Conversations the token may see"
)
@paginate(Page)
def list_conversations(request: HttpRequest) -> Any:
    return (
        goal_scope_of_request(request)
        .conversations()
        .select_related("person_a", "person_b", "team", "organisation")
        .prefetch_related("commitments")
        .order_by("-starts_at", "-pk")
    )


@router.post(
    "/conversations",
    response={201: ConversationOut, 422: Refusal},
    summary="Schedule an alignment conversation (both people are emailed an invitation)",
)
def schedule_conversation(request: HttpRequest, body: ConversationIn) -> Any:
    gscope = goal_scope_of_request(request)
    first, second, team = gscope.pair_to_schedule(body.person_ids, team_id=body.team_id)
    try:
        conversation = services.schedule_conversation(
            organisation=gscope.organisation, actor=acting_user(request), via="API",
            people=(first, second), starts_at=body.starts_at,
            duration_minutes=body.duration_minutes, location=body.location, team=team,
            period=body.period,
        )  # fmt: skip
    except services.GoalsError as error:
        if error.field == "person":
            error.field = "person_ids"  # the body's name for the two people
        raise
    return Status(201, conversation)


@router.get(
    "/conversations/{conversation_id}", response=ConversationOut, summary="One conversation"
)
def get_conversation(request: HttpRequest, conversation_id: int) -> Conversation:
    return goal_scope_of_request(request).get_conversation(conversation_id)


@router.post(
    "/conversations/{conversation_id}/reschedule",
    response={200: ConversationOut, 422: Refusal},
    summary="Move a conversation (both people get the updated invitation)",
)
def reschedule_conversation(request: HttpRequest, conversation_id: int, body: RescheduleIn) -> Any:
    conversation = goal_scope_of_request(request).conversation_to_change(conversation_id)
    moved = services.reschedule_conversation(
        conversation=conversation, actor=acting_user(request), via="API",
        starts_at=body.starts_at, duration_minutes=body.duration_minutes, location=body.location,
    )  # fmt: skip
    return Status(200, moved)


@router.post(
    "/conversations/{conversation_id}/cancel",
    response={200: ConversationOut, 422: Refusal},
    summary="Cancel a conversation (both people are told, with a calendar cancellation)",
)
def cancel_conversation(request: HttpRequest, conversation_id: int, body: CancelIn) -> Any:
    conversation = goal_scope_of_request(request).conversation_to_change(conversation_id)
    cancelled = services.cancel_conversation(
        conversation=conversation, actor=acting_user(request), via="API", note=body.note
    )
    return Status(200, cancelled)


@router.post(
    "/conversations/{conversation_id}/record",
    response={200: ConversationOut, 422: Refusal},
    summary="Record what came of a conversation",
)
def record_conversation(request: HttpRequest, conversation_id: int, body: RecordIn) -> Any:
    gscope = goal_scope_of_request(request)
    conversation = gscope.conversation_to_record(conversation_id)
    # Only links both ends of which the token may see can be named.
    links = {link.pk: link for link in selectors.conversation_page_links(conversation, gscope)}
    unknown = sorted({o.link_id for o in body.link_outcomes} - set(links))
    if unknown:
        raise services.GoalsError(
            f"Not links between these two people's goals: {unknown}.", field="link_outcomes"
        )
    recorded = services.record_conversation(
        conversation=conversation, actor=acting_user(request), via="API", held_on=body.held_on,
        summary=body.summary,
        link_outcomes=[services.LinkOutcome(links[o.link_id], o.action)
                       for o in body.link_outcomes if o.action != "keep"],
        commitments=[services.NewCommitment(services.commitment_owner(conversation, c.owner_id),
                                            c.text, c.due_date)
                     for c in body.commitments],
    )  # fmt: skip
    return Status(200, recorded)


@router.patch(
    "/conversations/{conversation_id}/commitments/{commitment_id}",
    response={200: CommitmentOut, 422: Refusal},
    summary="Mark a commitment done (or not done after all)",
)
def mark_commitment(
    request: HttpRequest, conversation_id: int, commitment_id: int, body: CommitmentPatch
) -> Any:
    gscope = goal_scope_of_request(request)
    gscope.conversation_to_change(conversation_id)
    commitment: Commitment = gscope.get_commitment(commitment_id, conversation_id=conversation_id)
    marked = services.mark_commitment(
        commitment=commitment, done=body.done, actor=acting_user(request), via="API"
    )
    return Status(200, marked)
