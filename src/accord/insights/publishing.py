"""Publishing a closed survey cycle: its results are computed once and frozen as the first
release. The pages, the API and `accord survey publish` all publish through here; surveys
itself never calls insights (it only marks the cycle published, inside this transaction).

The queue task lives beside the service it runs; the app's ``ready()`` imports this module
so a worker knows the task.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from huey.contrib.djhuey import db_task

from accord.access.models import User
from accord.insights.services import ReleaseError, release_cycle
from accord.surveys.models import Cycle, Response
from accord.surveys.services import CycleError, mark_published

logger = logging.getLogger(__name__)

# Responses; above this the queue computes the release (a quarter of a million responses
# take several seconds, longer than a request should wait).
PUBLISH_IN_REQUEST_LIMIT = 20_000


@transaction.atomic
def publish_cycle(*, cycle: Cycle, now: dt.datetime | None = None, by: User | None = None) -> Cycle:
    """Publish a closed cycle and make its first release, or change nothing."""
    cycle = mark_published(cycle=cycle, now=now)
    release_cycle(cycle=cycle, by=by, note="Published")
    return cycle


def publish_now(*, cycle: Cycle, by: User | None = None) -> Cycle:
    """Publish from a page: at once for a small cycle, through the queue for a large one."""
    if cycle.status != Cycle.Status.CLOSED:
        raise CycleError("Results can be published once the cycle has closed.")
    if Response.objects.filter(cycle=cycle).count() <= PUBLISH_IN_REQUEST_LIMIT:
        return publish_cycle(cycle=cycle, by=by)
    cycle_id, user_id = cycle.pk, by.pk if by else None
    transaction.on_commit(lambda: publish_cycle_soon(cycle_id, user_id))
    return cycle


@db_task()
def publish_cycle_soon(cycle_id: int, user_id: int | None) -> None:
    """Queued by "Publish results" on a large cycle: computes and stores its first release."""
    cycle = Cycle.objects.pulses().filter(pk=cycle_id).first()
    if cycle is None or cycle.status != Cycle.Status.CLOSED:
        return  # already published (a second click), or gone
    try:
        publish_cycle(cycle=cycle, by=User.objects.filter(pk=user_id).first() if user_id else None)
    except (CycleError, ReleaseError) as error:
        logger.warning("survey cycle %s could not be published: %s", cycle_id, error)
