"""Write-side operations on logins, memberships and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accord.access.models import ApiToken, Membership, Role, User
from accord.notify.tasks import deliver_email
from accord.org.models import Organisation, Person
from accord.site import absolute_url

TOKEN_PREFIX = "acc_"  # noqa: S105 — a public marker, not a secret


class AccessError(ValueError):
    """A request about access that cannot be carried out; the message is for the user."""


LAST_ADMIN = "This is the organisation's last program admin; make someone else admin first."


def _check_role(role: str, person: Person | None) -> None:
    if role not in Role.values:
        raise AccessError(f"Unknown role {role!r}; use one of {', '.join(Role.values)}.")
    if role == Role.LEADER and person is None:
        raise AccessError(
            "A leader's scope comes from their person record, and this login has none."
        )


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
    if len(email) > 254:  # what the login table holds; the validator alone allows more
        raise AccessError("An email address can be at most 254 characters.")
    _check_role(role, person)
    if person is not None and person.organisation_id != organisation.pk:
        raise AccessError("That person belongs to another organisation.")
    if person is not None:
        # A person record is one login's: a second would see through the first one's eyes.
        other = (
            Membership.objects.filter(person=person)
            .exclude(user__email__iexact=email, organisation=organisation)
            .select_related("user")
            .first()
        )
        if other is not None:
            raise AccessError(
                f"{person.name} ({person.external_id}) is already the login {other.user.email}."
            )
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


def _admins_left_after(membership: Membership) -> int:
    return (
        Membership.objects.filter(organisation_id=membership.organisation_id, role=Role.ADMIN)
        .exclude(pk=membership.pk)
        .count()
    )


@transaction.atomic
def invite_person(
    *,
    organisation: Organisation,
    role: str,
    person: Person | None,
    email: str = "",
) -> Membership:
    """Give someone a login in the organisation and email them a link to set a password.

    The email goes through the task queue. A person's email comes from the org chart unless
    one is given (for an external coach with no person record, it must be given).
    """
    address = (email or (person.email if person else "")).strip().lower()
    if not address:
        raise AccessError(
            "This person has no email address in the org chart; enter one to send the invitation."
        )
    if person is not None and Membership.objects.filter(person=person).exists():
        raise AccessError(f"{person.name} already has a login; change their role instead.")
    if Membership.objects.filter(organisation=organisation, user__email__iexact=address).exists():
        raise AccessError(f"{address} already has a login here; change its role instead.")
    membership = grant_membership(
        organisation=organisation,
        email=address,
        role=role,
        person=person,
        full_name=person.name if person else "",
    )
    transaction.on_commit(
        lambda: send_welcome_email(user=membership.user, organisation=organisation)
    )
    return membership


def send_welcome_email(*, user: User, organisation: Organisation) -> None:
    """Queue the email that tells someone they have access: with a one-time link to choose a
    password when their login is new, or a plain note when they already sign in to Accord."""
    if user.has_usable_password():
        how = f"Sign in as usual at {absolute_url(reverse('login'))} with {user.email}."
    else:
        link = absolute_url(
            reverse(
                "password_reset_confirm",
                kwargs={
                    "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                    "token": default_token_generator.make_token(user),
                },
            )
        )
        how = (
            "Choose your password with this link (it works once, for a limited time):\n"
            f"{link}\n\nThen sign in with {user.email}."
        )
    body = f"You have been given access to Accord for {organisation.name}.\n\n{how}\n"
    deliver_email(to=[user.email], subject=f"Your Accord access for {organisation.name}", body=body)


@transaction.atomic
def change_role(*, membership: Membership, role: str) -> Membership:
    _check_role(role, membership.person)
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.role == Role.ADMIN and role != Role.ADMIN and _admins_left_after(locked) == 0:
        raise AccessError(LAST_ADMIN)
    locked.role = role
    locked.save(update_fields=["role"])
    return locked


@transaction.atomic
def remove_membership(*, membership: Membership) -> None:
    """Take away a login's access to the organisation; its API tokens go with it."""
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.role == Role.ADMIN and _admins_left_after(locked) == 0:
        raise AccessError(LAST_ADMIN)
    locked.delete()
