"""Types the views of every app share."""

from __future__ import annotations

from django.http import HttpRequest

from accord.access.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request that has passed ``login_required`` (``with_scope`` requires one): its user is
    a signed-in ``User``, never ``AnonymousUser``. For annotations only; Django builds the
    request as usual."""

    user: User
