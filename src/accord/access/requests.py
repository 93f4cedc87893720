"""Types the views of every app share."""

from __future__ import annotations

from django.http import Http404, HttpRequest

from accord.access.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request that has passed ``login_required`` (``with_scope`` requires one): its user is
    a signed-in ``User``, never ``AnonymousUser``. For annotations only; Django builds the
    request as usual."""

    user: User


def id_from_query(text: str) -> int:
    """An id from a query string; anything that is not one is a 404, like an unknown id."""
    try:
        value = int(text)
    except ValueError:
        raise Http404 from None
    if not 0 < value < 2**63:
        raise Http404
    return value
