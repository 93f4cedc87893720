"""Check-ins record the metric over time; trouble needs a note."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accord.goals import services
from accord.goals.models import AuditEntry, CheckIn
from tests.goals.conftest import Story


@pytest.mark.parametrize("confidence", ["at_risk", "off_track"])
def test_trouble_without_a_note_is_refused(story: Story, confidence: str) -> None:
    with pytest.raises(services.GoalsError, match="needs a note") as error:
        services.record_check_in(goal=story.ed_stay, actor=None, value=Decimal("6"),
                                 confidence=confidence)  # fmt: skip
    assert error.value.field == "note"
    assert not CheckIn.objects.exists()


def test_the_page_says_why_and_keeps_what_was_typed(story: Story) -> None:
    client = story.cast.client_for(story.cast.chair)
    url = f"/o/riverside/goals/{story.ed_stay.pk}/check-in/"
    response = client.post(url, {"value": "6.1", "confidence": "at_risk", "note": ""})
    assert response.status_code == 400
    assert "needs a note" in response.content.decode()
    assert 'value="6.1"' in response.content.decode()
    assert not CheckIn.objects.exists()
    response = client.post(url, {"value": "6.1", "confidence": "at_risk",
                                 "note": "Boarding of admitted patients"})  # fmt: skip
    assert response.status_code == 302
    check_in = CheckIn.objects.get()
    assert (check_in.value, check_in.recorded_by) == (Decimal("6.1"), story.cast.chair)
    assert AuditEntry.objects.filter(action="check_in.create", goal=story.ed_stay).exists()


def test_a_value_that_is_not_a_number_is_named(story: Story) -> None:
    client = story.cast.client_for(story.cast.chair)
    response = client.post(f"/o/riverside/goals/{story.ed_stay.pk}/check-in/",
                           {"value": "about six", "confidence": "on_track"})  # fmt: skip
    assert response.status_code == 400
    assert "is not a number" in response.content.decode()


def test_the_newest_check_in_is_the_latest(story: Story) -> None:
    for day, value in ((1, "6.4"), (20, "5.9"), (10, "6.2")):
        services.record_check_in(goal=story.ed_stay, actor=None, value=Decimal(value),
                                 confidence="on_track", recorded_on=dt.date(2026, 3, day))  # fmt: skip
    from accord.goals.selectors import latest_check_ins

    assert latest_check_ins([story.ed_stay.pk])[story.ed_stay.pk].value == Decimal("5.9")


def test_a_peer_cannot_check_in_on_my_goal(story: Story) -> None:
    response = story.cast.client_for(story.cast.executive).post(
        f"/o/riverside/goals/{story.ed_stay.pk}/check-in/", {"value": "6", "confidence": "on_track"}
    )
    assert response.status_code == 403
