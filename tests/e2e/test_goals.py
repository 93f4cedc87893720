"""The story of a leader held to his own numbers who does not know his peers' goals.

Chad (chair of Emergency) sits on the executive team. He finds his peers' goals, sees that
his push to cut ED length of stay works against Sue's readmissions goal, declares the
conflict; Sue confirms it; they schedule an alignment conversation, hold it and record the
outcome; and the executive team's alignment figures change.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.core import mail
from django.utils import timezone
from huey import Huey

from accord.access.models import Role
from accord.access.services import grant_membership
from accord.goals import services
from accord.goals.models import Goal, Team
from tests.cast import PASSWORD, Cast, local_today
from tests.e2e.conftest import Browser
from tests.goals.world import executive_team, goal

pytestmark = pytest.mark.browser


def figures(browser: Browser) -> dict[str, str]:
    page = browser.page
    return {
        name: page.locator(f"#figure-{name} .figure").inner_text()
        for name in ("aligned", "conflicts", "unlinked", "unseen")
    }


def setting(cast: Cast) -> Team:
    team = executive_team(cast)
    shared = goal(cast, None, "Operating margin", team=team, direction="increase",
                  baseline="1.1", target="2.5", metric_unit="%")  # fmt: skip
    ed = goal(cast, "chad", "Cut ED length of stay", metric="ED length of stay", baseline="6.2",
              target="4.5", weight="40", metric_unit="hours")  # fmt: skip
    services.add_contribution(goal=ed, serves=shared, actor=None)
    goal(cast, "sue", "Fewer surgical readmissions", metric="30-day readmissions",
         baseline="15", target="13", weight="30", metric_unit="%")  # fmt: skip
    goal(cast, "pia", "Pediatric patient experience", direction="increase", baseline="78",
         target="85")  # fmt: skip
    grant_membership(organisation=cast.riverside, email="sue@riverside.example",
                     role=Role.LEADER, person=cast.person("sue"), password=PASSWORD)  # fmt: skip
    return team


def test_a_leader_aligns_with_a_peer_and_the_team_figures_change(
    open_browser: Callable[..., Browser], cast: Cast, immediate_queue: Huey
) -> None:
    team = setting(cast)
    chad = open_browser()
    chad.sign_in(cast.chair.email, PASSWORD)
    page = chad.page

    # He finds the team and his peers' goals.
    chad.follow(page.get_by_role("navigation", name="Main").get_by_role("link", name="Goals"))
    assert page.get_by_role("heading", level=1).inner_text() == "Goals and alignment"
    chad.follow(page.get_by_role("link", name="Executive team"))
    shared = page.get_by_role("article").filter(has_text="Operating margin")
    assert "Cut ED length of stay" in shared.inner_text()
    assert "No contributing goal" in shared.inner_text()  # sue, pia and eve serve nothing yet
    chad.follow(page.get_by_role("link", name="Alignment map"))
    before = figures(chad)
    assert before == {"aligned": "0%", "conflicts": "0", "unlinked": "2", "unseen": "3"}
    chad.follow(page.get_by_role("link", name="Sue Surgeon").first)
    assert "Fewer surgical readmissions" in page.get_by_role("main").inner_text()

    # He declares the conflict from his own goal.
    chad.goto("/o/riverside/goals/")
    chad.follow(page.get_by_role("link", name="Cut ED length of stay").first)
    form = page.get_by_role("form", name=re.compile("Declare a link with a peer"))
    form.get_by_label("conflicts with").check()
    form.get_by_label("Peer's goal").select_option(
        label="Sue Surgeon: Fewer surgical readmissions (FY2026)"
    )
    form.get_by_label("Note").fill(
        "Discharging faster from the ED may send patients home too soon."
    )
    mail.outbox.clear()
    chad.follow(form.get_by_role("button", name="Declare and ask them to confirm"))
    assert "Sue Surgeon is asked to confirm it" in page.get_by_role("status").inner_text()
    assert [m.to for m in mail.outbox] == [["sue@riverside.example"]]

    # Sue confirms it.
    sue = open_browser()
    sue.sign_in("sue@riverside.example", PASSWORD)
    sue.follow(sue.page.get_by_role("navigation", name="Main").get_by_role("link", name="Goals"))
    waiting = sue.page.get_by_role("region", name="Waiting for your answer")
    assert "Chad Chair" in waiting.inner_text()
    sue.follow(waiting.get_by_role("link", name="Fewer surgical readmissions"))
    answer = sue.page.get_by_role("form", name="Answer the link from Chad Chair")
    answer.get_by_label("Confirm").check()
    sue.follow(answer.get_by_role("button", name="Send the answer"))
    assert "Confirmed by both" in sue.page.get_by_role("main").inner_text()

    # The map now shows the open conflict; Chad schedules a conversation from it.
    chad.goto(f"/o/riverside/goals/teams/{team.pk}/map/")
    assert figures(chad)["conflicts"] == "1"
    pair = page.locator("tr[id^=pair-]", has_text="Chad Chair and Sue Surgeon")
    assert "Unresolved" in pair.inner_text()
    chad.follow(pair.get_by_role("link", name="Schedule a conversation"))
    when = local_today() + dt.timedelta(days=2)
    page.get_by_label("Date").fill(when.isoformat())
    page.get_by_label("Time").fill("10:30")
    page.get_by_label("Location").fill("Boardroom 2")
    mail.outbox.clear()
    chad.follow(page.get_by_role("button", name="Schedule and send the invitation"))
    invitation = [m for m in mail.outbox if m.subject.startswith("Alignment conversation")]
    assert len(invitation) == 1 and invitation[0].attachments[0][0].endswith(".ics")
    assert "Cut ED length of stay" in page.locator(".agenda").inner_text()

    # They meet; Chad records the outcome.
    page.get_by_label("Held on").fill(local_today().isoformat())
    page.get_by_label("What you agreed").fill("A discharge-readiness check before ED transfers.")
    page.get_by_role("group", name="Links between your goals").get_by_label("Resolved").check()
    commitment = page.get_by_role("group", name="Commitment 1")
    commitment.get_by_label("Who").select_option(label="Chad Chair")
    commitment.get_by_label("Commits to").fill("Share ED discharge data with Surgery weekly")
    commitment.get_by_label("By").fill((local_today() + dt.timedelta(days=30)).isoformat())
    chad.follow(page.get_by_role("button", name="Record the conversation"))
    assert "Conversation recorded." in page.get_by_role("status").inner_text()
    assert "Share ED discharge data" in page.get_by_role("main").inner_text()

    # The team's figures have moved.
    chad.goto(f"/o/riverside/goals/teams/{team.pk}/map/")
    after = figures(chad)
    assert after["aligned"] == "10%"  # one pair of ten
    assert after["conflicts"] == "0"
    assert (
        "Aligned"
        in page.locator("tr[id^=pair-]", has_text="Chad Chair and Sue Surgeon").inner_text()
    )


def test_the_map_reads_on_a_phone_and_without_javascript(
    open_browser: Callable[..., Browser], cast: Cast
) -> None:
    team = setting(cast)
    phone = open_browser(phone=True)
    phone.log_in_as(cast.chair)
    phone.goto(f"/o/riverside/goals/teams/{team.pk}/map/")
    assert phone.page.get_by_role("img", name="Alignment network of 5 people").is_visible()
    plain = open_browser(javascript=False)
    plain.log_in_as(cast.chair)
    plain.goto(f"/o/riverside/goals/teams/{team.pk}/map/")
    plain.goto("/o/riverside/goals/new/")
    plain.page.get_by_label("Title").fill("Door to provider")
    plain.page.get_by_label("Metric", exact=True).fill("Door to provider")
    plain.page.get_by_label("Decrease").check()
    plain.page.get_by_label("Baseline").fill("38")
    plain.page.get_by_label("Target", exact=True).fill("25")
    plain.page.get_by_label("Due date").fill("2026-12-31")
    plain.page.get_by_label("Incentive weight (% of bonus)").fill("70")
    plain.follow(plain.page.get_by_role("button", name="Add the goal"))
    # 40% is already tied to his other goal: refused, with the reason beside the field.
    assert "would add up to 110%" in plain.page.get_by_role("main").inner_text()


def test_a_conversation_is_moved_then_cancelled_and_a_link_withdrawn(
    open_browser: Callable[..., Browser], cast: Cast, immediate_queue: Huey
) -> None:
    setting(cast)
    chads = Goal.objects.get(title="Cut ED length of stay")
    sues = Goal.objects.get(title="Fewer surgical readmissions")
    services.declare_link(from_goal=chads, to_goal=sues, kind="supports",
                          note="A shared discharge lounge", actor=cast.chair)  # fmt: skip
    conversation = services.schedule_conversation(
        organisation=cast.riverside, actor=cast.chair,
        people=(cast.person("chad"), cast.person("sue")),
        starts_at=timezone.now() + dt.timedelta(days=2), notify=False,
    )  # fmt: skip
    chad = open_browser()
    chad.log_in_as(cast.chair)
    page = chad.page

    # He moves it; both are sent the same calendar event, moved.
    chad.goto(f"/o/riverside/goals/conversations/{conversation.pk}/")
    chad.follow(page.get_by_role("link", name="Move it to another time"))
    page.get_by_label("Date").fill((local_today() + dt.timedelta(days=9)).isoformat())
    page.get_by_label("Time").fill("15:00")
    mail.outbox.clear()
    chad.follow(page.get_by_role("button", name="Move it and send the update"))
    assert "Conversation moved" in page.get_by_role("status").inner_text()
    [moved] = mail.outbox
    assert moved.subject.startswith("Moved: ") and "SEQUENCE:1" in str(moved.attachments[0][1])

    # Then calls it off, with a reason.
    form = page.get_by_role("region", name="Cancel the conversation")
    form.get_by_label("Why (sent to both people)").fill("Sue is on call that week.")
    mail.outbox.clear()
    chad.follow(form.get_by_role("button", name="Cancel the conversation"))
    assert "Conversation cancelled" in page.get_by_role("status").inner_text()
    assert "Cancelled on" in page.get_by_role("main").inner_text()
    [cancelled] = mail.outbox
    assert "METHOD:CANCEL" in str(cancelled.attachments[0][1])

    # And withdraws the link he declared.
    chad.goto(f"/o/riverside/goals/{chads.pk}/")
    chad.follow(page.get_by_role("button", name=re.compile("Withdraw the link")))
    assert "Link withdrawn" in page.get_by_role("status").inner_text()
    assert "A shared discharge lounge" not in page.get_by_role("region", name=re.compile(
        "Sideways")).inner_text()  # fmt: skip

    # A commitment from an earlier conversation is marked done.
    held = services.schedule_conversation(
        organisation=cast.riverside, actor=cast.chair,
        people=(cast.person("chad"), cast.person("sue")),
        starts_at=timezone.now() + dt.timedelta(days=1), notify=False,
    )  # fmt: skip
    services.record_conversation(
        conversation=held, actor=cast.chair, held_on=local_today(),
        commitments=[services.NewCommitment(cast.person("chad"), "Share ED discharge data",
                                            local_today() + dt.timedelta(days=30))],
    )  # fmt: skip
    chad.goto(f"/o/riverside/goals/conversations/{held.pk}/")
    chad.follow(page.get_by_role("button", name=re.compile("Mark done")))
    assert "Commitment marked done" in page.get_by_role("status").inner_text()
    assert "Done " in page.locator("tr[id^=commitment-]").inner_text()
