"""A leader prepares in private, drafts an agreement with context and checked expectations,
proposes it; the colleague proposes changes, the leader accepts them; every version and what
changed stay readable; concerns are raised and addressed with their age in working days."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accord.expectations import services
from accord.expectations.errors import ExpectationsError
from accord.expectations.models import Agreement, AgreementStatus, Version, VersionStatus
from accord.expectations.selectors import working_days_since
from tests.cast import Cast
from tests.expectations.world import escope, good_items, in_weeks, proposed_agreement

pytestmark = pytest.mark.django_db


def test_a_leader_starts_prepares_and_drafts_through_the_pages(cast: Cast) -> None:
    chad = cast.client_for(cast.chair)
    slug = cast.riverside.slug
    refused = chad.post(reverse("agreement-new", args=[slug]),
                        {"colleague": "olive", "relationship": "peer", "topic": "x"})  # fmt: skip
    assert "No colleague with HR id &#x27;olive&#x27; who can sign in" in refused.content.decode()
    started = chad.post(reverse("agreement-new", args=[slug]),
                        {"colleague": "NORA", "relationship": "direct_report",
                         "topic": "Running the night shift"})  # fmt: skip
    agreement = Agreement.objects.get()
    assert started["Location"] == reverse("agreement-preparation", args=[slug, agreement.pk])
    assert agreement.colleague == cast.person("nora") and agreement.status == "preparing"

    prepare = reverse("agreement-preparation", args=[slug, agreement.pk])
    doubtful = chad.post(prepare, {"state_of_mind": "4", "belief": "2", "own_part": "4",
                                   "clarity": "2", "value_today": "3"}, follow=True)  # fmt: skip
    page = doubtful.content.decode()
    assert "Not ready yet" in page and "coach or mentor" in page
    assert "Draft the expectations, with measures and dates" in page
    ready = chad.post(prepare, {"state_of_mind": "4", "belief": "4", "own_part": "4",
                                "own_part_note": "I never handed the rota over.", "clarity": "4",
                                "value_today": "4"}, follow=True).content.decode()  # fmt: skip
    assert "Ready to draft and meet" in ready

    draft = reverse("agreement-draft", args=[slug, agreement.pk])
    vague = chad.post(draft, {"why_it_matters": "Nights", "items.0.what": "Improve handovers",
                              "items.0.measure": "better handovers", "items.0.owner": "colleague",
                              "items.0.due_on": in_weeks(2).isoformat(),
                              "items.1.what": "Improve handovers", "items.1.measure": "by 5 May",
                              "items.1.due_on": "2020-01-01"})  # fmt: skip
    assert vague.status_code == 200  # the form again, each problem beside its field
    text = vague.content.decode()
    assert "“Improve” says what you hope for, not what will be seen" in text
    assert "has passed; give a date from today on" in text and "The same as expectation 1" in text
    assert not Version.objects.get().items.exists()  # nothing half-written
    saved = chad.post(draft, {"why_it_matters": "Nights are where we lose nurses.",
                              "items.0.what": "Publish the night rota two weeks ahead",
                              "items.0.measure": "done when posted by the 15th",
                              "items.0.owner": "colleague",
                              "items.0.due_on": in_weeks(4).isoformat()})  # fmt: skip
    assert saved.status_code == 302
    shown = chad.get(reverse("agreement", args=[slug, agreement.pk])).content.decode()
    assert (
        "Publish the night rota two weeks ahead — measured by done when posted by the 15th" in shown
    )
    assert "Send version 1 to Nora Manager" in shown


def test_the_colleague_proposes_changes_and_the_leader_accepts_them(cast: Cast) -> None:
    agreement = proposed_agreement(cast)
    nora = cast.client_for(cast.nurse_manager)
    slug = cast.riverside.slug
    page = nora.get(reverse("agreement", args=[slug, agreement.pk])).content.decode()
    assert "Accept version 1" in page and "Cut ED length of stay" in page
    assert nora.post(reverse("agreement-changes", args=[slug, agreement.pk]), {
        "version": "1", "comment": "Four weeks is too short for the rota.",
        "items.0.what": "Run a ten-minute huddle at every shift change",
        "items.0.measure": "held on 90% of shifts", "items.0.owner": "colleague",
        "items.0.due_on": in_weeks(6).isoformat(),
        "items.1.what": "Publish the night rota two weeks ahead",
        "items.1.measure": "done when the rota is posted by the 15th", "items.1.owner": "colleague",
        "items.1.due_on": in_weeks(8).isoformat(),
    }).status_code == 302  # fmt: skip
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.CHANGES_PROPOSED
    chad = cast.client_for(cast.chair)
    shown = chad.get(reverse("agreement", args=[slug, agreement.pk])).content.decode()
    assert (
        "Four weeks is too short for the rota." in shown and "What changed from version 1" in shown
    )
    assert "Added: 2. Publish the night rota two weeks ahead" in shown
    assert chad.post(reverse("agreement-accept", args=[slug, agreement.pk]),
                     {"version": "2"}).status_code == 302  # fmt: skip
    versions = list(Version.objects.filter(agreement=agreement).order_by("number"))
    assert [v.status for v in versions] == [VersionStatus.SUPERSEDED, VersionStatus.ACCEPTED]
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACCEPTED
    # Accepted is frozen: no draft on top, no second answer.
    with pytest.raises(ExpectationsError, match="accepted agreement is not drafted again"):
        services.save_draft(escope=escope(cast, cast.chair), actor=cast.chair, agreement=agreement,
                            why_it_matters="", how_it_fits="", opening="", goal_ids=[], items=[])  # fmt: skip


def test_an_acceptance_and_a_proposal_of_changes_at_once_end_in_one_outcome(cast: Cast) -> None:
    agreement = proposed_agreement(cast)
    nora = escope(cast, cast.nurse_manager)
    services.accept(escope=nora, actor=cast.nurse_manager, agreement=agreement, number=1)
    with pytest.raises(ExpectationsError, match="already been accepted"):
        services.propose_changes(escope=nora, actor=cast.nurse_manager, agreement=agreement,
                                 number=1, items=good_items(), comment="Too late")  # fmt: skip
    assert Version.objects.filter(agreement=agreement).count() == 1
    # The leader cannot accept his own proposal, nor answer an old version.
    other = proposed_agreement(cast, "Weekend cover")
    with pytest.raises(ExpectationsError, match="Nothing waits for your answer"):
        services.accept(
            escope=escope(cast, cast.chair), actor=cast.chair, agreement=other, number=1
        )
    with pytest.raises(ExpectationsError, match="read it before answering"):
        services.accept(escope=nora, actor=cast.nurse_manager, agreement=other, number=7)


def test_one_current_agreement_per_pair_and_topic(cast: Cast) -> None:
    proposed_agreement(cast)
    with pytest.raises(ExpectationsError, match="already have a current agreement with Nora"):
        services.start_agreement(escope=escope(cast, cast.chair), actor=cast.chair,
                                 colleague_hr_id="nora", relationship="direct_report",
                                 topic="Running the night shift")  # fmt: skip


def test_concerns_are_raised_answered_and_aged_in_working_days(cast: Cast) -> None:
    import datetime as dt
    from zoneinfo import ZoneInfo

    agreement = proposed_agreement(cast)
    slug = cast.riverside.slug
    nora = cast.client_for(cast.nurse_manager)
    nora.post(reverse("agreement-concern-add", args=[slug, agreement.pk]),
              {"text": "The huddle clashes with the drug round."})  # fmt: skip
    concern = agreement.concerns.get()
    chicago = ZoneInfo("America/Chicago")
    friday = dt.datetime(2026, 12, 4, 16, tzinfo=chicago)
    assert (
        working_days_since(friday, "America/Chicago", dt.datetime(2026, 12, 7, 9, tzinfo=chicago))
        == 1
    )
    assert (
        working_days_since(friday, "America/Chicago", dt.datetime(2026, 12, 9, 9, tzinfo=chicago))
        == 3
    )
    type(concern).objects.filter(pk=concern.pk).update(raised_at=friday - dt.timedelta(days=7))
    chad = cast.client_for(cast.chair)
    listing = chad.get(reverse("agreements", args=[slug])).content.decode()
    assert "Overdue" in listing and "raised by Nora Manager" in listing
    chad.post(reverse("agreement-concern-address", args=[slug, concern.pk]),
              {"note": "Moved the huddle to 7:15."})  # fmt: skip
    concern.refresh_from_db()
    assert (
        concern.addressed_note == "Moved the huddle to 7:15."
        and concern.addressed_by == cast.person("chad")
    )
    assert "Overdue" not in chad.get(reverse("agreements", args=[slug])).content.decode()


def test_the_home_page_says_whose_move_it_is(cast: Cast) -> None:
    agreement = proposed_agreement(cast)
    home = reverse("org-home", args=[cast.riverside.slug])
    nora = cast.client_for(cast.nurse_manager).get(home).content.decode()
    assert "Chad Chair waits for your answer: Running the night shift" in nora
    chad = cast.client_for(cast.chair).get(home).content.decode()
    assert "waits for your answer" not in chad
    services.add_concern(escope=escope(cast, cast.nurse_manager), actor=None,
                         agreement=agreement, text="When?")  # fmt: skip
    chad = cast.client_for(cast.chair).get(home).content.decode()
    assert "Nora Manager raised a concern: Running the night shift" in chad
    sam = cast.client_for(cast.staff_nurse).get(home).content.decode()
    assert "Running the night shift" not in sam


def test_follow_ups_come_on_a_cadence_and_a_missed_one_shows(cast: Cast) -> None:
    import datetime as dt

    from django.utils import timezone

    from accord.expectations.models import FollowUp, FollowUpAnswer

    agreement = proposed_agreement(cast)
    services.accept(escope=escope(cast, cast.nurse_manager), actor=cast.nurse_manager,
                    agreement=agreement, number=1)  # fmt: skip
    follow_ups = list(FollowUp.objects.filter(agreement=agreement))
    hours = [round((f.due_at - follow_ups[0].due_at).total_seconds() / 3600) for f in follow_ups]
    assert hours == [0, 44, 164, 332, 668]  # 4 hours, 2 days, 1, 2 and 4 weeks after acceptance
    slug = cast.riverside.slug
    nora = cast.client_for(cast.nurse_manager)
    page = reverse("agreement", args=[slug, agreement.pk])
    assert "Send my follow-up" not in nora.get(page).content.decode()  # not due yet
    first, second = follow_ups[0], follow_ups[1]
    for follow_up, ago in ((first, dt.timedelta(days=3)), (second, dt.timedelta(hours=1))):
        FollowUp.objects.filter(pk=follow_up.pk).update(
            due_at=timezone.now() - ago, answer_by=timezone.now() - ago + dt.timedelta(days=2)
        )
    shown = nora.get(page).content.decode()
    assert "Missed" in shown and shown.count("Send my follow-up") == 1
    answer = reverse("agreement-follow-up", args=[slug, first.pk])
    half = nora.post(answer, {"items.0.on_track": "yes"})
    assert half.status_code == 400 and "still fair?" in half.content.decode()
    form = {"items.0.on_track": "yes", "items.0.still_fair": "yes",
            "items.1.on_track": "no", "items.1.still_fair": "no",
            "items.1.note": "The rota needs the bank staff list first."}  # fmt: skip
    assert nora.post(answer, form).status_code == 302
    assert FollowUpAnswer.objects.filter(follow_up=first, side="colleague").count() == 2
    again = nora.post(answer, form, follow=True).content.decode()
    assert "answered this follow-up already" in again
    chad = cast.client_for(cast.chair)
    assert chad.post(answer, form).status_code == 302
    first.refresh_from_db()
    assert first.done
    assert cast.client_for(cast.staff_nurse).post(answer, form).status_code == 404


def test_leaders_of_leaders_see_numbers_never_content(cast: Cast) -> None:
    import datetime as dt

    from django.utils import timezone

    from accord.expectations.models import Concern, FollowUp

    agreement = proposed_agreement(cast)
    services.accept(escope=escope(cast, cast.nurse_manager), actor=None, agreement=agreement,
                    number=1)  # fmt: skip
    first, second = FollowUp.objects.filter(agreement=agreement)[:2]
    FollowUp.objects.filter(pk__in=[first.pk, second.pk]).update(
        due_at=timezone.now() - dt.timedelta(days=5),
        answer_by=timezone.now() - dt.timedelta(days=3),
    )
    FollowUp.objects.filter(pk=first.pk).update(
        leader_answered_at=timezone.now() - dt.timedelta(days=5),
        colleague_answered_at=timezone.now() - dt.timedelta(days=4),
    )
    concern = services.add_concern(escope=escope(cast, cast.nurse_manager), actor=None,
                                   agreement=agreement, text="The drug round clashes")  # fmt: skip
    Concern.objects.filter(pk=concern.pk).update(raised_at=timezone.now() - dt.timedelta(days=8))
    slug = cast.riverside.slug
    overview = reverse("agreements-overview", args=[slug])
    admin = cast.client_for(cast.admin).get(overview).content.decode()
    assert "For the 16 people" in admin and "2 (13%)" in admin  # chad and nora, of riverside
    assert "1 of 2 (50%)" in admin and "working days at the median" in admin
    for viewer in ("admin", "executive", "chair"):
        page = cast.client_for(cast.by_role[viewer]).get(overview).content.decode()
        assert "Running the night shift" not in page and "drug round" not in page
        assert "Nora" not in page
    chads = cast.client_for(cast.chair).get(overview).content.decode()
    assert "For the 8 people you can see" in chads  # Emergency's, and oscar_r who reports to him
    assert "2 (25%)" in chads
    assert cast.client_for(cast.staff_nurse).get(overview).status_code == 403


def test_words_that_help_come_in_the_readers_language(cast: Cast) -> None:
    from accord.org.models import Person

    agreement = proposed_agreement(cast)
    Person.objects.filter(pk=cast.person("nora").pk).update(attributes={"language": "es"})
    page = reverse("agreement", args=[cast.riverside.slug, agreement.pk])
    nora = cast.client_for(cast.nurse_manager).get(page).content.decode()
    assert '<details class="card card--quiet" lang="es">' in nora and "Palabras que ayudan" in nora
    chad = cast.client_for(cast.chair).get(page).content.decode()
    assert "Words that help" in chad and "When you remember it differently" in chad
