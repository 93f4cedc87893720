"""Every change to agreements: one function per user action, called alike by the pages, the
API and the command line. Each checks its fields with ``rules``, takes the viewer's
``ExpectationScope`` to decide what they may do, locks the agreement's row so that two
people acting at once get one outcome, and writes its audit entry — the step, never the
words — in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from accord.access.audit import actor_label
from accord.access.models import User
from accord.access.scopes import Scope
from accord.expectations import rules, tasks
from accord.expectations.agenda import meeting_agenda
from accord.expectations.errors import AgreementProblems, ExpectationsError
from accord.expectations.models import (
    FOLLOW_UP_GRACE_HOURS,
    Agreement,
    AgreementAuditEntry,
    AgreementStatus,
    Concern,
    ExpectationSettings,
    FollowUp,
    FollowUpAnswer,
    Item,
    ItemOwner,
    Meeting,
    MeetingNote,
    MeetingStatus,
    Preparation,
    Relationship,
    Side,
    Version,
    VersionStatus,
)
from accord.expectations.rules import FollowUpAnswerDraft, ItemDraft
from accord.expectations.selectors import goals_both_see
from accord.expectations.visibility import ExpectationScope
from accord.goals.errors import GoalsError
from accord.goals.models import Direction, Goal, Visibility
from accord.goals.services import create_goal
from accord.notify.calendar import meeting_time_problem, new_uid, whole_minutes


def audit(*, escope: ExpectationScope | Scope, actor: User | None, via: str, action: str,
          agreement: Agreement | None, summary: str) -> None:  # fmt: skip
    AgreementAuditEntry.objects.create(
        organisation=escope.organisation, actor=actor, actor_label=actor_label(actor, via),
        action=action, agreement=agreement, summary=summary[:300],
    )  # fmt: skip


def _locked(agreement: Agreement) -> Agreement:
    return Agreement.objects.select_for_update().get(pk=agreement.pk)


def _latest(agreement: Agreement) -> Version:
    version = agreement.versions.order_by("-number").first()
    assert version is not None  # every agreement starts with its first draft
    return version


def start_agreement(
    *,
    escope: ExpectationScope,
    actor: User | None,
    colleague_hr_id: str,
    relationship: str,
    topic: str,
    via: str = "",
) -> Agreement:
    """The viewer (the leader) starts an agreement with a colleague, with an empty draft."""
    me = escope.me()
    topic = topic.strip()
    problems = rules.text_problems("topic", topic, limit=rules.TOPIC_LIMIT,
                                   what="the agreement a topic, such as “Running the ED night shift”")  # fmt: skip
    if relationship not in Relationship.values:
        problems.append(("relationship", "Choose how you work with this colleague."))
    colleague = (
        escope.colleagues().filter(external_id__iexact=colleague_hr_id.strip()).first()
        if colleague_hr_id.strip()
        else None
    )
    if colleague is None:
        problems.append(
            ("colleague", f"No colleague with HR id {colleague_hr_id.strip()!r} who can sign in "
                          "to Accord here: they need a login to take part.")
            if colleague_hr_id.strip() and colleague_hr_id.strip().lower() != me.external_id.lower()
            else ("colleague", "Give your colleague's HR id (not your own).")
        )  # fmt: skip
    if problems:
        raise AgreementProblems(problems)
    assert colleague is not None
    try:
        with transaction.atomic():
            agreement = Agreement.objects.create(
                organisation=escope.organisation, leader=me, colleague=colleague,
                relationship=relationship, topic=topic,
            )  # fmt: skip
            Version.objects.create(agreement=agreement, number=1, author_side=Side.LEADER)
            audit(escope=escope, actor=actor, via=via, action="agreement.start",
                  agreement=agreement, summary=f"Started an agreement with {colleague.name}")  # fmt: skip
    except IntegrityError:
        raise ExpectationsError(
            f"You already have a current agreement with {colleague.name} on this topic; open it, "
            "or give this one another topic.",
            field="topic",
        ) from None
    return agreement


def save_preparation(
    *,
    escope: ExpectationScope,
    actor: User,
    agreement: Agreement,
    ratings: dict[str, int | None],
    notes: dict[str, str],
) -> Preparation:
    """The leader's private preparation. Not audited: even that a note changed is the
    author's own business."""
    if escope.side(agreement) != Side.LEADER:
        raise ExpectationsError("Only the leader prepares.")
    problems: list[rules.Problem] = []
    for name in rules.PART_NAMES:
        rating = ratings.get(name)
        if rating is not None and not 1 <= rating <= 5:
            problems.append((name, "Choose from 1 to 5."))
        problems += rules.text_problems(f"{name}_note", notes.get(name, ""), limit=rules.TEXT_LIMIT,
                                        what="a note", required=False, multiline=True)  # fmt: skip
    if problems:
        raise AgreementProblems(problems)
    values: dict[str, object] = {"author": actor}
    for name in rules.PART_NAMES:
        values[name] = ratings.get(name)
        values[f"{name}_note"] = notes.get(name, "").strip()
    preparation, _ = Preparation.objects.update_or_create(agreement=agreement, defaults=values)
    return preparation


def _shared_goals(
    escope: ExpectationScope, agreement: Agreement, goal_ids: Sequence[int]
) -> list[Goal]:
    """The goals named, each one both people may see; a refusal names any other."""
    wanted = list(dict.fromkeys(goal_ids))
    if not wanted:
        return []
    found = {goal.pk: goal for goal in goals_both_see(escope, agreement).filter(pk__in=wanted)}
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise ExpectationsError(
            f"Goal {missing[0]} is not one you and {agreement.colleague.name} can both see.",
            field="goals",
        )
    return [found[pk] for pk in wanted]


def save_draft(
    *,
    escope: ExpectationScope,
    actor: User | None,
    agreement: Agreement,
    why_it_matters: str,
    how_it_fits: str,
    opening: str,
    goal_ids: Sequence[int],
    items: list[ItemDraft],
    via: str = "",
) -> Version:
    """The leader's draft: the context, the goals it serves and the expectations. After the
    colleague proposed changes, saving starts the leader's next draft from them."""
    if escope.side(agreement) != Side.LEADER:
        raise ExpectationsError("Only the leader drafts; propose changes instead.")
    problems = []
    for field, value, what in (
        ("why_it_matters", why_it_matters, "why this matters"),
        ("how_it_fits", how_it_fits, "how it fits the plan"),
        ("opening", opening, "an opening"),
    ):
        problems += rules.text_problems(
            field, value, limit=rules.TEXT_LIMIT, what=what, required=False, multiline=True
        )
    problems += rules.item_problems(items, today=timezone.localdate())
    if problems:
        raise AgreementProblems(problems)
    goals = _shared_goals(escope, agreement, goal_ids)
    with transaction.atomic():
        locked = _locked(agreement)
        latest = _latest(locked)
        refusal = rules.why_not_drafted(locked)
        if refusal:
            raise ExpectationsError(refusal)
        if latest.status != VersionStatus.DRAFT:  # the colleague's proposal: a new round
            latest.status = VersionStatus.SUPERSEDED
            latest.save(update_fields=["status"])
            latest = Version.objects.create(
                agreement=locked, number=latest.number + 1, author_side=Side.LEADER
            )
            locked.status = AgreementStatus.PREPARING
            locked.save(update_fields=["status", "updated_at"])
        latest.why_it_matters, latest.how_it_fits = why_it_matters.strip(), how_it_fits.strip()
        latest.opening = opening.strip()
        latest.save()
        latest.goals.set(goals)
        _replace_items(latest, items)
        audit(escope=escope, actor=actor, via=via, action="version.draft", agreement=locked,
              summary=f"Saved the draft of version {latest.number}")  # fmt: skip
    return latest


def _replace_items(version: Version, items: list[ItemDraft]) -> None:
    """The version's expectations, checked already (``rules.item_problems``)."""
    version.items.all().delete()
    rows = []
    for n, item in enumerate(items):
        assert item.due_on is not None
        rows.append(Item(version=version, position=n, what=item.what.strip(),
                         measure=item.measure.strip(), owner=item.owner, due_on=item.due_on,
                         support=item.support.strip()))  # fmt: skip
    Item.objects.bulk_create(rows)


def propose(
    *, escope: ExpectationScope, actor: User | None, agreement: Agreement, via: str = ""
) -> Version:
    """The leader sends the draft to the colleague; it can no longer change."""
    if escope.side(agreement) != Side.LEADER:
        raise ExpectationsError("Only the leader proposes the draft; propose changes instead.")
    with transaction.atomic():
        locked = _locked(agreement)
        latest = _latest(locked)
        if latest.status != VersionStatus.DRAFT:
            raise ExpectationsError("There is no draft to propose.")
        items = [
            ItemDraft(i.what, i.measure, i.owner, i.due_on, i.support) for i in latest.items.all()
        ]
        problems = rules.item_problems(items, today=timezone.localdate())
        if not items:
            problems.append(("items", "Write at least one expectation before proposing."))
        if not latest.why_it_matters:
            problems.append(("why_it_matters", "Say why this matters before proposing."))
        if problems:
            raise AgreementProblems(problems)
        latest.status, latest.proposed_at = VersionStatus.PROPOSED, timezone.now()
        latest.save(update_fields=["status", "proposed_at"])
        locked.status = AgreementStatus.PROPOSED
        locked.save(update_fields=["status", "updated_at"])
        audit(escope=escope, actor=actor, via=via, action="version.propose", agreement=locked,
              summary=f"Proposed version {latest.number}")  # fmt: skip
    return latest


def _proposed_to_me(escope: ExpectationScope, locked: Agreement, number: int) -> Version:
    latest = _latest(locked)
    if locked.status == AgreementStatus.ACCEPTED:
        raise ExpectationsError(f"Version {latest.number} has already been accepted.")
    if latest.status != VersionStatus.PROPOSED or latest.author_side == escope.side(locked):
        raise ExpectationsError("Nothing waits for your answer.")
    if latest.number != number:
        raise ExpectationsError(
            f"Version {latest.number} has been proposed since; read it before answering."
        )
    return latest


def accept(*, escope: ExpectationScope, actor: User | None, agreement: Agreement, number: int,
           via: str = "") -> Version:  # fmt: skip
    """The other side accepts the proposed version ``number``: it is frozen for good."""
    with transaction.atomic():
        locked = _locked(agreement)
        latest = _proposed_to_me(escope, locked, number)
        now = timezone.now()
        latest.status, latest.accepted_at = VersionStatus.ACCEPTED, now
        latest.save(update_fields=["status", "accepted_at"])
        locked.status = AgreementStatus.ACCEPTED
        locked.save(update_fields=["status", "updated_at"])
        # The version in force changes: the earlier one's follow-ups still to come lapse.
        locked.follow_ups.filter(due_at__gt=now).exclude(version=latest).delete()
        _plan_follow_ups(locked, latest, now, locked.cadence_hours)
        audit(escope=escope, actor=actor, via=via, action="version.accept", agreement=locked,
              summary=f"Accepted version {latest.number}")  # fmt: skip
    return latest


def propose_changes(
    *,
    escope: ExpectationScope,
    actor: User | None,
    agreement: Agreement,
    number: int,
    items: list[ItemDraft],
    comment: str,
    via: str = "",
) -> Version:
    """The colleague answers the leader's version ``number`` with changed expectations and a
    comment: a new version, which waits for the leader."""
    if escope.side(agreement) != Side.COLLEAGUE:
        raise ExpectationsError("Only the colleague proposes changes; edit the draft instead.")
    problems = rules.text_problems("comment", comment, limit=rules.TEXT_LIMIT,
                                   what="a word on what you changed and why", multiline=True)  # fmt: skip
    problems += rules.item_problems(items, today=timezone.localdate())
    if not items:
        problems.append(("items", "Keep at least one expectation."))
    if problems:
        raise AgreementProblems(problems)
    with transaction.atomic():
        locked = _locked(agreement)
        latest = _proposed_to_me(escope, locked, number)
        latest.status = VersionStatus.SUPERSEDED
        latest.save(update_fields=["status"])
        changed = Version.objects.create(
            agreement=locked, number=latest.number + 1, author_side=Side.COLLEAGUE,
            status=VersionStatus.PROPOSED, why_it_matters=latest.why_it_matters,
            how_it_fits=latest.how_it_fits, opening=latest.opening, comment=comment.strip(),
            proposed_at=timezone.now(),
        )  # fmt: skip
        changed.goals.set(latest.goals.all())
        _replace_items(changed, items)
        locked.status = AgreementStatus.CHANGES_PROPOSED
        locked.save(update_fields=["status", "updated_at"])
        audit(escope=escope, actor=actor, via=via, action="version.changes", agreement=locked,
              summary=f"Proposed changes as version {changed.number}")  # fmt: skip
    return changed


def answer_follow_up(
    *,
    escope: ExpectationScope,
    actor: User | None,
    follow_up: FollowUp,
    answers: list[FollowUpAnswerDraft],
    via: str = "",
) -> FollowUp:
    """One side's check-in: per expectation of the accepted version, still on track and still
    fair, with an optional note. Each side answers a follow-up once."""
    side = escope.side(follow_up.agreement)
    items = {item.pk: item for item in follow_up.version.items.all()}
    given = {answer.item_id: answer for answer in answers}
    problems: list[rules.Problem] = []
    for n, item in enumerate(items.values()):
        answer = given.get(item.pk)
        if answer is None or answer.on_track is None or answer.still_fair is None:
            problems.append(
                (f"items.{n}", f"Say whether “{item.what}” is on track and still fair.")
            )
        elif answer.note:
            problems += rules.text_problems(f"items.{n}.note", answer.note, limit=500,
                                            what="a note", required=False)  # fmt: skip
    if set(given) - set(items):
        problems.append(("items", "Answer only the expectations of the accepted version."))
    if problems:
        raise AgreementProblems(problems)
    if timezone.now() < follow_up.due_at:
        raise ExpectationsError(
            f"This follow-up opens {timezone.localtime(follow_up.due_at):%-d %B %Y at %H:%M}."
        )
    with transaction.atomic():
        locked = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if locked.answered_by(side):
            raise ExpectationsError("You have answered this follow-up already.")
        FollowUpAnswer.objects.bulk_create(
            FollowUpAnswer(follow_up=locked, side=side, item_id=pk, on_track=bool(a.on_track),
                           still_fair=bool(a.still_fair), note=a.note.strip())
            for pk, a in given.items()
        )  # fmt: skip
        field = "leader_answered_at" if side == Side.LEADER else "colleague_answered_at"
        setattr(locked, field, timezone.now())
        locked.save(update_fields=[field])
        audit(escope=escope, actor=actor, via=via, action="follow_up.answer",
              agreement=locked.agreement, summary=f"Answered the follow-up due "
              f"{timezone.localtime(locked.due_at):%Y-%m-%d}")  # fmt: skip
    return locked


def add_concern(*, escope: ExpectationScope, actor: User | None, agreement: Agreement, text: str,
                via: str = "") -> Concern:  # fmt: skip
    problems = rules.text_problems(
        "text", text, limit=rules.TEXT_LIMIT, what="the concern", multiline=True
    )
    if problems:
        raise AgreementProblems(problems)
    with transaction.atomic():
        concern = Concern.objects.create(
            agreement=agreement, raised_by=escope.me(), text=text.strip()
        )
        audit(escope=escope, actor=actor, via=via, action="concern.add", agreement=agreement,
              summary=f"Raised concern {concern.pk}")  # fmt: skip
    return concern


def address_concern(*, escope: ExpectationScope, actor: User | None, concern: Concern, note: str,
                    via: str = "") -> Concern:  # fmt: skip
    problems = rules.text_problems(
        "note", note, limit=rules.TEXT_LIMIT, what="how it was addressed", multiline=True
    )
    if problems:
        raise AgreementProblems(problems)
    with transaction.atomic():
        locked = Concern.objects.select_for_update().get(pk=concern.pk)
        if locked.addressed_at is not None:
            return locked
        locked.addressed_at, locked.addressed_by = timezone.now(), escope.me()
        locked.addressed_note = note.strip()
        locked.save()
        audit(escope=escope, actor=actor, via=via, action="concern.address",
              agreement=locked.agreement, summary=f"Addressed concern {locked.pk}")  # fmt: skip
    return locked


def _plan_follow_ups(agreement: Agreement, version: Version, accepted_at: dt.datetime,
                     cadence_hours: Sequence[int], *, after: dt.datetime | None = None) -> None:  # fmt: skip
    """The follow-ups of an accepted version, ``cadence_hours`` after its acceptance; with
    ``after``, only those that fall later than it."""
    FollowUp.objects.bulk_create(
        FollowUp(
            agreement=agreement,
            version=version,
            due_at=accepted_at + dt.timedelta(hours=hours),
            answer_by=accepted_at + dt.timedelta(hours=hours + FOLLOW_UP_GRACE_HOURS),
        )
        for hours in cadence_hours
        if after is None or accepted_at + dt.timedelta(hours=hours) > after
    )


def set_cadence(*, escope: ExpectationScope, actor: User | None, agreement: Agreement,
                cadence: str, via: str = "") -> list[int]:  # fmt: skip
    """Choose when to follow up after the acceptance (at the meeting, or later). Once the
    agreement is accepted, the follow-ups still to come move to the new cadence; those
    already due or answered stay as they are."""
    if escope.side(agreement) != Side.LEADER:
        raise ExpectationsError("The leader sets the follow-up cadence, as agreed at the meeting.")
    hours, problems = rules.parse_cadence(cadence)
    if problems:
        raise AgreementProblems(problems)
    with transaction.atomic():
        locked = _locked(agreement)
        if locked.status == AgreementStatus.CLOSED:
            raise ExpectationsError("A closed agreement has no follow-ups.")
        locked.cadence_hours = hours
        locked.save(update_fields=["cadence_hours", "updated_at"])
        accepted = locked.versions.filter(status=VersionStatus.ACCEPTED).order_by("-number").first()
        if locked.status == AgreementStatus.ACCEPTED and accepted is not None:
            assert accepted.accepted_at is not None
            now = timezone.now()
            locked.follow_ups.filter(
                version=accepted, due_at__gt=now,
                leader_answered_at__isnull=True, colleague_answered_at__isnull=True,
            ).delete()  # fmt: skip
            _plan_follow_ups(locked, accepted, accepted.accepted_at, hours, after=now)
        audit(escope=escope, actor=actor, via=via, action="agreement.cadence", agreement=locked,
              summary=f"Set the follow-ups to {rules.describe_cadence(hours)} after acceptance")  # fmt: skip
    return hours


def start_review(
    *, escope: ExpectationScope, actor: User | None, agreement: Agreement, via: str = ""
) -> Version:
    """The leader opens the next round of an accepted agreement: a new draft that starts from
    the version in force, which stays in force (and frozen) until the new one is accepted."""
    if escope.side(agreement) != Side.LEADER:
        raise ExpectationsError("The leader opens a review; raise a concern to ask for one.")
    with transaction.atomic():
        locked = _locked(agreement)
        if locked.status != AgreementStatus.ACCEPTED:
            raise ExpectationsError("Only an accepted agreement is reviewed.")
        accepted = _latest(locked)
        draft = Version.objects.create(
            agreement=locked, number=accepted.number + 1, author_side=Side.LEADER,
            why_it_matters=accepted.why_it_matters, how_it_fits=accepted.how_it_fits,
            opening=accepted.opening,
        )  # fmt: skip
        draft.goals.set(accepted.goals.all())
        today = timezone.localdate()
        _replace_items(draft, [
            ItemDraft(i.what, i.measure, i.owner, i.due_on, i.support)
            for i in accepted.items.all() if i.due_on >= today
        ])  # fmt: skip
        locked.status = AgreementStatus.PREPARING
        locked.save(update_fields=["status", "updated_at"])
        audit(escope=escope, actor=actor, via=via, action="agreement.review", agreement=locked,
              summary=f"Opened a review: draft version {draft.number}")  # fmt: skip
    return draft


def make_goal(*, escope: ExpectationScope, actor: User | None, item: Item, metric_name: str,
              baseline: Decimal, target: Decimal, via: str = "") -> Goal:  # fmt: skip
    """An accepted expectation becomes a goal of the person it belongs to, in the goals app,
    in one step: its title, the metric named here with a baseline and target, its due date.
    The expectation keeps the link. Made by the goal's owner (for an expectation owned by
    both, by either, for themselves)."""
    agreement = item.version.agreement
    side = escope.side(agreement)
    if item.version.status != VersionStatus.ACCEPTED:
        raise ExpectationsError("Only an accepted expectation becomes a goal.")
    if item.owner not in (side, ItemOwner.BOTH):
        other = agreement.colleague if side == Side.LEADER else agreement.leader
        raise ExpectationsError(f"This expectation is {other.name}'s: they make it their goal.")
    if baseline == target:
        raise ExpectationsError("Give a target that differs from the baseline.", field="target")
    owner = escope.me()
    with transaction.atomic():
        locked = Item.objects.select_for_update().get(pk=item.pk)
        if locked.goal_id is not None:
            raise ExpectationsError("This expectation is a goal already.")
        try:
            goal = create_goal(
                organisation=escope.organisation, actor=actor, via=via or "agreement",
                owner=owner, title=locked.what[:200], metric_name=metric_name.strip(),
                period=f"FY{locked.due_on.year}", baseline=baseline, target=target,
                direction=Direction.INCREASE if target > baseline else Direction.DECREASE,
                due_date=locked.due_on, visibility=Visibility.TEAM,
            )  # fmt: skip
        except GoalsError as error:
            raise AgreementProblems([(field or "goal", message)
                                     for field, message in error.problems]) from None  # fmt: skip
        locked.goal = goal
        locked.save(update_fields=["goal"])
        audit(escope=escope, actor=actor, via=via, action="item.goal", agreement=agreement,
              summary=f"Made expectation {locked.position + 1} of version "
              f"{item.version.number} a goal")  # fmt: skip
    return goal


# Meetings --------------------------------------------------------------------------------


def _meeting_fields(starts_at: dt.datetime, duration_minutes: int, location: str
                    ) -> tuple[dt.datetime, str]:  # fmt: skip
    problems: list[rules.Problem] = []
    problem = meeting_time_problem(starts_at, duration_minutes)
    if problem:
        problems.append(problem)
    problems += rules.text_problems("location", location, limit=200, what="a place",
                                    required=False)  # fmt: skip
    if problems:
        raise AgreementProblems(problems)
    return whole_minutes(starts_at), location.strip()


def _queue_invitation(meeting: Meeting) -> None:
    pk, sequence = meeting.pk, meeting.sequence
    transaction.on_commit(lambda: tasks.deliver_meeting_invitation(pk, sequence))


def schedule_meeting(
    *,
    escope: ExpectationScope,
    actor: User | None,
    agreement: Agreement,
    starts_at: dt.datetime,
    duration_minutes: int = 45,
    location: str = "",
    via: str = "",
    notify: bool = True,
) -> Meeting:
    """The leader books the meeting: a calendar invitation to both, with an agenda from the
    version in hand (the invitation shares a draft with the colleague) and what is still open
    from last time. ``notify=False`` records it without email (the demo)."""
    if escope.side(agreement) != Side.LEADER:
        raise ExpectationsError("The leader schedules the meeting.")
    starts_at, location = _meeting_fields(starts_at, duration_minutes, location)
    missing = [p.name for p in (agreement.leader, agreement.colleague) if not p.email]
    if missing:
        raise ExpectationsError(
            f"No email address in the org chart for {' and '.join(missing)}, so Accord cannot "
            "send the invitation.", field="starts_at",
        )  # fmt: skip
    with transaction.atomic():
        locked = _locked(agreement)
        if locked.status == AgreementStatus.CLOSED:
            raise ExpectationsError("This agreement is closed.")
        if locked.meetings.filter(status=MeetingStatus.SCHEDULED).exists():
            raise ExpectationsError(
                "A meeting is already scheduled: move it or cancel it instead.", field="starts_at"
            )
        meeting = Meeting.objects.create(
            agreement=locked, starts_at=starts_at, duration_minutes=duration_minutes,
            location=location, uid=new_uid(),
            agenda=meeting_agenda(agreement, _latest(locked), agreement.leader.language),
        )  # fmt: skip
        audit(escope=escope, actor=actor, via=via, action="meeting.schedule", agreement=locked,
              summary=f"Scheduled a meeting for {timezone.localtime(starts_at):%Y-%m-%d %H:%M}")  # fmt: skip
        if notify:
            _queue_invitation(meeting)
    return meeting


def _lock_scheduled(meeting: Meeting, doing: str) -> Meeting:
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if locked.status != MeetingStatus.SCHEDULED:
        raise ExpectationsError(
            f"This meeting was {locked.get_status_display().lower()}, so it cannot be {doing}."
        )
    return locked


def reschedule_meeting(
    *,
    escope: ExpectationScope,
    actor: User | None,
    meeting: Meeting,
    starts_at: dt.datetime,
    duration_minutes: int,
    location: str,
    via: str = "",
) -> Meeting:
    """Move it: both get the update (the same calendar event, a higher sequence)."""
    if escope.side(meeting.agreement) != Side.LEADER:
        raise ExpectationsError("The leader moves the meeting; raise a concern to ask.")
    starts_at, location = _meeting_fields(starts_at, duration_minutes, location)
    with transaction.atomic():
        locked = _lock_scheduled(meeting, "moved")
        if (locked.starts_at, locked.duration_minutes, locked.location) == (
            starts_at, duration_minutes, location,
        ):  # fmt: skip
            raise ExpectationsError(
                "That is when and where it already is: change the time, length or place.",
                field="starts_at",
            )
        locked.starts_at, locked.duration_minutes, locked.location = (
            starts_at, duration_minutes, location,
        )  # fmt: skip
        locked.sequence += 1
        locked.save()
        audit(escope=escope, actor=actor, via=via, action="meeting.reschedule",
              agreement=meeting.agreement,
              summary=f"Moved the meeting to {timezone.localtime(starts_at):%Y-%m-%d %H:%M}")  # fmt: skip
        _queue_invitation(locked)
    return locked


def cancel_meeting(
    *, escope: ExpectationScope, actor: User | None, meeting: Meeting, via: str = ""
) -> Meeting:
    """Call it off: both get a calendar cancellation that removes the event."""
    if escope.side(meeting.agreement) != Side.LEADER:
        raise ExpectationsError("The leader cancels the meeting; raise a concern to ask.")
    with transaction.atomic():
        locked = _lock_scheduled(meeting, "cancelled")
        locked.status, locked.cancelled_at = MeetingStatus.CANCELLED, timezone.now()
        locked.sequence += 1
        locked.save()
        audit(escope=escope, actor=actor, via=via, action="meeting.cancel",
              agreement=meeting.agreement, summary="Cancelled the meeting planned for "
              f"{timezone.localtime(locked.starts_at):%Y-%m-%d %H:%M}")  # fmt: skip
        pk, sequence = locked.pk, locked.sequence
        transaction.on_commit(lambda: tasks.deliver_meeting_cancellation(pk, sequence))
    return locked


def record_meeting(
    *,
    escope: ExpectationScope,
    actor: User | None,
    meeting: Meeting,
    working: str,
    could_improve: str,
    via: str = "",
) -> MeetingNote:
    """One side's record of the meeting, in their own words: what is working, what could
    improve. Each side writes once; the first note marks the meeting held."""
    side = escope.side(meeting.agreement)
    problems = rules.text_problems("working", working, limit=rules.TEXT_LIMIT,
                                   what="what is working", multiline=True)  # fmt: skip
    problems += rules.text_problems("could_improve", could_improve, limit=rules.TEXT_LIMIT,
                                    what="what could improve", required=False, multiline=True)  # fmt: skip
    if problems:
        raise AgreementProblems(problems)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if locked.status == MeetingStatus.CANCELLED:
            raise ExpectationsError("This meeting was cancelled.")
        if locked.starts_at > timezone.now():
            raise ExpectationsError(
                f"The meeting starts {timezone.localtime(locked.starts_at):%-d %B %Y at %H:%M}; "
                "record it once it has begun."
            )
        if locked.notes.filter(side=side).exists():
            raise ExpectationsError("You have recorded this meeting already.")
        note = MeetingNote.objects.create(meeting=locked, side=side, working=working.strip(),
                                          could_improve=could_improve.strip())  # fmt: skip
        if locked.status == MeetingStatus.SCHEDULED:
            locked.status = MeetingStatus.HELD
            locked.save(update_fields=["status"])
        audit(escope=escope, actor=actor, via=via, action="meeting.record",
              agreement=meeting.agreement, summary=f"Recorded the meeting of "
              f"{timezone.localtime(locked.starts_at):%Y-%m-%d}")  # fmt: skip
    return note


# For program admins: settings, and removal on request -------------------------------------


def save_settings(*, scope: Scope, actor: User | None, answer_within_days: int,
                  via: str = "") -> ExpectationSettings:  # fmt: skip
    scope.require_admin()
    if not 1 <= answer_within_days <= 30:
        raise ExpectationsError("Give 1 to 30 working days.", field="answer_within_days")
    with transaction.atomic():
        found, _ = ExpectationSettings.objects.update_or_create(
            organisation=scope.organisation, defaults={"answer_within_days": answer_within_days}
        )
        audit(escope=scope, actor=actor, via=via, action="settings.change", agreement=None,
              summary=f"A proposal now shows as waiting after {answer_within_days} working days")  # fmt: skip
    return found


def remove_agreement(*, scope: Scope, actor: User | None, agreement_id: int, leader_hr_id: str,
                     colleague_hr_id: str, reason: str, via: str = "") -> None:  # fmt: skip
    """Delete an agreement with everything in it, at the request of one of its two people.
    The admin names it by number and by both people's HR ids — so a typo removes nothing —
    and never reads it; the audit keeps who removed which agreement, when and why."""
    scope.require_admin()
    problems = rules.text_problems("reason", reason, limit=300,
                                   what="whose request this is and why")  # fmt: skip
    if problems:
        raise AgreementProblems(problems)
    with transaction.atomic():
        found = (
            Agreement.objects.select_for_update()
            .filter(organisation=scope.organisation, pk=agreement_id,
                    leader__external_id__iexact=leader_hr_id.strip(),
                    colleague__external_id__iexact=colleague_hr_id.strip())
            .select_related("leader", "colleague")
            .first()
            if 0 < agreement_id < 2**63
            else None
        )  # fmt: skip
        if found is None:
            raise ExpectationsError(
                f"No agreement {agreement_id} led by {leader_hr_id.strip()!r} with "
                f"{colleague_hr_id.strip()!r} in this organisation.", field="agreement",
            )  # fmt: skip
        summary = (f"Removed agreement {found.pk} between {found.leader.name} and "
                   f"{found.colleague.name} on request: {reason.strip()}")  # fmt: skip
        found.delete()
        audit(
            escope=scope,
            actor=actor,
            via=via,
            action="agreement.remove",
            agreement=None,
            summary=summary,
        )
