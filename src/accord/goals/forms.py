from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from accord.goals import rules
from accord.goals.models import Confidence, Direction, Goal, GoalLink, LinkKind, Visibility
from accord.org.models import Person, Unit
from accord.org.selectors import people_by_hr_id


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class NumberField(forms.CharField):
    """A metric value: accepts "12.5", "1,200" or "85%"; says what is wrong otherwise."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def clean(self, value: Any) -> Decimal | None:
        text = super().clean(value)
        if not text:
            return None
        try:
            return rules.parse_number(text)
        except ValueError as error:
            raise forms.ValidationError(f"Enter a number: this {error}.") from None


class GoalForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="What you will achieve, in a few words.")
    why = forms.CharField(
        label="Why it matters", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For patients, colleagues or the organisation: what changes if you succeed.",
    )  # fmt: skip
    period = forms.CharField(max_length=20, help_text="Such as FY2026 or 2026-H1.")
    due_date = forms.DateField(widget=DateInput())
    metric_name = forms.CharField(
        label="Metric", max_length=120, help_text="Such as “ED length of stay”."
    )
    metric_unit = forms.CharField(
        label="Unit of measure", max_length=40, required=False, help_text="Such as hours or %."
    )
    direction = forms.ChoiceField(choices=Direction.choices, widget=forms.RadioSelect)
    baseline = NumberField(help_text="Where the metric stands now.")
    target = NumberField(help_text="For a range, the lowest acceptable value.")
    target_upper = NumberField(
        label="Upper bound", required=False, help_text="Only for “stay within a range”."
    )
    incentive_weight = NumberField(
        label="Incentive weight (% of bonus)", required=False,
        help_text="Your weights for one period add up to at most 100%. Only you, your managers "
        "and — if your team opts in — your team-mates see it.",
    )  # fmt: skip
    visibility = forms.ChoiceField(
        choices=Visibility.choices, widget=forms.RadioSelect, initial=Visibility.TEAM
    )
    unit: forms.ModelChoiceField[Unit] = forms.ModelChoiceField(
        queryset=Unit.objects.none(), required=False, label="Measured in",
        help_text="The part of the organisation the metric is measured in, if it is one.",
    )  # fmt: skip

    fieldsets = (
        ("The goal", ("title", "why", "period", "due_date")),
        ("The metric", ("metric_name", "metric_unit", "direction", "baseline", "target",
                        "target_upper")),
        ("Weight and sharing", ("incentive_weight", "visibility", "unit")),
    )  # fmt: skip

    def __init__(self, *args: Any, units: Any, person_goal: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if not person_goal:
            del self.fields["incentive_weight"]

    def grouped(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.fieldsets
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        problems = rules.goal_problems(
            title=data.get("title", ""), metric_name=data.get("metric_name", ""),
            period=data.get("period", ""), direction=data.get("direction", ""),
            baseline=data.get("baseline"), target=data.get("target"),
            target_upper=data.get("target_upper"),
            incentive_weight=data.get("incentive_weight"),
            visibility=data.get("visibility", ""), due_date=data.get("due_date"),
            owned_by_person="incentive_weight" in self.fields,
        )  # fmt: skip
        for field, message in problems:
            self.add_error(field if field in self.fields else None, message)
        return data

    @staticmethod
    def initial_from(goal: Goal) -> dict[str, Any]:
        def text(value: Decimal | None) -> str:
            return "" if value is None else f"{value.normalize():f}"

        return {
            "title": goal.title, "why": goal.why, "period": goal.period,
            "due_date": goal.due_date, "metric_name": goal.metric_name,
            "metric_unit": goal.metric_unit, "direction": goal.direction,
            "baseline": text(goal.baseline), "target": text(goal.target),
            "target_upper": text(goal.target_upper),
            "incentive_weight": text(goal.incentive_weight), "visibility": goal.visibility,
            "unit": goal.unit_id,
        }  # fmt: skip


class CheckInForm(forms.Form):
    value = NumberField(label="Value today")
    confidence = forms.ChoiceField(choices=Confidence.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when the goal is at risk or off track: what is in the way?",
    )  # fmt: skip
    recorded_on = forms.DateField(
        label="Date", required=False, widget=DateInput(), help_text="Leave empty for today."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Several forms share the goal page: ids of their own, the same field names.
        kwargs.setdefault("auto_id", "check-in-%s")
        super().__init__(*args, **kwargs)


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _goal_label(goal: Goal) -> str:
    return f"{goal.owner_label}: {goal.title} ({goal.period})"


class ContributionForm(forms.Form):
    serves = forms.ChoiceField(label="This goal serves")
    note = forms.CharField(label="How", max_length=2000, required=False)

    def __init__(self, *args: Any, candidates: list[Goal], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "serves-%s")
        super().__init__(*args, **kwargs)
        self.candidates = {str(g.pk): g for g in candidates}
        _set_choices(
            self,
            "serves",
            [("", "Choose a goal above this one")]
            + [(str(g.pk), _goal_label(g)) for g in candidates],
        )

    def clean_serves(self) -> Goal:
        return self.candidates[self.cleaned_data["serves"]]


class LinkForm(forms.Form):
    kind = forms.ChoiceField(label="This goal", choices=LinkKind.choices, widget=forms.RadioSelect)
    to_goal = forms.ChoiceField(label="Peer's goal")
    note = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="How does one affect the other? Your colleague sees this note.",
    )  # fmt: skip

    def __init__(self, *args: Any, candidates: list[Goal], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "link-%s")
        super().__init__(*args, **kwargs)
        self.candidates = {str(g.pk): g for g in candidates}
        _set_choices(
            self,
            "to_goal",
            [("", "Choose a colleague's goal")] + [(str(g.pk), _goal_label(g)) for g in candidates],
        )

    def clean_to_goal(self) -> Goal:
        return self.candidates[self.cleaned_data["to_goal"]]


class RespondForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[("confirm", "Confirm"), ("dispute", "Dispute")], widget=forms.RadioSelect
    )
    note = forms.CharField(max_length=2000, required=False, label="Note")


class TeamForm(forms.Form):
    name = forms.CharField(max_length=200)
    leader = forms.CharField(
        label="Leader's HR id", max_length=100, required=False,
        help_text="Program admins choose the leader; a leader creating a team leads it.",
    )  # fmt: skip
    members = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Members"
    )
    more_members = forms.CharField(
        label="More members by HR id", required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Separate HR ids with commas, spaces or new lines.",
    )  # fmt: skip
    purpose = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    share_incentive_weights = forms.BooleanField(
        required=False, label="Members see each other's incentive weights",
        help_text="Off by default: a weight is otherwise seen only by its owner and their managers.",
    )  # fmt: skip
    conversation_window_days = forms.IntegerField(
        label="Conversations count for (days)", min_value=1, max_value=730, initial=90,
        help_text="On the alignment map, a pair is aligned if they talked within this many days.",
    )  # fmt: skip

    def __init__(
        self,
        *args: Any,
        organisation: Any,
        candidates: list[Person],
        choose_leader: bool,
        within: QuerySet[Person] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.within = within
        self.by_id = {str(p.pk): p for p in candidates}
        _set_choices(
            self,
            "members",
            [
                (str(p.pk), f"{p.name} — {p.attributes.get('job_title') or p.unit.name}")
                for p in candidates
            ],
        )
        if not choose_leader:
            del self.fields["leader"]

    def clean_leader(self) -> Person | None:
        hr_id = self.cleaned_data.get("leader", "").strip()
        if not hr_id:
            raise forms.ValidationError("Give the HR id of the team's leader.")
        people, missing = people_by_hr_id(self.organisation, hr_id)
        if missing or len(people) != 1:
            raise forms.ValidationError(f"No one in the org chart has the HR id {hr_id!r}.")
        return people[0]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = [self.by_id[pk] for pk in data.get("members", [])]
        more, missing = people_by_hr_id(
            self.organisation, data.get("more_members", ""), self.within
        )
        if missing and self.within is not None:
            self.add_error(
                "more_members",
                f"No one in your part of the org chart has the HR id(s): {', '.join(missing)}. "
                "A program admin can add people from elsewhere in the organisation.",
            )
        elif missing:
            self.add_error(
                "more_members", f"No one in the org chart has the HR id(s): {', '.join(missing)}."
            )
        data["people"] = list({p.pk: p for p in chosen + more}.values())
        return data


class ScheduleForm(forms.Form):
    date = forms.DateField(widget=DateInput())
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    duration_minutes = forms.IntegerField(
        label="Length (minutes)", min_value=5, max_value=480, initial=45
    )
    location = forms.CharField(
        max_length=200, required=False, help_text="A room, or a video-call link."
    )

    def __init__(self, *args: Any, time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.time_zone = time_zone
        self.fields["time"].help_text = f"In {time_zone} time."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date") and data.get("time"):
            try:
                zone = zoneinfo.ZoneInfo(self.time_zone)
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
            starts = dt.datetime.combine(data["date"], data["time"]).replace(tzinfo=zone)
            if data["date"] >= rules.LATEST_DATE:
                self.add_error("date", "Choose a date before 2100-12-31.")
            elif starts < timezone.now():
                self.add_error("date", "Choose a date and time in the future.")
            data["starts_at"] = starts
        return data

    @staticmethod
    def initial_from(conversation: Any, time_zone: str) -> dict[str, Any]:
        try:
            zone = zoneinfo.ZoneInfo(time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        local = conversation.starts_at.astimezone(zone)
        return {"date": local.date(), "time": local.time().replace(second=0, microsecond=0),
                "duration_minutes": conversation.duration_minutes,
                "location": conversation.location}  # fmt: skip


class CancelForm(forms.Form):
    note = forms.CharField(
        label="Why (sent to both people)", max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "cancel-%s")
        super().__init__(*args, **kwargs)


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label="This conflict is",
        choices=[("resolved", "Resolved"), ("escalated", "Escalated to our leader"),
                 ("", "Open again")],
        required=False,
    )  # fmt: skip
    note = forms.CharField(label="How", max_length=2000, required=False)


OUTCOMES = [
    ("keep", "No change"),
    ("confirm", "Confirmed: the link is real"),
    ("resolve", "Resolved"),
    ("escalate", "Escalated to our leader"),
]
COMMITMENT_ROWS = 3


class RecordForm(forms.Form):
    held_on = forms.DateField(label="Held on", widget=DateInput())
    summary = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="What you agreed"
    )

    def __init__(
        self, *args: Any, links: list[GoalLink], people: tuple[Person, Person], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.links = links
        self.people = {str(p.pk): p for p in people}
        for link in links:
            self.fields[f"link_{link.pk}"] = forms.ChoiceField(
                label=str(link),
                choices=OUTCOMES,
                initial="keep",
                required=False,
                widget=forms.RadioSelect,
            )
        for i in range(COMMITMENT_ROWS):
            self.fields[f"commitment_{i}_owner"] = forms.ChoiceField(
                label="Who", required=False,
                choices=[("", "—")] + [(pk, p.name) for pk, p in self.people.items()],
            )  # fmt: skip
            self.fields[f"commitment_{i}_text"] = forms.CharField(
                label="Commits to", max_length=300, required=False
            )
            self.fields[f"commitment_{i}_due"] = forms.DateField(
                label="By", required=False, widget=DateInput()
            )

    def link_fields(self) -> list[forms.BoundField]:
        return [self[f"link_{link.pk}"] for link in self.links]

    def commitment_rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [
            (i + 1, [self[f"commitment_{i}_{part}"] for part in ("owner", "text", "due")])
            for i in range(COMMITMENT_ROWS)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        commitments = []
        for i in range(COMMITMENT_ROWS):
            owner, text, due = (
                data.get(f"commitment_{i}_{part}") for part in ("owner", "text", "due")
            )
            if not (owner or text or due):
                continue
            if not owner:
                self.add_error(f"commitment_{i}_owner", "Say who made this commitment.")
            if not text:
                self.add_error(f"commitment_{i}_text", "Say what was committed to.")
            if not due:
                self.add_error(f"commitment_{i}_due", "Give the date it is due.")
            elif not rules.EARLIEST_DATE <= due <= rules.LATEST_DATE:
                self.add_error(f"commitment_{i}_due", "Give a date between 1900 and 2100.")
                due = None
            if owner and text and due:
                commitments.append((self.people[owner], text, due))
        data["commitments"] = commitments
        data["outcomes"] = {link.pk: data.get(f"link_{link.pk}") or "keep" for link in self.links}
        return data


class GoalImportForm(forms.Form):
    file = forms.FileField(
        label="Goals file (CSV or XLSX)",
        help_text="One row per goal. See the goals guide for the columns.",
    )
    team = forms.ChoiceField(label="Leadership team")
    dry_run = forms.BooleanField(
        required=False,
        label="Check the file only; add nothing",
    )

    def __init__(self, *args: Any, teams: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.teams = {str(t.pk): t for t in teams}
        _set_choices(self, "team", [(str(t.pk), t.name) for t in teams])

    def clean_team(self) -> Any:
        return self.teams[self.cleaned_data["team"]]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = min(settings.ACCORD_MAX_IMPORT_BYTES, 20 * 1024 * 1024)
        if upload.size > limit:
            raise forms.ValidationError(
                f"The file is {filesizeformat(upload.size)}; a goals file is at most "
                f"{filesizeformat(limit)}."
            )
        return upload


class MapForm(forms.Form):
    period = forms.ChoiceField(required=False)
    days = forms.IntegerField(
        label="Conversations in the last (days)", min_value=1, max_value=730, required=False
    )

    def __init__(self, *args: Any, periods: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "period", [(p, p) for p in periods])
