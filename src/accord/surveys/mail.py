"""Survey email: invitations and reminders, rendered in the invitee's language and sent in
batches from the queue, through an outbox that survives a killed worker.

``queue_survey_emails`` writes one :class:`PendingEmail` per recipient inside the cycle's
transaction and queues :func:`deliver_survey_emails` once it commits. A worker claims a
batch for ``ACCORD_EMAIL_CLAIM_SECONDS``, mints the batch's tokens, sends it over one
connection and deletes the rows only after the mail server accepted them. A worker killed
mid-batch leaves its claim to expire; the next worker to start, or the minute's clock, sends
the batch again — at most that one batch twice, never anyone left out.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.module_loading import import_string
from huey.contrib.djhuey import HUEY, db_task

from accord.notify.services import compose_email, send_emails
from accord.site import absolute_url
from accord.surveys.models import (
    Cycle,
    Invitation,
    InvitationToken,
    PendingEmail,
    Receipt,
    ReminderRun,
)
from accord.surveys.selectors import instrument_asked
from accord.surveys.tokens import display_token, new_token, receipt_mark, token_digest

BATCH = 200
# The one rater group of a 360 shown as one person's: the leader's manager.
MANAGER_GROUP = "manager"
TOKEN_BATCH = 1000
# Up to this many questions the invitation speaks of a minute, not of five.
SHORT_PULSE_QUESTIONS = 5


def claim_time() -> dt.timedelta:
    """How long a worker may take to send one batch before another takes it over."""
    return dt.timedelta(seconds=settings.ACCORD_EMAIL_CLAIM_SECONDS)


def queue_survey_emails(
    *, cycle: Cycle, invitation_ids: Iterable[int], reminder: ReminderRun | None = None
) -> None:
    """One pending email per invitation, sent once the caller's transaction commits."""
    rows = [PendingEmail(cycle=cycle, invitation_id=pk, reminder=reminder) for pk in invitation_ids]
    PendingEmail.objects.bulk_create(rows, batch_size=TOKEN_BATCH)
    if rows:
        transaction.on_commit(lambda: deliver_survey_emails(cycle.pk))


def mint_tokens(invitations: Sequence[Invitation]) -> list[tuple[Invitation, str]]:
    """A new token for each invitation, on the invitation's channel; only digests are stored."""
    issued = [(invitation, new_token()) for invitation in invitations]
    InvitationToken.objects.bulk_create(
        [
            InvitationToken(
                invitation=invitation, digest=token_digest(token), channel=invitation.channel
            )
            for invitation, token in issued
        ],
        batch_size=TOKEN_BATCH,
    )
    return issued


@db_task(retries=3, retry_delay=60)
def deliver_survey_emails(cycle_id: int) -> int:
    """Send a cycle's pending emails, batch after batch; how many the mail server accepted."""
    accepted = 0
    while True:
        sent = deliver_batch(cycle_id)
        if sent is None:
            return accepted
        accepted += sent


def deliver_batch(cycle_id: int, now: dt.datetime | None = None) -> int | None:
    """Claim, send and clear one batch; the number accepted, or None when none is free."""
    now = now or timezone.now()
    claim = uuid.uuid4()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    batch = PendingEmail.objects.filter(free, cycle_id=cycle_id).order_by("pk").values("pk")
    # One UPDATE claims the batch, so two workers never take the same rows: on PostgreSQL the
    # second re-checks ``free`` after the first commits; SQLite runs one writer at a time.
    claimed = PendingEmail.objects.filter(free, pk__in=batch[:BATCH]).update(
        claim=claim, claimed_until=now + claim_time()
    )
    if not claimed:
        return None
    rows = list(
        PendingEmail.objects.filter(claim=claim).select_related(
            "invitation__person__unit", "cycle__organisation", "cycle__about"
        )
    )
    if not rows or rows[0].cycle.status != Cycle.Status.OPEN:
        PendingEmail.objects.filter(claim=claim).delete()  # the cycle closed meanwhile
        return 0
    cycle = rows[0].cycle
    answered: set[str] = set()
    if any(row.reminder_id is not None for row in rows):
        answered = set(Receipt.objects.filter(cycle=cycle).values_list("mark", flat=True))
    to_send = [
        row
        for row in rows
        if row.reminder_id is None or receipt_mark(cycle.pk, row.invitation_id) not in answered
    ]
    with transaction.atomic():  # a link must work by the time its email arrives
        tokens = dict(mint_tokens([row.invitation for row in to_send]))
    news = invitation_news(cycle, [row.invitation for row in to_send if row.reminder_id is None])
    questions = len(instrument_asked(cycle).items)
    emails = []
    for row in to_send:
        invitation = row.invitation
        subject, body = render_survey_email(
            cycle=cycle,
            kind="invitation" if row.reminder_id is None else "reminder",
            name=invitation.person.name,
            language=invitation.language,
            token=tokens[invitation],
            news=news.get(invitation.pk, ()),
            questions=questions,
            rater_group=invitation.rater_group,
        )
        emails.append(compose_email(to=[invitation.person.email], subject=subject, body=body))
    send_emails(emails)  # raises if the server refuses: the claim lapses and the batch returns
    with transaction.atomic():
        PendingEmail.objects.filter(claim=claim).delete()
        for run, count in Counter(row.reminder_id for row in to_send if row.reminder_id).items():
            ReminderRun.objects.filter(pk=run).update(sent=F("sent") + count)
    return len(emails)


def send_lapsed_emails(now: dt.datetime | None = None) -> dt.datetime | None:
    """Queue the sending of whatever waits unclaimed or with a lapsed claim (a stopped
    worker's batch, one the mail server refused); when the next claim still held lapses."""
    now = now or timezone.now()
    pending = PendingEmail.objects.values_list("cycle_id", flat=True).distinct()
    for cycle_id in pending.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)):
        deliver_survey_emails(cycle_id)
    held = PendingEmail.objects.filter(claimed_until__gte=now).order_by("claimed_until")
    return held.values_list("claimed_until", flat=True).first()


@db_task()
def resume_survey_emails() -> None:
    """After a restart: send what a stopped worker left, now or as soon as its claim lapses
    (the minute's clock would too, but later)."""
    now = timezone.now()
    next_lapse = send_lapsed_emails(now)
    if next_lapse is not None:
        resume_survey_emails.schedule(delay=(next_lapse - now).total_seconds() + 1)


@HUEY.on_startup()
def _resume_after_a_restart() -> None:
    if not HUEY.immediate:
        resume_survey_emails()


def invitation_news(cycle: Cycle, invitations: Sequence[Invitation]) -> dict[int, list[str]]:
    """What changed since the last survey for each invitee's units, by invitation id, in the
    invitee's language: lines from the capabilities above surveys that report what was done
    (``settings.ACCORD_INVITATION_NEWS``, each a function of the cycle and the invitations)."""
    news: dict[int, list[str]] = {}
    if not invitations:
        return news
    for path in settings.ACCORD_INVITATION_NEWS:
        for pk, lines in import_string(path)(cycle, invitations).items():
            news.setdefault(pk, []).extend(lines)
    return news


def render_survey_email(
    *,
    cycle: Cycle,
    kind: str,
    name: str,
    language: str,
    token: str,
    news: Sequence[str] = (),
    questions: int = 0,
    rater_group: str = "",
) -> tuple[str, str]:
    """``news``: what changed since the last survey, for an invitation; ``questions``: how
    many the survey asks (a short pulse is introduced as one); ``rater_group``: in a 360,
    whether the rater is the leader's manager (whose ratings are shown as theirs)."""
    language = language if language in ("en", "es") else "en"
    prefix = "rater_" if cycle.purpose == Cycle.Purpose.LEADERSHIP_360 else ""
    context = {
        "about": cycle.about.name if cycle.about else "",
        "as_manager": rater_group == MANAGER_GROUP,
        "news": news,
        "short": 0 < questions <= SHORT_PULSE_QUESTIONS,
        "questions": questions,
        "cycle": cycle,
        "name": name,
        "link": absolute_url(f"/s/{token}/"),
        "code": display_token(token),
        "closes": cycle.closes_at,
        "time_zone": cycle.organisation.time_zone,
        "organisation": cycle.organisation.name,
        "minimum": cycle.min_group_size,
        "comment_minimum": cycle.min_comment_group_size,
    }
    text = render_to_string(f"surveys/email/{prefix}{kind}_{language}.txt", context)
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")
