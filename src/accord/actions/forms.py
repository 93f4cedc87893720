"""The loop's forms: they parse what was typed; the services decide (``rules``), and a
refusal is shown beside the field it names (``accord.refusals.show_refusal``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from accord.actions.models import PlanStatus
from accord.org.models import Organisation, Person
from accord.org.selectors import people_by_hr_id

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _owner_label(person: Person) -> str:
    return f"{person.name} — {person.attributes.get('job_title') or person.unit.name}"


class PlanForm(forms.Form):
    title = forms.CharField(
        max_length=200, help_text="What will be done, in a line the team will recognise."
    )
    description = forms.CharField(
        required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why this, and what success looks like.",
    )  # fmt: skip
    due_on = forms.DateField(label="Due on", widget=DATE)
    owners = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Owners",
        help_text="Owners make sure it happens and publish its updates.",
    )  # fmt: skip
    more_owners = forms.CharField(
        label="More owners by HR id", required=False, max_length=1000,
        help_text="Separate HR ids with commas, spaces or new lines.",
    )  # fmt: skip
    steps = forms.CharField(
        required=False, max_length=8000, widget=forms.Textarea(attrs={"rows": 4}),
        label="First steps", help_text="One step per line; add owners and dates on the plan's page.",
    )  # fmt: skip

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        candidates: list[Person],
        within: QuerySet[Person],
        with_steps: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.within = within
        field = self.fields["owners"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(p.pk), _owner_label(p)) for p in candidates]
        if not with_steps:
            del self.fields["steps"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        more, missing = people_by_hr_id(self.organisation, data.get("more_owners", ""), self.within)
        if missing:
            self.add_error(
                "more_owners",
                f"No one you can name has the HR id(s): {', '.join(missing)}.",
            )
        ids = [int(pk) for pk in data.get("owners", [])] + [p.pk for p in more]
        data["owner_ids"] = list(dict.fromkeys(ids))
        data["step_titles"] = [
            line.strip() for line in data.get("steps", "").splitlines() if line.strip()
        ]
        return data


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=PlanStatus.choices)
    cancel_reason = forms.CharField(
        required=False, max_length=500, label="Reason, if cancelled",
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class StepForm(forms.Form):
    title = forms.CharField(max_length=200, label="Step")
    owner = forms.CharField(
        label="Owner's HR id", required=False, max_length=100,
        help_text="Leave empty for the plan's owners.",
    )  # fmt: skip
    due_on = forms.DateField(label="Due on", required=False, widget=DATE)

    def __init__(
        self, *args: Any, organisation: Organisation, within: QuerySet[Person], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.within = within

    def clean_owner(self) -> int | None:
        hr_id = self.cleaned_data.get("owner", "").strip()
        if not hr_id:
            return None
        people, missing = people_by_hr_id(self.organisation, hr_id, self.within)
        if missing or len(people) != 1:
            raise forms.ValidationError(f"No one you can name has the HR id {hr_id!r}.")
        return people[0].pk


class UpdateForm(forms.Form):
    text = forms.CharField(
        max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), label="What was done",
        help_text="Written for the people who answered: what changed, and what comes next.",
    )  # fmt: skip
    publish = forms.BooleanField(
        required=False, label="Publish now to everyone in the unit (\u201cYou said, we did\u201d)"
    )

    def __init__(self, *args: Any, may_publish: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_publish:
            del self.fields["publish"]


class DiscussionForm(forms.Form):
    held_on = forms.DateField(label="Discussed on", widget=DATE)
    attended = forms.IntegerField(label="People who took part", min_value=1, max_value=100_000)
    what_mattered = forms.CharField(
        max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
        label="What the team said mattered most",
    )  # fmt: skip


class LoopSettingsForm(forms.Form):
    discussion_window_days = forms.IntegerField(
        label="Discuss results with the team within (days)", min_value=1, max_value=365,
        help_text="Units past this many days after publishing without a discussion are flagged.",
    )  # fmt: skip
    feedback_after_days = forms.IntegerField(
        label="Ask whether a finished plan made a difference after (days)",
        min_value=7, max_value=365,
    )  # fmt: skip
