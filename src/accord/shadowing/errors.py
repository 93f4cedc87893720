"""The refusals of the shadowing services: a message for the person who asked and the field it
is about. A page puts it beside the field, the API answers 422."""

from __future__ import annotations

from accord.refusals import Problems, Refusal


class ShadowingError(Refusal):
    """A change to the programme that cannot be made."""


class ShadowingProblems(Problems, ShadowingError):
    """Several problems with the fields of one change."""
