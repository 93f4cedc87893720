"""Email about agreements, to the two people of an agreement only, each in their language:
the meeting invitation (with its calendar file), its cancellation, and the reminder that a
follow-up has fallen due. Called from queue tasks (``expectations/tasks.py``), never while a
request waits; sent through ``notify``."""

from __future__ import annotations

from django.urls import reverse

from accord.expectations.agenda import meeting_invitation, title
from accord.expectations.models import Agreement, FollowUp, Meeting
from accord.notify.calendar import calendar_attachment, local_when
from accord.notify.services import send_email
from accord.org.models import Person
from accord.site import absolute_url

CALENDAR_FILE = "agreement-meeting.ics"

WORDS = {
    "en": {
        "invite": "{other} and you are meeting about your agreement. The calendar invitation "
        "is attached.\n\nWhen: {when}{where}\n\nThe agreement: {link}\n\nAgenda\n------\n{agenda}\n",
        "moved_subject": "Moved: {title}",
        "moved": "Your agreement meeting with {other} has moved; the attached invitation updates "
        "your calendar.\n\nWhen: {when}{where}\n\nThe agreement: {link}\n\nAgenda\n------\n{agenda}\n",
        "where": "\nWhere: {location}",
        "cancel_subject": "Cancelled: {title}",
        "cancel": "The agreement meeting with {other} planned for {when} is cancelled. The "
        "attached file removes it from your calendar.\n\nThe agreement: {link}\n",
        "follow_up_subject": "Follow-up due: {topic}",
        "follow_up": "A follow-up on your agreement with {other} is due. For each expectation: "
        "is it still on track, and still fair? It takes a minute; answer by {by}.\n\n{link}\n",
    },
    "es": {
        "invite": "{other} y usted se reúnen para hablar de su acuerdo. Adjuntamos la "
        "invitación de calendario.\n\nCuándo: {when}{where}\n\nEl acuerdo: {link}\n\n"
        "Orden del día\n-------------\n{agenda}\n",
        "moved_subject": "Cambio de hora: {title}",
        "moved": "Su reunión de acuerdo con {other} ha cambiado; la invitación adjunta actualiza "
        "su calendario.\n\nCuándo: {when}{where}\n\nEl acuerdo: {link}\n\n"
        "Orden del día\n-------------\n{agenda}\n",
        "where": "\nDónde: {location}",
        "cancel_subject": "Cancelada: {title}",
        "cancel": "La reunión de acuerdo con {other} prevista para {when} queda cancelada. El "
        "archivo adjunto la quita de su calendario.\n\nEl acuerdo: {link}\n",
        "follow_up_subject": "Seguimiento pendiente: {topic}",
        "follow_up": "Toca un seguimiento de su acuerdo con {other}. Para cada expectativa: "
        "¿sigue en buen camino y sigue siendo justa? Lleva un minuto; responda antes del "
        "{by}.\n\n{link}\n",
    },
}


def _words(person: Person) -> dict[str, str]:
    return WORDS.get(person.language, WORDS["en"])


def _link(agreement: Agreement) -> str:
    return absolute_url(reverse("agreement", args=[agreement.organisation.slug, agreement.pk]))


def _other(agreement: Agreement, person: Person) -> Person:
    return agreement.colleague if person.pk == agreement.leader_id else agreement.leader


def _both(agreement: Agreement) -> tuple[Person, Person]:
    return agreement.leader, agreement.colleague


def send_meeting_invitation(meeting: Meeting) -> int:
    """Each person their invitation (or, after a reschedule, the update) with the agenda and
    the calendar file."""
    agreement = meeting.agreement
    when = local_when(meeting.starts_at, meeting.duration_minutes, agreement.organisation.time_zone)
    sent = 0
    for person in _both(agreement):
        w = _words(person)
        where = w["where"].format(location=meeting.location) if meeting.location else ""
        fields = {"other": _other(agreement, person).name, "when": when, "where": where,
                  "link": _link(agreement), "agenda": meeting.agenda}  # fmt: skip
        subject = title(agreement, person.language)
        moved = meeting.sequence > 0
        sent += send_email(
            to=[person.email],
            subject=w["moved_subject"].format(title=subject) if moved else subject,
            body=w["moved" if moved else "invite"].format(**fields),
            attachments=[
                calendar_attachment(meeting_invitation(meeting, person.language), CALENDAR_FILE)
            ],
        )
    return sent


def send_meeting_cancellation(meeting: Meeting) -> int:
    agreement = meeting.agreement
    when = local_when(meeting.starts_at, meeting.duration_minutes, agreement.organisation.time_zone)
    sent = 0
    for person in _both(agreement):
        w = _words(person)
        sent += send_email(
            to=[person.email],
            subject=w["cancel_subject"].format(title=title(agreement, person.language)),
            body=w["cancel"].format(
                other=_other(agreement, person).name, when=when, link=_link(agreement)
            ),
            attachments=[
                calendar_attachment(meeting_invitation(meeting, person.language), CALENDAR_FILE)
            ],
        )
    return sent


def send_follow_up_reminder(follow_up: FollowUp, person: Person) -> int:
    agreement = follow_up.agreement
    w = _words(person)
    by = local_when(follow_up.answer_by, 0, agreement.organisation.time_zone).rsplit(",", 1)[0]
    return send_email(
        to=[person.email],
        subject=w["follow_up_subject"].format(topic=agreement.topic),
        body=w["follow_up"].format(
            other=_other(agreement, person).name, by=by, link=_link(agreement)
        ),
    )
