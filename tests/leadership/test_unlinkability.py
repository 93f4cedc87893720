"""An attacker with the whole database tries to join a 360's ratings back to its raters — and
fails. The raters of Nora's 360 answer in a known order, each with answers that mark their
place; every table is then read as someone with full database access would read it."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models
from huey import Huey

from accord.leadership.models import Nomination, Review
from accord.org.models import Person
from accord.surveys.answers import unpack
from accord.surveys.instruments import leadership_framework
from accord.surveys.models import Comment, Cycle, Invitation, PendingSubmission, Receipt, Response
from accord.surveys.tokens import token_digest
from tests.cast import Cast
from tests.leadership.world import RATERS, answer, approved, closed, nominated, started, tokens

pytestmark = pytest.mark.django_db
FRAMEWORK = leadership_framework()
BEHAVIOURS = [i.id for i in FRAMEWORK.items if i.scale == "frequency5"]
ORDER = list(RATERS)  # manager, the three peers, the three reports, the other


def answered_in_order(cast: Cast, capture: Any) -> tuple[Review, dict[str, str]]:
    review = approved(cast, nominated(cast, started(cast)), capture)
    found = tokens()
    for position, pid in enumerate(ORDER):
        # the first behaviour's answer marks the rater's place in line
        scores = {b: 1 + (position % 5) if i == 0 else 3 for i, b in enumerate(BEHAVIOURS)}
        answer(found[pid], scores, {"strengths": f"note {position}"})
    return review, found


def test_no_answer_row_names_a_rater_or_an_invitation(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    _, found = answered_in_order(cast, django_capture_on_commit_callbacks)
    identifying: set[str] = set()
    for person in Person.objects.all():
        identifying |= {str(person.pk), person.external_id, person.email, person.name}
    for row in Invitation.objects.all():
        identifying.add(str(row.pk))
    for row in Nomination.objects.all():
        identifying.add(str(row.pk))
    identifying |= set(found.values()) | {token_digest(t) for t in found.values()}
    for model in (Response, Comment, Receipt, PendingSubmission):
        for row in model.objects.values():
            for column, value in row.items():
                if column in ("cycle_id", "reporting_unit_id"):
                    continue  # the round's, and the leader's unit: the same for every rater
                assert str(value) not in identifying, f"{model.__name__}.{column}"
        for field in model._meta.get_fields():
            assert not isinstance(field, models.DateTimeField | models.TimeField), field
    # Every rater's row carries the leader's unit, whatever unit the rater works in.
    units = set(PendingSubmission.objects.values_list("reporting_unit_id", flat=True))
    assert units == {cast.person("nora").unit_id}
    # The leadership tables say who was asked, never who answered.
    for model in apps.get_app_config("leadership").get_models():
        for field in model._meta.get_fields():
            assert field.name not in ("answered", "responded", "receipt"), field


def test_rows_are_stored_shuffled_and_the_pool_forgets_the_order(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    review, _ = answered_in_order(cast, django_capture_on_commit_callbacks)
    # Eight answers wait in the pool until the round closes (fewer than a batch): none is a
    # Response yet, so no row's place says when it came.
    assert not Response.objects.filter(cycle=review.cycle).exists()
    review = closed(cast, review)
    position = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT answers, rater_group FROM {Response._meta.db_table} "  # noqa: S608
            f"WHERE cycle_id = %s ORDER BY {position}", [review.cycle_id],
        )  # fmt: skip
        stored = cursor.fetchall()
    marks = [unpack(FRAMEWORK, bytes(a))[BEHAVIOURS[0]] for a, _ in stored]
    submitted = [1 + (p % 5) for p in range(len(ORDER))]
    assert sorted(marks) == sorted(submitted)
    groups = [g for _, g in stored]
    assert sorted(groups) == sorted(RATERS.values())
    # One shuffled batch of eight distinct (mark, group) rows: the chance it keeps the
    # submission order is 1 in 8! (about 1 in 40,000).
    assert list(zip(marks, groups, strict=True)) != list(
        zip(submitted, [RATERS[p] for p in ORDER], strict=True)
    )
    assert not Receipt.objects.filter(cycle=review.cycle).exists(), "forgotten at closing"
    comments = list(Comment.objects.filter(cycle=review.cycle).values_list("text", flat=True))
    assert sorted(comments) == sorted(f"note {p}" for p in range(len(ORDER)))
    assert not any(f.name == "rater_group" for f in Comment._meta.get_fields())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(DISTINCT xmin::text) FROM {Response._meta.db_table} "  # noqa: S608
                           "WHERE cycle_id = %s", [review.cycle_id])  # fmt: skip
            assert cursor.fetchone()[0] == 1, "written in one transaction, at closing"


def test_the_database_never_holds_a_rater_s_token(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    _, found = answered_in_order(cast, django_capture_on_commit_callbacks)
    dump = repr({m._meta.db_table: list(m._default_manager.values()) for m in apps.get_models()
                 if not m._meta.abstract})  # fmt: skip
    for token in found.values():
        assert token not in dump
    assert Cycle.objects.pulses().count() == 0, "a 360 is never a pulse"
