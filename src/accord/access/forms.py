from __future__ import annotations

from typing import Any

from django import forms

from accord.access.models import Role


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
