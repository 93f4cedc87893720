"""Reads for the charter pages, the API and the command line: the viewer's charters and what
waits on them, one charter as the viewer may see it, the values and norm ratings pooled over
at least three members, the history and the difference between two versions."""

from __future__ import annotations

import difflib
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.urls import reverse

from accord.charters import state
from accord.charters.models import (
    POOLED_MINIMUM,
    WORKING,
    Charter,
    CharterMember,
    Endorsement,
    KeptScale,
    NormRating,
    Prompt,
    PulseNorms,
    Revisit,
    RevisitReceipt,
    ValuesAnswer,
    ValuesReceipt,
    Version,
    VersionStatus,
)
from accord.charters.rules import Gap
from accord.charters.values import THEME_NAMES, themes_of
from accord.charters.visibility import CharterScope
from accord.org.models import Person
from accord.surveys import team_questions


class Stage:
    DRAFTING = "Drafting"
    ENDORSING = "Waiting for endorsements"
    IN_FORCE = "In force"
    REVISITING = "Revisit open"
    REDRAFTING = "In force; a new draft in progress"


def stage_of(charter: Charter) -> str:
    return stages([charter])[charter.pk]


@dataclass(frozen=True)
class Step:
    """Something waiting on the viewer, with the page where it is done."""

    label: str
    page: str


def my_steps(cscope: CharterScope, charter: Charter) -> list[Step]:
    person = cscope.person
    if person is None:
        return []
    steps: list[Step] = []
    member = CharterMember.objects.filter(
        charter=charter, person=person, left_at__isnull=True
    ).first()
    working = state.working_version(charter)
    if member is not None:
        if member.asked_to_endorse_at is not None:
            steps.append(Step("Read and endorse the charter", "charter"))
        # Values are asked for a first charter; a re-draft may gather them, unasked.
        first = state.version_in_force(charter) is None
        drafting = first and working is not None and working.status == VersionStatus.DRAFT
        if drafting and not ValuesReceipt.objects.filter(version=working, person=person).exists():
            steps.append(Step("Answer the values questions", "charter-values"))
        proposed = working is not None and working.status == VersionStatus.PROPOSED
        if proposed and not Endorsement.objects.filter(version=working, person=person).exists():
            steps.append(Step("Endorse the draft, or comment", "charter-draft"))
        revisit = state.open_revisit_of(charter)
        if (
            revisit is not None
            and not state.joined_after(charter, person, revisit.opened_at)
            and not RevisitReceipt.objects.filter(revisit=revisit, person=person).exists()
        ):
            steps.append(Step("Say how well the norms are kept", "charter-revisit"))
    if charter.facilitator_id == person.pk:
        if working is not None and working.status == VersionStatus.DRAFT:
            steps.append(Step("Work on the draft", "charter-draft"))
        if charter.recharter_reason:
            steps.append(Step("The team has changed: charter again", "charter"))
    return steps


@dataclass(frozen=True)
class CharterRow:
    charter: Charter
    stage: str
    steps: list[Step]
    on_team: bool


def my_charters(cscope: CharterScope) -> list[CharterRow]:
    charters = list(cscope.on_team_of().order_by("name", "pk"))
    found = stages(charters)
    return [CharterRow(c, found[c.pk], my_steps(cscope, c), True) for c in charters]


def overseen(cscope: CharterScope) -> QuerySet[Charter]:
    """Charters the viewer oversees without being on the team (a page lists them in pages)."""
    mine = cscope.on_team_of().values("pk")
    return cscope.readable().exclude(pk__in=mine).order_by("name", "pk")


def overseen_rows(charters: Sequence[Charter]) -> list[CharterRow]:
    """Where each charter stands, read in three queries however many there are."""
    found = stages(charters)
    return [CharterRow(c, found[c.pk], [], False) for c in charters]


def stages(charters: Sequence[Charter]) -> dict[int, str]:
    ids = [c.pk for c in charters]
    working = dict(
        Version.objects.filter(charter_id__in=ids, status__in=WORKING).values_list(
            "charter_id", "status"
        )
    )
    in_force = set(
        Version.objects.filter(charter_id__in=ids, status=VersionStatus.ADOPTED).values_list(
            "charter_id", flat=True
        )
    )
    revisiting = set(
        Revisit.objects.filter(charter_id__in=ids, closed_at__isnull=True).values_list(
            "charter_id", flat=True
        )
    )
    found = {}
    for pk in ids:
        if working.get(pk) == VersionStatus.PROPOSED:
            found[pk] = Stage.ENDORSING
        elif pk in revisiting:
            found[pk] = Stage.REVISITING
        elif pk not in in_force:
            found[pk] = Stage.DRAFTING
        else:
            found[pk] = Stage.REDRAFTING if pk in working else Stage.IN_FORCE
    return found


# --- one charter -----------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalLine:
    text: str
    measure: str
    goal_id: int | None
    hidden: bool = False  # a goal of the goals app the viewer may not open there


@dataclass(frozen=True)
class RoleLine:
    what: str
    owner: str


@dataclass(frozen=True)
class VersionView:
    version: Version
    vision: str
    goals: list[GoalLine]
    norms: list[tuple[int, str, str]]  # (id, we…, how we notice)
    roles: list[RoleLine]

    def lines(self) -> dict[str, list[str]]:
        """The version as lines per section, for the difference between two versions."""
        return {
            "Vision": [line for line in self.vision.splitlines() if line.strip()],
            "Goals": [f"{g.text} — {g.measure}" if g.measure else g.text for g in self.goals],
            "Norms": [f"{text} (how we notice: {signs or '—'})" for _, text, signs in self.norms],
            "Responsibilities": [f"{r.what}: {r.owner}" for r in self.roles],
        }


HIDDEN_GOAL = "A goal in Goals that you cannot open"


def version_view(version: Version, cscope: CharterScope | None = None) -> VersionView:
    """A version as pages show it. With the viewer's ``cscope``, a linked goal they may not
    open in Goals is named only as such: a charter never widens who reads a goal."""
    links = list(version.goals.select_related("goal"))
    visible: set[int] | None = None
    if cscope is not None:
        ids = [g.goal_id for g in links if g.goal_id is not None]
        visible = set(cscope.goal_scope().goals().filter(pk__in=ids).values_list("pk", flat=True))
    goals = []
    for g in links:
        if g.goal is not None and visible is not None and g.goal.pk not in visible:
            goals.append(GoalLine(HIDDEN_GOAL, "", None, hidden=True))
        elif g.goal is not None:
            unit = f" {g.goal.metric_unit}" if g.goal.metric_unit else ""
            measure = (
                f"{g.goal.metric_name}: {g.goal.target.normalize():f}{unit} "
                f"by {g.goal.due_date:%-d %B %Y}"
            )
            goals.append(GoalLine(g.goal.title, measure, g.goal.pk))
        elif g.goal_id is None and g.text:
            goals.append(GoalLine(g.text, "", None))
    roles = [
        RoleLine(r.what, r.owner.name if r.owner is not None else "no owner")
        for r in version.roles.select_related("owner")
    ]
    norms = [(n.pk, n.text, n.signs) for n in version.norms.all()]
    return VersionView(version, version.vision, goals, norms, roles)


@dataclass(frozen=True)
class EndorsementLine:
    name: str
    decision: str
    comment: str
    at: object


@dataclass
class CharterPage:
    charter: Charter
    stage: str
    on_team: bool
    is_facilitator: bool
    is_member: bool
    in_force: VersionView | None
    members: list[Person]
    steps: list[Step]
    working: VersionView | None = None
    agreement: tuple[int, int] = (0, 0)
    endorsements: list[EndorsementLine] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    values_answered: int = 0
    revisit: Revisit | None = None
    revisit_answered: int = 0
    late_endorsements: list[EndorsementLine] = field(default_factory=list)
    may_hand_over: bool = False


def endorsements_of(version: Version, *, after_adoption: bool = False) -> list[EndorsementLine]:
    rows = Endorsement.objects.filter(version=version).select_related("person")
    if after_adoption:
        rows = rows.filter(after_adoption=True)
    return [EndorsementLine(e.person.name, e.get_decision_display(), e.comment, e.at) for e in rows]


def charter_page(cscope: CharterScope, charter: Charter) -> CharterPage:
    on_team = cscope.is_on_team(charter)
    in_force = state.version_in_force(charter)
    members = list(
        Person.objects.filter(
            pk__in=CharterMember.objects.filter(charter=charter, left_at__isnull=True).values(
                "person_id"
            )
        ).order_by("name")
    )
    page = CharterPage(
        charter=charter,
        stage=stage_of(charter),
        on_team=on_team,
        is_facilitator=cscope.is_facilitator(charter),
        is_member=cscope.is_member(charter),
        in_force=version_view(in_force, cscope) if in_force else None,
        members=members,
        steps=my_steps(cscope, charter),
        may_hand_over=cscope.is_facilitator(charter) or cscope.is_admin,
    )
    if not on_team:
        return page
    working = state.working_version(charter)
    if working is not None:
        page.working = version_view(working, cscope)
        page.agreement = state.agreement_of(charter, working)
        page.endorsements = endorsements_of(working)
        page.gaps = state.gaps_of(working) if working.status == VersionStatus.DRAFT else []
        page.values_answered = ValuesReceipt.objects.filter(version=working).count()
    if in_force is not None:
        # Answers of members who joined after adoption: the adopting ones are in the history.
        page.late_endorsements = endorsements_of(in_force, after_adoption=True)
    revisit = state.open_revisit_of(charter)
    if revisit is not None:
        page.revisit = revisit
        page.revisit_answered = RevisitReceipt.objects.filter(revisit=revisit).count()
    return page


# --- pooled answers --------------------------------------------------------------------------


def _shuffled(texts: Sequence[str]) -> list[str]:
    """A fixed order that says nothing of who wrote first: by a digest of the words."""
    return sorted(texts, key=lambda t: hashlib.sha256(t.encode()).hexdigest())


@dataclass(frozen=True)
class Theme:
    name: str
    people: int
    texts: list[str]


@dataclass(frozen=True)
class PromptThemes:
    prompt: str
    themes: list[Theme]
    hidden: int  # answers in themes too small to show


@dataclass(frozen=True)
class PooledValues:
    answered: int
    shown: bool
    prompts: list[PromptThemes]
    waiting: int = 0  # members whose answers wait for others' before they are shown
    minimum: int = POOLED_MINIMUM


def pooled_values(version: Version) -> PooledValues:
    """The values answers of a draft grouped into themes per question, with the words people
    used: nothing until three members' answers are shown (they join in batches of three), and a theme only when at least three
    members' answers fall in it. An answer in no theme shown goes to "Other", shown on the
    same terms; what is left is counted, never shown."""
    answered = ValuesReceipt.objects.filter(version=version).count()
    visible = ValuesAnswer.objects.filter(version=version, shown=True)
    shown_people = visible.values("sheet").distinct().count()
    if shown_people < POOLED_MINIMUM:
        return PooledValues(answered, False, [], waiting=answered)
    rows = list(visible.values_list("prompt", "sheet", "text"))
    found = themes_of([text for _, _, text in rows])
    prompts = []
    for prompt in Prompt:
        members: dict[str, set[object]] = defaultdict(set)
        texts: dict[str, list[str]] = defaultdict(list)
        answers = [
            (sheet, text, th)
            for (p, sheet, text), th in zip(rows, found, strict=True)
            if p == prompt
        ]
        for sheet, text, names in answers:
            for name in names:
                members[name].add(sheet)
                texts[name].append(text)
        shown = {name for name, sheets in members.items() if len(sheets) >= POOLED_MINIMUM}
        other_sheets: set[object] = set()
        other_texts: list[str] = []
        for sheet, text, names in answers:
            if not shown.intersection(names):
                other_sheets.add(sheet)
                other_texts.append(text)
        themes = [
            Theme(THEME_NAMES[name], len(members[name]), _shuffled(texts[name]))
            for name in sorted(shown, key=lambda n: (-len(members[n]), n))
        ]
        hidden = 0
        if len(other_sheets) >= POOLED_MINIMUM:
            themes.append(
                Theme("Other things people said", len(other_sheets), _shuffled(other_texts))
            )
        else:
            hidden = len(other_texts)
        prompts.append(PromptThemes(prompt.label, themes, hidden))
    return PooledValues(answered, True, prompts, waiting=answered - shown_people)


@dataclass(frozen=True)
class NormScore:
    text: str
    answered: int
    mean: float | None
    counts: list[int]  # people per point of the scale, 1 to 5, when shown


@dataclass(frozen=True)
class PooledRatings:
    revisit: Revisit
    answered: int
    shown: bool
    norms: list[NormScore]
    waiting: int = 0  # members whose ratings wait for others' before they are shown
    minimum: int = POOLED_MINIMUM


def pooled_ratings(revisit: Revisit) -> PooledRatings:
    """How well each norm is kept, over the members who rated it: nothing until three have
    answered, and a norm only when at least three rated it (a "can't say" is no rating)."""
    answered = RevisitReceipt.objects.filter(revisit=revisit).count()
    norms = list(revisit.version.norms.all())
    visible = NormRating.objects.filter(revisit=revisit, shown=True)
    shown_people = visible.values("sheet").distinct().count()
    if shown_people < POOLED_MINIMUM:
        return PooledRatings(revisit, answered, False, [], waiting=answered)
    scores: dict[int, list[int]] = defaultdict(list)
    for norm_id, score in visible.values_list("norm_id", "score"):
        scores[norm_id].append(score)
    rows = []
    for norm in norms:
        given = scores.get(norm.pk, [])
        if len(given) < POOLED_MINIMUM:
            rows.append(NormScore(norm.text, len(given), None, []))
            continue
        counts = [given.count(point) for point in KeptScale.values]
        rows.append(NormScore(norm.text, len(given), sum(given) / len(given), counts))
    return PooledRatings(revisit, answered, True, rows, waiting=answered - shown_people)


def last_revisit(charter: Charter) -> Revisit | None:
    return charter.revisits.select_related("version").first()


# --- history ----------------------------------------------------------------------------------


def history(cscope: CharterScope, charter: Charter) -> QuerySet[Version]:
    """Every version for the team (withdrawn drafts too); the adopted ones for overseers."""
    versions = charter.versions.all()
    if not cscope.is_on_team(charter):
        versions = versions.filter(status__in=(VersionStatus.ADOPTED, VersionStatus.SUPERSEDED))
    return versions.order_by("-number")


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "added", "removed"
    text: str


@dataclass(frozen=True)
class DiffSection:
    name: str
    lines: list[DiffLine]

    @property
    def changed(self) -> bool:
        return any(line.kind != "same" for line in self.lines)


def difference(old: Version, new: Version, cscope: CharterScope | None = None) -> list[DiffSection]:
    """What changed from ``old`` to ``new``, section by section, line by line."""
    before, after = version_view(old, cscope).lines(), version_view(new, cscope).lines()
    sections = []
    for name in before:
        lines = []
        matcher = difflib.SequenceMatcher(a=before[name], b=after[name], autojunk=False)
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op == "equal":
                lines += [DiffLine("same", text) for text in before[name][a1:a2]]
                continue
            lines += [DiffLine("removed", text) for text in before[name][a1:a2]]
            lines += [DiffLine("added", text) for text in after[name][b1:b2]]
        sections.append(DiffSection(name, lines))
    return sections


def version_of(cscope: CharterScope, charter: Charter, number: int) -> Version | None:
    return history(cscope, charter).filter(number=number).first()


def has_answered_values(version: Version, person: Person) -> bool:
    return ValuesReceipt.objects.filter(version=version, person=person).exists()


def has_answered_revisit(revisit: Revisit, person: Person) -> bool:
    return RevisitReceipt.objects.filter(revisit=revisit, person=person).exists()


def create_goal_url(cscope: CharterScope, charter: Charter) -> str:
    """Where the facilitator creates a goal for the charter: a shared goal of a leadership
    team, else a goal of their own (which they may make visible to the team)."""
    url = reverse("goal-create", args=[cscope.organisation.slug])
    if charter.team is not None and cscope.goal_scope().can_manage_team(charter.team):
        return f"{url}?team={charter.team_id}"
    return url


def values_version(charter: Charter) -> Version | None:
    """The version whose values the team reads: the draft being gathered for, else the newest
    version that gathered some (a revisit's new draft asks none unless members answer)."""
    working = state.working_version(charter)
    if working is not None and (
        state.version_in_force(charter) is None
        or ValuesReceipt.objects.filter(version=working).exists()
    ):
        return working
    gathered = ValuesReceipt.objects.filter(version__charter=charter).values("version_id")
    return charter.versions.filter(pk__in=gathered).order_by("-number").first() or working


def my_endorsement(version: Version, person: Person) -> dict[str, str]:
    """A member's answer to a version so far, to show it again in the form."""
    found = Endorsement.objects.filter(version=version, person=person).first()
    return {"decision": found.decision, "comment": found.comment} if found is not None else {}


# --- norms in the pulse ---------------------------------------------------------------------


@dataclass(frozen=True)
class PulseLine:
    pulse: PulseNorms
    result: team_questions.TeamResult

    @property
    def waiting(self) -> bool:
        """Not asked yet: the facilitator may still take the norms out."""
        return self.pulse.questions.state == team_questions.State.WAITING


def pulses_of(charter: Charter) -> list[PulseLine]:
    """The pulses the team's norms were added to, newest first, each with what the team may
    see of its members' answers there."""
    rows = charter.pulses.select_related("questions__cycle", "version")
    return [PulseLine(pulse, team_questions.result(pulse.questions)) for pulse in rows]


def pulses_to_join(charter: Charter) -> list[team_questions.UpcomingPulse]:
    taken = list(charter.pulses.values_list("cycle_id", flat=True))
    return team_questions.pulses_to_join(charter.organisation_id, excluding=taken)
