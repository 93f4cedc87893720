"""API routes for agreements on expectations: /api/expectations. Only the two people of an
agreement read or change it; its preparation answers its author only."""

# No `from __future__ import annotations`: django-ninja reads these annotations at run time.
import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.responses import Status

from accord.access.models import User
from accord.api_fields import Id, Name, Paragraph, Refusal
from accord.expectations import selectors, services
from accord.expectations.models import (
    Agreement,
    Concern,
    FollowUp,
    ItemOwner,
    Relationship,
    Version,
)
from accord.expectations.rules import MAX_ITEMS, PART_NAMES, FollowUpAnswerDraft, ItemDraft
from accord.expectations.visibility import ExpectationScope

router = Router(tags=["expectations"])


def _escope(request: HttpRequest) -> ExpectationScope:
    return ExpectationScope(request.auth)  # type: ignore[attr-defined]


def _actor(request: HttpRequest) -> User:
    return _escope(request).user


class ItemSchema(Schema):
    what: Name = Field(max_length=300)
    measure: Name = Field(max_length=300)
    owner: ItemOwner = ItemOwner.COLLEAGUE
    due_on: dt.date
    support: Paragraph = Field("", max_length=300)


class ItemOut(ItemSchema):
    id: int
    goal_id: int | None = Field(description="The goal this expectation became, once accepted.")


class VersionOut(Schema):
    number: int
    author_side: str = Field(description="leader or colleague")
    status: str = Field(description="draft, proposed, accepted or superseded")
    why_it_matters: str
    how_it_fits: str
    opening: str
    comment: str
    goal_ids: list[int]
    items: list[ItemOut]
    proposed_at: dt.datetime | None
    accepted_at: dt.datetime | None

    @staticmethod
    def resolve_goal_ids(version: Version) -> list[int]:
        return [goal.pk for goal in version.goals.all()]

    @staticmethod
    def resolve_items(version: Version) -> list[Any]:
        return list(version.items.all())


class ConcernOut(Schema):
    id: int
    raised_by_id: int
    text: str
    raised_at: dt.datetime
    addressed_at: dt.datetime | None
    addressed_note: str


class FollowUpOut(Schema):
    id: int
    version: int = Field(description="The accepted version it checks.")
    due_at: dt.datetime
    answer_by: dt.datetime = Field(description="Unanswered by then, it is missed.")
    state: str = Field(description="upcoming, due, missed, done or late")
    leader_answered_at: dt.datetime | None
    colleague_answered_at: dt.datetime | None

    @staticmethod
    def resolve_version(follow_up: FollowUp) -> int:
        return follow_up.version.number

    @staticmethod
    def resolve_state(follow_up: FollowUp) -> str:
        return selectors.follow_up_state(follow_up, timezone.now())


class AgreementOut(Schema):
    id: int
    topic: str
    relationship: str
    status: str
    leader_id: int
    colleague_id: int


class AgreementDetailOut(AgreementOut):
    versions: list[VersionOut]
    concerns: list[ConcernOut]
    follow_ups: list[FollowUpOut]

    @staticmethod
    def resolve_versions(agreement: Agreement) -> list[Version]:
        return list(agreement.versions.prefetch_related("items", "goals").order_by("number"))

    @staticmethod
    def resolve_concerns(agreement: Agreement) -> list[Concern]:
        return list(agreement.concerns.all())

    @staticmethod
    def resolve_follow_ups(agreement: Agreement) -> list[FollowUp]:
        return list(agreement.follow_ups.select_related("version"))


class AgreementIn(Schema):
    colleague_hr_id: Name = Field(max_length=100)
    relationship: Relationship
    topic: Name = Field(max_length=120)


class DraftIn(Schema):
    why_it_matters: Paragraph = Field("", max_length=4000)
    how_it_fits: Paragraph = Field("", max_length=4000)
    opening: Paragraph = Field("", max_length=4000)
    goal_ids: list[Id] = Field([], max_length=20)
    items: list[ItemSchema] = Field([], max_length=MAX_ITEMS)


class VersionAnswerIn(Schema):
    version: int = Field(ge=1, le=32767, description="The proposed version answered.")


class ChangesIn(VersionAnswerIn):
    comment: Paragraph = Field(max_length=4000)
    items: list[ItemSchema] = Field(min_length=1, max_length=MAX_ITEMS)


class ConcernIn(Schema):
    text: Paragraph = Field(max_length=4000)


class ItemAnswerIn(Schema):
    item_id: Id
    on_track: bool
    still_fair: bool
    note: Name = Field("", max_length=500)


class FollowUpAnswersIn(Schema):
    answers: list[ItemAnswerIn] = Field(min_length=1, max_length=MAX_ITEMS)


class AddressIn(Schema):
    note: Paragraph = Field(max_length=4000)


class PreparationSchema(Schema):
    state_of_mind: int | None = Field(None, ge=1, le=5)
    state_of_mind_note: Paragraph = Field("", max_length=4000)
    belief: int | None = Field(None, ge=1, le=5)
    belief_note: Paragraph = Field("", max_length=4000)
    own_part: int | None = Field(None, ge=1, le=5)
    own_part_note: Paragraph = Field("", max_length=4000)
    clarity: int | None = Field(None, ge=1, le=5)
    clarity_note: Paragraph = Field("", max_length=4000)
    value_today: int | None = Field(None, ge=1, le=5)
    value_today_note: Paragraph = Field("", max_length=4000)


class PreparationOut(PreparationSchema):
    ready: bool
    advice: list[str]


def _drafts(items: list[ItemSchema]) -> list[ItemDraft]:
    return [ItemDraft(i.what, i.measure, i.owner, i.due_on, i.support) for i in items]


@router.get("/expectations/agreements", response=list[AgreementOut],
            summary="The agreements the token's owner is one of the two people of")  # fmt: skip
def list_agreements(request: HttpRequest) -> list[Agreement]:
    return [row.agreement for row in selectors.my_agreements(_escope(request))]


@router.post("/expectations/agreements", response={201: AgreementDetailOut, 422: Refusal},
             summary="Start an agreement with a colleague")  # fmt: skip
def start_agreement(request: HttpRequest, body: AgreementIn) -> Any:
    escope = _escope(request)
    agreement = services.start_agreement(
        escope=escope, actor=_actor(request), colleague_hr_id=body.colleague_hr_id,
        relationship=body.relationship, topic=body.topic, via="API",
    )  # fmt: skip
    return Status(201, agreement)


@router.get("/expectations/agreements/{agreement_id}", response=AgreementDetailOut,
            summary="One agreement: every version and its concerns")  # fmt: skip
def get_agreement(request: HttpRequest, agreement_id: int) -> Agreement:
    return _escope(request).get_agreement(agreement_id)


@router.put("/expectations/agreements/{agreement_id}/draft",
            response={200: VersionOut, 422: Refusal}, summary="Save the leader's draft")  # fmt: skip
def save_draft(request: HttpRequest, agreement_id: int, body: DraftIn) -> Any:
    escope = _escope(request)
    agreement = escope.agreement_to_lead(agreement_id)
    return services.save_draft(
        escope=escope, actor=_actor(request), agreement=agreement,
        why_it_matters=body.why_it_matters, how_it_fits=body.how_it_fits, opening=body.opening,
        goal_ids=body.goal_ids, items=_drafts(body.items), via="API",
    )  # fmt: skip


@router.post("/expectations/agreements/{agreement_id}/propose",
             response={200: VersionOut, 422: Refusal},
             summary="Send the draft to the colleague")  # fmt: skip
def propose(request: HttpRequest, agreement_id: int) -> Any:
    escope = _escope(request)
    agreement = escope.agreement_to_lead(agreement_id)
    return services.propose(escope=escope, actor=_actor(request), agreement=agreement, via="API")


@router.post("/expectations/agreements/{agreement_id}/accept",
             response={200: VersionOut, 422: Refusal},
             summary="Accept the version the other person proposed")  # fmt: skip
def accept(request: HttpRequest, agreement_id: int, body: VersionAnswerIn) -> Any:
    escope = _escope(request)
    agreement = escope.get_agreement(agreement_id)
    return services.accept(escope=escope, actor=_actor(request), agreement=agreement,
                           number=body.version, via="API")  # fmt: skip


@router.post("/expectations/agreements/{agreement_id}/changes",
             response={201: VersionOut, 422: Refusal},
             summary="The colleague proposes changed expectations")  # fmt: skip
def propose_changes(request: HttpRequest, agreement_id: int, body: ChangesIn) -> Any:
    escope = _escope(request)
    agreement = escope.get_agreement(agreement_id)
    version = services.propose_changes(
        escope=escope, actor=_actor(request), agreement=agreement, number=body.version,
        items=_drafts(body.items), comment=body.comment, via="API",
    )  # fmt: skip
    return Status(201, version)


@router.post("/expectations/agreements/{agreement_id}/concerns",
             response={201: ConcernOut, 422: Refusal}, summary="Raise a concern")  # fmt: skip
def add_concern(request: HttpRequest, agreement_id: int, body: ConcernIn) -> Any:
    escope = _escope(request)
    agreement = escope.get_agreement(agreement_id)
    concern = services.add_concern(escope=escope, actor=_actor(request), agreement=agreement,
                                   text=body.text, via="API")  # fmt: skip
    return Status(201, concern)


@router.post("/expectations/concerns/{concern_id}/address",
             response={200: ConcernOut, 422: Refusal}, summary="Say how a concern was addressed")  # fmt: skip
def address_concern(request: HttpRequest, concern_id: int, body: AddressIn) -> Any:
    escope = _escope(request)
    concern = escope.concern_to_address(concern_id)
    return services.address_concern(escope=escope, actor=_actor(request), concern=concern,
                                    note=body.note, via="API")  # fmt: skip


@router.post("/expectations/follow-ups/{follow_up_id}/answers",
             response={200: FollowUpOut, 422: Refusal},
             summary="Answer a follow-up: per expectation, still on track and still fair?")  # fmt: skip
def answer_follow_up(request: HttpRequest, follow_up_id: int, body: FollowUpAnswersIn) -> Any:
    escope = _escope(request)
    follow_up = escope.follow_up_to_answer(follow_up_id)
    answers = [FollowUpAnswerDraft(a.item_id, a.on_track, a.still_fair, a.note)
               for a in body.answers]  # fmt: skip
    return services.answer_follow_up(escope=escope, actor=_actor(request), follow_up=follow_up,
                                     answers=answers, via="API")  # fmt: skip


def _preparation_out(escope: ExpectationScope, agreement: Agreement) -> dict[str, Any]:
    page = selectors.preparation_page(escope, agreement)
    found: dict[str, Any] = {}
    for name in PART_NAMES:
        found[name] = getattr(page.preparation, name) if page.preparation else None
        found[f"{name}_note"] = (
            getattr(page.preparation, f"{name}_note") if page.preparation else ""
        )
    return {**found, "ready": page.readiness.ready, "advice": page.readiness.advice}


@router.get("/expectations/agreements/{agreement_id}/preparation", response=PreparationOut,
            summary="The leader's private preparation (its author only)")  # fmt: skip
def get_preparation(request: HttpRequest, agreement_id: int) -> Any:
    escope = _escope(request)
    return _preparation_out(escope, escope.agreement_to_lead(agreement_id))


@router.put("/expectations/agreements/{agreement_id}/preparation",
            response={200: PreparationOut, 422: Refusal},
            summary="Save the leader's private preparation")  # fmt: skip
def save_preparation(request: HttpRequest, agreement_id: int, body: PreparationSchema) -> Any:
    escope = _escope(request)
    agreement = escope.agreement_to_lead(agreement_id)
    data = body.dict()
    services.save_preparation(
        escope=escope, actor=_actor(request), agreement=agreement,
        ratings={name: data[name] for name in PART_NAMES},
        notes={name: data[f"{name}_note"] for name in PART_NAMES},
    )  # fmt: skip
    return _preparation_out(escope, agreement)
