"""The refusals of the leadership services: a message for the person who asked and the field
it is about. A page puts it beside the field, the API answers 422."""

from __future__ import annotations

from accord.refusals import Problems, Refusal


class LeadershipError(Refusal):
    """A step of a 360 or a development plan that cannot be taken."""


class LeadershipProblems(Problems, LeadershipError):
    """Several problems with the fields of one change."""
