"""The refusals of the goals services: a message for the person who asked, and the field it
is about. A page puts it beside the field; the API answers 422 (``api/api.py``)."""

from __future__ import annotations

from accord.refusals import Problems, Refusal
from accord.text import control_character_problem


class GoalsError(Refusal):
    """A change to goals that cannot be made; ``field`` names the field it is about."""


class GoalProblems(Problems, GoalsError):
    """Several problems with one goal's fields, each with its field."""


def checked_text(value: str | None, field: str, *, multiline: bool = False) -> str:
    """``value`` stripped, or a refusal naming ``field`` if it holds a control character."""
    value = (value or "").strip()
    problem = control_character_problem(value, multiline=multiline)
    if problem:
        raise GoalsError(problem, field=field)
    return value
