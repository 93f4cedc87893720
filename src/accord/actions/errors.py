"""The refusals of the actions services: a message for the person who asked and the field it
is about. A page puts it beside the field, the API answers 422, the command line names the
option."""

from __future__ import annotations

from accord.refusals import Problems, Refusal


class ActionsError(Refusal):
    """A change to action plans or team discussions that cannot be made."""


class PlanProblems(Problems, ActionsError):
    """Several problems with a plan's, a step's or a discussion's fields."""
