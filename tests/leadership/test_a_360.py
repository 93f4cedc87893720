"""A leader's 360 from start to report, through the services: the cohort, nominations and
their warnings, approval opening the round, raters answering through their links, a decline,
the leader's own ratings, closing, and the report with its rules — then the coached path."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.http import Http404
from huey import Huey

from accord.access.scopes import NotAllowed
from accord.leadership import services
from accord.leadership.errors import LeadershipError
from accord.leadership.models import ReviewStatus
from accord.leadership.rules import Rater
from accord.leadership.selectors import review_page
from accord.surveys.answers import ParsedAnswers
from accord.surveys.instruments import leadership_framework
from accord.surveys.models import Invitation, Response
from accord.surveys.services import withdraw_invitation
from tests.cast import Cast
from tests.leadership.world import (
    RATERS,
    answer,
    approved,
    closed,
    cycle_of,
    lscope,
    nominated,
    started,
    tokens,
)

pytestmark = pytest.mark.django_db
FRAMEWORK = leadership_framework()
BEHAVIOURS = [item.id for item in FRAMEWORK.items if item.scale == "frequency5"]


def everyone_answers(skip: tuple[str, ...] = ()) -> None:
    found = tokens()
    for n, pid in enumerate(RATERS):
        if pid in skip:
            continue
        score = 2 if RATERS[pid] == "peer" else 4
        answer(found[pid], dict.fromkeys(BEHAVIOURS, score),
               {"strengths": f"Rater {n} likes how calm she is. She listens."})  # fmt: skip


def test_the_whole_round(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        review = started(cast)
    assert review.status == ReviewStatus.NOMINATING
    assert any(m.to == ["nora@riverside.example"] and "choose" in m.subject for m in mail.outbox)
    review = nominated(cast, review)
    assert review.status == ReviewStatus.AWAITING_APPROVAL
    assert review.approver == cast.person("chad")
    review = approved(cast, review, django_capture_on_commit_callbacks)
    assert review.status == ReviewStatus.COLLECTING
    cycle = cycle_of(review)
    assert cycle.about == cast.person("nora") and cycle.purpose == "leadership-360"
    invitations = Invitation.objects.filter(cycle=cycle)
    assert {i.person.external_id: i.rater_group for i in invitations} == RATERS
    # every answer is reported under Nora's unit, never the rater's own
    assert {i.reporting_unit_id for i in invitations} == {cast.person("nora").unit_id}
    assert set(tokens()) == set(RATERS), "each rater got their one-time link"
    manager_mail = next(
        m for m in mail.outbox if m.to == ["chad@riverside.example"] and "/s/" in m.body
    )
    assert "not anonymous" in manager_mail.body
    peer_mail = next(m for m in mail.outbox if m.to == ["paula@riverside.example"])
    assert "at least 3 raters" in peer_mail.body and "not anonymous" not in peer_mail.body

    # Olga declines before answering: her link stops working and Nora sees the decline.
    withdraw_invitation(invitation=invitations.get(person__external_id="olga"))
    services.save_self_assessment(
        lscope=lscope(cast, cast.nurse_manager), actor=cast.nurse_manager, review_id=review.pk,
        answers=ParsedAnswers(scores=dict.fromkeys(BEHAVIOURS, 5), comments={"strengths": "I listen."}),
    )  # fmt: skip
    everyone_answers(skip=("olga",))
    review = closed(cast, review)
    assert review.status == ReviewStatus.RELEASED
    report = review.report
    groups = {g["group"]: (g["asked"], g["answered"], g["pooled"]) for g in report["groups"]}
    assert groups == {"manager": (1, 1, False), "peer": (3, 3, False),
                      "direct_report": (3, 3, False)}  # fmt: skip
    assert report["columns"] == ["self", "manager", "peer", "direct_report", "all_others"]
    first = report["competencies"][0]
    assert first["cells"]["peer"] == {"n": 3, "mean": 2.0}
    assert first["cells"]["all_others"] == {"n": 6, "mean": 3.0}
    assert first["cells"]["manager"] == {"n": 1, "mean": 4.0}
    # Nora rated herself 5 everywhere; all others 3: a blind spot on every behaviour
    assert {b["flag"] for b in first["behaviours"]} == {"blind_spot"}
    [strengths, develop] = report["comments"]
    assert strengths["writers"] == 7 and develop["writers"] is None
    assert "Nora" not in " ".join(strengths["sentences"])  # names are redacted
    assert len(strengths["sentences"]) == 14  # split into sentences
    assert report["self_comments"] == {"strengths": "I listen."}
    assert Response.objects.filter(cycle=review.cycle).count() == 7


def test_nothing_of_the_report_before_release_and_only_for_the_leader(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    review = approved(cast, nominated(cast, started(cast)), django_capture_on_commit_callbacks)
    everyone_answers()
    with pytest.raises(NotAllowed):
        lscope(cast, cast.nurse_manager).report_of(review.pk)
    review = closed(cast, review)
    assert lscope(cast, cast.nurse_manager).report_of(review.pk) == review
    for user in (cast.admin, cast.chair, cast.executive):
        with pytest.raises((NotAllowed, Http404)):
            lscope(cast, user).report_of(review.pk)


def test_a_coached_report_goes_to_the_coach_first(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    review = nominated(cast, started(cast))
    admin = lscope(cast, cast.admin)
    # Only a coach-role login may coach, and none of the leader's raters: an admin cannot
    # make themself, the executive or the leader's manager the first reader of the report.
    for someone in (cast.admin, cast.executive, cast.chair):
        with pytest.raises(LeadershipError, match="coach role"):
            services.assign_coach(lscope=admin, actor=None, review_id=review.pk, coach=someone)
    services.assign_coach(lscope=admin, actor=cast.admin, review_id=review.pk, coach=cast.coach)
    review = approved(cast, review, django_capture_on_commit_callbacks)
    everyone_answers()
    with django_capture_on_commit_callbacks(execute=True):
        review = closed(cast, review)
    assert review.status == ReviewStatus.WITH_COACH
    assert any(m.to == ["rosa@coaching.example"] and "report" in m.subject for m in mail.outbox)
    with pytest.raises(NotAllowed, match="coach releases"):
        lscope(cast, cast.nurse_manager).report_of(review.pk)
    assert lscope(cast, cast.coach).report_of(review.pk) == review
    with pytest.raises(NotAllowed):
        services.release_to_leader(lscope=lscope(cast, cast.nurse_manager),
                                   actor=cast.nurse_manager, review_id=review.pk)  # fmt: skip
    review = services.release_to_leader(lscope=lscope(cast, cast.coach),
                                        actor=cast.coach, review_id=review.pk)  # fmt: skip
    assert review.status == ReviewStatus.RELEASED
    assert lscope(cast, cast.nurse_manager).report_of(review.pk) == review


def test_nominations_are_checked_and_small_groups_flagged(cast: Cast) -> None:
    review = started(cast)
    nora = lscope(cast, cast.nurse_manager)
    with pytest.raises(LeadershipError) as refused:
        services.set_raters(lscope=nora, actor=None, review_id=review.pk, raters=[
            Rater(cast.person("nora"), "peer"), Rater(cast.person("chad"), "manager"),
            Rater(cast.person("sue"), "manager"), Rater(cast.person("sam"), "colleague"),
        ])  # fmt: skip
    messages = " ".join(message for _, message in refused.value.problems)
    assert "rate yourself" in messages and "Only one person rates you as your manager" in messages
    assert "unknown rater group 'colleague'" in messages
    nominated(
        cast, review, {"chad": "manager", "paula": "peer", "peter": "peer", "sam": "direct_report"}
    )
    warnings = " ".join(review_page(lscope(cast, cast.chair), review).warnings)
    assert "2 peers only" in warnings and "pooled" in warnings
    assert "3 raters besides the manager" in warnings


def test_a_leader_other_than_the_subject_cannot_nominate_and_only_the_approver_approves(
    cast: Cast,
) -> None:
    review = started(cast)
    with pytest.raises(NotAllowed):
        services.set_raters(lscope=lscope(cast, cast.chair), actor=None, review_id=review.pk,
                            raters=[Rater(cast.person("sam"), "peer")])  # fmt: skip
    review = nominated(cast, review)
    for user in (cast.nurse_manager, cast.staff_nurse, cast.executive):
        with pytest.raises((NotAllowed, Http404)):
            services.approve_raters(lscope=lscope(cast, user), actor=None, review_id=review.pk)


def test_the_home_page_says_what_waits_for_each_of_them(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    review = started(cast)
    home = "/o/riverside/"
    page = cast.client_for(cast.nurse_manager).get(home).content.decode()
    assert "Choose the raters for your 360" in page
    review = nominated(cast, review)
    assert (
        "Approve Nora Manager&#x27;s raters"
        in cast.client_for(cast.chair).get(home).content.decode()
    )
    review = approved(cast, review, django_capture_on_commit_callbacks)
    sam = cast.client_for(cast.staff_nurse).get(home).content.decode()
    assert "Nora Manager asks for your feedback" in sam and "Give feedback" in sam
    everyone_answers()
    closed(cast, review)
    assert (
        "Your 360 report is ready" in cast.client_for(cast.nurse_manager).get(home).content.decode()
    )
    for user in (cast.admin, cast.executive):  # nothing of Nora's 360 on their home pages
        assert "Nora Manager" not in cast.client_for(user).get(home).content.decode()
