"""View decorators that resolve the viewer's scope in the organisation named by the URL."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accord.access.scopes import scope_for


def with_scope(
    *, admin_only: bool = False, coaches: bool = False
) -> Callable[..., Callable[..., HttpResponse]]:
    """Require a login and a membership in ``org_slug``; pass the Scope to the view. A coach
    is refused every page but those marked ``coaches=True`` (the 360s they coach)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @functools.wraps(view)
        def wrapped(request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            scope = scope_for(request.user, org_slug)
            if admin_only:
                scope.require_admin()
            if not coaches:
                scope.require_not_coach()
            request.scope = scope  # type: ignore[attr-defined]
            # Times on an organisation's pages read as its people read a clock: in its zone.
            with timezone.override(scope.organisation.zone):
                return view(request, scope, *args, **kwargs)

        return wrapped

    return decorate
