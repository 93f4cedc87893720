"""Sam (a staff nurse in ED Nursing, a clinician) hosts; Eve (an executive) and Nora (a
nurse manager whose work is administration) book visits."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone

from accord.access.models import User
from accord.access.scopes import Scope
from accord.shadowing import services
from accord.shadowing.models import Slot, Visit
from accord.shadowing.visibility import ShadowingScope
from tests.cast import Cast, local_today


def sscope(cast: Cast, user: User) -> ShadowingScope:
    return ShadowingScope(Scope(cast.membership(user)))


def in_days(days: int) -> dt.date:
    return local_today() + dt.timedelta(days=days)


def sam_hosts(cast: Cast, *, limit: int = 3) -> None:
    services.offer_to_host(
        sscope=sscope(cast, cast.staff_nurse), actor=cast.staff_nurse, service="Adult emergency",
        monthly_limit=limit, visitor_notes="Meet at the nurses' station; closed shoes.",
        shifts={"night": (None, None), "day": (None, None)},
    )  # fmt: skip


def a_night(cast: Cast, days: int = 3) -> Slot:
    return services.add_slot(sscope=sscope(cast, cast.staff_nurse), actor=None, kind="night",
                             day=in_days(days))  # fmt: skip


def confirmed_visit(cast: Cast, days: int = 3) -> Visit:
    """Eve shadows Sam on a night shift, confirmed."""
    sam_hosts(cast)
    slot = a_night(cast, days)
    visit = services.book_visit(sscope=sscope(cast, cast.executive), actor=None, slot_id=slot.pk)
    return services.answer_visit(sscope=sscope(cast, cast.staff_nurse), actor=None, visit=visit,
                                 confirm=True)  # fmt: skip


def happened(visit: Visit, hours_ago: int = 2) -> Visit:
    """Move a visit into the past, as if its night had come and gone."""
    shift = visit.starts_at - (timezone.now() - dt.timedelta(hours=hours_ago + 12))
    Visit.objects.filter(pk=visit.pk).update(starts_at=F("starts_at") - shift,
                                             ends_at=F("ends_at") - shift)  # fmt: skip
    Slot.objects.filter(pk=visit.slot_id).update(starts_at=F("starts_at") - shift,
                                                 ends_at=F("ends_at") - shift)  # fmt: skip
    visit.refresh_from_db()
    return visit
