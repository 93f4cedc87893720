"""A running survey cycle for the riverside cast, with the tokens its emails carried."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core import mail
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from accord.org.models import Organisation
from accord.surveys.instruments import Instrument
from accord.surveys.models import Cycle
from accord.surveys.selectors import instrument_for
from accord.surveys.services import CycleSettings, create_cycle, open_now, schedule_cycle
from tests.cast import Cast

LINK = re.compile(r"/s/([0-9A-Z]{16})/")


def cycle_settings(organisation: Organisation, **changes: object) -> CycleSettings:
    now = timezone.now()
    values: dict[str, object] = {
        "name": "Autumn pulse",
        "instrument_id": "accord-core",
        "instrument_version": 1,
        "opens_at": now + dt.timedelta(hours=1),
        "closes_at": now + dt.timedelta(days=14),
        "min_group_size": organisation.survey_min_group_size,
        "min_comment_group_size": organisation.survey_min_comment_group_size,
        "reminder_days": (3, 6),
        "role_groups": (),
        "units": (),
    }
    values.update(changes)
    return CycleSettings(**values)  # type: ignore[arg-type]


def tokens_from_outbox() -> dict[str, str]:
    """Recipient email → the token in the latest message sent to them."""
    tokens = {}
    for message in mail.outbox:
        match = LINK.search(str(message.body))
        if match:
            tokens[message.to[0]] = match.group(1)
    return tokens


@dataclass
class RunningCycle:
    cycle: Cycle
    instrument: Instrument
    tokens: dict[str, str]  # email → token

    def token(self, external_id: str) -> str:
        return self.tokens[f"{external_id}@riverside.example"]


@pytest.fixture
def queue_now() -> Iterator[None]:
    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = False


@pytest.fixture
def running(cast: Cast, queue_now: None, django_capture_on_commit_callbacks) -> RunningCycle:
    """Riverside with a minimum group size of 3, a cycle open to everyone, invitations sent."""
    riverside = cast.riverside
    riverside.survey_min_group_size = 3
    riverside.save()
    cycle = create_cycle(
        organisation=riverside, settings=cycle_settings(riverside), created_by=cast.admin
    )
    schedule_cycle(cycle=cycle)
    with django_capture_on_commit_callbacks(execute=True):
        cycle = open_now(cycle=cycle)
    return RunningCycle(cycle=cycle, instrument=instrument_for(cycle), tokens=tokens_from_outbox())
