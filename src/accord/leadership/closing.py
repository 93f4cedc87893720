"""Closing a 360: when its round has closed, the report is computed — every review waiting
at once, so a cohort of thousands is one pass of the engine — and handed to the coach in a
coached 360, to the leader otherwise."""

from __future__ import annotations

import random
from collections.abc import Sequence

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
            for review, report in zip(group, reports, strict=True):
                updated = Review.objects.filter(pk=review.pk, status=ReviewStatus.COLLECTING)
                status = ReviewStatus.WITH_COACH if review.coach_id else ReviewStatus.RELEASED
                if updated.update(
                    report=report, status=status, closed_at=now,
                    released_at=None if review.coach_id else now,
                ):  # fmt: skip
                    finished.append(review.pk)
    return finished


def finish_closed_reviews() -> list[int]:
    """Every review whose round the surveys clock has closed (the queue runs this)."""
    reviews = Review.objects.filter(
        status=ReviewStatus.COLLECTING, cycle__status=Cycle.Status.CLOSED
    ).select_related("cycle", "organisation", "self_assessment")
    return finish_reviews(list(reviews))
