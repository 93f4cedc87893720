"""What the goals API routes share: the router, the token's ``GoalScope``, the refusal shape
and the checks every text field gets."""

# No `from __future__ import annotations`: django-ninja reads these annotations at run time
# (see org/api.py).
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import field_validator

from accord.access.models import User
from accord.goals.errors import GoalProblems
from accord.goals.visibility import GoalScope

router = Router(tags=["goals"])


def goal_scope_of_request(request: HttpRequest) -> GoalScope:
    """The token's ``GoalScope``, built once per request (schemas ask for it per row)."""
    cached = getattr(request, "_goal_scope", None)
    if cached is None:
        cached = GoalScope(request.auth)  # type: ignore[attr-defined]
        request._goal_scope = cached  # type: ignore[attr-defined]
    return cached


def acting_user(request: HttpRequest) -> User:
    """The login the token belongs to: the actor of every change it makes."""
    return goal_scope_of_request(request).scope.membership.user


class Problem(Schema):
    field: str | None
    message: str


class Refusal(Schema):
    detail: str
    errors: list[Problem]


def refuse_nulls(changes: dict[str, Any], nullable: tuple[str, ...] = ()) -> None:
    """A PATCH may leave a field out, but not set a required one to null (a 422)."""
    nulls = sorted(k for k, v in changes.items() if v is None and k not in nullable)
    if nulls:
        raise GoalProblems([(name, "must not be null") for name in nulls])


def clean_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


class Text(Schema):
    """Shared checks for text fields."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value
