from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django import forms

from accord.org.models import Organisation, RoleGroup, Unit
from accord.surveys.instruments import PULSE
from accord.surveys.models import Cycle
from accord.surveys.selectors import organisation_instruments
from accord.surveys.services import CycleSettings

MAX_AUDIENCE_UNITS = 200


class CycleForm(forms.Form):
    name = forms.CharField(
        max_length=200, label="Name", help_text="For example “Autumn pulse 2026”."
    )
    instrument = forms.ChoiceField(label="Instrument")
    opens_at = forms.DateTimeField(
        label="Opens",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    closes_at = forms.DateTimeField(
        label="Closes",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    units = forms.CharField(
        required=False,
        label="Units in the audience",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One full unit name per line, e.g. “Riverside Health/North Hospital”; each "
        "brings its whole subtree. Leave empty to ask the whole organisation.",
    )
    role_groups = forms.MultipleChoiceField(
        required=False,
        label="Role groups",
        choices=RoleGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to ask every role group.",
    )
    min_group_size = forms.IntegerField(
        label="Minimum group size for results", min_value=3, max_value=1000
    )
    min_comment_group_size = forms.IntegerField(
        label="Minimum group size for comments", min_value=3, max_value=1000
    )
    reminder_days = forms.CharField(
        required=False,
        max_length=100,
        label="Reminder days",
        help_text="Days after opening on which people who have not answered get a reminder, "
        "e.g. “3, 6”. Leave empty for no reminders.",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.zone = ZoneInfo(organisation.time_zone)
        zone_note = f"In the organisation's time zone ({organisation.time_zone})."
        self.fields["opens_at"].help_text = zone_note
        self.fields["closes_at"].help_text = zone_note
        self.fields["instrument"].choices = [  # type: ignore[attr-defined]
            (
                f"{i.id}:{i.version}",
                f"{i.title.en} ({i.id} version {i.version}, {len(i.items)} questions)",
            )
            for i in organisation_instruments(organisation).all()
            if i.purpose == PULSE
        ]

    def _local(self, value: dt.datetime) -> dt.datetime:
        # The browser sends a wall-clock time; it means the organisation's clock.
        return value.replace(tzinfo=None).replace(tzinfo=self.zone)

    def clean_opens_at(self) -> dt.datetime:
        return self._local(self.cleaned_data["opens_at"])

    def clean_closes_at(self) -> dt.datetime:
        return self._local(self.cleaned_data["closes_at"])

    def clean_units(self) -> list[Unit]:
        names = [" ".join(line.split()) for line in self.cleaned_data["units"].splitlines()]
        names = [name.strip("/ ") for name in names if name.strip("/ ")]
        if len(names) > MAX_AUDIENCE_UNITS:
            raise forms.ValidationError(
                f"At most {MAX_AUDIENCE_UNITS} units; choose their parents instead."
            )
        found = {
            unit.full_name.lower(): unit
            for unit in Unit.objects.filter(organisation=self.organisation, full_name__in=names)
        }
        if len(found) < len({n.lower() for n in names}):
            # Names are matched exactly first (fast); a case-insensitive pass finds the rest.
            for name in names:
                if name.lower() not in found:
                    unit = Unit.objects.filter(
                        organisation=self.organisation, full_name__iexact=name
                    ).first()
                    if unit is not None:
                        found[name.lower()] = unit
        missing = [name for name in names if name.lower() not in found]
        if missing:
            raise forms.ValidationError(
                [f"Line {names.index(name) + 1}: no unit named “{name}”." for name in missing[:5]]
            )
        return list({unit.pk: unit for unit in found.values()}.values())

    def clean_reminder_days(self) -> tuple[int, ...]:
        raw = self.cleaned_data["reminder_days"].replace(";", ",")
        days = []
        for part in filter(None, (piece.strip() for piece in raw.split(","))):
            if not part.isdigit():
                raise forms.ValidationError(f"“{part}” is not a whole number of days.")
            days.append(int(part))
        return tuple(days)

    def settings(self) -> CycleSettings:
        data = self.cleaned_data
        instrument_id, _, version = data["instrument"].partition(":")
        return CycleSettings(
            name=data["name"],
            instrument_id=instrument_id,
            instrument_version=int(version),
            opens_at=data["opens_at"],
            closes_at=data["closes_at"],
            min_group_size=data["min_group_size"],
            min_comment_group_size=data["min_comment_group_size"],
            reminder_days=data["reminder_days"],
            role_groups=tuple(data["role_groups"]),
            units=tuple(data["units"]),
        )

    @classmethod
    def initial_for(cls, cycle: Cycle) -> dict[str, Any]:
        zone = ZoneInfo(cycle.organisation.time_zone)
        return {
            "name": cycle.name,
            "instrument": f"{cycle.instrument_id}:{cycle.instrument_version}",
            "opens_at": cycle.opens_at.astimezone(zone).replace(tzinfo=None),
            "closes_at": cycle.closes_at.astimezone(zone).replace(tzinfo=None),
            "units": "\n".join(unit.full_name for unit in cycle.audience_units.all()),
            "role_groups": cycle.audience_role_groups,
            "min_group_size": cycle.min_group_size,
            "min_comment_group_size": cycle.min_comment_group_size,
            "reminder_days": ", ".join(str(day) for day in cycle.reminder_days),
        }


class InstrumentUploadForm(forms.Form):
    file = forms.FileField(label="Instrument definition (YAML)")

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > 512 * 1024:
            raise forms.ValidationError("An instrument definition is at most 512 KB.")
        try:
            return str(upload.read().decode("utf-8"))
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text.") from None


class CodesForm(forms.Form):
    unit = forms.CharField(
        required=False,
        max_length=2000,
        label="Unit",
        help_text="Full unit name, e.g. “Riverside Health/North Hospital/Emergency”: codes for "
        "everyone without email in its subtree. Leave empty for the whole audience.",
    )
    format = forms.ChoiceField(
        label="Format",
        choices=[("pdf", "PDF slips with QR codes"), ("csv", "CSV (for a mail merge)")],
        widget=forms.RadioSelect,
        initial="pdf",
    )
    paper = forms.ChoiceField(
        label="Paper", choices=[("A4", "A4"), ("Letter", "US Letter")], initial="A4"
    )
    replace = forms.BooleanField(
        required=False,
        label="Replace codes printed before",
        help_text="Needed when some of these people already have printed slips: those slips "
        "stop working.",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_unit(self) -> Unit | None:
        name = " ".join(self.cleaned_data["unit"].split()).strip("/ ")
        if not name:
            return None
        unit = Unit.objects.filter(organisation=self.organisation, full_name__iexact=name).first()
        if unit is None:
            raise forms.ValidationError(f"No unit named “{name}”.")
        return unit
