"""A leader shares their released report with someone of their choosing; executives and
admins read a cohort's profile only as averages over five leaders, computed once, when the
cohort is finished — never one leader's figures."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone
from huey import Huey

from accord.access.scopes import NotAllowed
from accord.leadership import services
from accord.leadership.errors import LeadershipError
from accord.leadership.models import Cohort, Review, ReviewStatus
from accord.leadership.profiles import cohort_profile
from accord.surveys.instruments import leadership_framework
from tests.cast import Cast
from tests.leadership.world import (
    answer,
    approved,
    closed,
    lscope,
    nominated,
    pdf_text,
    started,
    tokens,
)

pytestmark = pytest.mark.django_db
BEHAVIOURS = [i.id for i in leadership_framework().items if i.scale == "frequency5"]


def report(others: float | None, own: float | None = 4.0) -> dict[str, Any]:
    cells: dict[str, Any] = {"self": {"n": 1, "mean": own}}
    cells["all_others"] = (
        {"n": 6, "mean": others} if others is not None else {"n": None, "hidden": "few"}
    )
    return {
        "competencies": [
            {
                "id": "advocacy",
                "cells": cells,
                "behaviours": [{"id": "advocate_speaks_up", "cells": cells, "flag": ""}],
            }
        ]
    }


def test_the_profile_is_an_average_over_five_leaders_or_nothing() -> None:
    four = cohort_profile([report(3.0), report(4.0), report(3.5), report(2.5), report(None)])
    assert four["competencies"][0] == {"id": "advocacy", "leaders": 4, "hidden": True,
        "behaviours": [{"id": "advocate_speaks_up", "leaders": 4, "hidden": True}]}  # fmt: skip
    five = cohort_profile([report(3.0), report(4.0), report(3.5), report(2.5), report(2.0)])
    assert five["competencies"][0]["others"] == 3.0 and five["competencies"][0]["self"] == 4.0
    assert five["competencies"][0]["leaders"] == 5


def test_a_cohort_profile_is_computed_once_when_the_cohort_is_finished(cast: Cast) -> None:
    cohort = Cohort.objects.create(
        organisation=cast.riverside, name="Chairs", instrument_id="accord-relational-leadership",
        instrument_version=1, answer_by=timezone.now() + dt.timedelta(days=3),
    )  # fmt: skip
    leaders = ["ceo", "eve", "alice", "chad", "nora", "sue"]
    for n, pid in enumerate(leaders):
        Review.objects.create(
            organisation=cast.riverside, cohort=cohort, subject=cast.person(pid),
            instrument_id="accord-relational-leadership", instrument_version=1,
            answer_by=cohort.answer_by, report=report(2.0 + n * 0.4) if n < 5 else None,
            status=ReviewStatus.RELEASED if n < 5 else ReviewStatus.COLLECTING,
        )  # fmt: skip
    admin = lscope(cast, cast.admin)
    assert services.cohort_profile(lscope=admin, cohort_id=cohort.pk)[1] is None, "one under way"
    later = cohort.answer_by + dt.timedelta(days=8)
    _, profile = services.cohort_profile(lscope=lscope(cast, cast.executive), cohort_id=cohort.pk,
                                         now=later)  # fmt: skip
    assert profile is not None and profile["competencies"][0]["others"] == 2.8
    # Sue's report comes in afterwards: the profile does not move, so it never gives her away
    Review.objects.filter(subject__external_id="sue").update(report=report(5.0),
                                                            status=ReviewStatus.RELEASED)  # fmt: skip
    _, again = services.cohort_profile(lscope=admin, cohort_id=cohort.pk, now=later)
    assert again == profile
    for user in (cast.chair, cast.nurse_manager, cast.staff_nurse):
        with pytest.raises(NotAllowed):
            services.cohort_profile(lscope=lscope(cast, user), cohort_id=cohort.pk)


def test_the_leader_shares_their_report_and_stops(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    review = approved(cast, nominated(cast, started(cast)), django_capture_on_commit_callbacks)
    nora = lscope(cast, cast.nurse_manager)
    with pytest.raises(NotAllowed, match="once it is released"):
        services.share_report(lscope=nora, actor=None, review_id=review.pk,
                              person=cast.person("eve"))  # fmt: skip
    review = closed(cast, review)
    with pytest.raises(Http404):  # not even the 360 is Eve's to see
        lscope(cast, cast.executive).report_of(review.pk)
    services.share_report(lscope=nora, actor=None, review_id=review.pk, person=cast.person("eve"))
    assert lscope(cast, cast.executive).report_of(review.pk) == review
    with pytest.raises(LeadershipError, match="yours already"):
        services.share_report(lscope=nora, actor=None, review_id=review.pk,
                              person=cast.person("nora"))  # fmt: skip
    with pytest.raises(NotAllowed):
        services.share_report(lscope=lscope(cast, cast.executive), actor=None,
                              review_id=review.pk, person=cast.person("sam"))  # fmt: skip
    services.stop_sharing(lscope=nora, actor=None, review_id=review.pk,
                          person_id=cast.person("eve").pk)  # fmt: skip
    with pytest.raises(Http404):
        lscope(cast, cast.executive).report_of(review.pk)


def test_the_report_as_a_pdf_to_keep(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    """Drawn by WeasyPrint from the page's figures: the leader's name, the rules, a hidden
    group printed as hidden; only for whoever may read the report."""
    review = approved(cast, nominated(cast, started(cast)), django_capture_on_commit_callbacks)
    for token in tokens().values():
        answer(token, dict.fromkeys(BEHAVIOURS, 4))
    review = closed(cast, review)
    url = f"/o/riverside/leadership/reviews/{review.pk}/report.pdf"
    response = cast.client_for(cast.nurse_manager).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="360-report-nora-manager.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content)
    assert "360 report: Nora Manager" in text and "Hidden to protect a smaller group" in text
    assert "at least 3 of its raters answered" in text
    for user in (cast.chair, cast.admin):
        assert cast.client_for(user).get(url).status_code == 403
    assert cast.client_for(cast.executive).get(url).status_code == 404
