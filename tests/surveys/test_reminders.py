"""Reminders reach only people whose invitation has not answered, once per reminder day, in
their own language, and leave no record of who was reminded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from accord.org.models import Person
from accord.surveys.answers import ParsedAnswers
from accord.surveys.models import ReminderRun
from accord.surveys.services import Outcome, advance_cycles, submit_response
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
