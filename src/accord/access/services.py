"""Write-side operations on logins, memberships and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from accord.access.models import ApiToken, Membership, Role, User
from accord.org.models import Organisation, Person

TOKEN_PREFIX = "acc_"  # noqa: S105 — a public marker, not a secret


class AccessError(ValueError):
    """A request about access that cannot be carried out; the message is for the user."""


@transaction.atomic
def grant_membership(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    person: Person | None = None,
    password: str | None = None,
    full_name: str = "",
) -> Membership:
    """Give a login (created if new) a role in an organisation, replacing any earlier role."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise AccessError(f"{email!r} is not a valid email address.") from None
    if role not in Role.values:
        raise AccessError(f"Unknown role {role!r}; use one of {', '.join(Role.values)}.")
    if person is not None and person.organisation_id != organisation.pk:
        raise AccessError("That person belongs to another organisation.")
    if role == Role.LEADER and person is None:
        raise AccessError("A leader's scope comes from their person record; link one.")
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email, password, full_name=full_name)
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
    membership, _ = Membership.objects.update_or_create(
        user=user, organisation=organisation, defaults={"role": role, "person": person}
    )
    return membership


def _digest(plaintext: str) -> str:
    # Tokens carry 256 bits of randomness, so a fast hash is safe; a slow one
    # would only slow down every API call.
    return hashlib.sha256(plaintext.encode()).hexdigest()


def issue_api_token(
    *, membership: Membership, name: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token; the plaintext is returned once and never stored."""
    name = name.strip()
    if not name:
        raise AccessError("Give the token a name, such as the script that will use it.")
    if len(name) > 100:
        raise AccessError("A token name can be at most 100 characters.")
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise AccessError("A token can expire in 1 to 3650 days.")
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        membership=membership,
        name=name,
        prefix=plaintext[:10],
        digest=_digest(plaintext),
        expires_at=(
            timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
        ),
    )
    return token, plaintext


def revoke_api_token(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def membership_for_token(plaintext: str) -> Membership | None:
    """The membership a presented token acts as, or None if unknown, revoked or expired."""
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 100:
        return None
    token = (
        ApiToken.objects.select_related("membership__organisation", "membership__person__unit")
        .filter(digest=_digest(plaintext), membership__user__is_active=True)
        .first()
    )
    if token is None or not token.is_usable:
        return None
    now = timezone.now()
    # Record use at most once a minute: a busy script should not write on every call.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.membership
