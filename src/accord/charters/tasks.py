"""The charters' clock, every hour on the queue: members kept in step with their teams,
adoption after the week of grace, revisits opened when they fall due and closed after two
weeks, one reminder to whoever has not answered (``services.keep_charters``)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from accord.charters.services import keep_charters


@db_periodic_task(crontab(minute="7"))
def keep_charters_hourly() -> dict[str, int]:
    return keep_charters()
