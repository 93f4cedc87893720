"""Closing a 360: when its round has closed, the report is computed — every review waiting
at once, so a cohort of thousands is one pass of the engine — and handed to the coach in a
coached 360, to the leader otherwise."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from accord.leadership import loading
from accord.leadership.models import Review, ReviewStatus
from accord.leadership.report import build_reports
from accord.surveys.models import Cycle


def finish_reviews(reviews: Sequence[Review], rng: random.Random | None = None) -> list[int]:
    """Compute the reports of reviews whose round has closed, all at once, and hand each to
    its coach or its leader; the ids of those finished now, to notify. Safe to run again: a
    review is finished once."""
    waiting = [
        r for r in reviews
        if r.status == ReviewStatus.COLLECTING and r.cycle is not None
        and r.cycle.status == Cycle.Status.CLOSED
    ]  # fmt: skip
    by_framework: dict[tuple[int, str, int], list[Review]] = {}
    for review in waiting:
        key = (review.organisation_id, review.instrument_id, review.instrument_version)
        by_framework.setdefault(key, []).append(review)
    finished: list[int] = []
    for group in by_framework.values():
        framework = loading.framework_of(loading.instrument_of(group[0]))
        rounds = loading.rounds_of(group, len(framework.behaviours))
        reports = build_reports(framework, rounds, rng)
        now = timezone.now()
        with transaction.atomic():
            for start in range(0, len(group), WRITE_BATCH):
                batch = list(zip(group[start:start + WRITE_BATCH],
                                 reports[start:start + WRITE_BATCH], strict=True))  # fmt: skip
                finished.extend(_hand_over(batch, now))
    return finished


# Reviews written per statement: SQLite takes at most 999 parameters in one (bulk_update
# needs six per review here), and a CASE of a few hundred branches stays cheap.
WRITE_BATCH = 160


def _hand_over(batch: Sequence[tuple[Review, dict[str, Any]]], now: dt.datetime) -> list[int]:
    """Store the reports of those still collecting, in the caller's transaction; their ids.

    The reviews are claimed first by an UPDATE of those still collecting, which waits for a
    concurrent run that took them (row locks on PostgreSQL, the write lock on SQLite): that
    run has finished them, so they are no longer collecting and are left alone here."""
    pending = Review.objects.filter(
        pk__in=[review.pk for review, _ in batch], status=ReviewStatus.COLLECTING
    )
    if not pending.update(closed_at=now):
        return []
    claimed = set(pending.values_list("pk", flat=True))
    rows = [
        Review(pk=review.pk, report=report, closed_at=now,
               status=ReviewStatus.WITH_COACH if review.coach_id else ReviewStatus.RELEASED,
               released_at=None if review.coach_id else now)
        for review, report in batch
        if review.pk in claimed
    ]  # fmt: skip
    Review.objects.bulk_update(rows, ["report", "status", "closed_at", "released_at"])
    return [row.pk for row in rows]


def finish_closed_reviews() -> list[int]:
    """Every review whose round the surveys clock has closed (the queue runs this)."""
    reviews = Review.objects.filter(
        status=ReviewStatus.COLLECTING, cycle__status=Cycle.Status.CLOSED
    ).select_related("cycle", "organisation", "self_assessment")
    return finish_reviews(list(reviews))
