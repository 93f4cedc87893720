"""What the goals API routes share: the router, the token's ``GoalScope``, the acting login
and the decimal fields of goals and check-ins."""

# No `from __future__ import annotations`: django-ninja reads these annotations at run time
# (see org/api.py).
from decimal import Decimal
from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Router
from pydantic import BeforeValidator, WithJsonSchema

from accord.access.models import User
from accord.api_fields import DecimalRule
from accord.goals.rules import LARGEST_VALUE
from accord.goals.visibility import GoalScope

router = Router(tags=["goals"])

# A goal's baseline, target and check-in values: 14 digits, 4 of them after the point.
_AMOUNT = DecimalRule(
    places=4, written=r"^-?[0-9]{1,10}(\.[0-9]{1,4})?$",
    lowest=str(-LARGEST_VALUE), highest=str(LARGEST_VALUE),
)  # fmt: skip
Amount = Annotated[
    Decimal, BeforeValidator(_AMOUNT.parse), Field(**_AMOUNT.limits), WithJsonSchema(_AMOUNT.schema)
]
# A share of a bonus, in percent.
_PERCENT = DecimalRule(
    places=2, written=r"^(100(\.00?)?|[0-9]{1,2}(\.[0-9]{1,2})?)$", lowest="0", highest="100"
)
Percent = Annotated[
    Decimal,
    BeforeValidator(_PERCENT.parse),
    Field(**_PERCENT.limits),
    WithJsonSchema(_PERCENT.schema),
]


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
