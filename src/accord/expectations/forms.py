"""The agreements' forms: they parse what was typed; the services decide (``rules``), and a
refusal is shown beside the field it names (``accord.refusals.show_refusal``). Expectation
rows are plain fields named as the services name them (``items.0.what``), so every form
works without JavaScript."""

from __future__ import annotations

from typing import Any

from django import forms

from accord.expectations.models import Item, ItemOwner, Relationship
from accord.expectations.rules import (
    MAX_ITEMS,
    PART_NAMES,
    PARTS,
    FollowUpAnswerDraft,
    ItemDraft,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = {"rows": 3}
RATING_CHOICES = [("", "Not yet")] + [(str(n), str(n)) for n in range(1, 6)]
ITEM_FIELDS = ("what", "measure", "owner", "due_on", "support")


class StartForm(forms.Form):
    colleague = forms.CharField(
        label="Your colleague's HR id", max_length=100,
        help_text="They need a login to Accord to take part.",
    )  # fmt: skip
    relationship = forms.ChoiceField(
        choices=Relationship.choices, widget=forms.RadioSelect, label="They are"
    )
    topic = forms.CharField(
        max_length=120, help_text="What the agreement is about, such as “Running the night shift”."
    )


class PreparationForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label, help_text in PARTS:
            self.fields[name] = forms.TypedChoiceField(
                label=label, help_text=help_text, choices=RATING_CHOICES, coerce=int,
                empty_value=None, required=False, widget=forms.RadioSelect,
            )  # fmt: skip
            self.fields[f"{name}_note"] = forms.CharField(
                label="Note", required=False, max_length=4000, widget=forms.Textarea(attrs=TEXT)
            )

    def ratings(self) -> dict[str, int | None]:
        return {name: self.cleaned_data.get(name) for name in PART_NAMES}

    def notes(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(f"{name}_note", "") for name in PART_NAMES}


class ItemRows(forms.Form):
    """Up to ``MAX_ITEMS`` expectation rows; a row left empty is no expectation."""

    def __init__(self, *args: Any, items: list[Item] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(MAX_ITEMS):
            number = n + 1
            self.fields[f"items.{n}.what"] = forms.CharField(
                label=f"Expectation {number}: what", required=False, max_length=300,
                help_text="Start with a verb someone could watch being done." if n == 0 else "",
            )  # fmt: skip
            self.fields[f"items.{n}.measure"] = forms.CharField(
                label=f"Expectation {number}: measured by", required=False, max_length=300,
                help_text="A number with a target, or “done when …”." if n == 0 else "",
            )  # fmt: skip
            self.fields[f"items.{n}.owner"] = forms.ChoiceField(
                label=f"Expectation {number}: owner", choices=ItemOwner.choices, required=False
            )
            self.fields[f"items.{n}.due_on"] = forms.DateField(
                label=f"Expectation {number}: due on", required=False, widget=DATE
            )
            self.fields[f"items.{n}.support"] = forms.CharField(
                label=f"Expectation {number}: support I commit to", required=False, max_length=300
            )
        for n, item in enumerate((items or [])[:MAX_ITEMS]):
            for name in ITEM_FIELDS:
                self.initial[f"items.{n}.{name}"] = getattr(item, name)

    def rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"items.{n}.{name}"] for name in ITEM_FIELDS] for n in range(MAX_ITEMS)]

    def items(self) -> list[ItemDraft]:
        data = self.cleaned_data
        drafts = []
        for n in range(MAX_ITEMS):
            what, measure = data.get(f"items.{n}.what", ""), data.get(f"items.{n}.measure", "")
            support, due_on = data.get(f"items.{n}.support", ""), data.get(f"items.{n}.due_on")
            if what.strip() or measure.strip() or support.strip() or due_on:
                owner = data.get(f"items.{n}.owner") or ItemOwner.COLLEAGUE
                drafts.append(ItemDraft(what, measure, owner, due_on, support))
        return drafts


class DraftForm(ItemRows):
    why_it_matters = forms.CharField(
        label="Why this matters", required=False, max_length=4000, widget=forms.Textarea(attrs=TEXT)
    )
    how_it_fits = forms.CharField(
        label="How it fits the plan", required=False, max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
        help_text="Link the goals it serves below; say here what the goals do not.",
    )  # fmt: skip
    opening = forms.CharField(
        label="How you will open the meeting", required=False, max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
        help_text="Start with your own part: what you asked, said or left unsaid.",
    )  # fmt: skip
    goals = forms.MultipleChoiceField(
        label="Goals it serves", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Only goals you and your colleague can both see are offered.",
    )  # fmt: skip
    field_order = ["why_it_matters", "how_it_fits", "goals", "opening"]

    def __init__(self, *args: Any, goal_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        goals = self.fields["goals"]
        assert isinstance(goals, forms.MultipleChoiceField)
        goals.choices = goal_choices

    def goal_ids(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data.get("goals", [])]


class ChangesForm(ItemRows):
    comment = forms.CharField(
        label="What you changed, and why", max_length=4000, widget=forms.Textarea(attrs=TEXT)
    )


class ConcernForm(forms.Form):
    text = forms.CharField(
        label="Your concern", max_length=4000, widget=forms.Textarea(attrs=TEXT),
        help_text="However small: the other person will see it at once and answer it.",
    )  # fmt: skip


class AddressForm(forms.Form):
    note = forms.CharField(
        label="How it was addressed", max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )


YES_NO = [("yes", "Yes"), ("no", "No")]


class FollowUpForm(forms.Form):
    """Per expectation of the accepted version: still on track? still fair? and a note."""

    def __init__(self, *args: Any, items: list[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = items
        for n, item in enumerate(items):
            self.fields[f"items.{n}.on_track"] = forms.ChoiceField(
                label=f"“{item.what}”: still on track?", choices=YES_NO, widget=forms.RadioSelect
            )
            self.fields[f"items.{n}.still_fair"] = forms.ChoiceField(
                label=f"“{item.what}”: still fair?", choices=YES_NO, widget=forms.RadioSelect
            )
            self.fields[f"items.{n}.note"] = forms.CharField(
                label=f"“{item.what}”: note", required=False, max_length=500
            )

    def answers(self) -> list[FollowUpAnswerDraft]:
        data = self.cleaned_data
        return [
            FollowUpAnswerDraft(item.pk, data.get(f"items.{n}.on_track") == "yes",
                                data.get(f"items.{n}.still_fair") == "yes",
                                data.get(f"items.{n}.note", ""))
            for n, item in enumerate(self.items)
        ]  # fmt: skip


class MeetingNoteForm(forms.Form):
    working = forms.CharField(
        label="What is working", max_length=4000, widget=forms.Textarea(attrs=TEXT)
    )
    could_improve = forms.CharField(
        label="What could improve", max_length=4000, required=False,
        widget=forms.Textarea(attrs=TEXT),
    )  # fmt: skip


class CadenceForm(forms.Form):
    cadence = forms.CharField(
        label="Follow up after acceptance", max_length=80,
        help_text="Hours (h), days (d) or weeks (w) after acceptance, such as “4h, 2d, 1w, 2w, "
        "4w”. Follow-ups already due or answered stay as they are.",
    )  # fmt: skip


class SettingsForm(forms.Form):
    answer_within_days = forms.IntegerField(
        label="A proposal shows as waiting after (working days)", min_value=1, max_value=30
    )


class RemoveForm(forms.Form):
    agreement = forms.IntegerField(label="Agreement number", min_value=1)
    leader = forms.CharField(label="The leader's HR id", max_length=100)
    colleague = forms.CharField(label="The colleague's HR id", max_length=100)
    reason = forms.CharField(
        label="Whose request, and why", max_length=300,
        help_text="Kept in the audit log with your name.",
    )  # fmt: skip


class GoalForm(forms.Form):
    """An accepted expectation made a goal: the metric, where it stands and where it should be."""

    metric_name = forms.CharField(label="Metric", max_length=120)
    baseline = forms.DecimalField(label="Where it stands", max_digits=14, decimal_places=4)
    target = forms.DecimalField(label="Target", max_digits=14, decimal_places=4)

    def __init__(self, *args: Any, item: Item, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"goal-{item.pk}")
        kwargs.setdefault(
            "initial", {"metric_name": item.measure[:120], "baseline": 0, "target": 1}
        )
        super().__init__(*args, **kwargs)
        self.fields["metric_name"].help_text = "For a “done when”, 0 to 1 means not done to done."
