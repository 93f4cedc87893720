"""Forms of the 360 pages: a cohort, a leader's own 360, raters (chosen from suggestions or
typed by email or HR id), and a coach. Each names the field and the line that is wrong."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from accord.access.models import Membership, User
from accord.leadership.models import (
    GROUP_MINIMUM,
    MAX_FOCUS,
    ActionKind,
    Nomination,
    Progress,
    RaterGroup,
)
from accord.leadership.rules import ActionDraft, FocusDraft, Rater
from accord.leadership.services import MAX_MINIMUM
from accord.org.models import Organisation, Person, UnitKind
from accord.org.selectors import people_by_key

MAX_LINES = 200
# What people type for a group, in English and Spanish.
GROUP_WORDS = {
    "manager": RaterGroup.MANAGER, "boss": RaterGroup.MANAGER, "jefe": RaterGroup.MANAGER,
    "jefa": RaterGroup.MANAGER, "peer": RaterGroup.PEER, "peers": RaterGroup.PEER,
    "colleague": RaterGroup.PEER, "colega": RaterGroup.PEER,
    "direct report": RaterGroup.DIRECT_REPORT, "direct reports": RaterGroup.DIRECT_REPORT,
    "direct_report": RaterGroup.DIRECT_REPORT, "report": RaterGroup.DIRECT_REPORT,
    "partner": RaterGroup.PARTNER, "clinical partner": RaterGroup.PARTNER,
    "partners": RaterGroup.PARTNER, "other": RaterGroup.OTHER, "others": RaterGroup.OTHER,
    "otro": RaterGroup.OTHER, "otra": RaterGroup.OTHER,
}  # fmt: skip


def _find(organisation: Organisation, text: str) -> Person | None:
    return people_by_key(organisation, [text]).get(text.strip())


def _end_of_day(day: dt.date, organisation: Organisation) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59), tzinfo=ZoneInfo(organisation.time_zone))


class DateInput(forms.DateInput):
    input_type = "date"


class CohortForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="For example “Department chairs 2027”.")
    leaders_of_kind = forms.ModelChoiceField(
        queryset=UnitKind.objects.none(), required=False, label="Every leader of units of kind",
        help_text="Everyone flagged as a leader in a unit of this kind (every department, say).",
    )  # fmt: skip
    people = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label="And these leaders",
        help_text="One per line: an email address or an HR id.",
    )  # fmt: skip
    answer_by = forms.DateField(widget=DateInput, label="Raters answer by")
    min_group_size = forms.IntegerField(
        min_value=GROUP_MINIMUM, max_value=MAX_MINIMUM, initial=GROUP_MINIMUM,
        label="Fewest raters a group is shown with",
        help_text=f"At least {GROUP_MINIMUM}; raise it for more protection, never lower.",
    )  # fmt: skip
    coached = forms.BooleanField(
        required=False, label="Coached: each report goes to the leader's coach first",
    )  # fmt: skip

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        field = self.fields["leaders_of_kind"]
        field.queryset = UnitKind.objects.filter(organisation=organisation)  # type: ignore[attr-defined]

    def clean_people(self) -> list[Person]:
        lines = [line.strip() for line in self.cleaned_data["people"].splitlines() if line.strip()]
        if len(lines) > MAX_LINES:
            raise forms.ValidationError(f"At most {MAX_LINES} lines; this has {len(lines)}.")
        found, missing = [], []
        for number, line in enumerate(lines, start=1):
            person = _find(self.organisation, line)
            if person is None:
                missing.append(
                    f"Line {number}: no one in the org chart has the email or HR id “{line}”."
                )
            else:
                found.append(person)
        if missing:
            raise forms.ValidationError(missing[:5])
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("leaders_of_kind")
        people = list(data.get("people") or [])
        if kind is not None:
            people += list(
                Person.objects.filter(
                    organisation=self.organisation, is_active=True, is_leader=True, unit__kind=kind
                ).order_by("name")
            )
        data["subjects"] = list({p.pk: p for p in people}.values())
        if not data["subjects"] and not self.errors:
            self.add_error("people", "Choose a kind of unit or list at least one leader.")
        if data.get("answer_by"):
            data["answer_by_at"] = _end_of_day(data["answer_by"], self.organisation)
        return data


class OwnReviewForm(forms.Form):
    answer_by = forms.DateField(widget=DateInput, label="Raters answer by")

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def answer_by_at(self) -> dt.datetime:
        return _end_of_day(self.cleaned_data["answer_by"], self.organisation)


class RatersForm(forms.Form):
    """Raters ticked among the suggestions and the list so far (``rater`` = "person:group"),
    and more typed one per line: "email or HR id, group"."""

    more = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False, label="Anyone else",
        help_text="One per line: an email address or an HR id, a comma, and the group — "
        "manager, peer, direct report, partner (a clinician you work with) or other.",
    )  # fmt: skip

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def raters(self) -> list[Rater]:
        chosen: list[Rater] = []
        ids: dict[int, str] = {}
        for value in self.data.getlist("rater") if hasattr(self.data, "getlist") else []:
            pid, _, group = str(value).partition(":")
            if pid.isdigit() and group in RaterGroup.values:
                ids.setdefault(int(pid), group)
        people = Person.objects.filter(organisation=self.organisation, pk__in=list(ids))
        chosen += [Rater(p, ids[p.pk]) for p in people]
        return chosen + self.cleaned_data.get("typed", [])

    def clean_more(self) -> str:
        text: str = self.cleaned_data["more"]
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if len(lines) > MAX_LINES:
            raise forms.ValidationError(f"At most {MAX_LINES} lines; this has {len(lines)}.")
        typed, problems = [], []
        for number, line in enumerate(lines, start=1):
            who, _, group_text = line.rpartition(",")
            if not who:
                problems.append(f"Line {number}: add a comma and the group, e.g. “{line}, peer”.")
                continue
            group = GROUP_WORDS.get(" ".join(group_text.lower().split()))
            person = _find(self.organisation, who)
            if group is None:
                problems.append(
                    f"Line {number}: “{group_text.strip()}” is not a group; use manager, peer, "
                    "direct report, partner or other."
                )
            elif person is None:
                problems.append(
                    f"Line {number}: no one in the org chart has the email or HR id “{who.strip()}”."
                )
            else:
                typed.append(Rater(person, group))
        if problems:
            raise forms.ValidationError(problems[:5])
        self.cleaned_data["typed"] = typed
        return text


def ticked(nominations: list[Nomination]) -> set[str]:
    return {f"{n.person_id}:{n.group}" for n in nominations}


class CoachForm(forms.Form):
    coach = forms.EmailField(
        required=False, label="Coach's email",
        help_text="Someone with a login in this organisation; leave empty for no coach.",
    )  # fmt: skip

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_coach(self) -> User | None:
        email = self.cleaned_data["coach"].strip()
        if not email:
            return None
        membership = (
            Membership.objects.filter(organisation=self.organisation, user__email__iexact=email)
            .select_related("user")
            .first()
        )
        if membership is None:
            raise forms.ValidationError(
                f"No login in this organisation has the email {email}; give the coach a login "
                "first (Logins)."
            )
        return membership.user


# Development plans ----------------------------------------------------------------------

ACTIONS_PER_FOCUS = 3
REASSESS_CHOICES = [
    ("", "No re-assessment"),
    *[(str(m), f"After {m} months") for m in (3, 6, 9, 12)],
]


class PlanForm(forms.Form):
    """One to three behaviours, each with why and up to three actions; dates, a mentor and
    when to re-assess. Fields are numbered so the page works without JavaScript."""

    starts_on = forms.DateField(widget=DateInput, label="Starts on")
    review_on = forms.DateField(widget=DateInput, label="Review on")
    mentor = forms.CharField(
        required=False, max_length=254, label="Mentor",
        help_text="Someone in the org chart who will support you (email or HR id); your coach "
        "follows the plan too.",
    )  # fmt: skip
    reassess_after_months = forms.TypedChoiceField(
        choices=REASSESS_CHOICES, required=False, coerce=int, empty_value=None,
        label="Re-assess the behaviours",
        help_text="A short 360 of these behaviours only, with the same raters where possible.",
    )  # fmt: skip

    def __init__(
        self, *args: Any, organisation: Organisation, behaviours: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        choices = [("", "—"), *behaviours]
        for n in range(1, MAX_FOCUS + 1):
            self.fields[f"focus_{n}"] = forms.ChoiceField(
                choices=choices, required=n == 1, label="The behaviour"
            )
            self.fields[f"why_{n}"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000,
                label="Why this one, and what good looks like",
            )  # fmt: skip
            for a in range(1, ACTIONS_PER_FOCUS + 1):
                self.fields[f"action_{n}_{a}_kind"] = forms.ChoiceField(
                    choices=ActionKind.choices, required=False, label=f"Action {a}: kind"
                )
                self.fields[f"action_{n}_{a}_what"] = forms.CharField(
                    required=False, max_length=300, label=f"Action {a}: what you will do"
                )
                self.fields[f"action_{n}_{a}_due"] = forms.DateField(
                    widget=DateInput, required=False, label=f"Action {a}: by"
                )

    def slots(self) -> list[dict[str, Any]]:
        """The form's fields grouped per behaviour, for the template."""
        return [
            {"focus": self[f"focus_{n}"], "why": self[f"why_{n}"],
             "actions": [(self[f"action_{n}_{a}_kind"], self[f"action_{n}_{a}_what"],
                          self[f"action_{n}_{a}_due"]) for a in range(1, ACTIONS_PER_FOCUS + 1)]}
            for n in range(1, MAX_FOCUS + 1)
        ]  # fmt: skip

    def clean_mentor(self) -> Person | None:
        text = self.cleaned_data["mentor"].strip()
        if not text:
            return None
        person = _find(self.organisation, text)
        if person is None:
            raise forms.ValidationError(f"No one in the org chart has the email or HR id “{text}”.")
        return person

    def focus(self) -> list[FocusDraft]:
        data = self.cleaned_data
        drafts = []
        for n in range(1, MAX_FOCUS + 1):
            behaviour = data.get(f"focus_{n}") or ""
            actions = tuple(
                ActionDraft(data.get(f"action_{n}_{a}_kind") or ActionKind.PRACTICE,
                            data.get(f"action_{n}_{a}_what", ""), data.get(f"action_{n}_{a}_due"))
                for a in range(1, ACTIONS_PER_FOCUS + 1)
                if (data.get(f"action_{n}_{a}_what") or "").strip()
            )  # fmt: skip
            if behaviour:
                drafts.append(FocusDraft(behaviour, data.get(f"why_{n}", ""), actions))
        return drafts

    @staticmethod
    def initial_for(plan: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "starts_on": plan.starts_on, "review_on": plan.review_on,
            "mentor": plan.mentor.email if plan.mentor else "",
            "reassess_after_months": plan.reassess_after_months or "",
        }  # fmt: skip
        for n, item in enumerate(plan.focus.prefetch_related("actions"), start=1):
            initial[f"focus_{n}"], initial[f"why_{n}"] = item.behaviour, item.why
            for a, action in enumerate(item.actions.all()[:ACTIONS_PER_FOCUS], start=1):
                initial[f"action_{n}_{a}_kind"] = action.kind
                initial[f"action_{n}_{a}_what"] = action.what
                initial[f"action_{n}_{a}_due"] = action.due_on
        return initial


class CheckInForm(forms.Form):
    held_on = forms.DateField(widget=DateInput, label="On")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
                           label="How it is going")  # fmt: skip

    def __init__(self, *args: Any, focus: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.behaviours = [b for b, _ in focus]
        for behaviour, text in focus:
            self.fields[f"progress_{behaviour}"] = forms.ChoiceField(
                choices=[("", "—"), *Progress.choices], required=False, label=text
            )

    def progress(self) -> dict[str, str]:
        return {
            b: self.cleaned_data[f"progress_{b}"]
            for b in self.behaviours
            if self.cleaned_data.get(f"progress_{b}")
        }


class ShareForm(forms.Form):
    person = forms.CharField(max_length=254, label="Share with",
                             help_text="An email address or HR id in the org chart.")  # fmt: skip

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_person(self) -> Person:
        text = self.cleaned_data["person"].strip()
        person = _find(self.organisation, text)
        if person is None:
            raise forms.ValidationError(f"No one in the org chart has the email or HR id “{text}”.")
        return person
