"""The programme's forms: they parse what was typed; the services decide (``rules``), and a
refusal is shown beside the field it names (``accord.refusals.show_refusal``). Repeated rows
are plain fields named as the services name them (``barriers.0.note``), so every form works
without JavaScript."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from accord.shadowing.models import USUAL_TIMES, CommitmentStatus, Host, ShiftKind
from accord.shadowing.patients import NO_PATIENT_DETAILS_HELP
from accord.shadowing.rules import CommitmentDraft, barrier_choices

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
TEXT = {"rows": 3}
BARRIER_ROWS = 3
COMMITMENT_ROWS = 3
RATINGS = [(str(n), str(n)) for n in range(1, 6)]


class HostForm(forms.Form):
    service = forms.CharField(
        label="Your service", max_length=120, help_text="Such as “Adult emergency” or “NICU”."
    )
    monthly_limit = forms.TypedChoiceField(
        label="Visits a month, at most", coerce=int, initial=2,
        choices=[(str(n), str(n)) for n in range(1, 9)],
    )  # fmt: skip
    visitor_notes = forms.CharField(
        label="What a visitor should know", required=False, max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
        help_text="Where to meet, what to wear, when not to come. " + NO_PATIENT_DETAILS_HELP,
    )  # fmt: skip

    def __init__(self, *args: Any, host: Host | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        own = {s.kind: s for s in host.shifts.all()} if host else {}
        for kind in ShiftKind:
            starts, ends = USUAL_TIMES[kind]
            if kind in own:
                starts, ends = own[kind].starts, own[kind].ends
            self.fields[f"shift_{kind}"] = forms.BooleanField(
                label=f"{kind.label} shifts suit me", required=False, initial=kind in own
            )
            self.fields[f"shift_{kind}_starts"] = forms.TimeField(
                label=f"{kind.label} shifts start", required=False, widget=TIME, initial=starts
            )
            self.fields[f"shift_{kind}_ends"] = forms.TimeField(
                label=f"{kind.label} shifts end", required=False, widget=TIME, initial=ends
            )
        if host is not None:
            self.initial.update(service=host.service, monthly_limit=host.monthly_limit,
                                visitor_notes=host.visitor_notes)  # fmt: skip

    def shift_rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"shift_{k}"], self[f"shift_{k}_starts"], self[f"shift_{k}_ends"]]
                for k in ShiftKind]  # fmt: skip

    def shifts(self) -> dict[str, tuple[dt.time | None, dt.time | None]]:
        data = self.cleaned_data
        return {
            kind.value: (data.get(f"shift_{kind}_starts"), data.get(f"shift_{kind}_ends"))
            for kind in ShiftKind
            if data.get(f"shift_{kind}")
        }


class SlotForm(forms.Form):
    kind = forms.ChoiceField(label="Shift", choices=ShiftKind.choices)
    day = forms.DateField(label="Date it starts", widget=DATE)
    starts = forms.TimeField(
        label="Starts", required=False, widget=TIME, help_text="Empty: your usual time."
    )
    ends = forms.TimeField(
        label="Ends", required=False, widget=TIME, help_text="Empty: your usual time."
    )


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your answer", widget=forms.RadioSelect,
        choices=[("confirm", "Yes, come"), ("decline", "Not this time")],
    )  # fmt: skip
    reason = forms.CharField(
        label="Why not (only you will read this)", required=False, max_length=300
    )


class MoveForm(forms.Form):
    day = forms.DateField(label="Date it starts", widget=DATE)
    starts = forms.TimeField(label="Starts", widget=TIME)
    ends = forms.TimeField(label="Ends", widget=TIME)


class ReflectionForm(forms.Form):
    what_i_saw = forms.CharField(
        label="What you saw", max_length=4000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=NO_PATIENT_DETAILS_HELP,
    )  # fmt: skip
    surprised = forms.CharField(
        label="What surprised you", required=False, max_length=4000,
        widget=forms.Textarea(attrs=TEXT),
    )  # fmt: skip

    def __init__(self, *args: Any, language: str = "en", visitor_hr_id: str = "",
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        choices = [("", "Choose…"), *barrier_choices(language)]
        for n in range(BARRIER_ROWS):
            self.fields[f"barriers.{n}.driver"] = forms.ChoiceField(
                label=f"Barrier {n + 1}: kind", choices=choices, required=False
            )
            self.fields[f"barriers.{n}.note"] = forms.CharField(
                label=f"Barrier {n + 1}: what you noticed", required=False, max_length=300
            )
        for n in range(COMMITMENT_ROWS):
            self.fields[f"commitments.{n}.what"] = forms.CharField(
                label=f"Commitment {n + 1}: what will be done", required=False, max_length=300
            )
            self.fields[f"commitments.{n}.owner"] = forms.CharField(
                label=f"Commitment {n + 1}: by whom (HR id)", required=False, max_length=100,
                initial=visitor_hr_id,
            )  # fmt: skip
            self.fields[f"commitments.{n}.due_on"] = forms.DateField(
                label=f"Commitment {n + 1}: done by", required=False, widget=DATE
            )

    def barrier_rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"barriers.{n}.driver"], self[f"barriers.{n}.note"]]
                for n in range(BARRIER_ROWS)]  # fmt: skip

    def commitment_rows(self) -> list[list[forms.BoundField]]:
        return [[self[f"commitments.{n}.{name}"] for name in ("what", "owner", "due_on")]
                for n in range(COMMITMENT_ROWS)]  # fmt: skip

    def barriers(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        rows = [(data.get(f"barriers.{n}.driver", ""), data.get(f"barriers.{n}.note", ""))
                for n in range(BARRIER_ROWS)]  # fmt: skip
        return [(driver, note) for driver, note in rows if driver or note.strip()]

    def commitments(self) -> list[CommitmentDraft]:
        data = self.cleaned_data
        drafts = []
        for n in range(COMMITMENT_ROWS):
            what, due_on = (
                data.get(f"commitments.{n}.what", ""),
                data.get(f"commitments.{n}.due_on"),
            )
            if what.strip() or due_on:
                drafts.append(CommitmentDraft(what, data.get(f"commitments.{n}.owner", ""), due_on))
        return drafts


class CommitmentForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=CommitmentStatus.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(label="If it can't be done: why", required=False, max_length=300)


class HostWordForm(forms.Form):
    account = forms.CharField(
        label="Your account of the visit (the visitor reads it)", required=False,
        max_length=4000, widget=forms.Textarea(attrs=TEXT), help_text=NO_PATIENT_DETAILS_HELP,
    )  # fmt: skip
    useful = forms.TypedChoiceField(
        label="Was it useful?", choices=RATINGS, coerce=int, widget=forms.RadioSelect,
        help_text="1 not at all, 5 very. Only shown pooled over three or more hosts.",
    )  # fmt: skip
    engaged = forms.TypedChoiceField(
        label="Was the visitor engaged?", choices=RATINGS, coerce=int, widget=forms.RadioSelect
    )
    would_host_again = forms.TypedChoiceField(
        label="Would you host again?", choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes", widget=forms.RadioSelect,
    )  # fmt: skip
    comment = forms.CharField(
        label="A comment for the programme (shown only pooled with other hosts')",
        required=False, max_length=4000, widget=forms.Textarea(attrs=TEXT),
    )  # fmt: skip


class SettingsForm(forms.Form):
    visits_per_executive = forms.IntegerField(
        label="Visits a year expected of each executive", min_value=0, max_value=52
    )
    reflection_hours = forms.IntegerField(
        label="Hours to write a reflection after a visit", min_value=1, max_value=336
    )
    leaders_may_book = forms.BooleanField(
        label="Leaders whose work is administration may book visits", required=False
    )
    briefing = forms.CharField(
        label="Briefing (English)", required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}), help_text="Empty: Accord's own briefing.",
    )  # fmt: skip
    briefing_es = forms.CharField(
        label="Briefing (Spanish)", required=False, max_length=4000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Empty: the English one if you wrote it, otherwise Accord's own.",
    )  # fmt: skip


class InviteForm(forms.Form):
    person = forms.CharField(label="The clinician's HR id", max_length=100)
