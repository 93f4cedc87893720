"""Running survey cycles: settings, the life cycle, invitations, answers, reminders.

Draft → scheduled → open → closed → results published. ``advance_cycles`` (run every minute
by the queue) opens scheduled cycles at their opening time, sends due reminders and closes
open cycles at their closing time; the "now" buttons only move the times and ask it to run.
"""

from __future__ import annotations

import datetime as dt
import enum
import random
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from huey.contrib.djhuey import db_task

from accord.access.models import User
from accord.org.models import Organisation, Person, RoleGroup, Unit
from accord.surveys import audience
from accord.surveys.answers import SKIPPED, ParsedAnswers, pack
from accord.surveys.instruments import (
    LEADERSHIP_360,
    PULSE,
    Instrument,
    InstrumentError,
    load_instrument,
)
from accord.surveys.mail import mint_tokens, queue_survey_emails
from accord.surveys.models import (
    MAX_TEAM_STATEMENTS,
    Comment,
    Cycle,
    InstrumentDefinition,
    Invitation,
    InvitationToken,
    PendingEmail,
    PendingSubmission,
    Receipt,
    ReminderRun,
    Response,
    SealedTeamAnswer,
    TeamAnswer,
    TeamQuestions,
)
from accord.surveys.selectors import (
    accepting_answers,
    instrument_for,
    organisation_instruments,
)
from accord.surveys.tokens import (
    form_mark,
    key_check,
    new_token,
    receipt_mark,
    seal,
    token_digest,
    unseal,
)

MIN_GROUP_SIZE_FLOOR = 3
# Submissions wait in the pool until this many have gathered, then move in shuffled order.
POOL_BATCH = 20
MAX_REMINDER_DAY = 60
BATCH = 2000

Status = Cycle.Status


class CycleError(ValueError):
    """A life-cycle step that cannot be taken now; the message is for the user."""


class CodesPrintedBefore(CycleError):
    """Printing would retire codes already printed for some of these people."""

    def __init__(self, people: int) -> None:
        self.people = people
        super().__init__(
            f"{people:,} of these people already have printed codes; printing again makes "
            "those slips stop working."
        )


@dataclass(frozen=True)
class CycleSettings:
    name: str
    instrument_id: str
    instrument_version: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    min_group_size: int
    min_comment_group_size: int
    reminder_days: tuple[int, ...]
    role_groups: tuple[str, ...]
    units: tuple[Unit, ...]


def check_cycle_settings(organisation: Organisation, settings: CycleSettings) -> None:
    """Raises ValidationError naming every field that is wrong."""
    errors: dict[str, str] = {}
    if not settings.name.strip():
        errors["name"] = "Give the cycle a name."
    elif len(settings.name) > 200:
        errors["name"] = "A name can be at most 200 characters."
    key = (settings.instrument_id, settings.instrument_version)
    registry = organisation_instruments(organisation)
    if key not in registry:
        errors["instrument"] = (
            f"No instrument {settings.instrument_id!r} version {settings.instrument_version}."
        )
    elif registry.get(*key).purpose != PULSE:
        errors["instrument"] = (
            f"{settings.instrument_id!r} is a 360 framework: a leader's 360 asks it "
            "(accord leadership), not a survey cycle."
        )
    if settings.closes_at <= settings.opens_at:
        errors["closes_at"] = "The closing time must be after the opening time."
    org_minimum = organisation.survey_min_group_size
    if settings.min_group_size < max(org_minimum, MIN_GROUP_SIZE_FLOOR):
        errors["min_group_size"] = (
            f"The minimum group size can be raised, never set below the organisation's "
            f"{org_minimum}."
        )
    comment_floor = max(organisation.survey_min_comment_group_size, settings.min_group_size)
    if settings.min_comment_group_size < comment_floor:
        errors["min_comment_group_size"] = (
            f"Comments need at least {comment_floor} respondents per group (the organisation's "
            "comment minimum, and never fewer than the group minimum)."
        )
    duration_days = (settings.closes_at - settings.opens_at).total_seconds() / 86400
    bad_days = [d for d in settings.reminder_days if not 1 <= d <= MAX_REMINDER_DAY]
    late_days = [d for d in settings.reminder_days if d >= duration_days]
    if bad_days:
        errors["reminder_days"] = f"Reminder days must be between 1 and {MAX_REMINDER_DAY}."
    elif late_days:
        errors["reminder_days"] = (
            f"Day {late_days[0]} is not before the cycle closes "
            f"({duration_days:.1f} days after it opens)."
        )
    unknown_groups = set(settings.role_groups) - set(RoleGroup.values)
    if unknown_groups:
        errors["role_groups"] = f"Unknown role group {sorted(unknown_groups)[0]!r}."
    if any(unit.organisation_id != organisation.pk for unit in settings.units):
        errors["units"] = "A unit of another organisation cannot be in the audience."
    if errors:
        raise ValidationError(errors)


def default_settings(
    organisation: Organisation, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Initial values for a new cycle: opens tomorrow 07:00 local time, two weeks long."""
    now = now or timezone.now()
    zone = ZoneInfo(organisation.time_zone)
    tomorrow = now.astimezone(zone).date() + dt.timedelta(days=1)
    opens_at = dt.datetime.combine(tomorrow, dt.time(7), tzinfo=zone)
    return {
        "opens_at": opens_at,
        "closes_at": opens_at + dt.timedelta(days=14),
        "min_group_size": organisation.survey_min_group_size,
        "min_comment_group_size": organisation.survey_min_comment_group_size,
        "reminder_days": (3, 6),
    }


@transaction.atomic
def create_cycle(
    *, organisation: Organisation, settings: CycleSettings, created_by: User | None
) -> Cycle:
    check_cycle_settings(organisation, settings)
    instrument = organisation_instruments(organisation).get(
        settings.instrument_id, settings.instrument_version
    )
    cycle = Cycle(organisation=organisation, created_by=created_by, status=Status.DRAFT)
    _apply_settings(cycle, settings, instrument)
    cycle.save()
    cycle.audience_units.set(settings.units)
    return cycle


@transaction.atomic
def update_cycle(*, cycle: Cycle, settings: CycleSettings) -> Cycle:
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status != Status.DRAFT:
        raise CycleError("Only a draft can be changed; move the cycle back to draft first.")
    check_cycle_settings(cycle.organisation, settings)
    instrument = organisation_instruments(cycle.organisation).get(
        settings.instrument_id, settings.instrument_version
    )
    _apply_settings(cycle, settings, instrument)
    cycle.save()
    cycle.audience_units.set(settings.units)
    return cycle


def _apply_settings(cycle: Cycle, settings: CycleSettings, instrument: Instrument) -> None:
    cycle.name = settings.name.strip()
    cycle.instrument_id, cycle.instrument_version = instrument.key
    cycle.instrument_digest = instrument.content_digest()
    cycle.opens_at = settings.opens_at
    cycle.closes_at = settings.closes_at
    cycle.min_group_size = settings.min_group_size
    cycle.min_comment_group_size = settings.min_comment_group_size
    cycle.reminder_days = sorted(set(settings.reminder_days))
    cycle.audience_role_groups = sorted(set(settings.role_groups))


def audience_people(cycle: Cycle) -> QuerySet[Person]:
    """Everyone the cycle asks: active people in the audience units' subtrees and role groups."""
    people = Person.objects.filter(organisation=cycle.organisation_id, is_active=True)
    paths = [unit.path for unit in cycle.audience_units.all()]
    if paths:
        in_units = Q(pk__in=[])
        for path in paths:
            in_units |= Q(unit__path__startswith=path)
        people = people.filter(in_units)
    if cycle.audience_role_groups:
        people = people.filter(role_group__in=cycle.audience_role_groups)
    return people


def lock_cycle(cycle: Cycle) -> Cycle:
    """The cycle's row, locked until the transaction ends (every status change takes it)."""
    return Cycle.objects.select_for_update().select_related("organisation").get(pk=cycle.pk)


@transaction.atomic
def schedule_cycle(*, cycle: Cycle, now: dt.datetime | None = None) -> Cycle:
    """``now`` is for building a cycle's history (the demo's past cycles), as in open_cycle."""
    cycle = lock_cycle(cycle)
    if cycle.status != Status.DRAFT:
        raise CycleError(f"A {cycle.get_status_display().lower()} cycle cannot be scheduled.")
    if cycle.closes_at <= (now or timezone.now()):
        raise CycleError("The closing time has passed; set new dates before scheduling.")
    size = audience_people(cycle).count()
    if size < cycle.min_group_size:
        raise CycleError(
            f"The audience has {size} people; at least {cycle.min_group_size} (the minimum "
            "group size) are needed before anyone can answer anonymously."
        )
    cycle.status = Status.SCHEDULED
    cycle.save(update_fields=["status"])
    return cycle


@transaction.atomic
def unschedule_cycle(*, cycle: Cycle) -> Cycle:
    cycle = lock_cycle(cycle)
    if cycle.status != Status.SCHEDULED:
        raise CycleError("Only a scheduled cycle can go back to draft.")
    cycle.status = Status.DRAFT
    cycle.save(update_fields=["status"])
    return cycle


# Up to this many invitees a cycle opens within the admin's request; larger audiences open
# in the queue worker a moment later.
OPEN_IN_REQUEST_LIMIT = 5000


def open_now(*, cycle: Cycle, now: dt.datetime | None = None) -> Cycle:
    """Bring a scheduled cycle's opening forward to now, and open it at once when the
    audience is small; otherwise the queue opens it within the minute."""
    now = now or timezone.now()
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        if cycle.status != Status.SCHEDULED:
            raise CycleError("Schedule the cycle before opening it.")
        if cycle.opens_at > now:
            cycle.opens_at = now
            cycle.save(update_fields=["opens_at"])
        large = audience_people(cycle).count() > OPEN_IN_REQUEST_LIMIT
        if large:
            transaction.on_commit(advance_cycles_soon)
    return cycle if large else open_cycle(cycle=cycle, now=now)


def close_now(*, cycle: Cycle, now: dt.datetime | None = None) -> Cycle:
    now = now or timezone.now()
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        if cycle.status != Status.OPEN:
            raise CycleError("Only an open cycle can be closed.")
        if cycle.closes_at > now:
            cycle.closes_at = now
            cycle.save(update_fields=["closes_at"])
    return close_cycle(cycle=cycle, now=now)


def open_cycle(*, cycle: Cycle, now: dt.datetime | None = None, notify: bool = True) -> Cycle:
    """Issue invitations and send them: the audience is fixed and generalised here.

    ``notify=False`` issues no email tokens (the demo's synthetic history)."""

    now = now or timezone.now()
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        if cycle.status != Status.SCHEDULED:
            raise CycleError("Only a scheduled cycle can open.")
        people = list(
            audience_people(cycle).select_related("profession").only(
                "id", "unit_id", "role_group", "profession__name", "hire_date", "email",
                "attributes",
            )
        )  # fmt: skip
        zone = ZoneInfo(cycle.organisation.time_zone)
        parents: dict[int, int | None] = dict(
            Unit.objects.filter(organisation=cycle.organisation_id).values_list("id", "parent_id")
        )
        try:
            attributes = audience.generalise(
                [
                    audience.Invitee(p.pk, p.unit_id, p.role_group, p.profession.name, p.hire_date)
                    for p in people
                ],
                parents=parents,
                k=cycle.min_group_size,
                on=now.astimezone(zone).date(),
            )
        except audience.AudienceTooSmall as error:
            raise CycleError(str(error)) from None
        invitations = []
        for person in people:
            attrs = attributes[person.pk]
            invitations.append(
                Invitation(
                    cycle=cycle,
                    person=person,
                    channel=Invitation.Channel.EMAIL if person.email else Invitation.Channel.CODE,
                    language=person.language,
                    reporting_unit_id=attrs.unit_id,
                    role_group=attrs.role_group,
                    profession=attrs.profession,
                    tenure_band=attrs.tenure_band,
                )
            )
        _fix_team_questions(cycle, {person.pk for person in people})
        cycle.status = Status.OPEN
        cycle.opened_at = now
        cycle.invited_count = len(people)
        cycle.receipt_key_check = key_check(cycle.pk)
        cycle.save(
            update_fields=[
                "status", "opened_at", "invited_count", "receipt_key_check", "asks_team_questions",
            ]
        )  # fmt: skip
        _invite(cycle, invitations, notify=notify)
    return cycle


def _fix_team_questions(cycle: Cycle, invited: set[int]) -> None:
    """Whom each team's statements are asked of, fixed as the cycle opens: the team's invited
    members not already asked an earlier-added team's — a person answers one team's page per
    survey, since two overlapping teams' pooled answers could be subtracted — when at least
    the cycle's minimum remain; otherwise nobody, since their answers could never be shown."""
    taken: set[int] = set()
    for questions in TeamQuestions.objects.filter(
        cycle=cycle, state=TeamQuestions.State.WAITING
    ).order_by("created_at", "id"):
        asked = set(questions.people.values_list("pk", flat=True)) & invited - taken
        questions.asked_count = len(asked)
        if len(asked) >= cycle.min_group_size:
            questions.state = TeamQuestions.State.ASKED
            questions.people.set(asked)
            taken |= asked
        else:
            questions.state = TeamQuestions.State.NOT_ASKED
            questions.people.clear()
        questions.save(update_fields=["state", "asked_count"])
    cycle.asks_team_questions = bool(taken)


def _invite(cycle: Cycle, invitations: Iterable[Invitation], *, notify: bool = True) -> None:
    """Write an opening cycle's invitations and queue their emails (``notify=False``: none)."""
    Invitation.objects.bulk_create(invitations, batch_size=BATCH)
    if notify:
        queue_survey_emails(
            cycle=cycle,
            invitation_ids=Invitation.objects.filter(
                cycle=cycle, channel=Invitation.Channel.EMAIL
            ).values_list("pk", flat=True),
        )


@transaction.atomic
def open_named_round(
    *,
    organisation: Organisation,
    name: str,
    about: Person,
    instrument: Instrument,
    raters: Sequence[tuple[Person, str]],
    closes_at: dt.datetime,
    minimum: int,
    reminder_days: Sequence[int],
    created_by: User | None,
    asked_items: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> Cycle:
    """Open a cycle that asks named people about one person — a leader's 360 raters, each
    with their rater group — and send the invitations. Everything else is a pulse's: one-time
    tokens, keyed receipts, the mixing pool, answers with no link to the rater, reminders to
    non-respondents and closing on time by ``advance_cycles``. Every answer is reported under
    the leader's unit and the rater's group only, never the rater's own unit or profession.
    ``asked_items``: only these scored items are asked (a re-assessment), else all."""
    now = now or timezone.now()
    if instrument.purpose != Cycle.Purpose.LEADERSHIP_360:
        raise CycleError(f"{instrument.id!r} is not a 360 framework.")
    if closes_at <= now:
        raise CycleError("The round must close in the future.")
    days = (closes_at - now).total_seconds() / 86400
    cycle = Cycle.objects.create(
        organisation=organisation,
        name=name[:200],
        purpose=Cycle.Purpose.LEADERSHIP_360,
        about=about,
        instrument_id=instrument.id,
        instrument_version=instrument.version,
        instrument_digest=instrument.content_digest(),
        status=Status.OPEN,
        opens_at=now,
        closes_at=closes_at,
        min_group_size=minimum,
        min_comment_group_size=minimum,
        reminder_days=sorted({d for d in reminder_days if 1 <= d < days}),
        created_by=created_by,
        opened_at=now,
        invited_count=len(raters),
        asked_items=list(asked_items),
    )
    cycle.receipt_key_check = key_check(cycle.pk)
    cycle.save(update_fields=["receipt_key_check"])
    _invite(cycle, [
        Invitation(
            cycle=cycle,
            person=person,
            channel=Invitation.Channel.EMAIL if person.email else Invitation.Channel.CODE,
            language=person.language,
            reporting_unit_id=about.unit_id,
            rater_group=group,
        )
        for person, group in raters
    ])  # fmt: skip
    return cycle


@transaction.atomic
def withdraw_invitation(*, invitation: Invitation) -> None:
    """Someone asked declines before answering: their invitation, its tokens and any email
    still to send go. An answer already given cannot be taken back — nothing links it to
    the invitation — so that is refused."""
    cycle = lock_cycle(invitation.cycle)
    if cycle.status != Status.OPEN:
        raise CycleError("Answers are no longer being collected.")
    if Receipt.objects.filter(mark=receipt_mark(cycle.pk, invitation.pk)).exists():
        raise CycleError(
            "You have already answered. Your answers cannot be withdrawn: nothing links them "
            "to you."
        )
    Invitation.objects.filter(pk=invitation.pk).delete()
    Cycle.objects.filter(pk=cycle.pk).update(invited_count=F("invited_count") - 1)


@transaction.atomic
def issue_codes(
    *, cycle: Cycle, unit: Unit | None = None, replace: bool = False
) -> list[tuple[Invitation, str]]:
    """Printable one-time codes for invitees without email (in ``unit``'s subtree, by their
    own unit). Codes printed before for the same people stop working, so that is refused
    (:class:`CodesPrintedBefore`) unless ``replace`` says the earlier slips may go."""
    cycle = lock_cycle(cycle)
    if cycle.status != Status.OPEN:
        raise CycleError("Codes can be printed while the cycle is open.")
    invitations = Invitation.objects.filter(
        cycle=cycle, channel=Invitation.Channel.CODE
    ).select_related("person__unit")
    if unit is not None:
        invitations = invitations.filter(person__unit__path__startswith=unit.path)
    chosen = sorted(invitations, key=lambda inv: (inv.person.unit.full_name, inv.person.name))
    earlier = InvitationToken.objects.filter(
        invitation__in=[inv.pk for inv in chosen], channel=Invitation.Channel.CODE
    )
    printed = earlier.values("invitation").distinct().count()
    if printed and not replace:
        raise CodesPrintedBefore(printed)
    earlier.delete()
    return mint_tokens(chosen)


@transaction.atomic
def issue_token(*, invitation: Invitation, channel: str) -> str:
    """A fresh one-time token for one invitation of an open cycle, returned in plain text
    once; only its digest is kept. Earlier tokens keep working until one of them answers."""
    if channel not in Invitation.Channel.values:
        raise ValueError(f"Unknown invitation channel {channel!r}.")
    cycle = Cycle.objects.select_for_update().only("status").get(pk=invitation.cycle_id)
    if cycle.status != Status.OPEN:
        raise CycleError("This survey is not open for answers.")
    token = new_token()
    InvitationToken.objects.create(
        invitation=invitation, digest=token_digest(token), channel=channel
    )
    return token


def close_cycle(*, cycle: Cycle, now: dt.datetime | None = None) -> Cycle:
    """Stop answers, move the last pooled submissions, and forget who answered."""
    now = now or timezone.now()
    with transaction.atomic():
        cycle = lock_cycle(cycle)
        if cycle.status != Status.OPEN:
            raise CycleError("Only an open cycle can close.")
        flush_pool(cycle=cycle, minimum=1)
        _open_team_answers(cycle)
        Receipt.objects.filter(cycle=cycle).delete()
        InvitationToken.objects.filter(invitation__cycle=cycle).delete()
        PendingEmail.objects.filter(cycle=cycle).delete()  # their links would not work now
        cycle.status = Status.CLOSED
        cycle.closed_at = now
        cycle.save(update_fields=["status", "closed_at"])
    return cycle


def _team_sheet(cycle: Cycle, team: dict[str, list[int]]) -> bytes:
    """A submission's team answers sealed to one length whoever sent them: the set's id and
    its codes padded with skips; set 0 and only skips for someone asked no team's page."""
    set_id, codes = next(iter(team.items()), ("0", []))
    padded = [*codes, *[SKIPPED] * (MAX_TEAM_STATEMENTS - len(codes))]
    return seal(cycle.pk, int(set_id).to_bytes(8, "big") + bytes(padded))


def _open_team_answers(cycle: Cycle) -> None:
    """At closing: every sealed team answer of the cycle opened at once and written as
    ``TeamAnswer`` rows in a random order, so none can be told from the batch it came in."""
    sealed = list(SealedTeamAnswer.objects.filter(cycle=cycle).values_list("sealed", flat=True))
    if not sealed:
        return
    if cycle.receipt_key_check != key_check(cycle.pk):
        raise CycleError(
            "The receipt key changed while the cycle was open: restore it to close the cycle, "
            "or the teams' sealed answers could not be read."
        )
    sizes = dict(TeamQuestions.objects.filter(cycle=cycle).values_list("pk", "statements"))
    rows = []
    for blob in sealed:
        plain = unseal(cycle.pk, bytes(blob))
        set_id, codes = int.from_bytes(plain[:8], "big"), plain[8:]
        if set_id in sizes and any(code != SKIPPED for code in codes):
            rows.append(TeamAnswer(questions_id=set_id, answers=codes[: len(sizes[set_id])]))
    random.SystemRandom().shuffle(rows)
    TeamAnswer.objects.bulk_create(rows)
    SealedTeamAnswer.objects.filter(cycle=cycle).delete()


@transaction.atomic
def mark_published(*, cycle: Cycle, now: dt.datetime | None = None) -> Cycle:
    """A closed cycle becomes published. Only the insights app calls this, in the same
    transaction as the cycle's first release (``insights.publishing.publish_cycle``)."""
    cycle = lock_cycle(cycle)
    if cycle.purpose != Cycle.Purpose.PULSE:
        raise CycleError("A 360's report is released by the leadership app, not published.")
    if cycle.status != Status.CLOSED:
        raise CycleError("Results can be published once the cycle has closed.")
    cycle.status = Status.PUBLISHED
    cycle.published_at = now or timezone.now()
    cycle.save(update_fields=["status", "published_at"])
    return cycle


# Answering.


class Outcome(enum.Enum):
    RECORDED = "recorded"
    REPEATED = "repeated"  # the same form sent again (double click, network retry)
    ALREADY_ANSWERED = "already answered"
    NOT_OPEN = "not open"
    UNKNOWN_TOKEN = "unknown token"  # noqa: S105 — an outcome, not a secret
    KEY_CHANGED = "key changed"


def invitation_for(token: str) -> Invitation | None:
    try:
        found = InvitationToken.objects.select_related("invitation__cycle__organisation").get(
            digest=token_digest(token)
        )
    except InvitationToken.DoesNotExist:
        return None
    return found.invitation


def submit_response(
    *,
    token: str,
    answers: ParsedAnswers,
    nonce: str,
    now: dt.datetime | None = None,
    invitation: Invitation | None = None,
) -> Outcome:
    """Record one response for the invitation holding ``token``, at most once.

    The receipt and the pooled submission are written in one transaction; the receipt's
    unique mark makes a second submission fail, and its form mark tells a resent copy of
    the same form (answered with "received") from a second filling-in. ``invitation`` is
    the one ``token`` belongs to when the caller has already looked it up.
    """
    now = now or timezone.now()
    for _attempt in range(2):
        invitation = invitation or invitation_for(token)
        if invitation is None:
            return Outcome.UNKNOWN_TOKEN
        outcome = _submit_once(invitation=invitation, answers=answers, nonce=nonce, now=now)
        if outcome is not None:
            return outcome
        invitation = None
    raise RuntimeError("a submission kept colliding with one that was rolled back")


class _ClosedMeanwhile(Exception):
    """The cycle closed while a submission was being written: roll it back."""


def _submit_once(
    *, invitation: Invitation, answers: ParsedAnswers, nonce: str, now: dt.datetime
) -> Outcome | None:
    cycle = invitation.cycle
    if not accepting_answers(cycle, now):
        return Outcome.NOT_OPEN
    if cycle.receipt_key_check != key_check(cycle.pk):
        return Outcome.KEY_CHANGED
    instrument = instrument_for(cycle)
    mark = receipt_mark(cycle.pk, invitation.pk)
    this_form = form_mark(cycle.pk, nonce)
    try:
        with transaction.atomic():
            Receipt.objects.create(cycle=cycle, mark=mark, form_mark=this_form)
            # The receipt's reference to the cycle waits for a closing in progress (its row
            # lock); read again after it, a cycle closed meanwhile takes nothing more.
            if not Cycle.objects.filter(pk=cycle.pk, status=Status.OPEN).exists():
                raise _ClosedMeanwhile
            _pooled(invitation, answers, now, instrument).save()
            if PendingSubmission.objects.filter(cycle=cycle).count() >= POOL_BATCH:
                flush_pool(cycle=cycle, minimum=POOL_BATCH)
    except _ClosedMeanwhile:
        return Outcome.NOT_OPEN
    except IntegrityError:
        earlier = Receipt.objects.filter(mark=mark).first()
        if earlier is None:  # the colliding write rolled back: try again
            return None
        return Outcome.REPEATED if earlier.form_mark == this_form else Outcome.ALREADY_ANSWERED
    return Outcome.RECORDED


def _pooled(
    invitation: Invitation, answers: ParsedAnswers, now: dt.datetime, instrument: Instrument
) -> PendingSubmission:
    """The pooled row of one submission: the invitation's generalised attributes and the day
    in the organisation's time zone, nothing that names the person or the time of day."""
    cycle = invitation.cycle
    return PendingSubmission(
        cycle=cycle,
        submitted_on=now.astimezone(ZoneInfo(cycle.organisation.time_zone)).date(),
        reporting_unit_id=invitation.reporting_unit_id,
        role_group=invitation.role_group,
        profession=invitation.profession,
        tenure_band=invitation.tenure_band,
        rater_group=invitation.rater_group,
        answers=pack(instrument, answers.scores),
        comments=answers.comments,
        team_sealed=_team_sheet(cycle, answers.team) if cycle.asks_team_questions else b"",
    )


BULK_BATCH = 100  # answers written to the pool at once, then flushed (at least POOL_BATCH)


def submit_in_bulk(
    *, cycle: Cycle, submissions: list[tuple[dt.datetime, Invitation, ParsedAnswers]]
) -> None:
    """Write what ``submit_response`` writes — a receipt and a pooled submission per answer,
    the pool flushed in shuffled batches once it holds ``POOL_BATCH`` — a hundred answers at
    a time instead of one by one: for a cycle's history (the demo's past pulses, benchmarks).

    A token and a ``submit_response`` call for each of the 2,000-person demo's ~1,450
    respondents take about six seconds on SQLite (some 4 ms each); this takes under one.
    ``tests/demo`` checks that both store the same rows.
    """
    instrument = instrument_for(cycle)
    for start in range(0, len(submissions), BULK_BATCH):
        batch = submissions[start : start + BULK_BATCH]
        if not all(accepting_answers(cycle, when) for when, _, _ in batch):
            raise ValueError("every answer written in bulk falls inside the cycle's window")
        Receipt.objects.bulk_create(
            Receipt(
                cycle=cycle,
                mark=receipt_mark(cycle.pk, invitation.pk),
                form_mark=form_mark(cycle.pk, new_form_nonce()),
            )
            for _, invitation, _ in batch
        )
        PendingSubmission.objects.bulk_create(
            _pooled(invitation, answers, when, instrument) for when, invitation, answers in batch
        )
        flush_pool(cycle=cycle, minimum=POOL_BATCH)


def new_form_nonce() -> str:
    return secrets.token_urlsafe(16)


def flush_pool(*, cycle: Cycle, minimum: int) -> int:
    """Move pooled submissions into responses, comments and sealed team answers, each in
    shuffled order, so that no table's order follows submission order or another table's."""
    with transaction.atomic():
        pending = list(
            PendingSubmission.objects.select_for_update(skip_locked=True).filter(cycle=cycle)
        )
        if len(pending) < minimum or not pending:
            return 0
        shuffle = random.SystemRandom().shuffle
        shuffle(pending)
        fields = (
            "submitted_on", "reporting_unit_id", "role_group", "profession", "tenure_band",
            "rater_group",
        )  # fmt: skip
        Response.objects.bulk_create(
            [
                Response(cycle_id=cycle.pk, answers=p.answers, **{f: getattr(p, f) for f in fields})
                for p in pending
            ]
        )
        comments = [
            Comment(
                cycle_id=cycle.pk,
                item_id=item_id,
                text=text,
                reporting_unit_id=p.reporting_unit_id,
                role_group=p.role_group,
                profession=p.profession,
                tenure_band=p.tenure_band,
            )
            for p in pending
            for item_id, text in p.comments.items()
        ]
        shuffle(comments)
        Comment.objects.bulk_create(comments)
        sealed = [
            SealedTeamAnswer(cycle_id=cycle.pk, sealed=p.team_sealed)
            for p in pending
            if p.team_sealed
        ]
        shuffle(sealed)
        SealedTeamAnswer.objects.bulk_create(sealed)
        PendingSubmission.objects.filter(pk__in=[p.pk for p in pending]).delete()
        return len(pending)


# Reminders and the clock.


def reminder_due_at(cycle: Cycle, day: int) -> dt.datetime:
    return cycle.opens_at + dt.timedelta(days=day)


def send_reminders(*, cycle: Cycle, day: int, now: dt.datetime | None = None) -> int:
    """Remind every email invitee without a receipt, once per reminder day; how many are
    waiting now (``ReminderRun.sent`` counts the reminders the mail server accepts)."""

    with transaction.atomic():
        cycle = lock_cycle(cycle)
        if not accepting_answers(cycle, now) or cycle.receipt_key_check != key_check(cycle.pk):
            return 0
        try:
            with transaction.atomic():
                run = ReminderRun.objects.create(cycle=cycle, day=day)
        except IntegrityError:
            return 0  # this day's reminder has gone out already
        answered = set(Receipt.objects.filter(cycle=cycle).values_list("mark", flat=True))
        emailed = Invitation.objects.filter(cycle=cycle, channel=Invitation.Channel.EMAIL)
        ids = list(emailed.values_list("pk", flat=True))
        waiting = sum(receipt_mark(cycle.pk, pk) not in answered for pk in ids)
        # Everyone emailed gets a row, answered or not: the sender skips who has answered by
        # then, so nothing stored says who had answered today.
        queue_survey_emails(cycle=cycle, invitation_ids=ids, reminder=run)
    return waiting


@dataclass
class Advanced:
    opened: list[int]
    reminded: dict[int, int]
    closed: list[int]
    failed: dict[int, str]


def advance_cycles(now: dt.datetime | None = None) -> Advanced:
    """Open, remind and close whatever is due. Safe to run at any time, any number of times."""
    now = now or timezone.now()
    result = Advanced(opened=[], reminded={}, closed=[], failed={})
    for cycle in Cycle.objects.filter(status=Status.SCHEDULED, opens_at__lte=now):
        if cycle.closes_at <= now:
            continue  # missed its whole window; an admin sets new dates
        try:
            open_cycle(cycle=cycle, now=now)
            result.opened.append(cycle.pk)
        except CycleError as error:
            result.failed[cycle.pk] = str(error)
    for cycle in Cycle.objects.filter(status=Status.OPEN):
        if cycle.closes_at <= now:
            close_cycle(cycle=cycle, now=now)
            result.closed.append(cycle.pk)
            continue
        done = set(cycle.reminder_runs.values_list("day", flat=True))
        for day in cycle.reminder_days:
            if day not in done and reminder_due_at(cycle, day) <= now:
                sent = send_reminders(cycle=cycle, day=day, now=now)
                result.reminded[cycle.pk] = result.reminded.get(cycle.pk, 0) + sent
    return result


@db_task()
def advance_cycles_soon() -> None:
    """Queued by the "open now"/"close now" buttons so the page need not wait."""
    advance_cycles()


# Instruments an organisation loads.


@transaction.atomic
def load_organisation_instrument(
    *, organisation: Organisation, source: str, loaded_by: User | None, purpose: str = ""
) -> InstrumentDefinition:
    """Validate and keep a definition; an existing (id, version) only if identical. With
    ``purpose``, a definition for another purpose is refused (a pulse loaded as a 360
    framework)."""
    instrument = load_instrument(source)
    if purpose and instrument.purpose != purpose:
        raise InstrumentError.single(
            "purpose", f"this is a {instrument.purpose} instrument, and {purpose} was asked for "
            f"(a 360 framework says “purpose: {LEADERSHIP_360}”)",
        )  # fmt: skip
    registry = organisation_instruments(organisation)
    if instrument.key in registry:
        existing = registry.get(*instrument.key)
        if existing.content_digest() != instrument.content_digest():
            raise InstrumentError.single(
                "version",
                f"{instrument.id!r} version {instrument.version} is already in use with "
                "different content; published versions never change — give the changed "
                f"definition a new version number ({registry.latest(instrument.id).version + 1}).",
            )
        found = InstrumentDefinition.objects.filter(
            organisation=organisation,
            instrument_id=instrument.id,
            version=instrument.version,
        ).first()
        if found is None:
            raise InstrumentError.single(
                "id", f"{instrument.id!r} is the name of an instrument Accord ships."
            )
        return found
    return InstrumentDefinition.objects.create(
        organisation=organisation,
        instrument_id=instrument.id,
        version=instrument.version,
        source=source,
        digest=instrument.content_digest(),
        loaded_by=loaded_by,
    )
