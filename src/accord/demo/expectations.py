"""The demo's agreements, made through the services as the people would: the chair's with
his nurse manager, sent and waiting for her; the executive's with the chair, met about and
recorded by both, accepted after the chair proposed changes, with a concern answered and one
left open; the chief executive's with the executive (both of the executive team), sent with
the meeting booked; and one the nurse manager is still preparing. Only the dates are moved
back."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accord.access.models import Membership, Role
from accord.access.scopes import Scope
from accord.expectations import services
from accord.expectations.models import Agreement, Concern, FollowUp, Meeting, Version
from accord.expectations.rules import FollowUpAnswerDraft, ItemDraft
from accord.expectations.visibility import ExpectationScope
from accord.org.models import Organisation

ACCEPTED_DAYS_AGO = 15


def _followed_up(
    agreement: Agreement, version: Version, sides: list[tuple[ExpectationScope, Membership]]
) -> None:
    """Accepted 15 days ago: the first two follow-ups answered by both on time, the one a
    week in missed, the next one due now."""
    back = dt.timedelta(days=ACCEPTED_DAYS_AGO)
    Version.objects.filter(pk=version.pk).update(accepted_at=F("accepted_at") - back)
    FollowUp.objects.filter(agreement=agreement).update(
        due_at=F("due_at") - back, answer_by=F("answer_by") - back
    )
    items = list(version.items.all())
    for follow_up in FollowUp.objects.filter(agreement=agreement).order_by("due_at")[:2]:
        for escope, membership in sides:
            answers = [FollowUpAnswerDraft(item.pk, True, True) for item in items]
            services.answer_follow_up(escope=escope, actor=membership.user, follow_up=follow_up,
                                      answers=answers, via="demo")  # fmt: skip
            FollowUp.objects.filter(pk=follow_up.pk).update(
                **{
                    f"{escope.side(agreement)}_answered_at": follow_up.due_at
                    + dt.timedelta(hours=3)
                }
            )


def _met(agreement: Agreement, leader: ExpectationScope, colleague: ExpectationScope, *,
         days_ago: int, notes: dict[str, tuple[str, str]]) -> None:  # fmt: skip
    """A meeting booked through the service (without email), moved back to ``days_ago`` and
    recorded by both in their own words."""
    meeting = services.schedule_meeting(
        escope=leader, actor=None, agreement=agreement, location="Executive office",
        starts_at=timezone.now() + dt.timedelta(days=1), notify=False, via="demo",
    )  # fmt: skip
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    for escope in (leader, colleague):
        working, could_improve = notes[escope.side(agreement)]
        services.record_meeting(escope=escope, actor=None, meeting=meeting, working=working,
                                could_improve=could_improve, via="demo")  # fmt: skip


def _board_staffing(chief: Membership, executive: Membership) -> None:
    """The chief executive and the chief nursing officer, both of the executive team: sent,
    with the meeting booked for the day after tomorrow."""
    as_chief = ExpectationScope(Scope(chief))
    assert executive.person is not None
    staffing = services.start_agreement(
        escope=as_chief, actor=chief.user, colleague_hr_id=executive.person.external_id,
        relationship="direct_report", topic="The nurse staffing plan for the board", via="demo",
    )  # fmt: skip
    services.save_preparation(
        escope=as_chief, actor=chief.user, agreement=staffing,
        ratings={"state_of_mind": 3, "belief": 5, "own_part": 3, "clarity": 3, "value_today": 5},
        notes={"own_part": "I let the board think the plan was finished before she had it."},
    )  # fmt: skip
    services.save_draft(
        escope=as_chief, actor=chief.user, agreement=staffing,
        why_it_matters="The board decides next year's nursing budget on this plan.",
        how_it_fits="It carries the system's goal of keeping experienced nurses.",
        opening="I told the board the plan was nearly done before asking you what it needed.",
        goal_ids=[], items=[
            ItemDraft("Present a staffing plan for every hospital",
                      "done when the board has it two weeks before its March meeting",
                      "colleague", _in_weeks(10), "I clear two hours of board time for it"),
            ItemDraft("Name the three units at most risk of losing nurses",
                      "done when each has a named lead and a date", "colleague", _in_weeks(4)),
        ], via="demo",
    )  # fmt: skip
    services.propose(escope=as_chief, actor=chief.user, agreement=staffing, via="demo")
    services.schedule_meeting(
        escope=as_chief, actor=chief.user, agreement=staffing, location="Executive office",
        starts_at=(timezone.now() + dt.timedelta(days=2)).replace(hour=15, minute=0),
        notify=False, via="demo",
    )  # fmt: skip


def _in_weeks(weeks: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(weeks=weeks)


@transaction.atomic
def seed_demo_agreements(*, organisation: Organisation) -> None:
    people = Membership.objects.filter(organisation=organisation, person__isnull=False)
    executives = people.filter(role=Role.EXECUTIVE).select_related("person", "user").order_by("pk")
    executive = executives.first()  # the chief nursing officer; the chief executive after her
    chief = executives.exclude(pk=executive.pk).first() if executive else None
    leaders = list(people.filter(role=Role.LEADER).select_related("person", "user").order_by("pk"))
    if executive is None or len(leaders) < 2:
        return
    chair, manager = leaders[0], leaders[1]  # the demo's chair and nurse manager, in that order
    assert chair.person is not None and manager.person is not None
    as_chair, as_manager = ExpectationScope(Scope(chair)), ExpectationScope(Scope(manager))
    as_executive = ExpectationScope(Scope(executive))

    # The chair and his nurse manager: prepared, drafted and sent; her move.
    nights = services.start_agreement(
        escope=as_chair, actor=chair.user, colleague_hr_id=manager.person.external_id,
        relationship="direct_report" if manager.person.manager_id == chair.person_id else "other",
        topic="Running the night shift", via="demo",
    )  # fmt: skip
    services.save_preparation(
        escope=as_chair, actor=chair.user, agreement=nights,
        ratings={"state_of_mind": 4, "belief": 4, "own_part": 3, "clarity": 4, "value_today": 5},
        notes={"own_part": "I never said plainly that the night rota was hers to run.",
               "value_today": "The night staff trust her; she knows every one of them."},
    )  # fmt: skip
    services.save_draft(
        escope=as_chair, actor=chair.user, agreement=nights,
        why_it_matters="Nights are where we lose nurses, and where breaks disappear first.",
        how_it_fits="Serves the department's goal of keeping experienced nurses.",
        opening="I never said plainly that the night rota was yours to run. It is, and I will "
                "back your decisions on it.",
        goal_ids=[], items=[
            ItemDraft("Publish the night rota two weeks ahead", "done when it is posted by the 15th",
                      "colleague", _in_weeks(4), "I stop changing it after it is posted"),
            ItemDraft("Hold a ten-minute huddle at each night shift change",
                      "held on 90% of nights, counted in the huddle log", "colleague",
                      _in_weeks(8), "I join the first two"),
        ], via="demo",
    )  # fmt: skip
    services.propose(escope=as_chair, actor=chair.user, agreement=nights, via="demo")

    # The executive and the chair: the chair asked for more time; the executive accepted.
    flow = services.start_agreement(
        escope=as_executive, actor=executive.user, colleague_hr_id=chair.person.external_id,
        relationship="direct_report" if chair.person.manager_id == executive.person_id else "peer",
        topic="Patient flow through the emergency department", via="demo",
    )  # fmt: skip
    services.save_draft(
        escope=as_executive, actor=executive.user, agreement=flow,
        why_it_matters="Boarding in the ED is the board's first question every month.",
        how_it_fits="Part of the system's length-of-stay goal.",
        opening="I set the length-of-stay target without asking you what it would take.",
        goal_ids=[], items=[ItemDraft("Cut the median ED length of stay", "from 6.2 to 5.5 hours",
                                      "colleague", _in_weeks(12), "Two more beds on the unit")],
        via="demo",
    )  # fmt: skip
    services.propose(escope=as_executive, actor=executive.user, agreement=flow, via="demo")
    services.propose_changes(
        escope=as_chair, actor=chair.user, agreement=flow, number=1,
        comment="5.5 hours needs the extra beds open first; give it four more weeks.",
        items=[ItemDraft("Cut the median ED length of stay", "from 6.2 to 5.5 hours", "colleague",
                         _in_weeks(16), "Two more beds on the unit, open by week 6")],
        via="demo",
    )  # fmt: skip
    accepted = services.accept(
        escope=as_executive, actor=executive.user, agreement=flow, number=2, via="demo"
    )
    _followed_up(flow, accepted, [(as_executive, executive), (as_chair, chair)])
    _met(flow, as_executive, as_chair, days_ago=ACCEPTED_DAYS_AGO + 2,
         notes={"leader": ("You told me plainly what the beds would take.",
                           "I should have asked before setting the target."),
                "colleague": ("Hearing why the board asks every month.",
                              "Agreeing the bed dates in writing, not in the corridor.")})  # fmt: skip
    answered = services.add_concern(
        escope=as_chair, actor=chair.user, agreement=flow, via="demo",
        text="The bed numbers in the flow report do not match ours.",
    )  # fmt: skip
    services.address_concern(escope=as_executive, actor=executive.user, concern=answered,
                             note="Finance corrected the report; both now read the same feed.",
                             via="demo")  # fmt: skip
    waiting = services.add_concern(
        escope=as_chair, actor=chair.user, agreement=flow, via="demo",
        text="Radiology turnaround at night still holds patients for hours.",
    )  # fmt: skip
    earlier = timezone.now() - dt.timedelta(days=6)
    Concern.objects.filter(pk=waiting.pk).update(raised_at=earlier)
    Concern.objects.filter(pk=answered.pk).update(
        raised_at=earlier - dt.timedelta(days=14), addressed_at=earlier - dt.timedelta(days=13)
    )

    if chief is not None and chief.person is not None and executive.person is not None:
        _board_staffing(chief, executive)

    # The nurse manager begins one with the chair (her manager): still being prepared.
    services.start_agreement(
        escope=as_manager, actor=manager.user, colleague_hr_id=chair.person.external_id,
        relationship="manager", topic="Support for the night huddles", via="demo",
    )  # fmt: skip
