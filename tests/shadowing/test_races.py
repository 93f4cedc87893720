"""Two visitors asking for the same shift at the same instant, on their own database
connections: one booking, the other told the shift has gone, nothing half-written. On
PostgreSQL the host's row lock and the one-booking-per-shift constraint decide; the SQLite
test database is an in-memory shared cache whose table locks fail at once instead of waiting
(the agreements' race test shows the file database the server runs serialising writers)."""

from __future__ import annotations

import os

import pytest

from accord.shadowing import services
from accord.shadowing.errors import ShadowingError
from accord.shadowing.models import Visit, VisitStatus
from tests.cast import Cast, build_cast, load_cast
from tests.concurrency import at_once
from tests.shadowing.world import a_night, sam_hosts, sscope

ON_SQLITE = not os.environ.get("DATABASE_URL", "").startswith("postgres")


@pytest.fixture
def committed_cast(transactional_db: None) -> Cast:
    return load_cast() or build_cast()


@pytest.mark.skipif(ON_SQLITE, reason="threads need a database whose locks wait: PostgreSQL")
@pytest.mark.parametrize("round_", range(3))
def test_two_visitors_booking_one_shift_at_once_get_one_booking(
    committed_cast: Cast, round_: int
) -> None:
    cast = committed_cast
    sam_hosts(cast, limit=8)
    slot = a_night(cast, 3 + round_)
    eve, nora = sscope(cast, cast.executive), sscope(cast, cast.nurse_manager)
    results = at_once(
        lambda: services.book_visit(sscope=eve, actor=None, slot_id=slot.pk, notify=False),
        lambda: services.book_visit(sscope=nora, actor=None, slot_id=slot.pk, notify=False),
    )
    booked = [r for r in results if isinstance(r, Visit)]
    refused = [r for r in results if isinstance(r, ShadowingError)]
    assert len(booked) == 1 and len(refused) == 1, results
    assert "booked this shift" in str(refused[0])
    assert Visit.objects.filter(slot=slot, status=VisitStatus.REQUESTED).count() == 1
