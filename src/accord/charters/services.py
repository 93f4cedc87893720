"""Every change to a charter: one function per user action, called alike by the pages, the API
and the command line, and the queue's own steps (adopting after the week of grace, opening
revisits when they fall due, keeping members in step with the team).

Each takes the viewer's ``CharterScope`` to decide what they may do, checks its fields with
``rules``, locks the charter's row — so that members endorsing while the facilitator edits end
in one version, never two — and writes its audit entry (the step, never a private answer) in
the same transaction; email leaves through the queue once the transaction has committed."""

from __future__ import annotations

import calendar
import datetime as dt
import random
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accord.access.audit import actor_label
from accord.access.models import User
from accord.charters import deliveries, rules
from accord.charters.errors import CharterError, CharterProblems
from accord.charters.models import (
    GRACE_DAYS,
    LARGEST_TEAM,
    POOLED_MINIMUM,
    REMINDER_DAYS,
    REVISIT_DAYS,
    TURNOVER_FOR_RECHARTER,
    AdoptionRule,
    Charter,
    CharterAuditEntry,
    CharterGoal,
    CharterMember,
    Decision,
    Endorsement,
    KeptScale,
    Norm,
    NormRating,
    Prompt,
    PulseNorms,
    Responsibility,
    Revisit,
    RevisitReceipt,
    TeamKind,
    ValuesAnswer,
    ValuesReceipt,
    Version,
    VersionStatus,
)
from accord.charters.rules import Draft
from accord.charters.state import (
    agreement_of,
    draft_of,
    joined_after,
    member_ids,
    open_revisit_of,
    version_in_force,
    working_version,
)
from accord.charters.visibility import CharterScope
from accord.goals.models import Team, TeamMember
from accord.org.models import Organisation, Person, Unit
from accord.refusals import Refusal
from accord.surveys import team_questions

SYSTEM = "Accord"


def audit(
    *, charter: Charter, actor: User | None, via: str = "", action: str, **detail: object
) -> None:
    CharterAuditEntry.objects.create(
        organisation_id=charter.organisation_id, charter=charter,
        actor=actor_label(actor, via) if actor is not None or via else SYSTEM,
        action=action, detail=detail,
    )  # fmt: skip


def _after_commit(task: object, *args: object) -> None:
    transaction.on_commit(lambda: task(*args))  # type: ignore[operator]


def _locked(charter: Charter) -> Charter:
    return Charter.objects.select_for_update().select_related("facilitator").get(pk=charter.pk)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- the team ---------------------------------------------------------------------------------


def team_people(
    *, kind: str, unit: Unit | None, team: Team | None, named: Iterable[int] = ()
) -> set[int]:
    """The active people the team is made of now: a unit's people (its sub-units included),
    a leadership team's leader and members, or a named group."""
    if kind == TeamKind.UNIT:
        assert unit is not None
        units = Unit.objects.filter(organisation=unit.organisation_id, path__startswith=unit.path)
        people = Person.objects.filter(unit__in=units, is_active=True)
        return set(people.values_list("pk", flat=True))
    if kind == TeamKind.LEADERSHIP_TEAM:
        assert team is not None
        members = set(
            TeamMember.objects.filter(team=team, person__is_active=True).values_list(
                "person_id", flat=True
            )
        )
        leader = Person.objects.filter(pk=team.leader_id, is_active=True)
        return members | set(leader.values_list("pk", flat=True))
    return set(
        Person.objects.filter(pk__in=list(named), is_active=True).values_list("pk", flat=True)
    )


def _check_team_size(people: set[int]) -> None:
    if len(people) < 2:
        raise CharterError("A charter is for a team of at least two people.", field="members")
    if len(people) > LARGEST_TEAM:
        raise CharterError(
            f"That team has {len(people)} people; a charter is agreed round a table, by at most "
            f"{LARGEST_TEAM}. Choose a smaller unit, or name the people of one team.",
            field="members",
        )


def start_charter(
    *, cscope: CharterScope, actor: User, via: str = "", name: str, kind: str,
    unit: Unit | None = None, team: Team | None = None, people: Sequence[Person] = (),
    facilitator: Person | None = None, rule: str = AdoptionRule.ALL_BUT_ONE,
    cadence_months: int = 3,
) -> Charter:  # fmt: skip
    """A new charter with its first draft, its members asked for their values."""
    cscope.require_start(kind, unit, team)
    me = cscope.me()
    problems = rules.text_problems("name", name, limit=200, what="the charter a name")
    if kind not in TeamKind.values:
        problems.append(("kind", "Choose a unit, a leadership team or a named group."))
    if rule not in AdoptionRule.values:
        problems.append(("rule", "Choose how the team adopts its charter."))
    if problem := rules.cadence_problem(cadence_months):
        problems.append(("cadence_months", problem))
    facilitator = facilitator or me
    for thing in (unit, team, facilitator, *people):
        if thing is not None and thing.organisation_id != cscope.organisation.pk:
            raise CharterError("That belongs to another organisation.")
    if not facilitator.is_active:
        problems.append(("facilitator", f"{facilitator.name} has left the organisation."))
    if problems:
        raise CharterProblems(problems)
    named = [p.pk for p in people] if kind == TeamKind.GROUP else []
    members = team_people(kind=kind, unit=unit, team=team, named=named)
    _check_team_size(members)
    now = timezone.now()
    with transaction.atomic():
        charter = Charter.objects.create(
            organisation=cscope.organisation, name=name.strip(), kind=kind,
            unit=unit if kind == TeamKind.UNIT else None,
            team=team if kind == TeamKind.LEADERSHIP_TEAM else None,
            facilitator=facilitator, rule=rule, cadence_months=cadence_months, created_by=actor,
        )  # fmt: skip
        CharterMember.objects.bulk_create(
            CharterMember(charter=charter, person_id=pk, joined_at=now) for pk in sorted(members)
        )
        version = Version.objects.create(
            charter=charter, number=1, status=VersionStatus.DRAFT, created_by=actor
        )
        audit(charter=charter, actor=actor, via=via, action="charter.start", kind=kind,
              members=len(members), facilitator=facilitator.pk)  # fmt: skip
        _after_commit(deliveries.deliver_values_request, version.pk)
    return charter


def set_group_members(
    *, cscope: CharterScope, actor: User, via: str = "", charter: Charter, people: Sequence[Person]
) -> Charter:
    """The facilitator keeps a named group's members; a unit's or a leadership team's follow
    the org chart and the goals app."""
    charter = cscope.charter_to_facilitate(charter.pk)
    if charter.kind != TeamKind.GROUP:
        raise CharterError(
            "This team's members follow the org chart (or its leadership team): change them "
            "there.", field="members",
        )  # fmt: skip
    for person in people:
        if person.organisation_id != charter.organisation_id:
            raise CharterError("That person belongs to another organisation.", field="members")
    wanted = team_people(kind=TeamKind.GROUP, unit=None, team=None, named=[p.pk for p in people])
    _check_team_size(wanted)
    with transaction.atomic():
        charter = _locked(charter)
        joined, left = _apply_members(charter, wanted, timezone.now())
        audit(charter=charter, actor=actor, via=via, action="charter.members",
              joined=len(joined), left=len(left))  # fmt: skip
    return charter


def _apply_members(
    charter: Charter, wanted: set[int], now: dt.datetime
) -> tuple[list[int], list[int]]:
    """Members joined and left, as the team now is; a member who joins after adoption is asked
    to read and endorse the charter in force; a turnover of a quarter suggests re-chartering."""
    rows = {m.person_id: m for m in CharterMember.objects.filter(charter=charter)}
    current = {pk for pk, m in rows.items() if m.left_at is None}
    joined = sorted(wanted - current)
    left = sorted(current - wanted)
    if not joined and not left:
        return [], []
    in_force = version_in_force(charter)
    for pk in joined:
        row = rows.get(pk)
        asked = now if in_force is not None else None
        if row is None:
            CharterMember.objects.create(
                charter=charter, person_id=pk, joined_at=now, asked_to_endorse_at=asked
            )
        else:
            row.left_at, row.joined_at, row.asked_to_endorse_at = None, now, asked
            row.save(update_fields=["left_at", "joined_at", "asked_to_endorse_at"])
        if in_force is not None:
            _after_commit(deliveries.deliver_new_member, charter.pk, pk)
    CharterMember.objects.filter(charter=charter, person_id__in=left).update(left_at=now)
    if in_force is not None and in_force.adopted_at is not None and not charter.recharter_reason:
        _notice_turnover(charter, in_force, now)
    _refresh_pulses(charter)
    return joined, left


def _notice_turnover(charter: Charter, in_force: Version, now: dt.datetime) -> None:
    adopted = in_force.adopted_at
    assert adopted is not None
    at_adoption = CharterMember.objects.filter(charter=charter, joined_at__lte=adopted).filter(
        Q(left_at__isnull=True) | Q(left_at__gt=adopted)
    )
    base = at_adoption.count()
    gone = at_adoption.filter(left_at__isnull=False).count()
    new = CharterMember.objects.filter(
        charter=charter, joined_at__gt=adopted, left_at__isnull=True
    ).count()
    if base and max(gone, new) >= TURNOVER_FOR_RECHARTER * base:
        charter.recharter_reason = (
            f"Since the charter was adopted {new} joined and {gone} left a team of {base}: "
            "agree it again together."
        )
        charter.recharter_noticed_at = now
        charter.save(update_fields=["recharter_reason", "recharter_noticed_at"])
        audit(charter=charter, actor=None, action="charter.recharter_suggested",
              joined=new, left=gone, base=base)  # fmt: skip
        _after_commit(deliveries.deliver_recharter, charter.pk)


def keep_members(charter: Charter, now: dt.datetime | None = None) -> tuple[list[int], list[int]]:
    """A unit's or a leadership team's charter brought in step with the team as it is now."""
    if charter.kind == TeamKind.GROUP:
        wanted = team_people(kind=TeamKind.GROUP, unit=None, team=None, named=member_ids(charter))
    else:
        wanted = team_people(kind=charter.kind, unit=charter.unit, team=charter.team)
    with transaction.atomic():
        locked = _locked(charter)
        joined, left = _apply_members(locked, wanted, now or timezone.now())
        if joined or left:
            audit(charter=locked, actor=None, action="charter.members",
                  joined=len(joined), left=len(left))  # fmt: skip
    return joined, left


def update_settings(
    *, cscope: CharterScope, actor: User, via: str = "", charter: Charter,
    name: str | None = None, rule: str | None = None, cadence_months: int | None = None,
) -> Charter:  # fmt: skip
    charter = cscope.charter_to_facilitate(charter.pk)
    problems: list[tuple[str, str]] = []
    if name is not None:
        problems += rules.text_problems("name", name, limit=200, what="the charter a name")
    if rule is not None and rule not in AdoptionRule.values:
        problems.append(("rule", "Choose how the team adopts its charter."))
    if cadence_months is not None and (problem := rules.cadence_problem(cadence_months)):
        problems.append(("cadence_months", problem))
    if problems:
        raise CharterProblems(problems)
    with transaction.atomic():
        charter = _locked(charter)
        changed: dict[str, object] = {}
        if name is not None and name.strip() != charter.name:
            charter.name = changed["name"] = name.strip()
        if rule is not None and rule != charter.rule:
            charter.rule = changed["rule"] = rule
        if cadence_months is not None and cadence_months != charter.cadence_months:
            charter.cadence_months = changed["cadence_months"] = cadence_months
            in_force = version_in_force(charter)
            if in_force is not None and in_force.adopted_at is not None:
                last = charter.revisits.order_by("-opened_at").first()
                since = last.opened_at if last else in_force.adopted_at
                charter.next_revisit_on = add_months(
                    timezone.localtime(since, charter.organisation.zone).date(), cadence_months
                )
        if changed:
            charter.save()
            audit(charter=charter, actor=actor, via=via, action="charter.settings", **changed)
            if "name" in changed:
                _refresh_pulses(charter)
    return charter


def hand_over(
    *, cscope: CharterScope, actor: User, via: str = "", charter: Charter, to: Person
) -> Charter:
    charter = cscope.charter_to_hand_over(charter.pk)
    if to.organisation_id != charter.organisation_id or not to.is_active:
        raise CharterError("Choose someone in the organisation today.", field="facilitator")
    # The facilitator may name anyone; an admin stepping in (the facilitator has left) names a
    # member of the team — never themselves from outside it, which would open the team's
    # drafts and comments to them.
    if not cscope.is_facilitator(charter) and to.pk not in member_ids(charter):
        raise CharterError(
            "Name a member of the team: only the facilitator may hand the charter to someone "
            "outside it.", field="facilitator",
        )  # fmt: skip
    with transaction.atomic():
        charter = _locked(charter)
        before = charter.facilitator_id
        charter.facilitator = to
        charter.save(update_fields=["facilitator"])
        audit(charter=charter, actor=actor, via=via, action="charter.hand_over",
              before=before, after=to.pk)  # fmt: skip
    return charter


# --- values -------------------------------------------------------------------------------------


def answer_values(
    *, cscope: CharterScope, actor: User, via: str = "", charter: Charter,
    answers: Mapping[str, str],
) -> None:  # fmt: skip
    """A member's answers to the values prompts of the draft, kept with no link to them."""
    charter = cscope.charter_to_answer(charter.pk)
    person = cscope.me()
    problems: list[tuple[str, str]] = []
    unknown = set(answers) - set(Prompt.values)
    if unknown:
        problems.append(("answers", f"Unknown prompt: {', '.join(sorted(unknown))}."))
    given = {k: v.strip() for k, v in answers.items() if k in Prompt.values and v.strip()}
    for prompt, text in given.items():
        problems += rules.text_problems(
            prompt, text, limit=rules.ANSWER_LONGEST, what="your answer", multiline=True
        )
    if not given and not problems:
        problems.append(("answers", "Answer at least one of the questions."))
    if problems:
        raise CharterProblems(problems)
    with transaction.atomic():
        charter = _locked(charter)
        version = working_version(charter)
        if version is None or version.status != VersionStatus.DRAFT:
            raise CharterError("The draft has been proposed: values are gathered while drafting.")
        if ValuesReceipt.objects.filter(version=version, person=person).exists():
            raise CharterError("You have answered already; thank you.")
        _receipt_in_random_order(ValuesReceipt, version=version, person=person)
        sheet = uuid.uuid4()
        # Shuffled by their random ids: the table's order says nothing of who or when.
        ValuesAnswer.objects.bulk_create(
            ValuesAnswer(version=version, sheet=sheet, prompt=prompt, text=text)
            for prompt, text in given.items()
        )
        _show_in_batches(ValuesAnswer.objects.filter(version=version))
        _audit_private(charter, "values.answer")


def _show_in_batches(rows: QuerySet[ValuesAnswer] | QuerySet[NormRating]) -> None:
    """Private answers waiting to be shown join the team's view once at least
    POOLED_MINIMUM members' answers wait — one more answer never shows alone — and are
    written again in a random order with new random ids, so neither SQLite's row ids nor
    PostgreSQL's physical order follow the order members answered (the surveys' mixing pool,
    at a team's scale). Called under the charter's row lock."""
    waiting: list[Any] = list(rows.filter(shown=False))
    if len({row.sheet for row in waiting}) < POOLED_MINIMUM:
        return
    model = type(waiting[0])
    rows.filter(pk__in=[row.pk for row in waiting]).delete()
    random.SystemRandom().shuffle(waiting)
    for row in waiting:
        row.pk, row.shown = uuid.uuid4(), True
    model.objects.bulk_create(waiting)


def _receipt_in_random_order(
    model: type[ValuesReceipt] | type[RevisitReceipt], *, person: Person, **round_: object
) -> None:
    """A member's receipt, with the round's receipts written again in a random order: their
    ids and places in the table never say who answered last, and so never whose answers are
    the ones still waiting to be shown. A team is small; the rewrite is a few rows."""
    others = [row.person_id for row in model.objects.filter(**round_)]
    model.objects.filter(**round_).delete()
    people = [*others, person.pk]
    random.SystemRandom().shuffle(people)
    model.objects.bulk_create(model(person_id=pk, **round_) for pk in people)  # type: ignore[misc]


def _audit_private(charter: Charter, action: str) -> None:
    """A private answer is audited as a step of the team, never as a person's: the receipt
    says who has answered, and nothing, the audit's time included, says which answer."""
    CharterAuditEntry.objects.create(
        organisation_id=charter.organisation_id, charter=charter, actor="A member of the team",
        action=action, detail={},
    )  # fmt: skip


# --- drafting ----------------------------------------------------------------------------------


def save_draft(
    *, cscope: CharterScope, actor: User, via: str = "", charter: Charter, draft: Draft,
    version_number: int | None = None,
) -> Version:  # fmt: skip
    """The facilitator's draft, written whole (vision, goals, norms, responsibilities).

    ``version_number`` is the draft the facilitator was editing: a save over a draft that has
    been proposed or replaced since is refused rather than written over it."""
    charter = cscope.charter_to_facilitate(charter.pk)
    members = member_ids(charter)
    problems = rules.draft_problems(draft, members)
    goal_ids = [g.goal_id for g in draft.goals if g.goal_id is not None]
    if goal_ids:
        visible = set(
            cscope.goal_scope().goals().filter(pk__in=goal_ids).values_list("pk", flat=True)
        )
        for n, goal in enumerate(draft.goals, start=1):
            if goal.goal_id is not None and goal.goal_id not in visible:
                problems.append((f"goals.{n}", f"Goal {n}: no goal you can see has that id."))
    if problems:
        raise CharterProblems(problems)
    with transaction.atomic():
        charter = _locked(charter)
        version = working_version(charter)
        if version is None or version.status != VersionStatus.DRAFT:
            raise CharterError(
                "There is no draft to edit: the charter is waiting for endorsements. Revise it "
                "to start a new draft."
            )
        if version_number is not None and version.number != version_number:
            raise CharterError("The draft changed while you edited it: open it again.")
        version.vision = draft.vision.strip()
        version.edited_at = timezone.now()
        version.save(update_fields=["vision", "edited_at"])
        _write_parts(version, draft)
        audit(charter=charter, actor=actor, via=via, action="draft.save", version=version.number,
              norms=len(draft.norms), roles=len(draft.roles), goals=len(draft.goals))  # fmt: skip
    return version


def _write_parts(version: Version, draft: Draft) -> None:
    version.norms.all().delete()
    version.roles.all().delete()
    version.goals.all().delete()
    Norm.objects.bulk_create(
        Norm(version=version, position=n, text=norm.text.strip(), signs=norm.signs.strip())
        for n, norm in enumerate(draft.norms, start=1)
    )
    Responsibility.objects.bulk_create(
        Responsibility(version=version, position=n, what=role.what.strip(), owner_id=role.owner_id)
        for n, role in enumerate(draft.roles, start=1)
    )
    CharterGoal.objects.bulk_create(
        CharterGoal(version=version, position=n, goal_id=goal.goal_id,
                    text="" if goal.goal_id is not None else goal.text.strip())
        for n, goal in enumerate(draft.goals, start=1)
    )  # fmt: skip


def propose(*, cscope: CharterScope, actor: User, via: str = "", charter: Charter) -> Version:
    """The draft sent to the members to endorse; it no longer changes."""
    charter = cscope.charter_to_facilitate(charter.pk)
    with transaction.atomic():
        charter = _locked(charter)
        version = working_version(charter)
        if version is None or version.status != VersionStatus.DRAFT:
            raise CharterError("There is no draft to propose.")
        # What blocks proposing reads the draft alone: no member's goal visibility needed.
        blocking = [gap.message for gap in rules.gaps(draft_of(version), {}, []) if gap.blocks]
        if blocking:
            raise CharterProblems([("draft", message) for message in blocking])
        version.status = VersionStatus.PROPOSED
        version.proposed_at = timezone.now()
        version.save(update_fields=["status", "proposed_at"])
        audit(charter=charter, actor=actor, via=via, action="draft.propose", version=version.number)
        _after_commit(deliveries.deliver_endorse_request, version.pk)
    return version


def _copy(version: Version, charter: Charter, actor: User | None) -> Version:
    last = charter.versions.order_by("-number").values_list("number", flat=True).first() or 0
    new = Version.objects.create(
        charter=charter, number=last + 1, status=VersionStatus.DRAFT, vision=version.vision,
        based_on=version, created_by=actor,
    )  # fmt: skip
    _write_parts(new, draft_of(version))
    return new


def revise(*, cscope: CharterScope, actor: User, via: str = "", charter: Charter) -> Version:
    """A new draft from the proposed version (withdrawn: its endorsements stay in the history)
    or, with none proposed, from the charter in force."""
    charter = cscope.charter_to_facilitate(charter.pk)
    with transaction.atomic():
        charter = _locked(charter)
        working = working_version(charter)
        if working is not None and working.status == VersionStatus.DRAFT:
            raise CharterError("A draft is already open: edit it.")
        source = working or version_in_force(charter)
        if source is None:
            raise CharterError("There is nothing to revise yet.")
        if working is not None:
            working.status = VersionStatus.WITHDRAWN
            working.ended_at = timezone.now()
            working.save(update_fields=["status", "ended_at"])
        new = _copy(source, charter, actor)
        audit(charter=charter, actor=actor, via=via, action="draft.revise",
              version=new.number, based_on=source.number)  # fmt: skip
    return new


def discard_draft(*, cscope: CharterScope, actor: User, via: str = "", charter: Charter) -> None:
    """A re-draft of a charter in force dropped: the charter in force stays as it is."""
    charter = cscope.charter_to_facilitate(charter.pk)
    with transaction.atomic():
        charter = _locked(charter)
        working = working_version(charter)
        if working is None or version_in_force(charter) is None:
            raise CharterError("Only a new draft of a charter in force can be dropped.")
        working.status = VersionStatus.WITHDRAWN
        working.ended_at = timezone.now()
        working.save(update_fields=["status", "ended_at"])
        audit(charter=charter, actor=actor, via=via, action="draft.discard", version=working.number)


# --- endorsing and adoption ---------------------------------------------------------------------


def endorse(
    *, cscope: CharterScope, actor: User, via: str = "", charter: Charter, version_number: int,
    decision: str, comment: str = "",
) -> Version:  # fmt: skip
    """A member endorses the version they read, or comments asking for changes; the charter
    is adopted the moment the team's rule is met. ``version_number`` is the version the
    member read: if the facilitator revised it meanwhile, the answer is refused."""
    charter = cscope.charter_to_answer(charter.pk)
    person = cscope.me()
    problems: list[tuple[str, str]] = []
    if decision not in Decision.values:
        problems.append(("decision", "Endorse the charter, or say what should change."))
    problems += rules.text_problems(
        "comment", comment, limit=rules.COMMENT_LONGEST, what="your comment",
        required=decision == Decision.COMMENTED, multiline=True,
    )  # fmt: skip
    if problems:
        raise CharterProblems(problems)
    now = timezone.now()
    with transaction.atomic():
        charter = _locked(charter)
        in_range = 0 < version_number < 2**31
        version = charter.versions.filter(number=version_number).first() if in_range else None
        in_force = version_in_force(charter)
        proposed = version is not None and version.status == VersionStatus.PROPOSED
        late = (
            version is not None and version == in_force
            and CharterMember.objects.filter(
                charter=charter, person=person, left_at__isnull=True,
                asked_to_endorse_at__isnull=False,
            ).exists()
        )  # fmt: skip
        if version is None or not (proposed or late):
            raise CharterError(
                "That version is no longer waiting for endorsement: read the charter again.",
                field="version",
            )
        earlier = Endorsement.objects.filter(version=version, person=person).first()
        # Endorsing after asking for a change keeps the words the team has read.
        kept = comment.strip() or (earlier.comment if earlier is not None else "")
        Endorsement.objects.update_or_create(
            version=version, person=person,
            defaults={"decision": decision, "comment": kept, "at": now, "after_adoption": late},
        )  # fmt: skip
        audit(charter=charter, actor=actor, via=via, action=f"version.{decision}",
              version=version.number)  # fmt: skip
        if late:
            if decision == Decision.ENDORSED:
                CharterMember.objects.filter(charter=charter, person=person).update(
                    asked_to_endorse_at=None
                )
        else:
            adopt_if_agreed(charter, version, now)
    return version


def rule_met(charter: Charter, version: Version, now: dt.datetime) -> bool:
    endorsed, members = agreement_of(charter, version)
    if members and endorsed >= members:
        return True
    if charter.rule != AdoptionRule.ALL_BUT_ONE or version.proposed_at is None:
        return False
    week_passed = version.proposed_at <= now - dt.timedelta(days=GRACE_DAYS)
    return week_passed and members >= 2 and endorsed >= members - 1


def adopt_if_agreed(charter: Charter, version: Version, now: dt.datetime) -> bool:
    """Adopt a proposed version when the team's rule is met (the charter's row is locked)."""
    if version.status != VersionStatus.PROPOSED or not rule_met(charter, version, now):
        return False
    previous = version_in_force(charter)
    if previous is not None:
        previous.status = VersionStatus.SUPERSEDED
        previous.ended_at = now
        previous.save(update_fields=["status", "ended_at"])
    version.status = VersionStatus.ADOPTED
    version.adopted_at = now
    version.save(update_fields=["status", "adopted_at"])
    today = timezone.localtime(now, charter.organisation.zone).date()
    charter.next_revisit_on = add_months(today, charter.cadence_months)
    charter.recharter_reason = ""
    charter.recharter_noticed_at = None
    charter.save(update_fields=["next_revisit_on", "recharter_reason", "recharter_noticed_at"])
    # Members who endorsed the new version need not be asked about the old one any more.
    CharterMember.objects.filter(charter=charter).update(asked_to_endorse_at=None)
    endorsed, members = agreement_of(charter, version)
    audit(charter=charter, actor=None, action="version.adopt", version=version.number,
          endorsed=endorsed, members=members)  # fmt: skip
    _refresh_pulses(charter)
    _after_commit(deliveries.deliver_adopted, version.pk)
    return True


# --- revisits ------------------------------------------------------------------------------------


def open_revisit(
    *, cscope: CharterScope | None, actor: User | None, via: str = "", charter: Charter,
    now: dt.datetime | None = None,
) -> Revisit:  # fmt: skip
    """Members asked how well each norm is kept, and a new draft opened from the charter in
    force. The facilitator opens one at any time; the queue opens it when it falls due."""
    if cscope is not None:
        charter = cscope.charter_to_facilitate(charter.pk)
    now = now or timezone.now()
    with transaction.atomic():
        charter = _locked(charter)
        in_force = version_in_force(charter)
        if in_force is None:
            raise CharterError("A revisit looks back on a charter in force: adopt one first.")
        if not in_force.norms.exists():
            raise CharterError("The charter in force has no norms to rate.")
        if open_revisit_of(charter) is not None:
            raise CharterError("A revisit is open already.")
        revisit = Revisit.objects.create(
            charter=charter, version=in_force, opened_at=now,
            closes_at=now + dt.timedelta(days=REVISIT_DAYS),
        )  # fmt: skip
        if working_version(charter) is None:
            _copy(in_force, charter, actor)
        today = timezone.localtime(now, charter.organisation.zone).date()
        charter.next_revisit_on = add_months(today, charter.cadence_months)
        charter.save(update_fields=["next_revisit_on"])
        audit(charter=charter, actor=actor, via=via, action="revisit.open", version=in_force.number)
        _after_commit(deliveries.deliver_revisit, revisit.pk)
    return revisit


def rate_norms(
    *, cscope: CharterScope, actor: User, via: str = "", charter: Charter,
    ratings: Mapping[int, int],
) -> None:  # fmt: skip
    """A member's view of how well each norm is kept, with no link to them. A norm left out
    is "can't say"."""
    charter = cscope.charter_to_answer(charter.pk)
    person = cscope.me()
    with transaction.atomic():
        charter = _locked(charter)
        revisit = open_revisit_of(charter)
        if revisit is None:
            raise CharterError("No revisit is open.")
        norms = set(revisit.version.norms.values_list("pk", flat=True))
        problems = []
        for norm_id, score in ratings.items():
            if norm_id not in norms:
                problems.append(("ratings", f"Norm {norm_id} is not in the charter revisited."))
            elif score not in KeptScale.values:
                problems.append((f"norm_{norm_id}", "Rate from 1 (not at all) to 5 (fully)."))
        if not ratings and not problems:
            problems.append(("ratings", "Rate at least one norm."))
        if problems:
            raise CharterProblems(problems)
        if RevisitReceipt.objects.filter(revisit=revisit, person=person).exists():
            raise CharterError("You have answered this revisit already; thank you.")
        if joined_after(charter, person, revisit.opened_at):
            raise CharterError(
                "You joined the team after this revisit opened: the next one asks you too."
            )
        _receipt_in_random_order(RevisitReceipt, revisit=revisit, person=person)
        sheet = uuid.uuid4()
        NormRating.objects.bulk_create(
            NormRating(revisit=revisit, sheet=sheet, norm_id=norm_id, score=score)
            for norm_id, score in ratings.items()
        )
        _show_in_batches(NormRating.objects.filter(revisit=revisit))
        _audit_private(charter, "revisit.answer")


def close_revisit(
    *, cscope: CharterScope | None, actor: User | None, via: str = "", charter: Charter,
    now: dt.datetime | None = None,
) -> Revisit:  # fmt: skip
    if cscope is not None:
        charter = cscope.charter_to_facilitate(charter.pk)
    with transaction.atomic():
        charter = _locked(charter)
        revisit = open_revisit_of(charter)
        if revisit is None:
            raise CharterError("No revisit is open.")
        revisit.closed_at = now or timezone.now()
        revisit.save(update_fields=["closed_at"])
        audit(charter=charter, actor=actor, via=via, action="revisit.close")
    return revisit


# --- norms in the pulse ----------------------------------------------------------------------------


def add_norms_to_pulse(
    *, cscope: CharterScope, actor: User, via: str = "", charter: Charter, cycle_id: int
) -> PulseNorms:
    """Ask the team's members, in a pulse survey not yet open, how well each norm of the
    charter in force is kept. The survey asks them on a page of their own and keeps their
    answers apart from everything else it collects (surveys/team_questions.py)."""
    charter = cscope.charter_to_facilitate(charter.pk)
    with transaction.atomic():
        charter = _locked(charter)
        cycle = team_questions.upcoming_pulses(charter.organisation_id).filter(pk=cycle_id).first()
        if cycle is None:
            raise CharterError("Choose one of the pulse surveys that has not opened yet.",
                               field="cycle")  # fmt: skip
        in_force = version_in_force(charter)
        if in_force is None or not in_force.norms.exists():
            raise CharterError("Adopt a charter with norms first: its norms are what is asked.",
                               field="cycle")  # fmt: skip
        if PulseNorms.objects.filter(charter=charter, cycle=cycle).exists():
            raise CharterError(f"The team's norms are in “{cycle.name}” already.", field="cycle")
        try:
            questions = team_questions.add_team_questions(
                cycle=cycle, team_name=charter.name, people_ids=member_ids(charter),
                statements=list(in_force.norms.values_list("text", flat=True)),
            )  # fmt: skip
        except Refusal as refusal:
            raise CharterError(str(refusal), field="cycle") from None
        pulse = PulseNorms.objects.create(
            charter=charter, cycle=cycle, questions=questions, version=in_force,
            added_at=timezone.now(),
        )  # fmt: skip
        audit(charter=charter, actor=actor, via=via, action="pulse.add", cycle=cycle.name,
              version=in_force.number, norms=len(questions.statements))  # fmt: skip
    return pulse


def withdraw_norms_from_pulse(
    *, cscope: CharterScope, actor: User, via: str = "", charter: Charter, pulse_id: int
) -> None:
    charter = cscope.charter_to_facilitate(charter.pk)
    with transaction.atomic():
        charter = _locked(charter)
        pulse = (
            PulseNorms.objects.filter(charter=charter, pk=pulse_id)
            .select_related("questions__cycle")
            .first()
        )
        if pulse is None:
            raise CharterError("The team's norms are not in that survey.", field="pulse")
        name = pulse.questions.cycle.name
        try:
            team_questions.withdraw_team_questions(questions=pulse.questions)
        except Refusal as refusal:
            raise CharterError(str(refusal), field="pulse") from None
        audit(charter=charter, actor=actor, via=via, action="pulse.withdraw", cycle=name)


def _refresh_pulses(charter: Charter) -> None:
    """Pulses not yet open ask the charter in force's norms of the team as it is now (the
    charter's row is locked). Once a survey opens, what it asks stays as it was."""
    waiting = PulseNorms.objects.filter(
        charter=charter, questions__state=team_questions.State.WAITING
    ).select_related("questions__cycle")
    in_force = version_in_force(charter)
    if in_force is None:
        return
    statements = list(in_force.norms.values_list("text", flat=True))
    members = member_ids(charter)
    for pulse in waiting:
        try:
            team_questions.update_team_questions(
                questions=pulse.questions, team_name=charter.name, statements=statements,
                people_ids=members,
            )  # fmt: skip
        except Refusal:
            continue  # the survey has just opened, or the charter in force has no norms now
        if pulse.version_id != in_force.pk:
            pulse.version = in_force
            pulse.save(update_fields=["version"])


# --- the queue's clock ----------------------------------------------------------------------------


def keep_charters(
    now: dt.datetime | None = None, organisation: Organisation | None = None
) -> dict[str, int]:
    """What the clock does, hourly: members in step with their teams, adoption after the week
    of grace, revisits opened when due and closed after two weeks, reminders sent once — for
    every organisation, or one (the command line's)."""
    now = now or timezone.now()
    done = {"members": 0, "adopted": 0, "opened": 0, "closed": 0, "reminded": 0}
    charters = Charter.objects.all()
    if organisation is not None:
        charters = charters.filter(organisation=organisation)
    for charter in charters.select_related("organisation", "unit", "team").iterator():
        joined, left = keep_members(charter, now)
        done["members"] += len(joined) + len(left)
    waiting = Version.objects.filter(
        status=VersionStatus.PROPOSED, charter__rule=AdoptionRule.ALL_BUT_ONE,
        proposed_at__lte=now - dt.timedelta(days=GRACE_DAYS), charter__in=charters,
    ).select_related("charter__organisation")  # fmt: skip
    for version in waiting:
        with transaction.atomic():
            charter = _locked(version.charter)
            fresh = Version.objects.get(pk=version.pk)
            done["adopted"] += adopt_if_agreed(charter, fresh, now)
    for revisit in Revisit.objects.filter(
        closed_at__isnull=True, closes_at__lte=now, charter__in=charters
    ):
        close_revisit(cscope=None, actor=None, charter=revisit.charter, now=now)
        done["closed"] += 1
    open_now = Revisit.objects.filter(closed_at__isnull=True).values("charter_id")
    due = (
        charters.filter(next_revisit_on__isnull=False)
        .exclude(pk__in=open_now)
        .select_related("organisation")
    )
    for charter in due:
        today = timezone.localtime(now, charter.organisation.zone).date()
        assert charter.next_revisit_on is not None
        if charter.next_revisit_on <= today and version_in_force(charter) is not None:
            try:
                open_revisit(cscope=None, actor=None, charter=charter, now=now)
            except CharterError:
                continue
            done["opened"] += 1
    done["reminded"] = send_reminders(now, charters)
    return done


def send_reminders(now: dt.datetime, charters: QuerySet[Charter] | None = None) -> int:
    """One reminder, REMINDER_DAYS after asking, to the members who have not endorsed a
    proposed version or answered an open revisit (marked before sending: never twice)."""
    cutoff = now - dt.timedelta(days=REMINDER_DAYS)
    sent = 0
    charters = Charter.objects.all() if charters is None else charters
    versions = Version.objects.filter(
        status=VersionStatus.PROPOSED, proposed_at__lte=cutoff, reminded_at__isnull=True,
        charter__in=charters,
    )  # fmt: skip
    for pk in list(versions.values_list("pk", flat=True)):
        if Version.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
            deliveries.deliver_endorse_reminder(pk)
            sent += 1
    revisits = Revisit.objects.filter(
        closed_at__isnull=True, opened_at__lte=cutoff, reminded_at__isnull=True,
        charter__in=charters,
    )  # fmt: skip
    for pk in list(revisits.values_list("pk", flat=True)):
        if Revisit.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
            deliveries.deliver_revisit_reminder(pk)
            sent += 1
    return sent


def remind_now(*, charter: Charter) -> int:
    """The command line's `accord charter remind`: ask again, now, whoever has a step waiting on
    this charter — the values questions of a first charter, an endorsement, a revisit, a member
    who joined after adoption. Returns how many members were asked."""
    working = working_version(charter)
    revisit = open_revisit_of(charter)
    if revisit is not None:
        deliveries.deliver_revisit_reminder(revisit.pk)
    if working is not None and working.status == VersionStatus.PROPOSED:
        deliveries.deliver_endorse_reminder(working.pk)
    elif working is not None and version_in_force(charter) is None:
        deliveries.deliver_values_request(working.pk)
    for person in _late_joiners(charter):
        deliveries.deliver_new_member(charter.pk, person.pk)
    return len({p.pk for p in waiting_members(charter)} | _waiting_privately(charter))


def _late_joiners(charter: Charter) -> list[Person]:
    asked = CharterMember.objects.filter(
        charter=charter, left_at__isnull=True, asked_to_endorse_at__isnull=False
    ).values("person_id")
    return list(Person.objects.filter(pk__in=asked, is_active=True).order_by("name"))


def waiting_members(charter: Charter) -> list[Person]:
    """The members a named step waits on: endorsing the proposed version, or reading the
    charter in force after joining — steps the team sees by name anyway. Who has not yet
    answered the private values questions or a revisit is never named (``waiting_privately``)."""
    waiting = {p.pk for p in _late_joiners(charter)}
    working = working_version(charter)
    if working is not None and working.status == VersionStatus.PROPOSED:
        done = set(Endorsement.objects.filter(version=working).values_list("person_id", flat=True))
        waiting |= member_ids(charter) - done
    return list(Person.objects.filter(pk__in=waiting, is_active=True).order_by("name"))


def _waiting_privately(charter: Charter) -> set[int]:
    members = member_ids(charter)
    waiting: set[int] = set()
    working = working_version(charter)
    first = version_in_force(charter) is None
    if first and working is not None and working.status == VersionStatus.DRAFT:
        done = set(
            ValuesReceipt.objects.filter(version=working).values_list("person_id", flat=True)
        )
        waiting |= members - done
    revisit = open_revisit_of(charter)
    if revisit is not None:
        done = set(
            RevisitReceipt.objects.filter(revisit=revisit).values_list("person_id", flat=True)
        )
        later = set(
            CharterMember.objects.filter(
                charter=charter, joined_at__gt=revisit.opened_at
            ).values_list("person_id", flat=True)
        )
        waiting |= members - done - later
    return waiting


def waiting_privately(charter: Charter) -> int:
    """How many members have not answered the private step open now (values or a revisit):
    a count, as the team's pages show it, never names."""
    return len(_waiting_privately(charter))
