"""API routes for the shadowing programme: /api/shadowing. The same rules as the pages: hosts
manage their offer and shifts, visitors book and reflect, both read their visits, commitments
are read by the people who follow them, and the coverage by executives and program admins."""

# No `from __future__ import annotations`: django-ninja reads these annotations at run time.
import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from accord.access.models import User
from accord.access.scopes import NotAllowed
from accord.api_fields import Error, Id, Line, Name, Paragraph, Refusal
from accord.shadowing import selectors, services
from accord.shadowing.models import (
    Commitment,
    CommitmentStatus,
    Host,
    HostStatus,
    ShiftKind,
    Slot,
    Visit,
)
from accord.shadowing.rules import MAX_BARRIERS, MAX_COMMITMENTS, CommitmentDraft
from accord.shadowing.visibility import ShadowingScope

router = Router(tags=["shadowing"])


def _sscope(request: HttpRequest) -> ShadowingScope:
    return ShadowingScope(request.auth)  # type: ignore[attr-defined]


def _actor(request: HttpRequest) -> User:
    return _sscope(request).user


class ShiftSchema(Schema):
    kind: ShiftKind
    starts: dt.time | None = Field(None, description="Empty: the usual time for the shift.")
    ends: dt.time | None = None


class HostShiftOut(Schema):
    kind: str
    starts: str = Field(description="HH:MM on the organisation's clock")
    ends: str = Field(description="HH:MM; earlier than starts for a shift past midnight")

    @staticmethod
    def resolve_starts(shift: Any) -> str:
        return f"{shift.starts:%H:%M}"

    @staticmethod
    def resolve_ends(shift: Any) -> str:
        return f"{shift.ends:%H:%M}"


class HostIn(Schema):
    service: Name = Field(max_length=120)
    monthly_limit: int = Field(ge=1, le=8)
    visitor_notes: Paragraph = Field("", max_length=4000)
    shifts: list[ShiftSchema] = Field(min_length=1, max_length=4)


class HostOut(Schema):
    id: int
    service: str
    monthly_limit: int
    visitor_notes: str
    status: str = Field(description="active, paused or stopped")
    unit_id: int
    shifts: list[HostShiftOut]

    @staticmethod
    def resolve_shifts(host: Host) -> list[Any]:
        return list(host.shifts.all())


class HostStatusIn(Schema):
    status: HostStatus


class SlotIn(Schema):
    kind: ShiftKind
    day: dt.date
    starts: dt.time | None = None
    ends: dt.time | None = None


class SlotOut(Schema):
    id: int
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    host_name: str
    service: str
    unit: str

    @staticmethod
    def resolve_host_name(slot: Slot) -> str:
        return slot.host.person.name

    @staticmethod
    def resolve_service(slot: Slot) -> str:
        return slot.host.service

    @staticmethod
    def resolve_unit(slot: Slot) -> str:
        return slot.host.unit.full_name


class SuggestionOut(Schema):
    slot: SlotOut
    reasons: list[str]


class BookIn(Schema):
    slot_id: Id


class VisitOut(Schema):
    id: int
    status: str = Field(description="requested, confirmed, declined or cancelled")
    kind: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    visitor_id: int
    host_person_id: int
    unit_id: int
    reflected: bool

    @staticmethod
    def resolve_host_person_id(visit: Visit) -> int:
        return visit.host.person_id

    @staticmethod
    def resolve_reflected(visit: Visit) -> bool:
        return hasattr(visit, "reflection")


class VisitAnswerIn(Schema):
    confirm: bool
    reason: Line = Field("", max_length=300, description="Read by the host only.")


class BarrierIn(Schema):
    driver: str = Field(max_length=60, description="A survey driver's construct, or other.")
    note: Name = Field(max_length=300)


class VisitCommitmentIn(Schema):
    what: Name = Field(max_length=300)
    owner_hr_id: Name = Field(max_length=100)
    due_on: dt.date


class ReflectionIn(Schema):
    what_i_saw: Paragraph = Field(max_length=4000)
    surprised: Paragraph = Field("", max_length=4000)
    barriers: list[BarrierIn] = Field([], max_length=MAX_BARRIERS)
    commitments: list[VisitCommitmentIn] = Field([], max_length=MAX_COMMITMENTS)


class HostWordIn(Schema):
    account: Paragraph = Field("", max_length=4000)
    useful: int = Field(ge=1, le=5)
    engaged: int = Field(ge=1, le=5)
    would_host_again: bool
    comment: Paragraph = Field("", max_length=4000)


class VisitCommitmentOut(Schema):
    id: int
    visit_id: int
    what: str
    owner_id: int
    due_on: dt.date
    status: str = Field(description="in_progress, done or cant_do")
    reason: str
    overdue: bool

    @staticmethod
    def resolve_overdue(commitment: Commitment) -> bool:
        return commitment.overdue()


class CommitmentStatusIn(Schema):
    status: CommitmentStatus
    reason: Line = Field("", max_length=300)


class CoverageOut(Schema):
    visits: int
    by_shift: dict[str, int]
    reflections_on_time: int
    reflections_due: int
    commitments_made: int
    commitments_done: int
    commitments_overdue: int
    median_days_to_done: float | None
    departments_never_visited: list[str]
    executives: list[dict[str, Any]]


@router.get("/shadowing/host", response={200: HostOut, 404: Error},
            summary="The token owner's offer to host (404 before they offer)")  # fmt: skip
def get_host(request: HttpRequest) -> Host:
    host = _sscope(request).my_host()
    if host is None:
        raise Http404("You have not offered to host.")
    return host


@router.put("/shadowing/host", response={200: HostOut, 422: Refusal},
            summary="Offer to host, or change the offer (clinicians)")  # fmt: skip
def put_host(request: HttpRequest, body: HostIn) -> Any:
    return services.offer_to_host(
        sscope=_sscope(request), actor=_actor(request), service=body.service,
        monthly_limit=body.monthly_limit, visitor_notes=body.visitor_notes, via="API",
        shifts={s.kind.value: (s.starts, s.ends) for s in body.shifts},
    )  # fmt: skip


@router.post("/shadowing/host/status", response={200: HostOut, 422: Refusal},
             summary="Pause, resume or stop hosting")  # fmt: skip
def host_status(request: HttpRequest, body: HostStatusIn) -> Any:
    return services.set_hosting(sscope=_sscope(request), actor=_actor(request),
                                status=body.status.value, via="API")  # fmt: skip


@router.post("/shadowing/host/slots", response={201: SlotOut, 422: Refusal},
             summary="Offer a dated shift")  # fmt: skip
def add_slot(request: HttpRequest, body: SlotIn) -> Any:
    slot = services.add_slot(sscope=_sscope(request), actor=_actor(request), kind=body.kind.value,
                             day=body.day, starts=body.starts, ends=body.ends, via="API")  # fmt: skip
    return Status(201, slot)


@router.delete("/shadowing/host/slots/{slot_id}", response={204: None, 422: Refusal},
               summary="Take back a shift no one has booked")  # fmt: skip
def remove_slot(request: HttpRequest, slot_id: Id) -> Any:
    services.remove_slot(sscope=_sscope(request), actor=_actor(request), slot_id=slot_id,
                         via="API")  # fmt: skip
    return Status(204, None)


@router.get("/shadowing/suggestions", response=list[SuggestionOut],
            summary="Open shifts ranked for the token's owner, with the reasons")  # fmt: skip
def suggestions(request: HttpRequest) -> Any:
    sscope = _sscope(request)
    sscope.require_booking()
    return [{"slot": s.slot, "reasons": s.reasons} for s in selectors.suggestions(sscope)]


@router.get("/shadowing/slots", response=list[SlotOut], summary="Open shifts to book")
def open_slots(request: HttpRequest) -> Any:
    sscope = _sscope(request)
    sscope.require_booking()
    return list(selectors.open_slots(sscope)[:200])


@router.get("/shadowing/visits", response=list[VisitOut],
            summary="The token owner's visits, as visitor and as host")  # fmt: skip
def list_visits(request: HttpRequest) -> Any:
    return list(_sscope(request).visits().select_related("host", "reflection")[:500])


@router.post("/shadowing/visits", response={201: VisitOut, 422: Refusal},
             summary="Ask to shadow a host on one of their shifts")  # fmt: skip
def book(request: HttpRequest, body: BookIn) -> Any:
    visit = services.book_visit(sscope=_sscope(request), actor=_actor(request),
                                slot_id=body.slot_id, via="API")  # fmt: skip
    return Status(201, visit)


@router.get("/shadowing/visits/{visit_id}", response=VisitOut, summary="One visit")
def get_visit(request: HttpRequest, visit_id: Id) -> Visit:
    return _sscope(request).visit_of(visit_id)


@router.post("/shadowing/visits/{visit_id}/answer", response={200: VisitOut, 422: Refusal},
             summary="The host confirms or declines")  # fmt: skip
def answer(request: HttpRequest, visit_id: Id, body: VisitAnswerIn) -> Any:
    sscope = _sscope(request)
    return services.answer_visit(sscope=sscope, actor=_actor(request),
                                 visit=sscope.visit_to_host(visit_id), confirm=body.confirm,
                                 reason=body.reason, via="API")  # fmt: skip


@router.post("/shadowing/visits/{visit_id}/cancel", response={200: VisitOut, 422: Refusal},
             summary="Either person calls a visit off")  # fmt: skip
def cancel(request: HttpRequest, visit_id: Id) -> Any:
    sscope = _sscope(request)
    return services.cancel_visit(sscope=sscope, actor=_actor(request),
                                 visit=sscope.visit_of(visit_id), via="API")  # fmt: skip


@router.post("/shadowing/visits/{visit_id}/reflection", response={201: VisitOut, 422: Refusal},
             summary="The visitor's reflection, barriers and commitments")  # fmt: skip
def reflect(request: HttpRequest, visit_id: Id, body: ReflectionIn) -> Any:
    sscope = _sscope(request)
    visit = sscope.visit_to_reflect(visit_id)
    services.write_reflection(
        sscope=sscope, actor=_actor(request), visit=visit, what_i_saw=body.what_i_saw,
        surprised=body.surprised, barriers=[(b.driver, b.note) for b in body.barriers],
        commitments=[CommitmentDraft(c.what, c.owner_hr_id, c.due_on) for c in body.commitments],
        via="API",
    )  # fmt: skip
    return Status(201, sscope.visit_of(visit_id))


@router.post("/shadowing/visits/{visit_id}/host-word", response={201: VisitOut, 422: Refusal},
             summary="The host's account of the visit and rating")  # fmt: skip
def host_word(request: HttpRequest, visit_id: Id, body: HostWordIn) -> Any:
    sscope = _sscope(request)
    visit = sscope.visit_to_host(visit_id)
    services.write_host_word(
        sscope=sscope, actor=_actor(request), visit=visit, account=body.account,
        useful=body.useful, engaged=body.engaged, would_host_again=body.would_host_again,
        comment=body.comment, via="API",
    )  # fmt: skip
    return Status(201, visit)


@router.get("/shadowing/commitments", response=list[VisitCommitmentOut],
            summary="The commitments the token's owner follows")  # fmt: skip
def list_commitments(request: HttpRequest) -> Any:
    return list(_sscope(request).commitments().order_by("status", "due_on", "pk")[:500])


@router.post("/shadowing/commitments/{commitment_id}", response={200: VisitCommitmentOut, 422: Refusal},
             summary="Mark a commitment done, in progress or can't do")  # fmt: skip
def update_commitment(request: HttpRequest, commitment_id: Id, body: CommitmentStatusIn) -> Any:
    sscope = _sscope(request)
    return services.update_commitment(
        sscope=sscope, actor=_actor(request), commitment=sscope.commitment_to_update(commitment_id),
        status=body.status.value, reason=body.reason, via="API",
    )  # fmt: skip


@router.get("/shadowing/coverage", response=CoverageOut,
            summary="The programme's last 12 months, for executives and program admins")  # fmt: skip
def coverage(request: HttpRequest) -> Any:
    sscope = _sscope(request)
    if not sscope.sees_programme:
        raise NotAllowed("Executives and program admins see the programme's coverage.")
    f = selectors.coverage(sscope.scope)
    return {
        "visits": f.visits, "by_shift": f.by_shift, "reflections_on_time": f.reflections_on_time,
        "reflections_due": f.reflections_due, "commitments_made": f.commitments_made,
        "commitments_done": f.commitments_done, "commitments_overdue": f.commitments_overdue,
        "median_days_to_done": f.median_days_to_done,
        "departments_never_visited": [u.full_name for u in f.never_visited],
        "executives": [{"person_id": e.person.pk, "visits": e.visits, "target": e.target}
                       for e in f.executives],
    }  # fmt: skip
