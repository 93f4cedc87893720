"""A service's refusal, for every app: plain Python, no Django.

A capability's services raise their own subclass (``GoalsError``, ``ActionsError``) with a
message for the person who asked and the field it is about; a page puts it beside the field,
the API answers 422 listing each problem (``api/api.py``), the command line names the option.
"""

from __future__ import annotations

from typing import Any

Problem = tuple[str, str]


class Refusal(ValueError):
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


class Problems(Refusal):
    """Several problems at once, each with its field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(" ".join(message for _, message in problems), field=problems[0][0])
        self._problems = problems

    @property
    def problems(self) -> list[tuple[str | None, str]]:
        return [(field, message) for field, message in self._problems]


def show_refusal(form: Any, error: Refusal, aliases: dict[str, str] | None = None) -> None:
    """Put a service's refusal on the form field it names (or on the whole form); ``aliases``
    maps a service's field name to the form's. ``form`` is a Django form."""
    aliases = aliases or {}
    for field, message in error.problems:
        name = aliases.get(field or "", field)
        form.add_error(name if name in form.fields else None, message)
