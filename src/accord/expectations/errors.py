"""The refusals of the expectations services: a message for the person who asked and the
field it is about. A page puts it beside the field, the API answers 422."""

from __future__ import annotations

from accord.refusals import Problems, Refusal


class ExpectationsError(Refusal):
    """A change to an agreement that cannot be made."""


class AgreementProblems(Problems, ExpectationsError):
    """Several problems with an agreement's fields."""
