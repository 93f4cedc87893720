"""A 360 for Nora (nurse manager, ED Nursing), run through the services as the pages and
the API run it. Her manager Chad (chair) approves; her raters: Chad as manager, Paula, Peter
and Oscar as peers (Chad's other reports), Sam, Nina and Ned as direct reports, Olga as an
other. Raters answer through the one-time links their emails carried."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from django.core import mail
from django.utils import timezone
from pypdf import PdfReader

from accord.access.models import User
from accord.access.scopes import Scope
from accord.leadership import services
from accord.leadership.models import Review
from accord.leadership.rules import Rater
from accord.leadership.visibility import LeadershipScope
from accord.surveys.answers import ParsedAnswers
from accord.surveys.models import Cycle
from accord.surveys.services import Outcome, submit_response
from tests.cast import Cast

LINK = re.compile(r"/s/([0-9A-Z]{16})/")
RATERS = {
    "chad": "manager", "paula": "peer", "peter": "peer", "oscar_r": "peer",
    "sam": "direct_report", "nina": "direct_report", "ned": "direct_report", "olga": "other",
}  # fmt: skip


def lscope(cast: Cast, user: User) -> LeadershipScope:
    return LeadershipScope(Scope(cast.membership(user)))


def in_days(days: int) -> dt.datetime:
    return timezone.now() + dt.timedelta(days=days)


def started(cast: Cast, *, coached: bool = False, minimum: int = 3) -> Review:
    cohort = services.start_cohort(
        lscope=lscope(cast, cast.admin), actor=cast.admin, name="Nurse managers",
        subjects=[cast.person("nora")], answer_by=in_days(14), minimum=minimum, coached=coached,
    )  # fmt: skip
    return cohort.reviews.get()


def nominated(cast: Cast, review: Review, raters: dict[str, str] = RATERS) -> Review:
    nora = lscope(cast, cast.nurse_manager)
    services.set_raters(
        lscope=nora, actor=cast.nurse_manager, review_id=review.pk,
        raters=[Rater(cast.person(pid), group) for pid, group in raters.items()],
    )  # fmt: skip
    return services.submit_raters(lscope=nora, actor=cast.nurse_manager, review_id=review.pk)


def approved(cast: Cast, review: Review, capture: Any) -> Review:
    """Chad approves; the invitations leave (captured so their links can be followed)."""
    with capture(execute=True):
        return services.approve_raters(
            lscope=lscope(cast, cast.chair), actor=cast.chair, review_id=review.pk
        )


def tokens(start: int = 0) -> dict[str, str]:
    """The one-time links emailed (since message ``start``), by the recipient's HR id; a
    later link to the same rater wins."""
    found = {}
    for message in mail.outbox[start:]:
        match = LINK.search(str(message.body))
        if match:
            found[message.to[0].split("@")[0]] = match.group(1)
    return found


def answer(token: str, scores: dict[str, int], comments: dict[str, str] | None = None) -> None:
    outcome = submit_response(
        token=token, answers=ParsedAnswers(scores=scores, comments=comments or {}),
        nonce=f"n-{token}",
    )  # fmt: skip
    assert outcome is Outcome.RECORDED, outcome


def closed(cast: Cast, review: Review) -> Review:
    return services.close_round_now(
        lscope=lscope(cast, cast.admin), actor=cast.admin, review_id=review.pk
    )


def cycle_of(review: Review) -> Cycle:
    review.refresh_from_db()
    assert review.cycle is not None
    return review.cycle


def pdf_text(content: bytes) -> str:
    """A PDF's words, read back, with runs of white space made one."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())
