"""The refusals of the goals services: a message for the person who asked, and the field it
is about. A page puts it beside the field; the API answers 422 (``api/api.py``)."""

from __future__ import annotations

from accord.goals.rules import Problem
from accord.text import control_character_problem


class GoalsError(ValueError):
    """A change that cannot be made; the message is for the person who asked.

    ``field`` names the form field or column the problem is about, when there is one.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    @property
    def problems(self) -> list[tuple[str | None, str]]:
        """Every problem as ``(field, message)``."""
        return [(self.field, str(self))]


class GoalProblems(GoalsError):
    """Several problems with one goal's fields, each with its field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(" ".join(message for _, message in problems), field=problems[0][0])
        self._problems = problems

    @property
    def problems(self) -> list[tuple[str | None, str]]:
        return [(field, message) for field, message in self._problems]


def checked_text(value: str | None, field: str, *, multiline: bool = False) -> str:
    """``value`` stripped, or a refusal naming ``field`` if it holds a control character."""
    value = (value or "").strip()
    problem = control_character_problem(value, multiline=multiline)
    if problem:
        raise GoalsError(problem, field=field)
    return value
