from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat


class OrgImportForm(forms.Form):
    file = forms.FileField(
        label="Org chart file (CSV or XLSX)",
        help_text="One row per person. See the import format guide for the columns.",
    )
    deactivate_missing = forms.BooleanField(
        required=False,
        label="Deactivate people who are not in this file",
        help_text="Use this when the file is the complete roster from your HR system.",
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        limit = settings.ACCORD_MAX_IMPORT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}, larger than the "
                f"{filesizeformat(limit)} the browser upload accepts; import it with the "
                "command line instead (accord import-org)."
            )
        return upload


class PeopleSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search by name, email or ID")
    inactive = forms.BooleanField(required=False, label="Include inactive people")
