"""Every change to the shadowing programme: one function per user action, called alike by the
pages, the API and the command line. Each checks its fields with ``rules`` (free text also
for patient details), takes the viewer's ``ShadowingScope`` to decide what they may do, and
writes its audit entry in the same transaction; email leaves through the queue once the
transaction has committed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from accord.access.audit import actor_label
from accord.access.models import User
from accord.access.scopes import NotAllowed, Scope
from accord.notify.calendar import new_uid
from accord.org.models import Person
from accord.shadowing import rules, tasks
from accord.shadowing.errors import ShadowingError, ShadowingProblems
from accord.shadowing.models import (
    BOOKED,
    USUAL_TIMES,
    Barrier,
    Commitment,
    CommitmentStatus,
    Host,
    HostShift,
    HostStatus,
    HostWord,
    ProgrammeSettings,
    Reflection,
    ShadowingAuditEntry,
    ShiftKind,
    Slot,
    Visit,
    VisitStatus,
)
from accord.shadowing.rules import CommitmentDraft, Problem
from accord.shadowing.visibility import ShadowingScope


def audit(*, organisation_id: int, actor: User | None, via: str, action: str,
          summary: str, visit: Visit | None = None) -> None:  # fmt: skip
    ShadowingAuditEntry.objects.create(
        organisation_id=organisation_id, actor=actor, actor_label=actor_label(actor, via),
        action=action, visit=visit, summary=summary[:300],
    )  # fmt: skip


def _after_commit(task: object, *args: object, notify: bool = True) -> None:
    """Queue ``task`` once the transaction commits; ``notify=False`` records without email
    (the demo logs a programme's past this way)."""
    if notify:
        transaction.on_commit(lambda: task(*args))  # type: ignore[operator]


def _wall_clock(time: dt.time | None) -> dt.time | None:
    return time.replace(tzinfo=None, microsecond=0) if time is not None else None


# Hosting ---------------------------------------------------------------------------------


def offer_to_host(
    *,
    sscope: ShadowingScope,
    actor: User | None,
    service: str,
    monthly_limit: int,
    visitor_notes: str,
    shifts: dict[str, tuple[dt.time | None, dt.time | None]],
    via: str = "",
) -> Host:
    """A clinician offers to host (or changes their offer): their service, the shifts that
    suit with their times, a monthly limit and what a visitor should know. Offering again
    after pausing or stopping resumes hosting."""
    me = sscope.require_hosting()
    problems = rules.free_text_problems("service", service, limit=rules.SERVICE_LIMIT,
                                        what="your service, such as “Adult emergency”")  # fmt: skip
    problems += rules.free_text_problems("visitor_notes", visitor_notes, limit=rules.TEXT_LIMIT,
                                         what="what a visitor should know", required=False,
                                         multiline=True)  # fmt: skip
    if monthly_limit not in rules.MONTHLY_LIMITS:
        problems.append(("monthly_limit", "Choose 1 to 8 visits a month."))
    if not shifts:
        problems.append(("shifts", "Choose at least one kind of shift that suits you."))
    times: dict[str, tuple[dt.time, dt.time]] = {}
    for kind, (starts, ends) in shifts.items():
        if kind not in ShiftKind.values:
            problems.append(("shifts", f"{kind!r} is not a shift: day, evening, night or weekend."))
            continue
        usual = USUAL_TIMES[ShiftKind(kind)]
        starts, ends = _wall_clock(starts) or usual[0], _wall_clock(ends) or usual[1]
        if starts == ends:
            problems.append((f"shifts.{kind}", "A shift starts and ends at different times."))
        times[kind] = (starts, ends)
    if problems:
        raise ShadowingProblems(problems)
    with transaction.atomic():
        host, created = Host.objects.update_or_create(
            person=me,
            defaults={"organisation": sscope.organisation, "unit_id": me.unit_id,
                      "service": service.strip(), "monthly_limit": monthly_limit,
                      "visitor_notes": visitor_notes.strip(), "status": HostStatus.ACTIVE},
        )  # fmt: skip
        host.shifts.all().delete()
        HostShift.objects.bulk_create(
            HostShift(host=host, kind=kind, starts=starts, ends=ends)
            for kind, (starts, ends) in times.items()
        )
        audit(organisation_id=sscope.organisation.pk, actor=actor, via=via,
              action="host.offer" if created else "host.update",
              summary=f"{me.name} {'offered to host' if created else 'changed their offer'} "
              f"({', '.join(sorted(times))})")  # fmt: skip
    return host


def set_hosting(*, sscope: ShadowingScope, actor: User | None, status: str, via: str = "") -> Host:
    """Pause, resume or stop hosting. Stopping cancels the visits still to come, and both
    people's calendars drop them; pausing keeps them and takes no new bookings."""
    me = sscope.me()
    if status not in HostStatus.values:
        raise ShadowingError("Choose to host, pause or stop.", field="status")
    with transaction.atomic():
        host = Host.objects.select_for_update().filter(person=me).first()
        if host is None:
            raise ShadowingError("You have not offered to host yet.")
        host.status = status
        host.save(update_fields=["status", "updated_at"])
        if status == HostStatus.STOPPED:
            for visit in host.visits.filter(status__in=BOOKED, starts_at__gt=timezone.now()):
                _cancel(visit, actor=actor, via=via, why=f"{me.name} stopped hosting")
        audit(organisation_id=sscope.organisation.pk, actor=actor, via=via,
              action=f"host.{status}",
              summary=f"{me.name}: {host.get_status_display().lower()}")  # fmt: skip
    return host


def add_slot(
    *,
    sscope: ShadowingScope,
    actor: User | None,
    kind: str,
    day: dt.date | None,
    starts: dt.time | None = None,
    ends: dt.time | None = None,
    via: str = "",
) -> Slot:
    """The host offers a dated shift; its times default to the host's times for that kind
    of shift. A night shift ends the next morning."""
    me = sscope.require_hosting()
    # A time is read on the organisation's clock: an offset sent with it is not ours to keep.
    starts, ends = _wall_clock(starts), _wall_clock(ends)
    host = sscope.my_host()
    if host is None:
        raise ShadowingError("Offer to host first: your service and the shifts that suit you.")
    if host.status != HostStatus.ACTIVE:
        raise ShadowingError("You have paused hosting: resume it to offer shifts.")
    problems: list[Problem] = []
    starts_at = ends_at = None
    if kind in ShiftKind.values:
        own = host.shifts.filter(kind=kind).first()
        usual = (own.starts, own.ends) if own else USUAL_TIMES[ShiftKind(kind)]
        starts, ends = starts or usual[0], ends or usual[1]
        if day is not None:
            first, last = rules.shift_end(day, starts, ends)
            zone = sscope.organisation.zone
            starts_at = dt.datetime.combine(first, starts, tzinfo=zone)
            ends_at = dt.datetime.combine(last, ends, tzinfo=zone)
    problems += rules.slot_problems(kind, starts_at, ends_at, now=timezone.now())
    if problems:
        raise ShadowingProblems(problems)
    assert starts_at is not None and ends_at is not None
    with transaction.atomic():
        Host.objects.select_for_update().get(pk=host.pk)  # one slot at a time per host
        overlapping = host.slots.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).first()
        if overlapping is not None:
            local = timezone.localtime(overlapping.starts_at, sscope.organisation.zone)
            raise ShadowingError(
                f"You offer a {overlapping.get_kind_display().lower()} shift then already "
                f"({local:%-d %B, %H:%M}).", field="starts_at",
            )  # fmt: skip
        slot = Slot.objects.create(host=host, kind=kind, starts_at=starts_at, ends_at=ends_at)
        audit(organisation_id=sscope.organisation.pk, actor=actor, via=via, action="slot.add",
              summary=f"{me.name} offered a {slot.get_kind_display().lower()} shift on "
              f"{timezone.localtime(starts_at, sscope.organisation.zone):%Y-%m-%d %H:%M}")  # fmt: skip
    return slot


def remove_slot(*, sscope: ShadowingScope, actor: User | None, slot_id: int, via: str = "") -> None:
    host = sscope.my_host()
    slot = host.slots.filter(pk=slot_id).first() if host and 0 < slot_id < 2**63 else None
    if slot is None:
        raise ShadowingError("No such shift among yours.", field="slot")
    with transaction.atomic():
        if slot.visits.filter(status__in=BOOKED).exists():
            raise ShadowingError("Someone has booked this shift: answer or cancel the visit.")
        if slot.visits.exists():
            raise ShadowingError("This shift has a visit on record, so it stays.")
        slot.delete()
        audit(organisation_id=sscope.organisation.pk, actor=actor, via=via, action="slot.remove",
              summary=f"Removed a shift of {slot.starts_at:%Y-%m-%d}")  # fmt: skip


# Booking ---------------------------------------------------------------------------------

# What became of a visit, as a sentence says it: "This visit was declined already."
WAS: dict[str, str] = {
    VisitStatus.REQUESTED: "asked for",
    VisitStatus.CONFIRMED: "confirmed",
    VisitStatus.DECLINED: "declined",
    VisitStatus.CANCELLED: "cancelled",
}


def booked_in_month(host: Host, moment: dt.datetime, zone: dt.tzinfo) -> int:
    """The host's booked visits in the calendar month of ``moment`` (their limit counts these)."""
    local = moment.astimezone(zone)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    after = (first + dt.timedelta(days=32)).replace(day=1)
    return host.visits.filter(status__in=BOOKED, starts_at__gte=first, starts_at__lt=after).count()


def book_visit(*, sscope: ShadowingScope, actor: User | None, slot_id: int, via: str = "",
               notify: bool = True) -> Visit:  # fmt: skip
    """The visitor books a host's shift; the host is asked to confirm. Two visitors booking
    the same shift at once: one booking, the other is told it has gone."""
    me = sscope.require_booking()
    slot = (
        Slot.objects.filter(pk=slot_id, host__organisation=sscope.organisation)
        .select_related("host__person", "host__unit")
        .first()
        if 0 < slot_id < 2**63
        else None
    )
    if slot is None:
        raise ShadowingError("No such shift to book.", field="slot")
    host = slot.host
    if host.person_id == me.pk:
        raise ShadowingError("You cannot shadow yourself.", field="slot")
    if host.status != HostStatus.ACTIVE or not host.person.is_active:
        raise ShadowingError(f"{host.person.name} is not hosting at the moment.", field="slot")
    if slot.starts_at <= timezone.now():
        raise ShadowingError("This shift has started already: choose one to come.", field="slot")
    try:
        with transaction.atomic():
            Host.objects.select_for_update().get(pk=host.pk)  # the monthly limit, one at a time
            if slot.visits.filter(status__in=BOOKED).exists():
                raise ShadowingError("Someone has booked this shift: choose another.",
                                     field="slot")  # fmt: skip
            if (
                booked_in_month(host, slot.starts_at, sscope.organisation.zone)
                >= host.monthly_limit
            ):
                raise ShadowingError(
                    f"{host.person.name} hosts at most {host.monthly_limit} visit"
                    f"{'s' if host.monthly_limit != 1 else ''} a month, and that month is full: "
                    "choose a shift in another month or another host.", field="slot",
                )  # fmt: skip
            clash = Visit.objects.filter(visitor=me, status__in=BOOKED,
                                         starts_at__lt=slot.ends_at, ends_at__gt=slot.starts_at)  # fmt: skip
            if clash.exists():
                raise ShadowingError("You have another visit booked at that time.", field="slot")
            visit = Visit.objects.create(
                organisation=sscope.organisation, slot=slot, host=host, visitor=me,
                unit_id=host.person.unit_id, kind=slot.kind, starts_at=slot.starts_at, ends_at=slot.ends_at,
                uid=new_uid(),
            )  # fmt: skip
            audit(organisation_id=sscope.organisation.pk, actor=actor, via=via,
                  action="visit.book", visit=visit,
                  summary=f"{me.name} asked to shadow {host.person.name} on "
                  f"{timezone.localtime(slot.starts_at, sscope.organisation.zone):%Y-%m-%d %H:%M}")  # fmt: skip
            _after_commit(tasks.deliver_request, visit.pk, notify=notify)
    except IntegrityError:
        raise ShadowingError(
            "Someone booked this shift a moment ago: choose another.", field="slot"
        ) from None
    return visit


def answer_visit(*, sscope: ShadowingScope, actor: User | None, visit: Visit, confirm: bool,
                 reason: str = "", via: str = "", notify: bool = True) -> Visit:  # fmt: skip
    """The host confirms (both get the calendar invitation and the briefing) or declines (the
    visitor is told "not this time"; the host's reason stays theirs)."""
    if not sscope.is_host(visit):
        raise NotAllowed("Only the host answers a request to shadow them.")
    if not confirm:
        problems = rules.free_text_problems("reason", reason, limit=rules.LINE_LIMIT,
                                            what="a reason (only you will read it)",
                                            required=False)  # fmt: skip
        if problems:
            raise ShadowingProblems(problems)
    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        if locked.status != VisitStatus.REQUESTED:
            raise ShadowingError(f"This visit was {WAS[locked.status]} already.")
        locked.status = VisitStatus.CONFIRMED if confirm else VisitStatus.DECLINED
        locked.answered_at = timezone.now()
        locked.decline_reason = "" if confirm else reason.strip()
        locked.save(update_fields=["status", "answered_at", "decline_reason"])
        audit(organisation_id=sscope.organisation.pk, actor=actor, via=via,
              action="visit.confirm" if confirm else "visit.decline", visit=locked,
              summary=f"{'Confirmed' if confirm else 'Declined'} the visit of "
              f"{visit.visitor.name}")  # fmt: skip
        if confirm:
            _after_commit(tasks.deliver_invitation, locked.pk, locked.sequence, notify=notify)
            _after_commit(tasks.schedule_reminder, locked, notify=notify)
        else:
            _after_commit(tasks.deliver_decline, locked.pk, notify=notify)
    return locked


def _cancel(visit: Visit, *, actor: User | None, via: str, why: str) -> None:
    visit.status, visit.cancelled_at = VisitStatus.CANCELLED, timezone.now()
    visit.sequence += 1
    visit.save(update_fields=["status", "cancelled_at", "sequence"])
    audit(organisation_id=visit.organisation_id, actor=actor, via=via, action="visit.cancel",
          visit=visit, summary=f"Cancelled the visit of {visit.starts_at:%Y-%m-%d}: {why}")  # fmt: skip
    _after_commit(tasks.deliver_cancellation, visit.pk, visit.sequence)


def cancel_visit(*, sscope: ShadowingScope, actor: User | None, visit: Visit,
                 via: str = "") -> Visit:  # fmt: skip
    """Either person calls a visit off; both calendars drop it."""
    me = sscope.me()
    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        if locked.status not in BOOKED:
            raise ShadowingError(
                f"This visit was {WAS[locked.status]}: there is nothing to cancel."
            )
        if locked.starts_at <= timezone.now():
            raise ShadowingError("This visit has begun; it can no longer be cancelled.")
        _cancel(locked, actor=actor, via=via, why=f"by {me.name}")
    return locked


def move_visit(*, sscope: ShadowingScope, actor: User | None, visit: Visit,
               starts_at: dt.datetime, ends_at: dt.datetime, via: str = "") -> Visit:  # fmt: skip
    """The host moves a confirmed visit to another time of theirs: the same calendar event,
    moved, for both; the shift moves with it."""
    if not sscope.is_host(visit):
        raise NotAllowed("The host moves a visit; the visitor can cancel and book again.")
    problems = rules.slot_problems(visit.kind, starts_at, ends_at, now=timezone.now())
    if problems:
        raise ShadowingProblems(problems)
    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        if locked.status != VisitStatus.CONFIRMED or locked.starts_at <= timezone.now():
            raise ShadowingError("Only a confirmed visit still to come can be moved.")
        if (locked.starts_at, locked.ends_at) == (starts_at, ends_at):
            raise ShadowingError("That is when it is already.", field="starts_at")
        others = locked.host.slots.exclude(pk=locked.slot_id)
        if others.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
            raise ShadowingError("You offer another shift then.", field="starts_at")
        Slot.objects.filter(pk=locked.slot_id).update(starts_at=starts_at, ends_at=ends_at)
        locked.starts_at, locked.ends_at = starts_at, ends_at
        locked.sequence += 1
        locked.save(update_fields=["starts_at", "ends_at", "sequence"])
        audit(organisation_id=sscope.organisation.pk, actor=actor, via=via, action="visit.move",
              visit=locked, summary=f"Moved the visit to "
              f"{timezone.localtime(starts_at, sscope.organisation.zone):%Y-%m-%d %H:%M}")  # fmt: skip
        _after_commit(tasks.deliver_invitation, locked.pk, locked.sequence)
        _after_commit(tasks.schedule_reminder, locked)
    return locked


# After the visit -------------------------------------------------------------------------


def _owner(sscope: ShadowingScope, hr_id: str) -> Person | None:
    return Person.objects.filter(
        organisation=sscope.organisation, external_id__iexact=hr_id.strip(), is_active=True
    ).first()


def write_reflection(
    *,
    sscope: ShadowingScope,
    actor: User | None,
    visit: Visit,
    what_i_saw: str,
    surprised: str,
    barriers: Sequence[tuple[str, str]],
    commitments: Sequence[CommitmentDraft],
    via: str = "",
    notify: bool = True,
) -> Reflection:
    """The visitor's reflection: what they saw, the barriers they noticed (each tagged with a
    survey driver or "other"), what surprised them, and what they commit to."""
    if not sscope.is_visitor(visit):
        raise NotAllowed("The visitor writes the reflection; the host adds their own word.")
    if not visit.happened():
        raise ShadowingError("Write the reflection once the visit has taken place.")
    problems = rules.free_text_problems("what_i_saw", what_i_saw, limit=rules.TEXT_LIMIT,
                                        what="what you saw", multiline=True)  # fmt: skip
    problems += rules.free_text_problems("surprised", surprised, limit=rules.TEXT_LIMIT,
                                         what="what surprised you", required=False,
                                         multiline=True)  # fmt: skip
    drivers = {key for key, _ in rules.barrier_choices()}
    if len(barriers) > rules.MAX_BARRIERS:
        problems.append(("barriers", f"At most {rules.MAX_BARRIERS} barriers."))
    for n, (driver, note) in enumerate(barriers):
        if driver not in drivers:
            problems.append((f"barriers.{n}.driver", "Choose what kind of barrier it is."))
        problems += rules.free_text_problems(f"barriers.{n}.note", note, limit=rules.LINE_LIMIT,
                                             what="the barrier in a few words")  # fmt: skip
    problems += rules.commitment_problems(list(commitments), today=timezone.localdate())
    owners: list[Person] = []
    for n, draft in enumerate(commitments):
        owner = _owner(sscope, draft.owner_hr_id) if draft.owner_hr_id.strip() else None
        if owner is None and draft.owner_hr_id.strip():
            problems.append((f"commitments.{n}.owner",
                             f"No one with HR id {draft.owner_hr_id.strip()!r} works here now."))  # fmt: skip
        owners.append(owner)  # type: ignore[arg-type]
    if problems:
        raise ShadowingProblems(problems)
    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        if Reflection.objects.filter(visit=locked).exists():
            raise ShadowingError("You have written your reflection on this visit already.")
        reflection = Reflection.objects.create(visit=locked, what_i_saw=what_i_saw.strip(),
                                               surprised=surprised.strip())  # fmt: skip
        Barrier.objects.bulk_create(
            Barrier(reflection=reflection, driver=driver, note=note.strip())
            for driver, note in barriers
        )
        Commitment.objects.bulk_create(
            Commitment(visit=locked, what=draft.what.strip(), owner=owner,
                       due_on=draft.due_on)  # type: ignore[misc]  # checked: never None here
            for draft, owner in zip(commitments, owners, strict=True)
        )  # fmt: skip
        audit(organisation_id=sscope.organisation.pk, actor=actor, via=via,
              action="visit.reflect", visit=locked,
              summary=f"Reflection with {len(barriers)} barrier(s) and {len(commitments)} "
              "commitment(s)")  # fmt: skip
        if commitments:
            _after_commit(tasks.deliver_commitments_made, locked.pk, notify=notify)
    return reflection


def update_commitment(*, sscope: ShadowingScope, actor: User | None, commitment: Commitment,
                      status: str, reason: str = "", via: str = "",
                      notify: bool = True) -> Commitment:  # fmt: skip
    """Done, in progress, or can't do (with the reason everyone involved reads). The host is
    told of every change."""
    if status not in CommitmentStatus.values:
        raise ShadowingError("Choose done, in progress or can't do.", field="status")
    problems = rules.free_text_problems("reason", reason, limit=rules.LINE_LIMIT,
                                        what="why it cannot be done",
                                        required=status == CommitmentStatus.CANT_DO)  # fmt: skip
    if problems:
        raise ShadowingProblems(problems)
    with transaction.atomic():
        locked = Commitment.objects.select_for_update().get(pk=commitment.pk)
        if locked.status == status and locked.reason == reason.strip():
            return locked
        before = locked.get_status_display()
        locked.status = status
        locked.reason = reason.strip() if status == CommitmentStatus.CANT_DO else ""
        locked.updated_at = timezone.now()
        locked.done_at = locked.updated_at if status == CommitmentStatus.DONE else None
        locked.save()
        audit(organisation_id=sscope.organisation.pk, actor=actor, via=via,
              action="commitment.status", visit=locked.visit,
              summary=f"“{locked.what[:120]}”: {before} → {locked.get_status_display()}")  # fmt: skip
        _after_commit(tasks.deliver_commitment_change, locked.pk, notify=notify)
    return locked


def write_host_word(*, sscope: ShadowingScope, actor: User | None, visit: Visit, account: str,
                    useful: int | None, engaged: int | None, would_host_again: bool | None,
                    comment: str = "", via: str = "") -> HostWord:  # fmt: skip
    """The host's account of the visit (the visitor reads it) and their rating (read by
    anyone else only pooled over at least three hosts)."""
    if not sscope.is_host(visit):
        raise NotAllowed("The host gives their word on a visit.")
    if not visit.happened():
        raise ShadowingError("Give your word once the visit has taken place.")
    problems = rules.free_text_problems("account", account, limit=rules.TEXT_LIMIT,
                                        what="your account", required=False, multiline=True)  # fmt: skip
    problems += rules.free_text_problems("comment", comment, limit=rules.TEXT_LIMIT,
                                         what="a comment", required=False, multiline=True)  # fmt: skip
    for field, value in (("useful", useful), ("engaged", engaged)):
        if value is None or not 1 <= value <= 5:
            problems.append((field, "Choose from 1 to 5."))
    if would_host_again is None:
        problems.append(("would_host_again", "Say whether you would host again."))
    if problems:
        raise ShadowingProblems(problems)
    assert useful is not None and engaged is not None and would_host_again is not None
    with transaction.atomic():
        Visit.objects.select_for_update().get(pk=visit.pk)
        if HostWord.objects.filter(visit=visit).exists():
            raise ShadowingError("You have given your word on this visit already.")
        word = HostWord.objects.create(visit=visit, account=account.strip(), useful=useful,
                                       engaged=engaged, would_host_again=would_host_again,
                                       comment=comment.strip())  # fmt: skip
        audit(
            organisation_id=sscope.organisation.pk,
            actor=actor,
            via=via,
            action="visit.host_word",
            visit=visit,
            summary="The host gave their word",
        )
    return word


def invite_to_host(*, sscope: ShadowingScope, actor: User | None, hr_id: str,
                   via: str = "") -> Person:  # fmt: skip
    """A unit leader invites a clinician of the units they lead to host."""
    person = sscope.hosts_to_invite().filter(external_id__iexact=hr_id.strip()).first()
    if person is None:
        raise ShadowingError(
            f"No clinician with HR id {hr_id.strip()!r} in the units you lead.", field="person"
        )
    if not person.email:
        raise ShadowingError(f"No email address for {person.name} in the org chart.",
                             field="person")  # fmt: skip
    with transaction.atomic():
        audit(organisation_id=sscope.organisation.pk, actor=actor, via=via, action="host.invite",
              summary=f"{sscope.me().name} invited {person.name} to host")  # fmt: skip
        _after_commit(tasks.deliver_host_invitation, person.pk, sscope.me().pk)
    return person


# The programme's settings ----------------------------------------------------------------


def save_settings(*, scope: Scope, actor: User | None, visits_per_executive: int,
                  reflection_hours: int, leaders_may_book: bool, briefing: str,
                  briefing_es: str, via: str = "") -> ProgrammeSettings:  # fmt: skip
    scope.require_admin()
    problems: list[Problem] = []
    if not 0 <= visits_per_executive <= 52:
        problems.append(("visits_per_executive", "Give 0 to 52 visits a year."))
    if not 1 <= reflection_hours <= 336:
        problems.append(("reflection_hours", "Give 1 to 336 hours (two weeks)."))
    for field, text in (("briefing", briefing), ("briefing_es", briefing_es)):
        problems += rules.free_text_problems(field, text, limit=rules.TEXT_LIMIT,
                                             what="the briefing", required=False,
                                             multiline=True)  # fmt: skip
    if problems:
        raise ShadowingProblems(problems)
    with transaction.atomic():
        found, _ = ProgrammeSettings.objects.update_or_create(
            organisation=scope.organisation,
            defaults={"visits_per_executive": visits_per_executive,
                      "reflection_hours": reflection_hours, "leaders_may_book": leaders_may_book,
                      "briefing": briefing.strip(), "briefing_es": briefing_es.strip()},
        )  # fmt: skip
        audit(
            organisation_id=scope.organisation.pk,
            actor=actor,
            via=via,
            action="settings.change",
            summary="Changed the shadowing programme's settings",
        )
    return found
