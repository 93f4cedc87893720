"""The checks the programme's fields must pass, shared by the pages, the API and the command
line. Each returns every problem it finds as ``(field, message)`` pairs, in plain words.

Every free-text field is checked twice: as text (``accord.text``) and for anything shaped like
a patient identifier (``patients``), which is refused with the reason: Accord keeps nothing
about patients."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from accord.shadowing.models import OTHER_BARRIER, ShiftKind
from accord.shadowing.patients import patient_detail_problems
from accord.surveys.instruments import default_registry
from accord.text import text_problems

CORE_INSTRUMENT = "accord-core"

Problem = tuple[str, str]

LINE_LIMIT = 300
TEXT_LIMIT = 4000
SERVICE_LIMIT = 120
MONTHLY_LIMITS = range(1, 9)
# How far ahead a slot may be offered, and how long a shift may run.
FURTHEST_AHEAD = dt.timedelta(days=366)
LONGEST_SHIFT = dt.timedelta(hours=14)
SHORTEST_SHIFT = dt.timedelta(hours=1)
MAX_COMMITMENTS = 10
MAX_BARRIERS = 10


def free_text_problems(field: str, value: str, *, limit: int, what: str, required: bool = True,
                       multiline: bool = False) -> list[Problem]:  # fmt: skip
    """A free-text field: the text checks, then no patient details."""
    problems = text_problems(field, value, limit=limit, what=what, required=required,
                             multiline=multiline)  # fmt: skip
    return problems or patient_detail_problems(field, value)


def slot_problems(kind: str, starts_at: dt.datetime | None, ends_at: dt.datetime | None, *,
                  now: dt.datetime) -> list[Problem]:  # fmt: skip
    problems: list[Problem] = []
    if kind not in ShiftKind.values:
        problems.append(("kind", "Choose day, evening, night or weekend."))
    if starts_at is None or ends_at is None:
        return [*problems, ("starts_at", "Give the date and the start and end times.")]
    if starts_at < now:
        problems.append(("starts_at", "This shift has started already: offer one to come."))
    elif starts_at - now > FURTHEST_AHEAD:
        problems.append(("starts_at", "Offer shifts within the next year."))
    length = ends_at - starts_at
    if length < SHORTEST_SHIFT:
        problems.append(("ends_at", "A shift to shadow lasts at least an hour."))
    elif length > LONGEST_SHIFT:
        problems.append(("ends_at", "A shift to shadow lasts at most 14 hours."))
    return problems


def shift_end(day: dt.date, starts: dt.time, ends: dt.time) -> tuple[dt.date, dt.date]:
    """The dates a shift starts and ends on: a night shift ends the next morning."""
    return day, day + dt.timedelta(days=1) if ends <= starts else day


@dataclass(frozen=True)
class CommitmentDraft:
    what: str
    owner_hr_id: str
    due_on: dt.date | None


def commitment_problems(drafts: list[CommitmentDraft], *, today: dt.date) -> list[Problem]:
    problems: list[Problem] = []
    if len(drafts) > MAX_COMMITMENTS:
        problems.append(("commitments", f"At most {MAX_COMMITMENTS} commitments from one visit."))
    for n, draft in enumerate(drafts):
        problems += free_text_problems(f"commitments.{n}.what", draft.what, limit=LINE_LIMIT,
                                       what="what will be done")  # fmt: skip
        if not draft.owner_hr_id.strip():
            problems.append((f"commitments.{n}.owner", "Say who will do it (an HR id)."))
        if draft.due_on is None:
            problems.append((f"commitments.{n}.due_on", "Give a date it will be done by."))
        elif draft.due_on < today:
            problems.append((f"commitments.{n}.due_on", "That date has passed."))
        elif draft.due_on > today + dt.timedelta(days=2 * 366):
            problems.append((f"commitments.{n}.due_on", "Choose a date within two years."))
    return problems


def barrier_choices(language: str = "en") -> list[tuple[str, str]]:
    """What a barrier can be tagged with: the drivers of Accord's current survey instrument,
    by their construct's name (read from the instrument registry, so a new version of the
    survey brings its drivers here), then "other"."""
    instrument = default_registry().latest(CORE_INSTRUMENT)
    names = {c.id: (c.name.es if language == "es" else c.name.en) for c in instrument.constructs}
    drivers = dict.fromkeys(item.construct for item in instrument.drivers())
    return [(construct, names[construct]) for construct in drivers] + [
        (OTHER_BARRIER, "Otra" if language == "es" else "Other")
    ]
