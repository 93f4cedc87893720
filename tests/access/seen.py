"""What a scope lets its viewer see, by the cast's short names."""

from __future__ import annotations

from accord.access.models import User
from accord.access.scopes import Scope, scope_for


def people_seen(scope: Scope) -> set[str]:
    return set(scope.people().values_list("external_id", flat=True))


def units_seen(scope: Scope) -> set[str]:
    return set(scope.units().values_list("name", flat=True))


def riverside_scope(user: User) -> Scope:
    return scope_for(user, "riverside")
