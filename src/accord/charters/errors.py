"""The refusals of the charter services: a message for the person who asked and the field it
is about. A page puts it beside the field, the API answers 422."""

from __future__ import annotations

from accord.refusals import Problems, Refusal


class CharterError(Refusal):
    """A step of a charter that cannot be taken."""


class CharterProblems(Problems, CharterError):
    """Several problems with the fields of one change."""
