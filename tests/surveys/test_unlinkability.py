"""An attacker with the whole database tries to join answers back to people — and fails.

Every table is read the way someone with full database access would read it (all rows, all
columns, the physical row order, PostgreSQL's transaction ids), after people answered with
answers that are easy to tell apart, in a known order.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models
from django.test import override_settings

from accord.org.models import Person, Unit
from accord.surveys import services
from accord.surveys.answers import ParsedAnswers, unpack
from accord.surveys.models import (
    Comment,
    Cycle,
    Invitation,
    InvitationToken,
    PendingSubmission,
    Receipt,
    Response,
)
from accord.surveys.services import Outcome, close_now, submit_response
from accord.surveys.tokens import receipt_mark, token_digest
from tests.surveys.conftest import RunningCycle

pytestmark = pytest.mark.django_db

ORDER = ["sam", "nina", "ned", "paula", "peter", "olga", "omar", "oscar_r", "pat", "pia",
         "chad", "sue", "nora", "eve", "alice"]  # fmt: skip


def answer_in_order(running: RunningCycle, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each person answers the burnout item with a code that marks their place in line, so
    an attacker who recovers the order recovers who wrote what."""
    monkeypatch.setattr(services, "POOL_BATCH", 5)
    for position, external_id in enumerate(ORDER):
        scores = {"burnout": 1 + position % 5, "recommend_workplace": position % 11}
        outcome = submit_response(
            token=running.token(external_id),
            answers=ParsedAnswers(
                scores=scores, comments={"leaders_change_first": f"note {position}"}
            ),
            nonce=f"form-{external_id}",
        )
        assert outcome is Outcome.RECORDED


def every_row() -> dict[str, list[dict[str, Any]]]:
    return {
        model._meta.db_table: list(model._default_manager.values())
        for model in apps.get_models()
        if not model._meta.abstract
    }


def test_answer_tables_hold_no_identifier_of_a_person_or_an_invitation(
    running: RunningCycle, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_in_order(running, monkeypatch)
    identifying: set[str] = set()
    for person in Person.objects.all():
        identifying |= {str(person.pk), person.external_id, person.email, person.name}
    for invitation in Invitation.objects.all():
        identifying.add(str(invitation.pk))
    for token_row in InvitationToken.objects.all():
        identifying |= {str(token_row.pk), token_row.digest}
    identifying |= set(running.tokens.values())
    identifying |= {token_digest(token) for token in running.tokens.values()}

    for model in (Response, Comment, Receipt, PendingSubmission):
        for row in model.objects.values():
            for column, value in row.items():
                if column in ("cycle_id", "reporting_unit_id"):
                    continue  # shared by at least k invitees, see the test below
                assert str(value) not in identifying, f"{model.__name__}.{column}"
        for field in model._meta.get_fields():
            assert not isinstance(field, models.DateTimeField | models.TimeField), field
            if isinstance(field, models.ForeignKey):
                assert field.related_model in (Cycle, Unit), field


def test_receipts_cannot_be_matched_to_invitations_without_the_servers_key(
    running: RunningCycle, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_in_order(running, monkeypatch)
    marks = set(Receipt.objects.values_list("mark", flat=True))
    assert len(marks) == len(ORDER)
    cycle_id = running.cycle.pk
    invitation_ids = list(Invitation.objects.values_list("pk", flat=True))
    digests = list(InvitationToken.objects.values_list("digest", flat=True))
    # Everything an attacker could hash from the database alone:
    guesses = set()
    for invitation_id in invitation_ids:
        for text in (str(invitation_id), f"{cycle_id}:{invitation_id}",
                     f"receipt:{cycle_id}:{invitation_id}"):  # fmt: skip
            guesses.add(hashlib.sha256(text.encode()).hexdigest())
    guesses |= {hashlib.sha256(d.encode()).hexdigest() for d in digests} | set(digests)
    assert not marks & guesses
    with override_settings(ACCORD_RECEIPT_KEY="a key read from the database would be this"):
        assert not marks & {receipt_mark(cycle_id, i) for i in invitation_ids}
    # With the server's key the marks are the invitations that answered: the key is the secret.
    answered = {running.cycle.invitations.get(person__external_id=e).pk for e in ORDER}
    assert marks == {receipt_mark(cycle_id, i) for i in answered}


def physical_order() -> list[bytes]:
    table = Response._meta.db_table
    position = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT answers FROM {table} ORDER BY {position}")  # noqa: S608
        return [bytes(row[0]) for row in cursor.fetchall()]


def test_rows_are_not_stored_in_the_order_people_answered(
    running: RunningCycle, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_in_order(running, monkeypatch)
    close_now(cycle=running.cycle)
    instrument = running.instrument
    stored = [unpack(instrument, packed)["recommend_workplace"] for packed in physical_order()]
    submitted = [position % 11 for position in range(len(ORDER))]
    assert sorted(stored) == sorted(submitted)
    # Within every pooled batch of five the order is shuffled (a batch left in submission
    # order has a 1 in 120 chance; three batches together 1 in 1.7 million).
    assert stored[:15] != submitted[:15]
    comments = [c.text for c in Comment.objects.raw(
        f"SELECT * FROM {Comment._meta.db_table} ORDER BY "  # noqa: S608
        f"{'ctid' if connection.vendor == 'postgresql' else 'rowid'}"
    )]  # fmt: skip
    assert sorted(comments) == sorted(f"note {i}" for i in range(len(ORDER)))
    assert comments[:15] != [f"note {i}" for i in range(15)]
    if connection.vendor == "postgresql":
        # Rows written together share one transaction id, so it dates a batch, not a person.
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(DISTINCT xmin::text) FROM {Response._meta.db_table}")  # noqa: S608
            assert cursor.fetchone()[0] <= 4


def test_every_combination_of_reporting_attributes_is_shared_by_k_invitees(
    running: RunningCycle,
) -> None:
    k = running.cycle.min_group_size
    combinations = Counter(
        Invitation.objects.values_list(
            "reporting_unit_id", "role_group", "profession", "tenure_band"
        )
    )
    assert combinations and min(combinations.values()) >= k
    # Pediatrics holds only two people: they are reported under the unit above.
    pat = Invitation.objects.get(person__external_id="pat")
    assert pat.reporting_unit.name != "Pediatrics"


def test_the_database_never_holds_a_token(running: RunningCycle) -> None:
    dump = repr(every_row())
    for token in running.tokens.values():
        assert token not in dump
