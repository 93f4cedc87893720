"""Email about 360s, each person in their language: a leader asked to choose raters, an
approver asked to approve them, and a report ready for its coach or its leader. The raters'
own invitations and reminders are the surveys app's. Called from queue tasks (``tasks.py``)
through ``notify``; no email ever holds a rating, a comment or a token."""

from __future__ import annotations

from django.urls import reverse
from django.utils import formats

from accord.access.models import Role
from accord.leadership.models import Review, ReviewStatus
from accord.notify.services import send_email
from accord.org.models import Person
from accord.site import absolute_url

WORDS = {
    "en": {
        "started_subject": "Your 360: choose who gives you feedback",
        "started": "{organisation} has started a 360 for you ({cohort}). Choose the people who "
        "see you at work — your manager, peers, people who report to you, clinicians you work "
        "with — and rate yourself on the same behaviours. Raters answer by {answer_by}.\n\n"
        "{link}\n",
        "approve_subject": "Approve the raters of {leader}'s 360",
        "approve": "{leader} has chosen the people to give them 360 feedback. As the approver "
        "you can add or remove raters, then approve so the round opens:\n{link}\n",
        "coach_subject": "A 360 report to go through with {leader}",
        "coach": "The raters of {leader}'s 360 have answered. The report is with you: go "
        "through it with {leader}, then release it to them from its page:\n{link}\n",
        "released_subject": "Your 360 report is ready",
        "released": "The report of your 360 is ready. Read it, then choose one to three "
        "behaviours to work on:\n{link}\n",
    },
    "es": {
        "started_subject": "Su 360: elija quién le da su opinión",
        "started": "{organisation} ha iniciado un 360 para usted ({cohort}). Elija a las "
        "personas que le ven trabajar — su jefe o jefa, colegas, personas a su cargo, "
        "clínicos con quienes colabora — y valórese en las mismas conductas. Las personas "
        "evaluadoras responden antes del {answer_by}.\n\n{link}\n",
        "approve_subject": "Apruebe a quienes valorarán a {leader}",
        "approve": "{leader} ha elegido a las personas que le darán su opinión en el 360. "
        "Puede añadir o quitar personas y después aprobar para que empiece la ronda:\n{link}\n",
        "coach_subject": "Un informe 360 para revisar con {leader}",
        "coach": "Las personas evaluadoras del 360 de {leader} han respondido. El informe está "
        "con usted: revíselo con {leader} y después publíquelo desde su página:\n{link}\n",
        "released_subject": "Su informe 360 está listo",
        "released": "El informe de su 360 está listo. Léalo y elija de una a tres conductas "
        "en las que trabajar:\n{link}\n",
    },
}


def _words(person: Person | None) -> dict[str, str]:
    language = person.language if person is not None else "en"
    return WORDS.get(language, WORDS["en"])


def review_link(review: Review) -> str:
    return absolute_url(reverse("leadership-review", args=[review.organisation.slug, review.pk]))


def send_started(review: Review) -> int:
    subject = review.subject
    if not subject.email:
        return 0
    words = _words(subject)
    answer_by = formats.date_format(review.answer_by.date(), "DATE_FORMAT")
    body = words["started"].format(
        organisation=review.organisation.name, cohort=review.cohort.name if review.cohort else "",
        answer_by=answer_by, link=review_link(review),
    )  # fmt: skip
    return send_email(to=[subject.email], subject=words["started_subject"], body=body)


def send_approval_request(review: Review) -> int:
    approver = review.approver
    leader = review.subject.name
    if approver is not None and approver.email:
        words = _words(approver)
        return send_email(
            to=[approver.email],
            subject=words["approve_subject"].format(leader=leader),
            body=words["approve"].format(leader=leader, link=review_link(review)),
        )
    admins = review.organisation.memberships.filter(role=Role.ADMIN).select_related("user")
    emails = [m.user.email for m in admins if m.user.email]
    if not emails:
        return 0
    words = WORDS["en"]
    return send_email(
        to=emails,
        subject=words["approve_subject"].format(leader=leader),
        body=words["approve"].format(leader=leader, link=review_link(review)),
    )


def send_report_ready(review: Review) -> int:
    leader = review.subject.name
    if review.status == ReviewStatus.WITH_COACH and review.coach is not None:
        words = WORDS["en"]
        return send_email(
            to=[review.coach.email],
            subject=words["coach_subject"].format(leader=leader),
            body=words["coach"].format(leader=leader, link=review_link(review)),
        )
    if review.status == ReviewStatus.RELEASED and review.subject.email:
        words = _words(review.subject)
        return send_email(
            to=[review.subject.email],
            subject=words["released_subject"],
            body=words["released"].format(link=review_link(review)),
        )
    return 0
