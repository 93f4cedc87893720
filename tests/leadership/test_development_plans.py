"""A development plan from a released report: focus behaviours with actions, a mentor, dates,
check-ins by the leader, the coach and the mentor, and the short re-assessment of the focus
behaviours with the same raters — read by those three people only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.http import Http404
from django.utils import timezone
from huey import Huey

from accord.access.scopes import NotAllowed
from accord.leadership import services
from accord.leadership.errors import LeadershipError
from accord.leadership.models import DevelopmentPlan, Review, ReviewStatus
from accord.leadership.rules import ActionDraft, FocusDraft
from accord.leadership.selectors import plan_page
from accord.surveys.instruments import leadership_framework
from accord.surveys.models import Invitation
from tests.cast import Cast
from tests.leadership.world import (
    RATERS,
    answer,
    approved,
    closed,
    in_days,
    lscope,
    nominated,
    started,
    tokens,
)

pytestmark = pytest.mark.django_db
BEHAVIOURS = [i.id for i in leadership_framework().items if i.scale == "frequency5"]
TODAY = dt.date(2027, 1, 4)


def released(cast: Cast, capture: Any, *, coached: bool = True) -> Review:
    review = nominated(cast, started(cast))
    if coached:
        services.assign_coach(lscope=lscope(cast, cast.admin), actor=None, review_id=review.pk,
                              coach=cast.coach)  # fmt: skip
    review = approved(cast, review, capture)
    found = tokens()
    for pid in RATERS:
        answer(found[pid], {b: 2 if b == "team_every_voice" else 4 for b in BEHAVIOURS})
    review = closed(cast, review)
    if coached:
        review = services.release_to_leader(lscope=lscope(cast, cast.coach), actor=None,
                                            review_id=review.pk)  # fmt: skip
    return review


def a_plan(cast: Cast, review: Review, **changes: Any) -> Any:
    values: dict[str, Any] = {
        "focus": [FocusDraft("team_every_voice", "The nurses say they are not heard.", (
            ActionDraft("practice", "Ask the quietest person first at every huddle",
                        timezone.localdate() + dt.timedelta(days=30)),
            ActionDraft("people", "Shadow a night shift with a senior nurse"),
        ))],
        "starts_on": timezone.localdate(), "review_on": timezone.localdate() + dt.timedelta(days=180),
        "mentor": cast.person("sue"), "reassess_after_months": 6,
    }  # fmt: skip
    values.update(changes)
    return services.save_plan(lscope=lscope(cast, cast.nurse_manager), actor=cast.nurse_manager,
                              review_id=review.pk, **values)  # fmt: skip


def test_the_leader_builds_a_plan_from_the_report_and_three_people_check_in(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    review = released(cast, django_capture_on_commit_callbacks)
    page = plan_page(lscope(cast, cast.nurse_manager), review)
    assert page.plan is None and page.may_edit
    assert page.suggestions[0][0] == "team_every_voice", "the report's lowest behaviour first"
    plan = a_plan(cast, review)
    assert [f.behaviour for f in plan.focus.all()] == ["team_every_voice"]
    assert plan.focus.get().actions.count() == 2
    # the coach and the leader check in; Sue, the mentor, has no login in the cast
    services.add_check_in(lscope=lscope(cast, cast.coach), actor=cast.coach, review_id=review.pk,
                          held_on=timezone.localdate(), note="First conversation held.",
                          progress={"team_every_voice": "some"})  # fmt: skip
    services.add_check_in(lscope=lscope(cast, cast.nurse_manager), actor=cast.nurse_manager,
                          review_id=review.pk, held_on=timezone.localdate(),
                          note="Tried it at three huddles.", progress={})  # fmt: skip
    page = plan_page(lscope(cast, cast.coach), review)
    assert [c.note for c in page.check_ins] == [
        "Tried it at three huddles.",
        "First conversation held.",
    ]
    assert page.focus[0].progress == "Some progress"
    assert page.focus[0].over_time[0][1:] == (None, 2.0), "no self-rating; all others 2.0"
    assert not page.may_edit, "the coach reads and checks in; the leader writes the plan"
    # changing the plan keeps what was done
    action = plan.focus.get().actions.first()
    services.mark_action(lscope=lscope(cast, cast.nurse_manager), actor=None, review_id=review.pk,
                         action_id=action.pk, done=True)  # fmt: skip
    plan = a_plan(cast, review)
    assert plan.focus.get().actions.exclude(done_on=None).count() == 1


def test_a_plan_is_checked_field_by_field(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    review = released(cast, django_capture_on_commit_callbacks, coached=False)
    with pytest.raises(LeadershipError) as refused:
        a_plan(cast, review, focus=[
            FocusDraft("no_such_behaviour", "", ()), FocusDraft("team_every_voice", "", ()),
            FocusDraft("team_every_voice", "", ()), FocusDraft("coach_stretch", "", ()),
        ], review_on=timezone.localdate() - dt.timedelta(days=1), reassess_after_months=40,
            mentor=cast.person("nora"))  # fmt: skip
    fields = {field for field, _ in refused.value.problems}
    assert {"focus", "focus_1", "focus_3", "actions_2", "review_on", "reassess_after_months",
            "mentor"} <= fields  # fmt: skip
    assert not DevelopmentPlan.objects.filter(review=review).exists(), "nothing half-written"


def test_only_the_leader_coach_and_mentor_read_the_plan(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    review = released(cast, django_capture_on_commit_callbacks)
    a_plan(cast, review)
    for user in (cast.admin, cast.chair):  # the admin follows the 360, the chair approved it
        with pytest.raises(NotAllowed):
            lscope(cast, user).plan_of(review.pk)
    for user in (cast.executive, cast.staff_nurse):
        with pytest.raises(Http404):
            lscope(cast, user).plan_of(review.pk)
    with pytest.raises(NotAllowed):
        services.save_plan(
            lscope=lscope(cast, cast.coach), actor=None, review_id=review.pk,
            focus=[], starts_on=TODAY, review_on=TODAY,
        )  # fmt: skip


def test_the_re_assessment_asks_the_focus_behaviours_of_the_same_raters(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    review = released(cast, django_capture_on_commit_callbacks, coached=False)
    a_plan(cast, review)
    follow_up = services.start_reassessment(
        lscope=lscope(cast, cast.nurse_manager), actor=None, review_id=review.pk,
        answer_by=in_days(14),
    )  # fmt: skip
    assert follow_up.behaviours == ["team_every_voice"] and follow_up.follows == review
    assert follow_up.status == ReviewStatus.NOMINATING
    assert {n.person.external_id for n in follow_up.nominations.all()} == set(RATERS)
    with pytest.raises(LeadershipError, match="under way already"):
        services.start_reassessment(lscope=lscope(cast, cast.nurse_manager), actor=None,
                                    review_id=review.pk, answer_by=in_days(14))  # fmt: skip
    nora = lscope(cast, cast.nurse_manager)
    services.submit_raters(lscope=nora, actor=None, review_id=follow_up.pk)
    follow_up = approved(cast, follow_up, django_capture_on_commit_callbacks)
    assert follow_up.cycle.asked_items == ["team_every_voice"]
    assert Invitation.objects.filter(cycle=follow_up.cycle).count() == len(RATERS)


def test_the_re_assessment_report_sits_beside_the_first(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    review = released(cast, django_capture_on_commit_callbacks, coached=False)
    a_plan(cast, review)
    nora = lscope(cast, cast.nurse_manager)
    follow_up = services.start_reassessment(lscope=nora, actor=None, review_id=review.pk,
                                            answer_by=in_days(14))  # fmt: skip
    services.submit_raters(lscope=nora, actor=None, review_id=follow_up.pk)
    follow_up = approved(cast, follow_up, django_capture_on_commit_callbacks)
    links = tokens()
    for pid in RATERS:  # the latest link each rater got is the re-assessment's
        answer(links[pid], {"team_every_voice": 4})
    follow_up = closed(cast, follow_up)
    report = follow_up.report
    assert [c["id"] for c in report["competencies"]] == ["fostering_teamwork"]
    [competency] = report["competencies"]
    assert [b["id"] for b in competency["behaviours"]] == ["team_every_voice"]
    assert competency["cells"]["all_others"]["mean"] == 4.0, "one behaviour asked: counted"
    page = plan_page(nora, review)
    assert page.focus[0].over_time[0][2] == 2.0 and page.focus[0].over_time[1][2] == 4.0


def test_a_coached_cohort_holds_each_report_for_its_coach(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    review = approved(cast, nominated(cast, started(cast, coached=True)),
                      django_capture_on_commit_callbacks)  # fmt: skip
    review = closed(cast, review)
    assert review.status == ReviewStatus.WITH_COACH and review.coach is None
    with pytest.raises(NotAllowed, match="coach releases"):
        lscope(cast, cast.nurse_manager).report_of(review.pk)
    admin = lscope(cast, cast.admin)
    with django_capture_on_commit_callbacks(execute=True):
        review = services.assign_coach(lscope=admin, actor=None, review_id=review.pk,
                                       coach=cast.coach)  # fmt: skip
    assert any(m.to == ["rosa@coaching.example"] for m in mail.outbox)
    with pytest.raises(LeadershipError, match="can no longer change"):
        services.assign_coach(lscope=admin, actor=None, review_id=review.pk, coach=None)
