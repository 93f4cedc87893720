"""Reminding people of follow-ups that have fallen due: once per follow-up, by email, to each
side that has not answered, in their language. Run by the queue every quarter of an hour
(``tasks.remind_follow_ups``) and by ``accord expectations remind``."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.expectations import mail
from accord.expectations.models import AgreementStatus, FollowUp, Side
from accord.org.models import Organisation


def remind_due_follow_ups(
    *, organisation: Organisation | None = None, now: dt.datetime | None = None
) -> int:
    """Email the people whose follow-ups have fallen due and can still be answered on time;
    returns how many emails went. A follow-up is claimed before its emails go, so two
    workers never remind twice; if the mail server refuses, the claim is released and the
    next run tries again."""
    now = now or timezone.now()
    due = FollowUp.objects.filter(
        reminded_at__isnull=True, due_at__lte=now, answer_by__gt=now,
        agreement__status=AgreementStatus.ACCEPTED,
    ).select_related("agreement__leader", "agreement__colleague", "agreement__organisation")  # fmt: skip
    if organisation is not None:
        due = due.filter(agreement__organisation=organisation)
    sent = 0
    for follow_up in due.order_by("due_at", "pk"):
        if not FollowUp.objects.filter(pk=follow_up.pk, reminded_at__isnull=True).update(
            reminded_at=now
        ):
            continue  # another worker has it
        agreement = follow_up.agreement
        try:
            for side, person in ((Side.LEADER, agreement.leader),
                                 (Side.COLLEAGUE, agreement.colleague)):  # fmt: skip
                if not follow_up.answered_by(side) and person.is_active and person.email:
                    sent += mail.send_follow_up_reminder(follow_up, person)
        except Exception:
            FollowUp.objects.filter(pk=follow_up.pk).update(reminded_at=None)
            raise
    return sent
