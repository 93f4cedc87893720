"""The demo's shadowing programme, made through the services as the people would: a dozen
clinicians host across the hospitals and shifts (the staff nurse among them); the executive,
the chief executive and the program admin book visits in every state — waiting for the host,
confirmed, declined, done with a reflection, a reflection overdue — with commitments done,
in progress, can't do and overdue, and the hosts' word from enough of them that their ratings
of the executive can be shown pooled. Only the dates are moved back; no email is sent."""

from __future__ import annotations

import datetime as dt
from itertools import zip_longest

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accord.access.models import Membership, Role
from accord.access.scopes import Scope
from accord.org.models import Organisation, Person, RoleGroup, Unit
from accord.shadowing import services
from accord.shadowing.models import Commitment, CommitmentStatus, HostWord, Reflection, Slot, Visit
from accord.shadowing.rules import CommitmentDraft
from accord.shadowing.visibility import ShadowingScope

VIA = "demo"
SHIFTS = ("night", "day", "evening", "weekend")


def _as(person: Person, role: str = Role.MEMBER) -> ShadowingScope:
    """A person acting in the programme: the demo gives most hosts no login of their own."""
    membership = getattr(person, "membership", None)
    return ShadowingScope(Scope(membership or Membership(organisation=person.organisation,
                                                         role=role, person=person)))  # fmt: skip


def _hosts(organisation: Organisation, staff_nurse: Person | None) -> list[Person]:
    """The staff nurse first, then one clinician from each of eleven other departments, spread
    over the hospitals."""
    chosen = [staff_nurse] if staff_nurse is not None else []
    taken = {staff_nurse.unit_id} if staff_nurse else set()
    departments = list(
        Unit.objects.filter(organisation=organisation, kind__name__iexact="department")
        .order_by("parent_id", "name")
    )  # fmt: skip
    by_parent: dict[int | None, list[Unit]] = {}
    for department in departments:
        by_parent.setdefault(department.parent_id, []).append(department)
    round_robin = [d for row in zip_longest(*by_parent.values()) for d in row if d is not None]
    for department in round_robin:
        if len(chosen) >= 12:
            break
        person = (
            Person.objects.filter(unit__path__startswith=department.path, is_active=True,
                                  role_group=RoleGroup.CLINICIAN, is_leader=False)
            .exclude(unit_id__in=taken).order_by("pk").first()
        )  # fmt: skip
        if person is not None:
            chosen.append(person)
            taken.add(person.unit_id)
    return chosen


def _move_back(visit: Visit, days: int) -> Visit:
    """The visit, and its shift, ``days`` earlier."""
    back = dt.timedelta(days=days)
    Visit.objects.filter(pk=visit.pk).update(starts_at=F("starts_at") - back,
                                             ends_at=F("ends_at") - back, booked_at=F("booked_at") - back)  # fmt: skip
    Slot.objects.filter(pk=visit.slot_id).update(starts_at=F("starts_at") - back,
                                                 ends_at=F("ends_at") - back)  # fmt: skip
    visit.refresh_from_db()
    return visit


@transaction.atomic
def seed_demo_shadowing(*, organisation: Organisation) -> None:
    logins = {m.role: m for m in Membership.objects.filter(organisation=organisation, person__isnull=False)
              .select_related("person__unit").order_by("-pk")}  # fmt: skip
    executives = list(Membership.objects.filter(organisation=organisation, role=Role.EXECUTIVE,
                                                person__isnull=False)
                      .select_related("person__unit").order_by("pk"))  # fmt: skip
    member = logins.get(Role.MEMBER)
    admin = logins.get(Role.ADMIN)
    if len(executives) < 2 or member is None or admin is None or admin.person is None:
        return
    cno, ceo = executives[0].person, executives[1].person
    assert cno is not None and ceo is not None
    hosts = _hosts(organisation, member.person)
    if len(hosts) < 9:
        return
    today = timezone.localdate()
    slots: list[Slot] = []
    for n, person in enumerate(hosts):
        kind = SHIFTS[n % len(SHIFTS)]
        services.offer_to_host(
            sscope=_as(person), actor=None, via=VIA, service=person.unit.name, monthly_limit=3,
            visitor_notes="Meet at the charge nurse's desk ten minutes early; wear closed shoes. "
            "Not during the 07:00 handover.",
            shifts={kind: (None, None), "day": (None, None)},
        )  # fmt: skip
        slots.append(services.add_slot(sscope=_as(person), actor=None, via=VIA, kind=kind,
                                       day=today + dt.timedelta(days=3 + n)))  # fmt: skip
        services.add_slot(sscope=_as(person), actor=None, via=VIA, kind="day",
                          day=today + dt.timedelta(days=20 + n))  # fmt: skip
    as_cno, as_ceo = _as(cno, Role.EXECUTIVE), _as(ceo, Role.EXECUTIVE)
    as_admin = ShadowingScope(Scope(admin))

    def book(visitor: ShadowingScope, n: int) -> Visit:
        return services.book_visit(sscope=visitor, actor=None, via=VIA, slot_id=slots[n].pk,
                                   notify=False)  # fmt: skip

    def confirm(visit: Visit, n: int) -> Visit:
        return services.answer_visit(sscope=_as(hosts[n]), actor=None, via=VIA, visit=visit,
                                     confirm=True, notify=False)  # fmt: skip

    # To come: the executive with the staff nurse, confirmed; the chief executive waiting.
    confirm(book(as_cno, 0), 0)
    book(as_ceo, 1)
    # The program admin asked; the host could not, this time.
    services.answer_visit(sscope=_as(hosts[2]), actor=None, via=VIA, visit=book(as_admin, 2),
                          confirm=False, reason="Two new starters on that night", notify=False)  # fmt: skip

    def done(visitor: ShadowingScope, n: int, days_ago: int) -> Visit:
        visit = confirm(book(visitor, n), n)
        return _move_back(visit, (visit.ends_at.date() - today).days + days_ago)

    # Done, with reflections and commitments in every state.
    first = done(as_cno, 3, 12)
    services.write_reflection(
        sscope=as_cno, actor=None, via=VIA, visit=first, notify=False,
        what_i_saw="Half the night went on finding beds for admitted patients; the nurses "
        "rang three numbers for each one.",
        surprised="How calm the team stayed, and how little of this reaches our bed meeting.",
        barriers=[("practice_efficiency", "Bed requests by phone, one number per ward"),
                  ("voice", "Nobody asked the night staff about the new transfer form")],
        commitments=[
            CommitmentDraft("Bring the night charge nurse into the morning bed meeting",
                            cno.external_id, today + dt.timedelta(days=14)),
            CommitmentDraft("Test a single number for bed requests at night",
                            cno.external_id, today + dt.timedelta(days=45)),
            CommitmentDraft("Replace the transfer form with the nurses' own checklist",
                            cno.external_id, today + dt.timedelta(days=30)),
        ],
    )  # fmt: skip
    made = list(first.commitments.order_by("pk"))
    services.update_commitment(sscope=as_cno, actor=None, via=VIA, commitment=made[0],
                               status=CommitmentStatus.DONE, notify=False)  # fmt: skip
    services.update_commitment(sscope=as_cno, actor=None, via=VIA, commitment=made[2],
                               status=CommitmentStatus.CANT_DO, notify=False,
                               reason="The form is set by the state; we can add the checklist to it.")  # fmt: skip
    second = done(as_ceo, 4, 25)
    services.write_reflection(
        sscope=as_ceo, actor=None, via=VIA, visit=second, notify=False,
        what_i_saw="The evening team covered two sick calls and still ran the clinic on time.",
        surprised="", barriers=[("communication", "Rota changes reach them by word of mouth")],
        commitments=[CommitmentDraft("Publish rota changes in one place, the day they are made",
                                     ceo.external_id, today + dt.timedelta(days=7))],
    )  # fmt: skip
    Commitment.objects.filter(visit=second).update(due_on=today - dt.timedelta(days=5))  # overdue
    # Over, and the reflection not written in time.
    done(as_cno, 5, 4)
    # Older visits the hosts gave their word on: three hosts, so their ratings show pooled.
    for n, days_ago in ((6, 40), (7, 70), (8, 95)):
        visit = done(as_cno, n, days_ago)
        services.write_reflection(
            sscope=as_cno, actor=None, via=VIA, visit=visit, notify=False,
            what_i_saw="Handover ran forty minutes past the shift on a quiet night.",
            surprised="", barriers=[("teamwork", "Two handovers, medical and nursing, apart")],
            commitments=[],
        )  # fmt: skip
        services.write_host_word(
            sscope=_as(hosts[n]), actor=None, via=VIA, visit=visit, useful=4 + n % 2,
            engaged=5, would_host_again=True,
            account="Stayed to the end and asked what would help, not what went wrong.",
        )  # fmt: skip
    # Written a few hours after each visit, not today.
    for visit in Visit.objects.filter(organisation=organisation).exclude(reflection=None):
        after = visit.ends_at + dt.timedelta(hours=5)
        Reflection.objects.filter(visit=visit).update(written_at=after)
        HostWord.objects.filter(visit=visit).update(written_at=after)
        Commitment.objects.filter(visit=visit).update(created_at=after)
