"""The demo's agreements, made through the services as the people would: the chair's with
his nurse manager, sent and waiting for her; the executive's with the chair, accepted after
the chair proposed changes, with a concern answered and one left open; and one the chair is
still preparing. Only the dates are moved back."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accord.access.models import Membership, Role
from accord.access.scopes import Scope
from accord.expectations import services
from accord.expectations.models import Agreement, Concern, FollowUp, Version
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


def _in_weeks(weeks: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(weeks=weeks)


@transaction.atomic
def seed_demo_agreements(*, organisation: Organisation) -> None:
    people = Membership.objects.filter(organisation=organisation, person__isnull=False)
    executive = people.filter(role=Role.EXECUTIVE).select_related("person", "user").first()
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

    # The nurse manager begins one with the chair (her manager): still being prepared.
    services.start_agreement(
        escope=as_manager, actor=manager.user, colleague_hr_id=chair.person.external_id,
        relationship="manager", topic="Support for the night huddles", via="demo",
    )  # fmt: skip
