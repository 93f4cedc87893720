"""Queue tasks for the shadowing programme: thin wrappers that load the visit again (it may
have changed since the task was queued) and call ``mail.py``; the reminder the day before,
queued for its time; and, every quarter of an hour, the reminder to reflect once a visit is
over."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from accord.org.models import Organisation, Person
from accord.shadowing import mail
from accord.shadowing.models import Commitment, Reflection, Visit, VisitStatus

REMIND_BEFORE = dt.timedelta(days=1)


def _visit(visit_id: int, **conditions: object) -> Visit | None:
    return (
        Visit.objects.select_related("visitor", "host__person", "unit", "organisation")
        .filter(pk=visit_id, **conditions)
        .first()
    )


@db_task(retries=3, retry_delay=60)
def deliver_request(visit_id: int) -> int:
    found = _visit(visit_id, status=VisitStatus.REQUESTED)
    return mail.send_request(found) if found else 0


@db_task(retries=3, retry_delay=60)
def deliver_invitation(visit_id: int, sequence: int) -> int:
    found = _visit(visit_id, status=VisitStatus.CONFIRMED, sequence=sequence)
    return mail.send_invitation(found) if found else 0


@db_task(retries=3, retry_delay=60)
def deliver_decline(visit_id: int) -> int:
    found = _visit(visit_id, status=VisitStatus.DECLINED)
    return mail.send_decline(found) if found else 0


@db_task(retries=3, retry_delay=60)
def deliver_cancellation(visit_id: int, sequence: int) -> int:
    found = _visit(visit_id, status=VisitStatus.CANCELLED, sequence=sequence)
    return mail.send_cancellation(found) if found else 0


@db_task(retries=3, retry_delay=60)
def remind_of_visit(visit_id: int, sequence: int) -> int:
    """The day before, unless the visit was moved or called off since."""
    found = _visit(visit_id, status=VisitStatus.CONFIRMED, sequence=sequence)
    return mail.send_reminder(found) if found else 0


def schedule_reminder(visit: Visit) -> None:
    when = visit.starts_at - REMIND_BEFORE
    if when > timezone.now():
        remind_of_visit.schedule(args=(visit.pk, visit.sequence), eta=when)


@db_task(retries=3, retry_delay=60)
def deliver_commitments_made(visit_id: int) -> int:
    found = _visit(visit_id)
    return mail.send_commitments_made(found) if found else 0


@db_task(retries=3, retry_delay=60)
def deliver_commitment_change(commitment_id: int) -> int:
    found = (
        Commitment.objects.select_related(
            "owner", "visit__host__person", "visit__organisation", "visit__visitor"
        )
        .filter(pk=commitment_id)
        .first()
    )
    return mail.send_commitment_change(found) if found else 0


@db_task(retries=3, retry_delay=60)
def deliver_host_invitation(person_id: int, leader_id: int) -> int:
    person = Person.objects.select_related("organisation").filter(pk=person_id).first()
    leader = Person.objects.filter(pk=leader_id).first()
    return mail.send_host_invitation(person, leader) if person and leader else 0


def remind_to_reflect(
    now: dt.datetime | None = None, organisation: Organisation | None = None
) -> int:
    """Visits over for an hour with no reflection yet, each reminded once."""
    now = now or timezone.now()
    over = Visit.objects.filter(
        status=VisitStatus.CONFIRMED, ends_at__lte=now - dt.timedelta(hours=1),
        ends_at__gt=now - dt.timedelta(days=14), reflection_reminded_at__isnull=True,
    ).exclude(pk__in=Reflection.objects.values("visit_id"))  # fmt: skip
    if organisation is not None:
        over = over.filter(organisation=organisation)
    sent = 0
    for visit in over.select_related("visitor", "host__person", "unit", "organisation"):
        if Visit.objects.filter(pk=visit.pk, reflection_reminded_at__isnull=True).update(
            reflection_reminded_at=now
        ):
            sent += mail.send_reflection_reminder(visit)
    return sent


@db_periodic_task(crontab(minute="*/15"))
def remind_to_reflect_every_quarter_hour() -> int:
    return remind_to_reflect()
