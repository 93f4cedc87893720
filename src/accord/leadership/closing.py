"""Closing a 360: when its round has closed, the report is computed — every review waiting
at once, so a cohort of thousands is a few passes of the engine — and handed to the coach in
a coached 360, to the leader otherwise."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accord.leadership import loading
from accord.leadership.models import Cohort, Review, ReviewStatus
from accord.leadership.report import collector_paused, report_batches
from accord.surveys.models import Cycle

# Reviews computed and written at a time (their ids are one query's parameters).
BATCH = 500


def finish_reviews(reviews: Sequence[Review], rng: random.Random | None = None) -> list[int]:
    """Compute the reports of reviews whose round has closed, all at once, and hand each to
    its coach or its leader; the ids of those finished now, to notify. Safe to run again: a
    review is finished once."""
    waiting = [
        r for r in reviews
        if r.status == ReviewStatus.COLLECTING and r.cycle is not None
        and r.cycle.status == Cycle.Status.CLOSED
    ]  # fmt: skip
    # Reviews asking the same behaviours of the same framework are computed together (a
    # re-assessment asks its plan's behaviours only).
    by_framework: dict[tuple[int, str, int, tuple[str, ...]], list[Review]] = {}
    for review in waiting:
        key = (review.organisation_id, review.instrument_id, review.instrument_version,
               tuple(review.behaviours))  # fmt: skip
        by_framework.setdefault(key, []).append(review)
    coached = _coached(waiting)
    finished: list[int] = []
    for group in by_framework.values():
        instrument = loading.instrument_of(group[0])
        whole = loading.framework_of(instrument)
        framework = loading.framework_of(instrument, group[0].behaviours)
        columns = loading.columns_of(instrument, framework) if group[0].behaviours else None
        rounds = loading.rounds_of(group, len(whole.behaviours), columns)
        # Each batch of reports is written, then dropped, before the collector resumes.
        with collector_paused(), transaction.atomic():
            claimed = _claim(group)
            now = timezone.now()
            with _pipelined():
                for chosen, reports in report_batches(framework, rounds, rng, BATCH):
                    _hand_over(
                        [(group[i], report) for i, report in zip(chosen, reports, strict=True)
                         if group[i].pk in claimed],
                        now, coached,
                    )  # fmt: skip
        finished.extend(review.pk for review in group if review.pk in claimed)
    return finished


def _coached(reviews: Sequence[Review]) -> set[int]:
    """The reviews whose report goes to a coach first: those with a coach, and those of a
    coached cohort (a coach not named yet is named by an admin, and the report waits)."""
    cohorts = {review.cohort_id for review in reviews if review.cohort_id is not None}
    coached_cohorts = set(
        Cohort.objects.filter(pk__in=cohorts, coached=True).values_list("pk", flat=True)
    )
    return {
        review.pk for review in reviews
        if review.coach_id is not None or review.cohort_id in coached_cohorts
    }  # fmt: skip


def _claim(reviews: Sequence[Review]) -> set[int]:
    """The reviews still collecting, locked until the transaction ends (on SQLite the
    transaction holds the write lock from its start, ``transaction_mode`` IMMEDIATE): those a
    concurrent run took first it has finished, and they are left alone."""
    claimed: set[int] = set()
    for start in range(0, len(reviews), BATCH):
        claimed.update(
            Review.objects.select_for_update()
            .filter(
                pk__in=[review.pk for review in reviews[start : start + BATCH]],
                status=ReviewStatus.COLLECTING,
            )
            .values_list("pk", flat=True)
        )
    return claimed


@contextmanager
def _pipelined() -> Iterator[None]:
    """On PostgreSQL (psycopg 3), statements sent without waiting for each to finish: the
    server stores one batch of reports (parsing and compressing the JSON, most of the time
    of writing them) while the next batch is computed. Errors arrive when it ends."""
    pipeline = getattr(connection.connection, "pipeline", None)
    if connection.vendor != "postgresql" or pipeline is None:
        yield
        return
    with connection.wrap_database_errors, pipeline():
        yield


def _hand_over(
    batch: Sequence[tuple[Review, dict[str, Any]]], now: dt.datetime, coached: set[int]
) -> None:
    """Store the reports of claimed reviews: what ``Review.objects.filter(pk=...).update()``
    writes to each, run for every review of the batch in one ``executemany``."""
    if not batch:
        return
    field = {f.name: f for f in Review._meta.concrete_fields}
    columns = [field[name] for name in ("report", "status", "closed_at", "released_at", "id")]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 — names from the model
        quote(Review._meta.db_table),
        ", ".join(f"{quote(column.column)} = %s" for column in columns[:-1]),
        quote(columns[-1].column),
    )
    rows = [
        (report, ReviewStatus.WITH_COACH if review.pk in coached else ReviewStatus.RELEASED, now,
         None if review.pk in coached else now, review.pk)
        for review, report in batch
    ]  # fmt: skip
    values = [
        [
            column.get_db_prep_save(value, connection)
            for column, value in zip(columns, row, strict=True)
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def finish_closed_reviews() -> list[int]:
    """Every review whose round the surveys clock has closed (the queue runs this)."""
    reviews = Review.objects.filter(
        status=ReviewStatus.COLLECTING, cycle__status=Cycle.Status.CLOSED
    ).select_related("cycle", "organisation", "self_assessment")
    return finish_reviews(list(reviews))
