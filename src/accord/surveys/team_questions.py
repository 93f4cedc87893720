"""A team's own statements in a pulse — a charter's norms — asked only of the team's members.

Why not as items of the survey: an item asked of one team only would be shown, like every
item, for every group the release shows (the department, the hospital's nurses), and there
it would hold the answers of that group's members of the team alone — a group that can be
one person, and that the release's suppression never sees. So a team's statements are kept
out of the survey's answers altogether:

* they travel in the member's pooled submission sealed under a server key (AES-GCM), padded
  to one length — every submission of such a cycle carries one, so a pooled row says
  nothing of whether its author is on a team —, leave the pool with their batch as sealed
  rows in a shuffled order, and are opened only when the cycle closes, all at once, into
  ``TeamAnswer`` rows holding the set and the answers only (no unit, role, profession,
  tenure, date or link to a response), so no copy of the database taken during the cycle
  ties a team's answer to a batch, a response or a person;
* a person answers one team's page per survey (the earliest-added team's): two overlapping
  teams' pooled answers could otherwise be subtracted;
* they are released only as the whole team's: once the cycle's results are published, when
  at least the cycle's minimum group answered, and a statement only when at least that many
  rated it. After the cycle closes nothing changes, so the figures never move.

The survey's own release never reads them; a team's page reads them through ``result``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from accord.refusals import Problems, Refusal
from accord.surveys.answers import ANSWER_CODE, SKIPPED
from accord.surveys.form import Option, Question
from accord.surveys.models import (
    MAX_TEAM_STATEMENTS,
    Cycle,
    Invitation,
    TeamAnswer,
    TeamQuestions,
)
from accord.surveys.services import audience_people, lock_cycle
from accord.text import text_problems

MAX_STATEMENT_LENGTH = 300
MAX_TEAM_NAME_LENGTH = 200
POINTS = (1, 2, 3, 4, 5)
CANT_SAY = 0  # offered on the form, stored as a skip

SCALE = {
    "en": ("Not at all", "Rarely", "Sometimes", "Mostly", "Fully"),
    "es": ("Nada", "Pocas veces", "A veces", "Casi siempre", "Plenamente"),
}
CANT_SAY_LABEL = {"en": "Can't say", "es": "No sabría decir"}
WORDS = {
    "en": {
        "heading": "Your team: {team}",
        "intro": "Your team agreed on these ways of working together. How well is the team "
        "keeping each one?",
        "privacy": "Your answers on this page are stored apart from the rest of the survey, "
        "with nothing that says who you are, where you work or when you answered. Your team "
        "sees them only pooled, once the survey's results are out and at least {minimum} "
        "members have answered.",
    },
    "es": {
        "heading": "Su equipo: {team}",
        "intro": "Su equipo acordó estas formas de trabajar juntos. ¿En qué medida las está "
        "cumpliendo el equipo?",
        "privacy": "Sus respuestas de esta página se guardan aparte del resto de la encuesta, "
        "sin nada que diga quién es, dónde trabaja ni cuándo respondió. Su equipo solo las ve "
        "agrupadas, cuando se publiquen los resultados y al menos {minimum} miembros hayan "
        "respondido.",
    },
}

State = TeamQuestions.State


class TeamQuestionsError(Refusal):
    """Statements that cannot be added to, changed in or withdrawn from a survey."""


# --- adding a team's statements ---------------------------------------------------------------


def upcoming_pulses(organisation_id: int) -> QuerySet[Cycle]:
    """The pulses a team may still add statements to: drafts and scheduled ones."""
    return Cycle.objects.pulses().filter(
        organisation_id=organisation_id, status__in=(Cycle.Status.DRAFT, Cycle.Status.SCHEDULED)
    )


@dataclass(frozen=True)
class UpcomingPulse:
    id: int
    name: str
    opens_at: dt.datetime
    status: str  # "draft" or "scheduled"


def pulses_to_join(organisation_id: int, *, excluding: Collection[int]) -> list[UpcomingPulse]:
    """The upcoming pulses, soonest first, but those in ``excluding`` (a team's already)."""
    cycles = upcoming_pulses(organisation_id).exclude(pk__in=list(excluding)).order_by("opens_at")
    return [UpcomingPulse(c.pk, c.name, c.opens_at, c.status) for c in cycles]


def _checked(team_name: str, statements: list[str]) -> tuple[str, list[str]]:
    problems = text_problems(
        "team_name", team_name, limit=MAX_TEAM_NAME_LENGTH, what="the team a name its members see"
    )
    cleaned = [text.strip() for text in statements if text.strip()]
    if not cleaned:
        problems.append(("statements", "Add at least one statement to ask."))
    if len(cleaned) > MAX_TEAM_STATEMENTS:
        problems.append(
            ("statements", f"A team may add at most {MAX_TEAM_STATEMENTS} statements to a survey.")
        )
    for number, text in enumerate(cleaned, start=1):
        problems += text_problems(
            "statements", text, limit=MAX_STATEMENT_LENGTH, what=f"statement {number}"
        )
    if problems:
        raise Problems(problems)
    return team_name.strip(), cleaned


def _still_waiting(cycle: Cycle) -> None:
    if cycle.purpose != Cycle.Purpose.PULSE:
        raise TeamQuestionsError(
            "Only a pulse survey can carry a team's statements.", field="cycle"
        )
    if cycle.status not in (Cycle.Status.DRAFT, Cycle.Status.SCHEDULED):
        raise TeamQuestionsError(
            f"“{cycle.name}” has already opened: statements can be added or changed only "
            "before a survey opens.",
            field="cycle",
        )


def add_team_questions(
    *, cycle: Cycle, team_name: str, statements: list[str], people_ids: Collection[int]
) -> TeamQuestions:
    """Ask ``people_ids`` (a team) these statements in ``cycle``, which has not opened yet.

    Refused unless at least the cycle's minimum group of the team is in its audience: fewer
    answers than that could never be shown."""
    name, cleaned = _checked(team_name, statements)
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        _still_waiting(cycle)
        _enough_in_audience(cycle, people_ids)
        questions = TeamQuestions.objects.create(cycle=cycle, team_name=name, statements=cleaned)
        questions.people.set(people_ids)
    return questions


def update_team_questions(
    *, questions: TeamQuestions, team_name: str, statements: list[str], people_ids: Collection[int]
) -> TeamQuestions:
    """Keep a team's statements and members in step with the team until the survey opens.
    Not refused for too few in the audience: the opening decides that (``_fix_team_questions``)."""
    name, cleaned = _checked(team_name, statements)
    with transaction.atomic():
        _still_waiting(lock_cycle(questions.cycle))
        questions = TeamQuestions.objects.select_for_update().get(pk=questions.pk)
        questions.team_name, questions.statements = name, cleaned
        questions.save(update_fields=["team_name", "statements"])
        questions.people.set(people_ids)
    return questions


def withdraw_team_questions(*, questions: TeamQuestions) -> None:
    with transaction.atomic():
        _still_waiting(lock_cycle(questions.cycle))
        TeamQuestions.objects.filter(pk=questions.pk).delete()


def _enough_in_audience(cycle: Cycle, people_ids: Collection[int]) -> None:
    invited = audience_people(cycle).filter(pk__in=list(people_ids)).count()
    if invited < cycle.min_group_size:
        raise TeamQuestionsError(
            f"Only {invited} of the team's {len(people_ids)} members would be invited to "
            f"“{cycle.name}”. A team's answers are shown only when at least "
            f"{cycle.min_group_size} of its members answer, so at least that many must be "
            "invited.",
            field="cycle",
        )


# --- answering ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamPage:
    """A team's statements as one page of a member's form."""

    set_id: int
    team_name: str
    statements: tuple[str, ...]

    def field(self, index: int) -> str:
        return f"t_{self.set_id}_{index}"

    @property
    def fields(self) -> list[str]:
        return [self.field(index) for index in range(len(self.statements))]

    def questions(self, language: str) -> list[Question]:
        options = (
            *(Option(code, label) for code, label in zip(POINTS, SCALE[language], strict=True)),
            Option(CANT_SAY, CANT_SAY_LABEL[language]),
        )
        return [
            Question(item=None, text=text, field=self.field(index), options=options, scale="kept")
            for index, text in enumerate(self.statements)
        ]


def pages_for(invitation: Invitation) -> list[TeamPage]:
    """The team's page this invitee is asked, if any (a person answers one team's page per
    survey); no query at all in a survey that asks no team's statements."""
    if not invitation.cycle.asks_team_questions:
        return []
    sets = TeamQuestions.objects.filter(
        cycle_id=invitation.cycle_id, state=State.ASKED, people=invitation.person_id
    ).order_by("created_at", "id")
    return [TeamPage(s.pk, s.team_name, tuple(s.statements)) for s in sets]


def parse_team_answers(
    pages: list[TeamPage], data: Mapping[str, Any]
) -> tuple[dict[str, list[int]], dict[str, str]]:
    """Codes per set (a skip or "can't say" stored as a skip; a set left wholly blank is not
    kept) and the problems by field, read as the survey's own answers are."""
    answers: dict[str, list[int]] = {}
    errors: dict[str, str] = {}
    for page in pages:
        codes = []
        for field in page.fields:
            if hasattr(data, "getlist") and len(data.getlist(field)) > 1:
                errors[field] = "This question was sent twice; choose one answer."
                codes.append(SKIPPED)
                continue
            raw = str(data.get(field) or "").strip()
            code = int(raw) if ANSWER_CODE.fullmatch(raw) else None
            if raw and (code is None or code not in (*POINTS, CANT_SAY)):
                errors[field] = "That is not one of the answers offered; choose one again."
                code = None
            codes.append(code if code in POINTS else SKIPPED)
        if any(code != SKIPPED for code in codes):
            answers[str(page.set_id)] = codes
    return answers, errors


# --- results ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementResult:
    text: str
    answered: int  # members who rated it
    mean: float | None  # None: fewer than the cycle's minimum rated it
    counts: list[int]  # per point of the scale, empty when hidden


@dataclass(frozen=True)
class TeamResult:
    questions: TeamQuestions
    cycle: Cycle
    minimum: int
    # How many members answered: only when shown — where the answers are hidden, so is their
    # count, as for every group a survey's results hide.
    answered: int | None
    rows: list[StatementResult]

    @property
    def published(self) -> bool:
        return self.cycle.status == Cycle.Status.PUBLISHED

    @property
    def shown(self) -> bool:
        return self.answered is not None


def result(questions: TeamQuestions) -> TeamResult:
    """What the team may see of its statements in a survey: nothing until the survey's
    results are published; then, over at least the cycle's minimum group of answers, how many
    answered and each statement rated by at least that many."""
    cycle = questions.cycle
    minimum = cycle.min_group_size
    if cycle.status != Cycle.Status.PUBLISHED or questions.state != State.ASKED:
        return TeamResult(questions, cycle, minimum, None, [])
    sheets = [
        bytes(row)
        for row in TeamAnswer.objects.filter(questions=questions).values_list("answers", flat=True)
    ]
    if len(sheets) < minimum:
        return TeamResult(questions, cycle, minimum, None, [])
    rows = []
    for index, text in enumerate(questions.statements):
        given = [sheet[index] for sheet in sheets if sheet[index] != SKIPPED]
        if len(given) < minimum:
            rows.append(StatementResult(text, len(given), None, []))
        else:
            counts = [given.count(point) for point in POINTS]
            rows.append(StatementResult(text, len(given), sum(given) / len(given), counts))
    return TeamResult(questions, cycle, minimum, len(sheets), rows)
