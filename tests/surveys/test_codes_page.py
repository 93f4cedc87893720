"""Printing codes from the cycle page: a form, then a PDF or CSV download."""

from __future__ import annotations

import csv as csv_module
import io as io_module

import pytest

from accord.org.models import Person
from accord.surveys.services import create_cycle, open_now, schedule_cycle
from tests.surveys.conftest import cycle_settings

pytestmark = pytest.mark.django_db


def test_an_admin_prints_codes_from_the_cycle_page(
    cast, queue_now, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    riverside = cast.riverside
    riverside.survey_min_group_size = 3
    riverside.save()
    Person.objects.filter(organisation=riverside, external_id__in=["olga", "omar"]).update(email="")
    cycle = create_cycle(
        organisation=riverside, settings=cycle_settings(riverside), created_by=cast.admin
    )
    schedule_cycle(cycle=cycle)
    with django_capture_on_commit_callbacks(execute=True):
        open_now(cycle=cycle)
    admin = cast.client_for(cast.admin)
    url = f"/o/riverside/surveys/{cycle.pk}/codes/"
    assert "For the 2 invitees without a work email" in admin.get(url).content.decode()
    pdf = admin.post(url, {"format": "pdf", "paper": "Letter", "unit": ""})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Type"] == "application/pdf"
    surgery = {"format": "csv", "paper": "A4", "unit": "riverside health/north hospital/surgery"}
    asked = admin.post(url, surgery)  # their slips were just printed: asked first
    assert asked.status_code == 400
    assert "2 of these people already have printed codes" in asked.content.decode()
    sheet = admin.post(url, {**surgery, "replace": "on"})
    rows = list(csv_module.DictReader(io_module.StringIO(sheet.content.decode("utf-8-sig"))))
    assert sorted(row["name"] for row in rows) == ["Olga Periop", "Omar Periop"]
    wrong = admin.post(url, {"format": "csv", "paper": "A4", "unit": "Atlantis"})
    assert wrong.status_code == 400 and "No unit named" in wrong.content.decode()
