"""A cycle's life: settings checked field by field, draft → scheduled → open → closed →
published, and the clock in the queue that opens, reminds and closes on time."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accord.insights.publishing import publish_cycle
from accord.surveys.models import Cycle, Invitation, InvitationToken, Receipt
from accord.surveys.services import (
    CycleError,
    advance_cycles,
    close_now,
    create_cycle,
    schedule_cycle,
    unschedule_cycle,
    update_cycle,
)
from tests.cast import Cast
from tests.surveys.conftest import RunningCycle, cycle_settings

pytestmark = pytest.mark.django_db


def test_every_bad_setting_is_named(cast: Cast) -> None:
    riverside = cast.riverside
    bad = cycle_settings(
        riverside,
        name=" ",
        instrument_version=99,
        min_group_size=2,
        min_comment_group_size=4,
        reminder_days=(0,),
        role_groups=("surgeon",),
    )
    bad = cycle_settings(
        riverside, **{**bad.__dict__, "closes_at": bad.opens_at - dt.timedelta(minutes=1)}
    )
    with pytest.raises(ValidationError) as raised:
        create_cycle(organisation=riverside, settings=bad, created_by=cast.admin)
    assert set(raised.value.message_dict) == {
        "name", "instrument", "closes_at", "min_group_size", "min_comment_group_size",
        "reminder_days", "role_groups",
    }  # fmt: skip
    assert not Cycle.objects.exists()


def test_a_cycle_may_raise_the_minimum_but_not_lower_it(cast: Cast) -> None:
    riverside = cast.riverside
    with pytest.raises(ValidationError) as raised:
        create_cycle(
            organisation=riverside,
            settings=cycle_settings(riverside, min_group_size=4),
            created_by=cast.admin,
        )
    assert "never set below the organisation's 5" in raised.value.message_dict["min_group_size"][0]
    raised_minimum = create_cycle(
        organisation=riverside,
        settings=cycle_settings(riverside, min_group_size=8, min_comment_group_size=12),
        created_by=cast.admin,
    )
    assert (raised_minimum.min_group_size, raised_minimum.min_comment_group_size) == (8, 12)


def test_reminders_must_fall_inside_the_window(cast: Cast) -> None:
    settings = cycle_settings(cast.riverside, reminder_days=(3, 20))
    with pytest.raises(ValidationError) as raised:
        create_cycle(organisation=cast.riverside, settings=settings, created_by=cast.admin)
    assert "Day 20 is not before the cycle closes" in raised.value.message_dict["reminder_days"][0]


def test_only_a_draft_changes_and_a_too_small_audience_cannot_be_scheduled(cast: Cast) -> None:
    riverside = cast.riverside
    peds = riverside.units.get(name="Pediatrics")
    cycle = create_cycle(
        organisation=riverside,
        settings=cycle_settings(riverside, units=(peds,)),
        created_by=cast.admin,
    )
    with pytest.raises(CycleError, match="The audience has 2 people; at least 5"):
        schedule_cycle(cycle=cycle)
    cycle = update_cycle(cycle=cycle, settings=cycle_settings(riverside, name="Whole system"))
    assert cycle.name == "Whole system" and not cycle.audience_units.exists()
    cycle = schedule_cycle(cycle=cycle)
    assert cycle.status == Cycle.Status.SCHEDULED
    with pytest.raises(CycleError, match="Only a draft can be changed"):
        update_cycle(cycle=cycle, settings=cycle_settings(riverside))
    assert unschedule_cycle(cycle=cycle).status == Cycle.Status.DRAFT
    with pytest.raises(CycleError, match="once the cycle has closed"):
        publish_cycle(cycle=cycle)


def test_the_clock_opens_and_closes_on_time(cast: Cast, queue_now: None) -> None:
    riverside = cast.riverside
    cycle = create_cycle(
        organisation=riverside, settings=cycle_settings(riverside), created_by=cast.admin
    )
    schedule_cycle(cycle=cycle)
    before = cycle.opens_at - dt.timedelta(seconds=1)
    assert advance_cycles(before).opened == []
    assert advance_cycles(cycle.opens_at).opened == [cycle.pk]
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN and cycle.invited_count == 16
    assert Invitation.objects.filter(cycle=cycle).count() == 16
    assert advance_cycles(cycle.opens_at + dt.timedelta(hours=1)).opened == []  # idempotent
    assert advance_cycles(cycle.closes_at).closed == [cycle.pk]
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.CLOSED
    assert publish_cycle(cycle=cycle).status == Cycle.Status.PUBLISHED


def test_closing_forgets_who_answered_and_every_token(running: RunningCycle) -> None:
    from accord.surveys.answers import ParsedAnswers
    from accord.surveys.services import submit_response

    submit_response(token=running.token("sam"), answers=ParsedAnswers(), nonce="n1")
    assert Receipt.objects.count() == 1
    close_now(cycle=running.cycle)
    assert Receipt.objects.count() == 0
    assert InvitationToken.objects.count() == 0
    with pytest.raises(CycleError):
        close_now(cycle=running.cycle)


def test_a_large_audience_opens_in_the_queue(
    cast: Cast, queue_now: None, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks
) -> None:
    from accord.surveys import services

    monkeypatch.setattr(services, "OPEN_IN_REQUEST_LIMIT", 10)
    riverside = cast.riverside
    cycle = create_cycle(
        organisation=riverside, settings=cycle_settings(riverside), created_by=cast.admin
    )
    schedule_cycle(cycle=cycle)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        returned = services.open_now(cycle=cycle)
    assert returned.status == Cycle.Status.SCHEDULED and len(callbacks) == 1
    callbacks[0]()  # the queue task, run at once here
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.OPEN and cycle.invited_count == 16
