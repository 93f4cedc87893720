"""The demo's survey history: a closed pulse whose answers tell a believable story, and an
open one the staff nurse can answer, all written through the survey services."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.utils import timezone

from accord.demo.services import seed_demo
from accord.demo.surveys import seed_demo_surveys
from accord.insights.gaps import perception_gap
from accord.insights.selectors import whole_release
from accord.org.models import Organisation
from accord.surveys.answers import ParsedAnswers, unpack
from accord.surveys.models import (
    Comment,
    Cycle,
    Invitation,
    InvitationToken,
    PendingSubmission,
    Receipt,
    Response,
)
from accord.surveys.selectors import instrument_for
from accord.surveys.services import (
    CycleError,
    Outcome,
    close_cycle,
    issue_token,
    new_form_nonce,
    submit_in_bulk,
    submit_response,
)

pytestmark = pytest.mark.django_db

VOICE_ITEMS = ("say_in_operational_decisions", "ideas_taken_seriously")


def favourable_share(cycle: Cycle, role_group: str, item_ids: tuple[str, ...]) -> float:
    instrument = instrument_for(cycle)
    items = {item.id: item for item in instrument.items}
    answers = [
        (item_id, code)
        for packed in Response.objects.filter(cycle=cycle, role_group=role_group).values_list(
            "answers", flat=True
        )
        for item_id, code in unpack(instrument, bytes(packed)).items()
        if item_id in item_ids
    ]
    assert len(answers) > 20, f"too few {role_group} answers to compare"
    return sum(items[item_id].is_favourable(code) for item_id, code in answers) / len(answers)


def test_the_demo_has_published_pulses_with_a_believable_story_and_an_open_one() -> None:
    logins = seed_demo(people=300, seed=4)

    published = Cycle.objects.filter(
        status=Cycle.Status.PUBLISHED, instrument_id="accord-core"
    ).order_by("closes_at")
    assert len(published) == 3  # the chair's plan's own two questions aside
    assert all(cycle.releases.count() == 1 for cycle in published)
    assert published[0].closes_at < published[1].opens_at < published[2].opens_at
    assert [unit.name for unit in published[0].audience_units.all()] == ["Emergency"]
    closed = published[2]
    responses = Response.objects.filter(cycle=closed).count()
    assert 0.6 <= responses / closed.invited_count <= 0.9
    assert closed.closes_at < timezone.now() and closed.instrument_id == "accord-core"
    assert favourable_share(closed, "clinician", VOICE_ITEMS) < favourable_share(
        closed, "administrator", VOICE_ITEMS
    )
    assert Comment.objects.filter(cycle=closed).count() > 10
    pulses = {"cycle__purpose": Cycle.Purpose.PULSE}
    assert not PendingSubmission.objects.filter(**pulses).exists()
    assert not Receipt.objects.filter(**pulses).exists()

    open_cycle = Cycle.objects.pulses().get(status=Cycle.Status.OPEN)
    now = timezone.now()
    assert open_cycle.opens_at <= now < open_cycle.closes_at
    assert open_cycle.closes_at - open_cycle.opens_at == dt.timedelta(days=14)
    staff_nurse = next(login for login in logins if login.role_label == "Staff nurse")
    assert Invitation.objects.filter(cycle=open_cycle, person__email=staff_nurse.email).exists()
    assert not Response.objects.filter(cycle=open_cycle).exists()


def test_emergency_surveyed_on_its_own_reports_its_teams_and_the_perception_gap() -> None:
    seed_demo(people=2000, seed=7)
    department = Cycle.objects.get(name__startswith="Emergency")
    report = whole_release(department).report
    names = report.tree.names
    shown = {names[group.unit] for group in report.released_groups() if group.dimension is None}
    assert {"Emergency", "ED Nursing", "ED Physicians"} <= shown
    audience = department.audience_units.get()
    emergency = next(u.index for u in report.units if u.id == str(audience.pk))
    gap = perception_gap(report, emergency)
    assert gap is not None and gap.a_respondents >= department.min_group_size


def test_the_demo_shows_the_systems_nurses_and_every_unit_of_fifty_respondents() -> None:
    # Both system-wide pulses, as they were released at publishing: generalised at opening,
    # then the class rule, the exact rule and its trades.
    seed_demo(people=2000, seed=7)
    pulses = Cycle.objects.filter(
        status=Cycle.Status.PUBLISHED, instrument_id="accord-core"
    ).exclude(name__startswith="Emergency")
    assert pulses.count() == 2
    for cycle in pulses:
        report = whole_release(cycle).report
        (system,) = [u for u in range(len(report.tree)) if report.tree.parent[u] < 0]
        assert report.group(system, "profession", "Nurse").released, cycle.name
        index = {int(pk): i for i, pk in enumerate(report.tree.ids)}
        respondents = [0] * len(report.tree)
        for unit_id, count in Counter(
            Response.objects.filter(cycle=cycle).values_list("reporting_unit_id", flat=True)
        ).items():
            unit = index[unit_id]
            while unit >= 0:
                respondents[unit] += count
                unit = int(report.tree.parent[unit])
        hidden = [
            (report.tree.names[g.unit], respondents[g.unit])
            for g in report.groups
            if g.dimension is None and not g.released
        ]
        assert all(count < 50 for _, count in hidden), (cycle.name, hidden)


def test_every_demo_answer_becomes_exactly_one_response() -> None:
    seed_demo(people=300, seed=9)
    organisation = Organisation.objects.get()

    demo = seed_demo_surveys(organisation=organisation, seed=9)

    responses = Response.objects.filter(cycle=demo.closed).count()
    assert demo.invited == demo.closed.invited_count == 300
    assert 0 < demo.non_respondents < demo.invited
    assert responses == demo.invited - demo.non_respondents
    assert not InvitationToken.objects.filter(invitation__cycle=demo.closed).exists()


def test_the_same_seed_gives_the_same_answers() -> None:
    def stored_answers(slug: str) -> list[tuple[str, str, bytes]]:
        seed_demo(slug=slug, people=150, seed=3)
        closed = Cycle.objects.filter(
            organisation__slug=slug, status=Cycle.Status.PUBLISHED
        ).latest("closes_at")
        return sorted(
            (unit, role_group, bytes(packed))
            for unit, role_group, packed in Response.objects.filter(cycle=closed).values_list(
                "reporting_unit__full_name", "role_group", "answers"
            )
        )

    first = stored_answers("riverside")
    assert first and first == stored_answers("riverside-again")


def test_burnout_is_higher_in_emergency_and_intensive_care() -> None:
    seed_demo(people=600, seed=2)
    closed = Cycle.objects.filter(status=Cycle.Status.PUBLISHED).latest("closes_at")
    instrument = instrument_for(closed)
    burned: Counter[tuple[bool, bool]] = Counter()
    for packed, unit_name in Response.objects.filter(cycle=closed).values_list(
        "answers", "reporting_unit__full_name"
    ):
        code = unpack(instrument, bytes(packed)).get("burnout")
        if code is not None:
            acute = "Emergency" in unit_name or "ICU" in unit_name
            burned[(acute, code >= 3)] += 1
    acute_share = burned[(True, True)] / (burned[(True, True)] + burned[(True, False)])
    other_share = burned[(False, True)] / (burned[(False, True)] + burned[(False, False)])
    assert acute_share > other_share + 0.1


def test_the_staff_nurse_answers_the_open_pulse_once_with_an_issued_token() -> None:
    logins = seed_demo(people=120, seed=6)
    staff_nurse = next(login for login in logins if login.role_label == "Staff nurse")
    open_cycle = Cycle.objects.pulses().get(status=Cycle.Status.OPEN)
    invitation = Invitation.objects.get(cycle=open_cycle, person__email=staff_nurse.email)

    token = issue_token(invitation=invitation, channel=invitation.channel)
    answers = ParsedAnswers(scores={"burnout": 2, "trust_senior_leaders": 4})
    assert submit_response(token=token, answers=answers, nonce="a") is Outcome.RECORDED
    another = issue_token(invitation=invitation, channel=invitation.channel)
    assert submit_response(token=another, answers=answers, nonce="b") is Outcome.ALREADY_ANSWERED
    assert InvitationToken.objects.filter(invitation=invitation).count() == 2  # digests only
    assert token not in set(InvitationToken.objects.values_list("digest", flat=True))

    closed_invitation = Invitation.objects.filter(cycle__status=Cycle.Status.PUBLISHED).first()
    assert closed_invitation is not None
    with pytest.raises(CycleError, match="not open"):
        issue_token(invitation=closed_invitation, channel=closed_invitation.channel)
    with pytest.raises(ValueError, match="Unknown invitation channel"):
        issue_token(invitation=invitation, channel="pigeon")


def test_demo_answers_are_stored_as_submit_response_stores_them() -> None:
    """The demo's batched writer must not drift from the real submission path."""
    seed_demo(people=300, seed=8)
    open_cycle = Cycle.objects.pulses().get(status=Cycle.Status.OPEN)
    groups: dict[tuple[object, ...], list[Invitation]] = {}
    for invitation in Invitation.objects.filter(cycle=open_cycle).order_by("pk"):
        key = (invitation.reporting_unit_id, invitation.role_group, invitation.profession,
               invitation.tenure_band)  # fmt: skip
        groups.setdefault(key, []).append(invitation)
    real, demo = next(pair for pair in groups.values() if len(pair) >= 2)[:2]
    answers = ParsedAnswers(
        scores={"burnout": 3, "staffing_enough": 1}, comments={"leaders_keep_doing": "Huddles."}
    )
    when = open_cycle.opens_at + dt.timedelta(minutes=5)

    token = issue_token(invitation=real, channel=real.channel)
    assert submit_response(token=token, answers=answers, nonce=new_form_nonce(), now=when) is (
        Outcome.RECORDED
    )
    submit_in_bulk(cycle=open_cycle, submissions=[(when, demo, answers)])
    assert Receipt.objects.filter(cycle=open_cycle).count() == 2
    close_cycle(cycle=open_cycle, now=when + dt.timedelta(minutes=1))

    def stored(model: type[Response] | type[Comment]) -> list[tuple[object, ...]]:
        fields = [f.attname for f in model._meta.concrete_fields if f.name != "id"]
        return sorted(
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
            for row in model.objects.filter(cycle=open_cycle).values_list(*fields)
        )

    responses = stored(Response)
    comments = stored(Comment)
    assert len(responses) == len(comments) == 2
    assert responses[0] == responses[1] and comments[0] == comments[1]


def test_a_department_too_small_for_a_gap_says_why_not_that_no_one_was_surveyed() -> None:
    from accord.insights.presenting import gap_for

    seed_demo(people=300, seed=7)
    department = Cycle.objects.get(name__startswith="Emergency")
    view = whole_release(department)
    audience = department.audience_units.get()
    emergency = next(u.index for u in view.report.units if u.id == str(audience.pk))
    gap, why = gap_for(view, emergency)
    assert gap is None
    assert why == (
        "This cycle reports no administrators as a group: none were invited, or so few that "
        "telling them apart would point at someone."
    )
