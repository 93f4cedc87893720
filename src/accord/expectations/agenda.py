"""The agenda of an agreement meeting and its calendar invitation, in the reader's language.

The agenda goes to the two people of the agreement only, in their email and their calendar:
the context, the goals it serves, the opening in which the leader owns their part, the
expectations in hand and what is still open from last time. Never the preparation."""

from __future__ import annotations

from accord.expectations.models import Agreement, Meeting, MeetingStatus, Version
from accord.expectations.rules import describe_cadence
from accord.expectations.selectors import carry_forward
from accord.notify.calendar import Attendee, Invitation

WORDS = {
    "en": {
        "title": "Agreement meeting: {leader} and {colleague} — {topic}",
        "context": "1. Why this matters",
        "fits": "How it fits the plan",
        "goals": "Goals it serves",
        "opening": "2. Opening",
        "items": "3. The expectations to agree (version {number})",
        "none": "- none written yet: write them together",
        "last": "4. Still open from last time",
        "state_open": "not yet due",
        "state_missed": "missed or off track",
        "missed": "- follow-ups missed: {n}",
        "close": "{n}. Follow-ups after you agree: {cadence}",
        "record": "Afterwards, each of you records what is working and what could improve.",
        "measured": "measured by",
        "due": "due",
    },
    "es": {
        "title": "Reunión de acuerdo: {leader} y {colleague} — {topic}",
        "context": "1. Por qué importa",
        "fits": "Cómo encaja en el plan",
        "goals": "Objetivos a los que sirve",
        "opening": "2. Apertura",
        "items": "3. Las expectativas a acordar (versión {number})",
        "none": "- aún no hay ninguna: escríbanlas juntos",
        "last": "4. Lo que sigue abierto de la última vez",
        "state_open": "aún no vence",
        "state_missed": "no cumplida o fuera de rumbo",
        "missed": "- seguimientos perdidos: {n}",
        "close": "{n}. Seguimientos después del acuerdo: {cadence}",
        "record": "Después, cada uno anota lo que funciona y lo que podría mejorar.",
        "measured": "medida por",
        "due": "vence el",
    },
}


def _words(language: str) -> dict[str, str]:
    return WORDS.get(language, WORDS["en"])


def title(agreement: Agreement, language: str) -> str:
    return _words(language)["title"].format(
        leader=agreement.leader.name, colleague=agreement.colleague.name, topic=agreement.topic
    )


def meeting_agenda(agreement: Agreement, version: Version, language: str = "en") -> str:
    w = _words(language)
    lines = [title(agreement, language), "", w["context"]]
    if version.why_it_matters:
        lines.append(version.why_it_matters)
    if version.how_it_fits:
        lines += [f"{w['fits']}: {version.how_it_fits}"]
    goals = [goal.title for goal in version.goals.all()]
    if goals:
        lines.append(f"{w['goals']}: " + "; ".join(goals))
    if version.opening:
        lines += ["", w["opening"], version.opening]
    lines += ["", w["items"].format(number=version.number)]
    items = list(version.items.all())
    if not items:
        lines.append(w["none"])
    for n, item in enumerate(items, start=1):
        lines.append(f"{n}. {item.what} — {w['measured']} {item.measure}; {w['due']} "
                     f"{item.due_on:%Y-%m-%d}")  # fmt: skip
    section = 4
    carried = carry_forward(agreement)
    if carried is not None and (carried.still_open or carried.follow_ups_missed):
        lines += ["", w["last"]]
        for c in carried.still_open:
            state = w["state_open"] if c.state == "open" else w["state_missed"]
            lines.append(f"- {c.item.what} ({state})")
        if carried.follow_ups_missed:
            lines.append(w["missed"].format(n=carried.follow_ups_missed))
        section = 5
    lines += ["", w["close"].format(n=section, cadence=describe_cadence(agreement.cadence_hours)),
              w["record"]]  # fmt: skip
    return "\n".join(lines)


def meeting_invitation(meeting: Meeting, language: str = "en") -> Invitation:
    agreement = meeting.agreement
    leader, colleague = agreement.leader, agreement.colleague
    return Invitation(
        uid=meeting.uid,
        sequence=meeting.sequence,
        starts_at=meeting.starts_at,
        duration_minutes=meeting.duration_minutes,
        summary=title(agreement, language),
        description=meeting.agenda,
        location=meeting.location,
        attendees=(Attendee(leader.name, leader.email), Attendee(colleague.name, colleague.email)),
        cancelled=meeting.status == MeetingStatus.CANCELLED,
        product="Agreements",
    )
