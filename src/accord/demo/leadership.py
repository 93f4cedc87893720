"""The demo's leadership 360s: a cohort of the clinical department chairs, with a 360 in every
state. The demo chair's report — coached by the external coach, who released it — shows a
blind spot (he gives everyone a say, he believes; his raters see it less often), and his
development plan has two check-ins; a second chair's report waits with the coach; a
third chair's raters are answering — the demo nurse manager among them, when she is one of his
— and the rest are choosing raters or waiting for approval. Made through the services, the
raters' answers written as ``submit_response`` writes them, in bulk."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from accord.access.models import Membership, Role
from accord.access.scopes import Scope
from accord.leadership import services
from accord.leadership.closing import finish_reviews
from accord.leadership.models import Nomination, Review, ReviewStatus
from accord.leadership.rules import ActionDraft, FocusDraft, Rater
from accord.leadership.selectors import suggestions
from accord.leadership.visibility import LeadershipScope
from accord.org.models import Organisation, Person
from accord.surveys.answers import ParsedAnswers
from accord.surveys.instruments import leadership_framework
from accord.surveys.models import Cycle, Invitation
from accord.surveys.services import close_cycle, submit_in_bulk

VIA = "demo"
# The behaviour the demo chair rates himself highly on and his raters see less often.
BLIND_SPOT = "team_every_voice"
HIDDEN_STRENGTH = "coach_time_for_growth"
STRENGTHS = (
    "Calm in the worst nights. He explains the why before the what.",
    "Always backs the team in front of administration. Keeps his word.",
    "Very clear about priorities. Makes time for the residents.",
    "He notices when someone is struggling and does something about it.",
)
DEVELOP = (
    "Ask the nurses before deciding on staffing changes. The meeting ends before we speak.",
    "Let others finish in meetings; the same voices decide every time.",
    "Share the budget picture earlier so the team can help.",
)


def _scope(membership: Membership) -> LeadershipScope:
    return LeadershipScope(Scope(membership))


def _raters(review: Review) -> list[Rater]:
    found = suggestions(review)
    raters = []
    for group, people in found.items():
        for person in people[:4]:
            raters.append(Rater(person, group))
    return raters


def _answers(rng: random.Random, behaviours: list[str], *, group: str) -> ParsedAnswers:
    scores = {}
    for behaviour in behaviours:
        if behaviour == BLIND_SPOT:
            score = rng.choice((2, 2, 3)) if group != "manager" else 3
        elif behaviour == HIDDEN_STRENGTH:
            score = rng.choice((4, 5, 5))
        else:
            score = rng.choice((3, 4, 4, 5))
        if rng.random() < 0.06:
            score = 0  # not observed
        scores[behaviour] = score
    comments = {"strengths": rng.choice(STRENGTHS)}
    if rng.random() < 0.7:
        comments["develop"] = rng.choice(DEVELOP)
    return ParsedAnswers(scores=scores, comments=comments)


def seed_demo_leadership(*, organisation: Organisation) -> None:
    logins = Membership.objects.filter(organisation=organisation).select_related("person", "user")
    admin = logins.filter(role=Role.ADMIN).order_by("pk").first()
    chair_login = logins.filter(role=Role.LEADER, person__isnull=False).order_by("pk").first()
    coach_login = logins.filter(role=Role.COACH).order_by("pk").first()
    nurse_manager = (
        logins.filter(role=Role.LEADER, person__isnull=False).order_by("pk")[1:2].first()
    )
    staff_nurse = logins.filter(role=Role.MEMBER, person__isnull=False).order_by("pk").first()
    if admin is None or chair_login is None or chair_login.person is None:
        return
    chairs = list(
        Person.objects.filter(
            organisation=organisation, is_active=True, is_leader=True,
            attributes__job_title__startswith="Chair of",
        ).order_by("name")
    )  # fmt: skip
    chair = chair_login.person
    if chair not in chairs or len(chairs) < 5:
        return
    others = [p for p in chairs if p != chair]
    order = [chair, *others]
    now = timezone.now()
    as_admin = _scope(admin)
    cohort = services.start_cohort(
        lscope=as_admin, actor=admin.user, name="Department chairs 2027", subjects=order,
        answer_by=now + dt.timedelta(days=12), via=VIA, now=now - dt.timedelta(days=30),
    )  # fmt: skip
    reviews = {r.subject_id: r for r in cohort.reviews.select_related("subject__unit")}
    rng = random.Random(2027)
    framework = leadership_framework()
    behaviours = [i.id for i in framework.items if i.scale == "frequency5"]

    def run(
        review: Review, *, started_days_ago: int, everyone: bool, close: bool,
        also: tuple[Rater, ...] = (),
    ) -> Review:  # fmt: skip
        """Raters chosen from the org chart's suggestions (and ``also``, last), approved by the
        admin (a chair's manager has no login in the demo) some days ago; all or the first half
        of them answer."""
        opened = now - dt.timedelta(days=started_days_ago)
        chosen = [r for r in _raters(review) if r.person not in {a.person for a in also}]
        _nominate(review, [*chosen, *also], sent=True, now=opened)
        review = services.approve_raters(lscope=as_admin, actor=admin.user, review_id=review.pk,
                                         via=VIA, now=opened)  # fmt: skip
        cycle = review.cycle
        assert cycle is not None
        invitations = list(Invitation.objects.filter(cycle=cycle).order_by("pk"))
        waiting = {a.person.pk for a in also}  # the demo's logins answer for themselves
        others_first = [inv for inv in invitations if inv.person_id not in waiting]
        answering = invitations if everyone else others_first[: max(3, len(invitations) // 2)]
        submit_in_bulk(cycle=cycle, submissions=[
            (opened + dt.timedelta(days=2), inv, _answers(rng, behaviours, group=inv.rater_group))
            for inv in answering
        ])  # fmt: skip
        if close:
            _close(cycle, opened + dt.timedelta(days=14))
        return Review.objects.select_related("cycle", "organisation", "cohort").get(pk=review.pk)

    # The demo chair: his own ratings (everyone has a say, always), a released report.
    mine = reviews[chair.pk]
    done = run(mine, started_days_ago=40, everyone=True, close=False)
    services.save_self_assessment(
        lscope=_scope(chair_login), actor=chair_login.user, review_id=done.pk,
        answers=ParsedAnswers(
            scores={b: (5 if b == BLIND_SPOT else 2 if b == HIDDEN_STRENGTH else 4)
                    for b in behaviours},
            comments={"strengths": "I make sure everyone is heard.",
                      "develop": "Delegating the rota."},
        ),
        now=now - dt.timedelta(days=38),
    )  # fmt: skip
    if coach_login is not None:  # coached by the external coach, who has released it
        services.assign_coach(lscope=as_admin, actor=admin.user, review_id=done.pk,
                              coach=coach_login.user, via=VIA)  # fmt: skip
    assert done.cycle is not None
    _close(done.cycle, now - dt.timedelta(days=26))
    finish_reviews([Review.objects.select_related("cycle", "organisation",
                                                  "self_assessment").get(pk=done.pk)])  # fmt: skip
    if coach_login is not None:
        services.release_to_leader(lscope=_scope(coach_login), actor=coach_login.user,
                                   review_id=done.pk, via=VIA,
                                   now=now - dt.timedelta(days=24))  # fmt: skip
        _plan(chair_login, coach_login, done)

    # A second chair's report waits for his coach; a third's raters are answering.
    if coach_login is not None:
        services.assign_coach(lscope=as_admin, actor=admin.user, review_id=reviews[others[0].pk].pk,
                              coach=coach_login.user, via=VIA)  # fmt: skip
    finish_reviews([run(reviews[others[0].pk], started_days_ago=30, everyone=True, close=True)])
    # The demo's nurse manager and staff nurse work with him: their requests are waiting.
    colleagues = tuple(
        Rater(m.person, group)
        for m, group in ((nurse_manager, "other"), (staff_nurse, "partner"))
        if m is not None and m.person is not None
    )
    run(reviews[others[1].pk], started_days_ago=5, everyone=False, close=False, also=colleagues)
    # Two have sent their raters for approval; the rest are still choosing.
    for subject in others[2:4]:
        _nominate(reviews[subject.pk], _raters(reviews[subject.pk]), sent=True, now=now)


def _plan(chair: Membership, coach: Membership, review: Review) -> None:
    """The demo chair's plan from his report: the blind spot first, with actions, the chief
    nursing officer as mentor, a re-assessment in six months, and two check-ins."""
    today = timezone.localdate()
    mentor = Person.objects.filter(
        organisation_id=review.organisation_id, attributes__job_title="Chief Nursing Officer"
    ).first()  # fmt: skip
    services.save_plan(
        lscope=_scope(chair), actor=chair.user, review_id=review.pk, via=VIA, mentor=mentor,
        starts_on=today - dt.timedelta(days=21), review_on=today + dt.timedelta(days=160),
        reassess_after_months=6,
        focus=[
            FocusDraft(BLIND_SPOT, "My raters see it far less often than I thought; the nurses "
                       "say the loudest voices decide at huddles.", (
                ActionDraft("practice", "Ask the charge nurse first at every morning huddle",
                            today + dt.timedelta(days=30)),
                ActionDraft("people", "Shadow a night shift with the ED nurse educator",
                            today + dt.timedelta(days=45)),
                ActionDraft("course", "Facilitation skills workshop",
                            today + dt.timedelta(days=90)),
            )),
            FocusDraft("coach_timely_feedback", "", (
                ActionDraft("practice", "Ten minutes of feedback with each resident after "
                            "their block"),
            )),
        ],
    )  # fmt: skip
    services.add_check_in(
        lscope=_scope(coach), actor=coach.user, review_id=review.pk, via=VIA,
        held_on=today - dt.timedelta(days=20),
        note="First conversation: we went through the report together and chose the huddles "
        "as the place to start.", progress={BLIND_SPOT: "not_started"},
    )  # fmt: skip
    services.add_check_in(
        lscope=_scope(chair), actor=chair.user, review_id=review.pk, via=VIA,
        held_on=today - dt.timedelta(days=6),
        note="Three weeks of asking the charge nurse first. Huddles run longer, and two "
        "changes to the board came from the night staff.",
        progress={BLIND_SPOT: "some", "coach_timely_feedback": "not_started"},
    )  # fmt: skip


def _nominate(review: Review, raters: list[Rater], *, sent: bool, now: dt.datetime) -> None:
    """What ``set_raters`` and ``submit_raters`` write, for chairs with no login in the demo."""
    Nomination.objects.bulk_create(
        Nomination(review=review, person=r.person, group=r.group) for r in raters
    )
    if sent:
        Review.objects.filter(pk=review.pk).update(
            status=ReviewStatus.AWAITING_APPROVAL, submitted_at=now
        )


def _close(cycle: Cycle, when: dt.datetime) -> None:
    """Close a round on a day in the past, as the clock would have."""
    Cycle.objects.filter(pk=cycle.pk).update(closes_at=when)
    close_cycle(cycle=Cycle.objects.get(pk=cycle.pk), now=when)
