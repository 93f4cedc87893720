from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm

from accord.access.models import Role, User


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100, label="Token name", help_text="What will use it, e.g. 'HR sync script'."
    )
    expires_in_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label="Expires after (days)",
        help_text="Leave empty for a token that lasts until you revoke it.",
    )


class InviteForm(forms.Form):
    external_id = forms.CharField(
        required=False,
        max_length=100,
        label="Person's HR id",
        help_text="From the org chart. Leave empty for someone outside it, such as a coach.",
    )
    email = forms.EmailField(
        required=False,
        label="Email",
        help_text="Leave empty to use the email in the org chart.",
    )
    role = forms.ChoiceField(choices=Role.choices, label="Role")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("external_id") and not data.get("email"):
            raise forms.ValidationError("Give the person's HR id, an email, or both.")
        return data


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices, label="Role")


class LoginSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search by email, name or HR id")


def _same_email(typed: str, stored: str) -> bool:
    # As Django compares them: Unicode-normalised and case-folded.
    return (
        unicodedata.normalize("NFKC", typed).casefold()
        == unicodedata.normalize("NFKC", stored).casefold()
    )


class SetPasswordLinkForm(PasswordResetForm):
    """ "Forgotten your password?", also for logins that have never had one.

    Django sends no link to a user without a usable password. In Accord that is every new
    login (`accord grant`, or an invitation whose link has expired), and choosing a password
    through this link is the only way in.
    """

    def get_users(self, email: str) -> Iterator[User]:
        users = User.objects.filter(email__iexact=email, is_active=True)
        return (user for user in users if _same_email(email, user.email))
