"""The charter forms. Every one works without JavaScript: the draft's rows are numbered fields
(the saved rows and a few empty ones), so a facilitator adds a norm by filling an empty row and
saving."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.timezone import localtime

from accord.charters.models import (
    DEFAULT_CADENCE_MONTHS,
    LONGEST_CADENCE_MONTHS,
    AdoptionRule,
    Decision,
    KeptScale,
    Norm,
    Prompt,
    TeamKind,
)
from accord.charters.rules import (
    ANSWER_LONGEST,
    COMMENT_LONGEST,
    MAX_GOALS,
    MAX_NORMS,
    MAX_ROLES,
    VISION_LONGEST,
    Draft,
    GoalDraft,
    NormDraft,
    RoleDraft,
)
from accord.goals.models import Goal, Team
from accord.org.models import Organisation, Person, Unit
from accord.org.selectors import people_by_key

EMPTY_ROWS = 3
CADENCE_CHOICES = [(m, f"Every {m} month{'s' if m > 1 else ''}") for m in range(1, LONGEST_CADENCE_MONTHS + 1)]  # fmt: skip


def find_unit(units: QuerySet[Unit], text: str) -> Unit:
    """A unit by its full path, or by its own name when only one unit has it."""
    name = " ".join(text.split()).strip("/ ")
    if not name:
        raise forms.ValidationError("Choose the unit.")
    unit = units.filter(full_name__iexact=name).first()
    if unit is not None:
        return unit
    same_name = list(units.filter(name__iexact=name.rsplit("/", 1)[-1]).order_by("full_name")[:6])
    if len(same_name) == 1:
        return same_name[0]
    if same_name:
        raise forms.ValidationError(
            f"Several units are called “{name}”: "
            + "; ".join(u.full_name for u in same_name[:5])
            + ". Give the whole path."
        )
    raise forms.ValidationError(f"No unit you may charter is called “{name}”.")


def find_people(organisation: Organisation, text: str) -> list[Person]:
    keys = [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]
    found = people_by_key(organisation, keys)
    missing = [key for key in keys if key not in found]
    if missing:
        raise forms.ValidationError(
            [
                f"No one in the org chart today has the email or HR id “{key}”."
                for key in missing[:5]
            ]
        )
    return list({p.pk: p for p in found.values()}.values())


class StartForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name of the charter",
                           help_text="Usually the team's name: “Maple Street primary care team”.")  # fmt: skip
    kind = forms.ChoiceField(
        choices=TeamKind.choices, widget=forms.RadioSelect, initial=TeamKind.UNIT,
        label="The team",
    )  # fmt: skip
    unit = forms.CharField(
        required=False, max_length=500, label="Unit",
        widget=forms.TextInput(attrs={"list": "charter-units", "autocomplete": "off"}),
        help_text="Its name, or its path when several units share the name (a unit's people, its "
        "sub-units' included).",
    )  # fmt: skip
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False,
                                  label="Leadership team", empty_label="—")  # fmt: skip
    people = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), label="People of the group",
        help_text="One email or HR id per line: everyone on the team, from any unit.",
    )  # fmt: skip
    facilitator = forms.CharField(
        required=False, max_length=254, label="Facilitator",
        help_text="Who runs the charter (email or HR id); you, if left empty.",
    )  # fmt: skip
    rule = forms.ChoiceField(choices=AdoptionRule.choices, initial=AdoptionRule.ALL_BUT_ONE,
                             label="Adopted when", widget=forms.RadioSelect)  # fmt: skip
    cadence_months = forms.TypedChoiceField(
        choices=CADENCE_CHOICES, coerce=int, initial=DEFAULT_CADENCE_MONTHS, label="Revisit it",
    )  # fmt: skip

    def __init__(self, *args: Any, organisation: Organisation, units: QuerySet[Unit],
                 teams: QuerySet[Team], **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.units = units
        self.fields["team"].queryset = teams.order_by("name")  # type: ignore[attr-defined]
        self.unit_names = list(
            units.order_by("full_name").values_list("full_name", flat=True)[:500]
        )

    def clean_facilitator(self) -> Person | None:
        text = self.cleaned_data["facilitator"].strip()
        return find_people(self.organisation, text)[0] if text else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        data["unit_obj"], data["people_list"] = None, []
        if kind == TeamKind.UNIT:
            try:
                data["unit_obj"] = find_unit(self.units, data.get("unit", ""))
            except forms.ValidationError as error:
                self.add_error("unit", error)
        elif kind == TeamKind.LEADERSHIP_TEAM and data.get("team") is None:
            self.add_error("team", "Choose the leadership team.")
        elif kind == TeamKind.GROUP:
            try:
                data["people_list"] = find_people(self.organisation, data.get("people", ""))
            except forms.ValidationError as error:
                self.add_error("people", error)
            if not data["people_list"] and not self.has_error("people"):
                self.add_error("people", "Name the people of the group.")
        return data


class ValuesForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for prompt in Prompt:
            self.fields[prompt.value] = forms.CharField(
                label=prompt.label, required=False, max_length=ANSWER_LONGEST,
                widget=forms.Textarea(attrs={"rows": 3}),
            )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any((data.get(p.value) or "").strip() for p in Prompt):
            raise forms.ValidationError("Answer at least one of the questions.")
        return data

    def answers(self) -> dict[str, str]:
        return {p.value: self.cleaned_data.get(p.value) or "" for p in Prompt}


class DraftForm(forms.Form):
    """The whole draft: vision, goals, norms and responsibilities, each a numbered row."""

    vision = forms.CharField(
        required=False, max_length=VISION_LONGEST, widget=forms.Textarea(attrs={"rows": 3}),
        label="Vision", help_text="Why the team exists, in a sentence or two.",
    )  # fmt: skip

    def __init__(self, *args: Any, members: list[Person], goals: QuerySet[Goal],
                 rows: dict[str, int], **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.counts = {
            "goal": min(rows.get("goal", 0) + EMPTY_ROWS, MAX_GOALS),
            "norm": min(rows.get("norm", 0) + EMPTY_ROWS, MAX_NORMS),
            "role": min(max(rows.get("role", 0) + EMPTY_ROWS, len(members)), MAX_ROLES),
        }
        goal_choices = [("", "— words only, no goal linked —")] + [
            (str(g.pk), f"{g.title} ({g.metric_name}, {g.period})")
            for g in goals.order_by("title")[:300]
        ]
        owners = [("", "—")] + [(str(p.pk), p.name) for p in members]
        for n in range(1, self.counts["goal"] + 1):
            self.fields[f"goal_{n}_goal"] = forms.TypedChoiceField(
                choices=goal_choices, required=False, coerce=int, empty_value=None,
                label=f"Goal {n}: a goal in Goals",
            )  # fmt: skip
            self.fields[f"goal_{n}_text"] = forms.CharField(
                required=False, max_length=200, label=f"Goal {n}: or in words"
            )
        for n in range(1, self.counts["norm"] + 1):
            self.fields[f"norm_{n}_text"] = forms.CharField(
                required=False, max_length=300, label=f"Norm {n}",
                widget=forms.TextInput(attrs={"placeholder": "We …"}),
            )  # fmt: skip
            self.fields[f"norm_{n}_signs"] = forms.CharField(
                required=False, max_length=300, label=f"Norm {n}: how we notice it kept or broken"
            )
        for n in range(1, self.counts["role"] + 1):
            self.fields[f"role_{n}_what"] = forms.CharField(
                required=False, max_length=200, label=f"Responsibility {n}"
            )
            self.fields[f"role_{n}_owner"] = forms.TypedChoiceField(
                choices=owners, required=False, coerce=int, empty_value=None,
                label=f"Responsibility {n}: owner",
            )  # fmt: skip

    def rows(self, prefix: str, parts: tuple[str, ...]) -> list[tuple[forms.BoundField, ...]]:
        return [
            tuple(self[f"{prefix}_{n}_{part}"] for part in parts)
            for n in range(1, self.counts[prefix] + 1)
        ]

    def goal_rows(self) -> list[tuple[forms.BoundField, ...]]:
        return self.rows("goal", ("goal", "text"))

    def norm_rows(self) -> list[tuple[forms.BoundField, ...]]:
        return self.rows("norm", ("text", "signs"))

    def role_rows(self) -> list[tuple[forms.BoundField, ...]]:
        return self.rows("role", ("what", "owner"))

    def draft(self) -> Draft:
        data = self.cleaned_data
        goals = [
            GoalDraft(data.get(f"goal_{n}_goal"), (data.get(f"goal_{n}_text") or "").strip())
            for n in range(1, self.counts["goal"] + 1)
            if data.get(f"goal_{n}_goal") or (data.get(f"goal_{n}_text") or "").strip()
        ]
        norms = [
            NormDraft(
                (data.get(f"norm_{n}_text") or "").strip(),
                (data.get(f"norm_{n}_signs") or "").strip(),
            )
            for n in range(1, self.counts["norm"] + 1)
            if (data.get(f"norm_{n}_text") or "").strip()
            or (data.get(f"norm_{n}_signs") or "").strip()
        ]
        roles = [
            RoleDraft((data.get(f"role_{n}_what") or "").strip(), data.get(f"role_{n}_owner"))
            for n in range(1, self.counts["role"] + 1)
            if (data.get(f"role_{n}_what") or "").strip() or data.get(f"role_{n}_owner")
        ]
        return Draft(data.get("vision") or "", norms, roles, goals)

    @staticmethod
    def initial_for(view: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {"vision": view.vision}
        for n, line in enumerate(view.goals, start=1):
            initial[f"goal_{n}_goal"] = line.goal_id or ""
            initial[f"goal_{n}_text"] = "" if line.goal_id else line.text
        for n, (_, text, signs) in enumerate(view.norms, start=1):
            initial[f"norm_{n}_text"], initial[f"norm_{n}_signs"] = text, signs
        for n, role in enumerate(view.version.roles.all(), start=1):
            initial[f"role_{n}_what"], initial[f"role_{n}_owner"] = role.what, role.owner_id or ""
        return initial


class EndorseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    decision = forms.ChoiceField(
        choices=[(Decision.ENDORSED, "I endorse this charter"),
                 (Decision.COMMENTED, "I would change something (say what below)")],
        widget=forms.RadioSelect, label="Your answer",
    )  # fmt: skip
    comment = forms.CharField(
        required=False, max_length=COMMENT_LONGEST, widget=forms.Textarea(attrs={"rows": 3}),
        label="Comment", help_text="The team reads it, with your name.",
    )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == Decision.COMMENTED and not (data.get("comment") or "").strip():
            self.add_error("comment", "Say what you would change.")
        return data


class RatingsForm(forms.Form):
    def __init__(self, *args: Any, norms: list[Norm], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(v), label) for v, label in KeptScale.choices] + [("", "Can't say")]
        self.norms = norms
        for norm in norms:
            self.fields[f"norm_{norm.pk}"] = forms.TypedChoiceField(
                choices=choices, coerce=int, empty_value=None, required=False,
                widget=forms.RadioSelect, label=norm.text,
            )  # fmt: skip

    def ratings(self) -> dict[int, int]:
        return {
            norm.pk: self.cleaned_data[f"norm_{norm.pk}"]
            for norm in self.norms
            if self.cleaned_data.get(f"norm_{norm.pk}") is not None
        }


class SettingsForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name of the charter")
    rule = forms.ChoiceField(choices=AdoptionRule.choices, label="Adopted when",
                             widget=forms.RadioSelect)  # fmt: skip
    cadence_months = forms.TypedChoiceField(choices=CADENCE_CHOICES, coerce=int, label="Revisit it")


class PeopleForm(forms.Form):
    people = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), label="People of the group",
        help_text="One email or HR id per line: the whole team as it is now.",
    )  # fmt: skip

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_people(self) -> list[Person]:
        return find_people(self.organisation, self.cleaned_data["people"])


class HandOverForm(forms.Form):
    facilitator = forms.CharField(max_length=254, label="New facilitator",
                                  help_text="Their email or HR id.")  # fmt: skip

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_facilitator(self) -> Person:
        return find_people(self.organisation, self.cleaned_data["facilitator"].strip())[0]


class PulseForm(forms.Form):
    cycle = forms.TypedChoiceField(
        coerce=int, label="Pulse survey",
        help_text="Surveys that have not opened yet. Each member of the team who is invited is "
        "asked how well each norm is kept, on a page of its own.",
    )  # fmt: skip

    def __init__(self, *args: Any, pulses: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["cycle"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [
            (p.id, f"{p.name}, opens {localtime(p.opens_at):%-d %b %Y}") for p in pulses
        ]
