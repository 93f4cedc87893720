"""Read-side queries about logins. Only a program admin may list an organisation's logins."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from accord.access.models import Membership
from accord.access.scopes import Scope


def organisation_logins(scope: Scope, *, search: str = "") -> QuerySet[Membership]:
    scope.require_admin()
    logins = Membership.objects.filter(organisation=scope.organisation).select_related(
        "user", "person__unit"
    )
    if search:
        logins = logins.filter(
            Q(user__email__icontains=search)
            | Q(person__name__icontains=search)
            | Q(person__external_id__iexact=search)
        )
    return logins.order_by("user__email")


def get_login(scope: Scope, membership_id: int) -> Membership:
    membership = organisation_logins(scope).filter(pk=membership_id).first()
    if membership is None:
        raise Http404("No such login.")
    return membership
