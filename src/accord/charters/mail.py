"""Email about charters, each person in their language, one message per person: members asked
for their values, to endorse a draft, to rate the norms at a revisit (and reminded once), told
of an adoption; a new member asked to read the charter in force; a facilitator told that the
team has changed enough to charter again. Called from queue tasks; no email holds anyone's
private answer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import formats

from accord.charters.models import (
    Charter,
    CharterMember,
    Endorsement,
    Revisit,
    RevisitReceipt,
    ValuesReceipt,
    Version,
)
from accord.notify.services import compose_email, send_emails
from accord.org.models import Person
from accord.site import absolute_url

WORDS = {
    "en": {
        "values_subject": "{team}: three questions for your team's charter",
        "values": "{facilitator} is drafting a charter with your team, {team}: why you exist, "
        "what you are working towards, how you work together and who does what. Start by "
        "answering three short questions. Your answers are shown to the team only grouped "
        "with others', once three of you have answered, never with your name.\n\n{link}\n",
        "endorse_subject": "{team}: read your draft charter",
        "endorse": "The draft charter of {team} is ready. Read it, then endorse it or say what "
        "should change. It is adopted when {rule}.\n\n{link}\n",
        "endorse_again_subject": "{team}: your draft charter is waiting for you",
        "endorse_again": "The draft charter of {team} is still waiting for your answer: "
        "endorse it, or say what should change.\n\n{link}\n",
        "adopted_subject": "{team} has adopted its charter",
        "adopted": "Version {number} of the charter of {team} is adopted. It will be revisited "
        "on {revisit}.\n\n{link}\n",
        "revisit_subject": "{team}: how well are we keeping our charter?",
        "revisit": "It is time to look back at the charter of {team}. Say, privately, how well "
        "each norm is being kept; the team sees the answers only pooled, once three of you "
        "have answered. Open by {closes}.\n\n{link}\n",
        "revisit_again_subject": "{team}: your view of the charter is still wanted",
        "revisit_again": "The revisit of the charter of {team} closes on {closes}. Say how "
        "well each norm is being kept:\n\n{link}\n",
        "welcome_subject": "Welcome to {team}: read your team's charter",
        "welcome": "You have joined {team}. The team has a charter: how it works together and "
        "who does what. Read it and endorse it, or say what you would change.\n\n{link}\n",
        "recharter_subject": "{team} has changed: time to charter again?",
        "recharter": "{reason}\n\nOpen a new draft from the charter's page:\n{link}\n",
        "everyone": "everyone has endorsed it",
        "all_but_one": "everyone has endorsed it, or all but one after a week",
    },
    "es": {
        "values_subject": "{team}: tres preguntas para la carta de su equipo",
        "values": "{facilitator} está redactando con su equipo, {team}, una carta: para qué "
        "existe el equipo, hacia dónde trabaja, cómo colabora y quién hace qué. Empiece por "
        "responder tres preguntas breves. El equipo solo verá sus respuestas agrupadas con "
        "las de los demás, cuando hayan respondido al menos tres personas, nunca con su "
        "nombre.\n\n{link}\n",
        "endorse_subject": "{team}: lea el borrador de su carta",
        "endorse": "El borrador de la carta de {team} está listo. Léalo y apruébelo, o diga qué "
        "cambiaría. Se adopta cuando {rule}.\n\n{link}\n",
        "endorse_again_subject": "{team}: el borrador de su carta espera su respuesta",
        "endorse_again": "El borrador de la carta de {team} sigue esperando su respuesta: "
        "apruébelo o diga qué cambiaría.\n\n{link}\n",
        "adopted_subject": "{team} ha adoptado su carta",
        "adopted": "La versión {number} de la carta de {team} está adoptada. Se revisará el "
        "{revisit}.\n\n{link}\n",
        "revisit_subject": "{team}: ¿cumplimos nuestra carta?",
        "revisit": "Es momento de revisar la carta de {team}. Diga, en privado, cuánto se "
        "cumple cada norma; el equipo solo verá las respuestas agrupadas, cuando hayan "
        "respondido al menos tres personas. Abierta hasta el {closes}.\n\n{link}\n",
        "revisit_again_subject": "{team}: su opinión sobre la carta sigue pendiente",
        "revisit_again": "La revisión de la carta de {team} cierra el {closes}. Diga cuánto se "
        "cumple cada norma:\n\n{link}\n",
        "welcome_subject": "Bienvenida a {team}: lea la carta de su equipo",
        "welcome": "Se ha incorporado a {team}. El equipo tiene una carta: cómo trabaja junto y "
        "quién hace qué. Léala y apruébela, o diga qué cambiaría.\n\n{link}\n",
        "recharter_subject": "{team} ha cambiado: ¿momento de renovar la carta?",
        "recharter": "{reason}\n\nAbra un nuevo borrador desde la página de la carta:\n{link}\n",
        "everyone": "todo el equipo la aprueba",
        "all_but_one": "todo el equipo la aprueba, o todos menos una persona tras una semana",
    },
}


def _words(person: Person) -> dict[str, str]:
    return WORDS.get(person.language, WORDS["en"])


def charter_link(charter: Charter, page: str = "charter") -> str:
    return absolute_url(reverse(page, args=[charter.organisation.slug, charter.pk]))


def _send(
    people: Iterable[Person], charter: Charter, key: str, page: str = "charter", **values: object
) -> int:
    messages: list[EmailMessage] = []
    for person in people:
        if not person.email or not person.is_active:
            continue
        words = _words(person)
        fields = {"team": charter.name, "link": charter_link(charter, page), **values}
        if "rule" in fields:
            fields["rule"] = words[str(fields["rule"])]
        messages.append(
            compose_email(
                to=[person.email],
                subject=words[f"{key}_subject"].format(**fields),
                body=words[key].format(**fields),
            )
        )
    return send_emails(messages)


def _members(charter: Charter) -> list[Person]:
    ids = CharterMember.objects.filter(charter=charter, left_at__isnull=True).values("person_id")
    return list(Person.objects.filter(pk__in=ids))


def _day(when: dt.date | dt.datetime) -> str:
    return formats.date_format(when, "DATE_FORMAT")


def send_values_request(version: Version) -> int:
    charter = version.charter
    answered = ValuesReceipt.objects.filter(version=version).values_list("person_id", flat=True)
    people = [p for p in _members(charter) if p.pk not in set(answered)]
    return _send(people, charter, "values", "charter-values", facilitator=charter.facilitator.name)


def send_endorse_request(version: Version, *, again: bool = False) -> int:
    charter = version.charter
    answered = set(Endorsement.objects.filter(version=version).values_list("person_id", flat=True))
    people = [p for p in _members(charter) if p.pk not in answered]
    key = "endorse_again" if again else "endorse"
    return _send(people, charter, key, "charter-draft", rule=charter.rule)


def send_adopted(version: Version) -> int:
    charter = version.charter
    people = {p.pk: p for p in _members(charter)}
    people.setdefault(charter.facilitator_id, charter.facilitator)
    revisit = _day(charter.next_revisit_on) if charter.next_revisit_on else "—"
    return _send(people.values(), charter, "adopted", number=version.number, revisit=revisit)


def send_revisit(revisit: Revisit, *, again: bool = False) -> int:
    charter = revisit.charter
    answered = set(
        RevisitReceipt.objects.filter(revisit=revisit).values_list("person_id", flat=True)
    )
    # A member who joined after the revisit opened is not asked about norms they did not live.
    later = set(
        CharterMember.objects.filter(charter=charter, joined_at__gt=revisit.opened_at)
        .values_list("person_id", flat=True)
    )  # fmt: skip
    people = [p for p in _members(charter) if p.pk not in answered | later]
    key = "revisit_again" if again else "revisit"
    return _send(people, charter, key, "charter-revisit", closes=_day(revisit.closes_at))


def send_welcome(charter: Charter, person: Person) -> int:
    return _send([person], charter, "welcome")


def send_recharter(charter: Charter) -> int:
    return _send([charter.facilitator], charter, "recharter", reason=charter.recharter_reason)
