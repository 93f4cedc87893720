"""Email about shadowing visits, each person in their language: the request to the host, the
calendar invitation with the briefing to both, a decline ("not this time"), a cancellation,
the reminder the day before, the reminder to reflect, commitments made and changed, and a
leader's invitation to host. Called from queue tasks (``tasks.py``) through ``notify``."""

from __future__ import annotations

from django.urls import reverse

from accord.notify.calendar import Attendee, Invitation, calendar_attachment, local_when
from accord.notify.services import send_email
from accord.org.models import Person
from accord.shadowing.briefing import briefing_for
from accord.shadowing.models import Commitment, Visit, VisitStatus
from accord.shadowing.visibility import programme_settings
from accord.site import absolute_url

CALENDAR_FILE = "shadowing-visit.ics"

WORDS = {
    "en": {
        "title": "Shadowing: {visitor} with {host}, {service}",
        "request_subject": "{visitor} asks to shadow you",
        "request": "{visitor} would like to shadow your {kind} shift: {when}.\n\nConfirm or "
        "decline here (a decline reads “not this time”; your reason stays yours):\n{link}\n",
        "invite": "Your shadowing visit is confirmed: {when}, {unit}.\n{notes}\nThe calendar "
        "invitation is attached.\n\n{link}\n\nBriefing\n--------\n{briefing}\n",
        "moved_subject": "Moved: {title}",
        "where": "What the host asks visitors to know: {text}\n",
        "decline_subject": "Not this time: shadowing {host}",
        "decline": "{host} cannot host you on {when} — not this time. Other shifts and hosts "
        "are open:\n{link}\n",
        "cancel_subject": "Cancelled: {title}",
        "cancel": "The shadowing visit planned for {when} is cancelled. The attached file "
        "removes it from your calendar.\n\n{link}\n",
        "remind_subject": "Tomorrow: {title}",
        "remind": "A reminder of tomorrow's shadowing visit: {when}, {unit}.\n{notes}\n{link}\n\n"
        "Briefing\n--------\n{briefing}\n",
        "reflect_subject": "Your reflection on shadowing {host}",
        "reflect": "Your visit with {host} is over. Write what you saw, the barriers you "
        "noticed and what you will do about them — within {hours} hours of the visit:\n{link}\n",
        "made_subject": "Commitments from {visitor}'s visit",
        "made": "{visitor} wrote their reflection on shadowing you and committed to:\n{items}\n"
        "Follow them here:\n{link}\n",
        "changed_subject": "Commitment {status}: {what}",
        "changed": "“{what}” ({owner}, due {due}) is now: {status}.{reason}\n\n{link}\n",
        "invite_host_subject": "{leader} invites you to host shadowing visits",
        "invite_host": "{leader} would like you to host administrators on some of your shifts, "
        "so they see the work as it is. You choose the shifts, how often, and what a visitor "
        "should know, and you can pause at any time:\n{link}\n",
    },
    "es": {
        "title": "Acompañamiento: {visitor} con {host}, {service}",
        "request_subject": "{visitor} pide acompañarle en su turno",
        "request": "{visitor} quiere acompañarle en su turno de {kind}: {when}.\n\nConfirme o "
        "rechace aquí (un rechazo se lee «esta vez no»; su motivo queda para usted):\n{link}\n",
        "invite": "Su visita de acompañamiento está confirmada: {when}, {unit}.\n{notes}\n"
        "Adjuntamos la invitación de calendario.\n\n{link}\n\nInstrucciones\n-------------\n"
        "{briefing}\n",
        "moved_subject": "Cambio de hora: {title}",
        "where": "Lo que la persona anfitriona pide saber: {text}\n",
        "decline_subject": "Esta vez no: acompañar a {host}",
        "decline": "{host} no puede recibirle el {when}: esta vez no. Hay otros turnos y "
        "personas disponibles:\n{link}\n",
        "cancel_subject": "Cancelada: {title}",
        "cancel": "La visita de acompañamiento prevista para el {when} queda cancelada. El "
        "archivo adjunto la quita de su calendario.\n\n{link}\n",
        "remind_subject": "Mañana: {title}",
        "remind": "Le recordamos la visita de acompañamiento de mañana: {when}, {unit}.\n{notes}"
        "\n{link}\n\nInstrucciones\n-------------\n{briefing}\n",
        "reflect_subject": "Su reflexión sobre el acompañamiento a {host}",
        "reflect": "Su visita con {host} ha terminado. Escriba lo que vio, las barreras que notó "
        "y lo que hará al respecto, dentro de las {hours} horas siguientes a la visita:\n{link}\n",
        "made_subject": "Compromisos de la visita de {visitor}",
        "made": "{visitor} escribió su reflexión sobre la visita y se comprometió a:\n{items}\n"
        "Puede seguirlos aquí:\n{link}\n",
        "changed_subject": "Compromiso {status}: {what}",
        "changed": "«{what}» ({owner}, para el {due}) ahora está: {status}.{reason}\n\n{link}\n",
        "invite_host_subject": "{leader} le invita a recibir visitas de acompañamiento",
        "invite_host": "{leader} quiere que reciba a personas de la administración en algunos de "
        "sus turnos, para que vean el trabajo tal como es. Usted elige los turnos, la frecuencia "
        "y lo que deben saber, y puede pausarlo cuando quiera:\n{link}\n",
    },
}
KINDS_ES = {"day": "día", "evening": "tarde", "night": "noche", "weekend": "fin de semana"}
STATUS_ES = {"in_progress": "en curso", "done": "hecho", "cant_do": "no se puede hacer"}


def _w(person: Person) -> dict[str, str]:
    return WORDS.get(person.language, WORDS["en"])


def _link(visit: Visit) -> str:
    return absolute_url(reverse("shadowing-visit", args=[visit.organisation.slug, visit.pk]))


def _when(visit: Visit) -> str:
    minutes = int((visit.ends_at - visit.starts_at).total_seconds() // 60)
    return local_when(visit.starts_at, minutes, visit.organisation.time_zone)


def _title(visit: Visit, person: Person) -> str:
    return _w(person)["title"].format(visitor=visit.visitor.name, host=visit.host.person.name,
                                      service=visit.host.service)  # fmt: skip


def visit_invitation(visit: Visit, person: Person) -> Invitation:
    host = visit.host.person
    minutes = int((visit.ends_at - visit.starts_at).total_seconds() // 60)
    return Invitation(
        uid=visit.uid, sequence=visit.sequence, starts_at=visit.starts_at,
        duration_minutes=minutes, summary=_title(visit, person),
        description=briefing_for(programme_settings(visit.organisation_id), person.language),
        location=f"{visit.unit.full_name}",
        attendees=(Attendee(visit.visitor.name, visit.visitor.email), Attendee(host.name, host.email)),
        cancelled=visit.status == VisitStatus.CANCELLED, product="Shadowing",
    )  # fmt: skip


def _both(visit: Visit) -> tuple[Person, Person]:
    return visit.visitor, visit.host.person


def _notes(visit: Visit, person: Person) -> str:
    text = visit.host.visitor_notes
    return _w(person)["where"].format(text=text) if text else ""


def send_request(visit: Visit) -> int:
    host = visit.host.person
    w = _w(host)
    kind = KINDS_ES.get(visit.kind, visit.kind) if host.language == "es" else visit.kind
    return send_email(to=[host.email], subject=w["request_subject"].format(visitor=visit.visitor.name),
                      body=w["request"].format(visitor=visit.visitor.name, kind=kind,
                                               when=_when(visit), link=_link(visit)))  # fmt: skip


def send_invitation(visit: Visit) -> int:
    """Each person the invitation (or, after a move, the update) with the briefing."""
    sent = 0
    settings = programme_settings(visit.organisation_id)
    for person in _both(visit):
        w = _w(person)
        title = _title(visit, person)
        body = w["invite"].format(when=_when(visit), unit=visit.unit.full_name,
                                  notes=_notes(visit, person), link=_link(visit),
                                  briefing=briefing_for(settings, person.language))  # fmt: skip
        sent += send_email(
            to=[person.email],
            subject=w["moved_subject"].format(title=title) if visit.sequence else title,
            body=body,
            attachments=[calendar_attachment(visit_invitation(visit, person), CALENDAR_FILE)],
        )
    return sent


def send_decline(visit: Visit) -> int:
    visitor = visit.visitor
    w = _w(visitor)
    link = absolute_url(reverse("shadowing-book", args=[visit.organisation.slug]))
    return send_email(to=[visitor.email],
                      subject=w["decline_subject"].format(host=visit.host.person.name),
                      body=w["decline"].format(host=visit.host.person.name, when=_when(visit),
                                               link=link))  # fmt: skip


def send_cancellation(visit: Visit) -> int:
    sent = 0
    for person in _both(visit):
        w = _w(person)
        sent += send_email(
            to=[person.email], subject=w["cancel_subject"].format(title=_title(visit, person)),
            body=w["cancel"].format(when=_when(visit), link=_link(visit)),
            attachments=[calendar_attachment(visit_invitation(visit, person), CALENDAR_FILE)],
        )  # fmt: skip
    return sent


def send_reminder(visit: Visit) -> int:
    sent = 0
    settings = programme_settings(visit.organisation_id)
    for person in _both(visit):
        w = _w(person)
        sent += send_email(
            to=[person.email], subject=w["remind_subject"].format(title=_title(visit, person)),
            body=w["remind"].format(when=_when(visit), unit=visit.unit.full_name,
                                    notes=_notes(visit, person), link=_link(visit),
                                    briefing=briefing_for(settings, person.language)),
        )  # fmt: skip
    return sent


def send_reflection_reminder(visit: Visit) -> int:
    visitor = visit.visitor
    w = _w(visitor)
    hours = programme_settings(visit.organisation_id).reflection_hours
    return send_email(to=[visitor.email],
                      subject=w["reflect_subject"].format(host=visit.host.person.name),
                      body=w["reflect"].format(host=visit.host.person.name, hours=hours,
                                               link=_link(visit)))  # fmt: skip


def send_commitments_made(visit: Visit) -> int:
    host = visit.host.person
    w = _w(host)
    items = "\n".join(f"- {c.what} ({c.owner.name}, {c.due_on:%Y-%m-%d})"
                      for c in visit.commitments.select_related("owner"))  # fmt: skip
    return send_email(to=[host.email],
                      subject=w["made_subject"].format(visitor=visit.visitor.name),
                      body=w["made"].format(visitor=visit.visitor.name, items=items,
                                            link=_link(visit)))  # fmt: skip


def send_commitment_change(commitment: Commitment) -> int:
    visit = commitment.visit
    host = visit.host.person
    w = _w(host)
    status = (
        STATUS_ES.get(commitment.status, commitment.status)
        if host.language == "es"
        else commitment.get_status_display().lower()
    )
    reason = f" {commitment.reason}" if commitment.reason else ""
    return send_email(
        to=[host.email],
        subject=w["changed_subject"].format(status=status, what=commitment.what[:60]),
        body=w["changed"].format(what=commitment.what, owner=commitment.owner.name,
                                 due=f"{commitment.due_on:%Y-%m-%d}", status=status,
                                 reason=reason, link=_link(visit)),
    )  # fmt: skip


def send_host_invitation(person: Person, leader: Person) -> int:
    w = _w(person)
    link = absolute_url(reverse("shadowing-host", args=[person.organisation.slug]))
    return send_email(to=[person.email],
                      subject=w["invite_host_subject"].format(leader=leader.name),
                      body=w["invite_host"].format(leader=leader.name, link=link))  # fmt: skip
