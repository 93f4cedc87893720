"""Reminders reach only people whose invitation has not answered, once per reminder day, in
their own language, and leave no record of who was reminded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from accord.org.models import Person
from accord.surveys.answers import ParsedAnswers
from accord.surveys.models import ReminderRun
from accord.surveys.services import Outcome, advance_cycles, submit_response
from tests.mailserver import MailServer
from tests.surveys.conftest import RunningCycle, tokens_from_outbox

pytestmark = pytest.mark.django_db


def test_reminders_go_only_to_people_who_have_not_answered(
    running: RunningCycle,
    django_capture_on_commit_callbacks,
) -> None:
    answered = ["sam", "nina", "paula"]
    for external_id in answered:
        submit_response(token=running.token(external_id), answers=ParsedAnswers(), nonce="x")
    mail.outbox.clear()
    day3 = running.cycle.opens_at + dt.timedelta(days=3, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        result = advance_cycles(day3)
    reminded = {message.to[0].split("@")[0] for message in mail.outbox}
    assert reminded == set(running.tokens and {e.split("@")[0] for e in running.tokens}) - set(
        answered
    )
    assert result.reminded == {running.cycle.pk: 13}
    assert all(
        "Reminder:" in m.subject and "can see who has answered" in m.body for m in mail.outbox
    )
    # The same day again does nothing; the run records a count, not names.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        advance_cycles(day3 + dt.timedelta(hours=1))
    assert mail.outbox == []
    run = ReminderRun.objects.get(cycle=running.cycle, day=3)
    assert run.sent == 13 and {f.name for f in ReminderRun._meta.fields} == {
        "id",
        "cycle",
        "day",
        "started_at",
        "sent",
    }


def test_a_reminder_link_answers_for_the_same_invitation_once(
    running: RunningCycle,
    django_capture_on_commit_callbacks,
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        advance_cycles(running.cycle.opens_at + dt.timedelta(days=3, minutes=1))
    reminder_token = tokens_from_outbox()["ned@riverside.example"]
    assert reminder_token != running.token("ned")
    assert (
        submit_response(token=reminder_token, answers=ParsedAnswers(), nonce="a")
        is Outcome.RECORDED
    )
    first = submit_response(token=running.token("ned"), answers=ParsedAnswers(), nonce="b")
    assert first is Outcome.ALREADY_ANSWERED


def test_invitations_are_in_the_persons_language(
    cast, queue_now, django_capture_on_commit_callbacks
) -> None:
    from accord.surveys.services import create_cycle, open_now, schedule_cycle
    from tests.surveys.conftest import cycle_settings

    riverside = cast.riverside
    Person.objects.filter(organisation=riverside, external_id="nina").update(
        attributes={"language": "es"}
    )
    cycle = create_cycle(
        organisation=riverside, settings=cycle_settings(riverside), created_by=cast.admin
    )
    schedule_cycle(cycle=cycle)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        open_now(cycle=cycle)
    by_person = {m.to[0]: m for m in mail.outbox}
    assert len(by_person) == 16
    spanish = by_person["nina@riverside.example"]
    assert "Cómo sus respuestas siguen siendo anónimas" in spanish.body
    english = by_person["sam@riverside.example"]
    assert "How your answers stay anonymous" in english.body and "/s/" in english.body


def test_a_reminder_counts_what_the_mail_server_accepted_and_a_refused_batch_is_sent_later(
    running: RunningCycle, mail_server: MailServer
) -> None:
    from django.test import override_settings

    from accord.surveys.mail import claim_time, deliver_batch
    from accord.surveys.models import Invitation, PendingEmail
    from accord.surveys.services import send_reminders

    submit_response(token=running.token("sam"), answers=ParsedAnswers(), nonce="x")
    cycle = running.cycle
    day3 = cycle.opens_at + dt.timedelta(days=3, minutes=1)
    waiting = send_reminders(cycle=cycle, day=3, now=day3)
    emailed = Invitation.objects.filter(cycle=cycle, channel=Invitation.Channel.EMAIL).count()
    # A row for everyone emailed, sam included: the table does not say who has answered.
    assert waiting == emailed - 1 and PendingEmail.objects.count() == emailed
    run = ReminderRun.objects.get(cycle=cycle, day=3)

    smtp = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": mail_server.port}  # fmt: skip
    with override_settings(**smtp):
        mail_server.refusing = True
        with pytest.raises(Exception, match="Try again later"):
            deliver_batch(cycle.pk)
        run.refresh_from_db()
        assert run.sent == 0 and PendingEmail.objects.count() == emailed  # nothing lost
        assert deliver_batch(cycle.pk) is None  # still claimed by the failed attempt

        mail_server.refusing = False
        later = timezone.now() + claim_time() + dt.timedelta(seconds=1)
        assert deliver_batch(cycle.pk, now=later) == waiting
    run.refresh_from_db()
    assert run.sent == waiting == mail_server.accepted()
    assert "sam@riverside.example" not in mail_server.recipients
    assert not PendingEmail.objects.exists()


def test_emails_still_waiting_when_the_cycle_closes_are_dropped_not_sent(
    running: RunningCycle,
) -> None:
    from accord.surveys.mail import deliver_batch
    from accord.surveys.models import PendingEmail
    from accord.surveys.services import close_now, send_reminders

    cycle = running.cycle
    send_reminders(cycle=cycle, day=3, now=cycle.opens_at + dt.timedelta(days=3, minutes=1))
    assert PendingEmail.objects.exists()
    close_now(cycle=cycle)
    mail.outbox.clear()
    assert not PendingEmail.objects.exists()  # their links would not work any more
    assert deliver_batch(cycle.pk) is None
    assert mail.outbox == []
    assert ReminderRun.objects.get(cycle=cycle, day=3).sent == 0
