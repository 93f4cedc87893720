"""API routes for team charters: /api/charters. The same rules as the pages, through the same
services and selectors: the team (its members and facilitator) reads everything it shares;
executives, program admins and leaders over a unit's charter read the charter in force and
where it stands; the facilitator drafts, proposes, runs revisits and adds the norms to pulse
surveys; members answer, endorse and rate. What members write privately is only ever read
pooled: over at least three, and a pulse's answers over its minimum group once its results
are published."""

# No `from __future__ import annotations`: django-ninja reads these annotations at run time.
import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import Status

from accord.access.scopes import NotAllowed
from accord.api_fields import Changes, Id, Line, Name, Paragraph, Refusal, left_out
from accord.charters import rules, selectors, services, state
from accord.charters.errors import CharterError, CharterProblems
from accord.charters.models import (
    LARGEST_TEAM,
    LONGEST_CADENCE_MONTHS,
    POOLED_MINIMUM,
    Charter,
    Decision,
    Prompt,
    Revisit,
    TeamKind,
    Version,
)
from accord.charters.rules import Draft, GoalDraft, NormDraft, RoleDraft
from accord.charters.visibility import CharterScope
from accord.goals.models import Team
from accord.org.models import Person, Unit
from accord.org.selectors import people_by_key
from accord.surveys import team_questions

router = Router(tags=["charters"])

VIA = "API"
# A version's number is a 32-bit column.
VersionNumber = Annotated[int, Field(ge=1, le=2**31 - 1)]
Cadence = Annotated[int, Field(ge=1, le=LONGEST_CADENCE_MONTHS)]
Score = Annotated[int, Field(ge=1, le=5, description="1 not at all … 5 fully")]
# Kept as literals, not the models' enums, so that no other app's enum of the same name can
# take their place in the OpenAPI document (its components are keyed by class name).
Kind = Literal["unit", "leadership_team", "group"]
Rule = Literal["everyone", "all_but_one"]
DecisionIn = Literal["endorsed", "commented"]
NOT_STARTER = "Whoever leads a team starts its charter: a leader, an executive or a program admin."
STAGES = "; ".join(
    (
        selectors.Stage.DRAFTING,
        selectors.Stage.ENDORSING,
        selectors.Stage.IN_FORCE,
        selectors.Stage.REVISITING,
        selectors.Stage.REDRAFTING,
    )
)


def _cscope(request: HttpRequest) -> CharterScope:
    return CharterScope(request.auth)  # type: ignore[attr-defined]


# --- what the API answers ---------------------------------------------------------------------


class CharterPersonOut(Schema):
    id: int
    name: str


class CharterGoalOut(Schema):
    goal_id: int | None = Field(description="The goal in Goals, or null for words only")
    text: str
    measure: str = Field(description="The goal's measure and target; empty for words only")


class CharterNormOut(Schema):
    id: int
    text: str
    signs: str = Field(description="How the team notices it kept or broken")


class CharterRoleOut(Schema):
    what: str
    owner_id: int | None
    owner: str | None


class CharterVersionOut(Schema):
    number: int
    status: str = Field(description="draft, proposed, adopted, superseded or withdrawn")
    vision: str
    goals: list[CharterGoalOut]
    norms: list[CharterNormOut]
    roles: list[CharterRoleOut]
    based_on: int | None = Field(description="The number of the version it was copied from")
    created_at: dt.datetime
    proposed_at: dt.datetime | None
    adopted_at: dt.datetime | None
    ended_at: dt.datetime | None


class CharterEndorsementOut(Schema):
    name: str
    decision: str = Field(description="endorsed or commented")
    comment: str
    at: dt.datetime


class CharterVersionReadOut(CharterVersionOut):
    endorsements: list[CharterEndorsementOut] | None = Field(
        description="Who endorsed or commented, with their comments: for the team only"
    )


class CharterVersionLineOut(Schema):
    number: int
    status: str
    based_on: int | None
    created_at: dt.datetime
    proposed_at: dt.datetime | None
    adopted_at: dt.datetime | None
    ended_at: dt.datetime | None

    @staticmethod
    def resolve_based_on(version: Version) -> int | None:
        return version.based_on.number if version.based_on is not None else None


class CharterAgreementOut(Schema):
    endorsed: int
    members: int


class CharterGapOut(Schema):
    message: str
    blocks: bool = Field(description="Whether the draft cannot be proposed until it is filled")


class CharterRevisitOut(Schema):
    version: int = Field(description="The number of the version revisited")
    opened_at: dt.datetime
    closes_at: dt.datetime
    closed_at: dt.datetime | None


class CharterOpenRevisitOut(CharterRevisitOut):
    answered: int = Field(description="How many members have rated the norms")


class CharterRowOut(Schema):
    id: int
    name: str
    kind: str
    facilitator: str
    stage: str = Field(description=f"One of: {STAGES}")
    on_team: bool = Field(description="False for a charter the viewer oversees")
    waiting_on_me: list[str]
    next_revisit_on: dt.date | None


class CharterOut(Schema):
    id: int
    name: str
    kind: str = Field(description="unit, leadership_team or group")
    unit_id: int | None
    team_id: int | None
    facilitator_id: int
    facilitator: str
    rule: str = Field(description="everyone or all_but_one")
    cadence_months: int
    next_revisit_on: dt.date | None
    stage: str = Field(description=f"One of: {STAGES}")
    on_team: bool
    is_facilitator: bool
    is_member: bool
    members: list[CharterPersonOut]
    in_force: CharterVersionOut | None
    waiting_on_me: list[str]
    # The team's own; null for those who oversee it.
    recharter_reason: str | None = Field(
        description="Why the team should charter again, when it has changed; the team's only"
    )
    working: CharterVersionOut | None = Field(
        description="The draft or proposed version: the team's only"
    )
    agreement: CharterAgreementOut | None = Field(
        description="Members who endorsed the working version: the team's only"
    )
    endorsements: list[CharterEndorsementOut] | None = Field(
        description="Answers to the working version: the team's only"
    )
    late_endorsements: list[CharterEndorsementOut] | None = Field(
        description="Answers to the version in force by members who joined after it: the "
        "team's only"
    )
    gaps: list[CharterGapOut] | None = Field(
        description="What the draft is missing: the team's only"
    )
    values_answered: int | None = Field(
        description="Members who answered the values questions of the working version"
    )
    revisit: CharterOpenRevisitOut | None = Field(description="The open revisit: the team's only")


class CharterThemeOut(Schema):
    name: str
    people: int
    texts: list[str]


class CharterPromptOut(Schema):
    prompt: str = Field(description="matters, need or patients")
    question: str
    themes: list[CharterThemeOut]
    hidden: int = Field(description="Answers in themes too small to show")


class CharterValuesOut(Schema):
    version: int | None
    answered: int
    shown: bool = Field(description="False until at least `minimum` members have answered")
    minimum: int
    prompts: list[CharterPromptOut]


class CharterNormScoreOut(Schema):
    norm_id: int
    text: str
    answered: int
    mean: float | None = Field(description="Null until at least the minimum rated the norm")
    counts: list[int] = Field(description="People per point of the scale, 1 to 5, when shown")


class CharterRatingsOut(CharterRevisitOut):
    answered: int
    shown: bool = Field(description="False until at least `minimum` members have answered")
    minimum: int
    norms: list[CharterNormScoreOut]


class CharterDiffLineOut(Schema):
    kind: str = Field(description="same, added or removed")
    text: str


class CharterDiffSectionOut(Schema):
    name: str
    changed: bool
    lines: list[CharterDiffLineOut]


class CharterDiffOut(Schema):
    a: int
    b: int
    sections: list[CharterDiffSectionOut]


class CharterFacilitatorOut(Schema):
    charter_id: int
    facilitator_id: int
    facilitator: str


class CharterPulseStatementOut(Schema):
    text: str
    answered: int = Field(description="Members who rated it")
    mean: float | None = Field(description="Null unless at least `minimum` members rated it")
    counts: list[int] = Field(description="People per point of the scale, 1 to 5, when shown")


class CharterPulseResultsOut(Schema):
    published: bool = Field(description="Whether the survey's results are published")
    answered: int | None = Field(
        description="Members who answered the norms: null unless shown (before the results "
        "are published, and where fewer than `minimum` answered)"
    )
    minimum: int = Field(description="The survey's minimum group")
    shown: bool = Field(description="False until at least `minimum` members have answered")
    statements: list[CharterPulseStatementOut] = Field(description="Empty unless shown")


class CharterPulseOut(Schema):
    id: int
    cycle_id: int
    cycle_name: str
    cycle_status: str = Field(description="draft, scheduled, open, closed or published")
    opens_at: dt.datetime
    state: str = Field(
        description="waiting (for the survey to open), asked, or not-asked (too few of the "
        "team were invited)"
    )
    version: int = Field(description="The number of the version whose norms are asked")
    statements: list[str] = Field(description="The norms asked")
    asked_count: int = Field(description="Members of the team invited when the survey opened")
    results: CharterPulseResultsOut


class CharterUpcomingPulseOut(Schema):
    id: int
    name: str
    opens_at: dt.datetime
    status: str = Field(description="draft or scheduled")


class CharterPulsesOut(Schema):
    pulses: list[CharterPulseOut] = Field(description="Newest first")
    upcoming: list[CharterUpcomingPulseOut] = Field(
        description="Pulses not yet open the norms may be added to, soonest first: the "
        "facilitator's only, once a charter is in force"
    )


# --- what the API reads ----------------------------------------------------------------------


class CharterIn(Schema):
    name: Name = Field(max_length=200)
    kind: Kind
    unit_id: Id | None = Field(None, description="For a unit's charter: a unit you may charter")
    team_id: Id | None = Field(None, description="For a leadership team's charter: its id")
    people: list[Line] = Field(
        default_factory=list, max_length=LARGEST_TEAM,
        description="For a named group: everyone on it, by HR id or email",
    )  # fmt: skip
    facilitator: Line | None = Field(
        None, max_length=254, description="HR id or email; you, if left out"
    )
    rule: Rule = "all_but_one"
    cadence_months: Cadence = 3


class CharterAnswersIn(Schema):
    matters: Paragraph = Field("", max_length=rules.ANSWER_LONGEST,
                               description=Prompt.MATTERS.label)  # fmt: skip
    need: Paragraph = Field("", max_length=rules.ANSWER_LONGEST, description=Prompt.NEED.label)
    patients: Paragraph = Field("", max_length=rules.ANSWER_LONGEST,
                                description=Prompt.PATIENTS.label)  # fmt: skip


class CharterValuesIn(Schema):
    answers: CharterAnswersIn


class CharterGoalIn(Schema):
    goal_id: Id | None = Field(None, description="A goal in Goals you can see")
    text: Line = Field("", max_length=200, description="Or the goal in words")


class CharterNormIn(Schema):
    text: Name = Field(max_length=300, description="We …")
    signs: Line = Field("", max_length=300, description="How we notice it kept or broken")


class CharterRoleIn(Schema):
    what: Name = Field(max_length=200)
    owner_id: Id | None = Field(description="A member's person id")


class CharterDraftIn(Schema):
    vision: Paragraph = Field("", max_length=rules.VISION_LONGEST)
    goals: list[CharterGoalIn] = Field(default_factory=list, max_length=rules.MAX_GOALS)
    norms: list[CharterNormIn] = Field(default_factory=list, max_length=rules.MAX_NORMS)
    roles: list[CharterRoleIn] = Field(default_factory=list, max_length=rules.MAX_ROLES)
    version: VersionNumber | None = Field(
        None, description="The draft being edited: refused if it has been proposed or replaced"
    )


class CharterEndorseIn(Schema):
    version: VersionNumber = Field(description="The version read")
    decision: DecisionIn
    comment: Paragraph = Field(
        "", max_length=rules.COMMENT_LONGEST, description="Required when commenting"
    )


class CharterRatingsIn(Schema):
    ratings: dict[Id, Score] = Field(
        min_length=1, max_length=rules.MAX_NORMS,
        description="Norm id to how well it is kept; leave a norm out for \"can't say\"",
        json_schema_extra={"propertyNames": {"pattern": r"^[1-9][0-9]{0,17}$"}},
    )  # fmt: skip


class CharterSettingsPatch(Changes):
    name: Name = left_out(max_length=200)
    rule: Rule = left_out()
    cadence_months: int = left_out(ge=1, le=LONGEST_CADENCE_MONTHS)


class CharterMembersIn(Schema):
    people: list[Line] = Field(
        min_length=1, max_length=LARGEST_TEAM, description="Everyone on the team, by HR id or email"
    )


class CharterHandOverIn(Schema):
    facilitator: Line = Field(max_length=254, description="HR id or email")


class CharterPulseIn(Schema):
    cycle_id: Id = Field(description="A pulse survey that has not opened yet")


# --- helpers ----------------------------------------------------------------------------------


@contextmanager
def _fields_as_sent(rename: Callable[[str], str]) -> Iterator[None]:
    """A service's refusal with its fields named as the request names them."""
    try:
        yield
    except CharterError as error:
        problems = error.problems
        if len(problems) == 1:
            field, message = problems[0]
            raise CharterError(message, field=rename(field) if field else None) from error
        raise CharterProblems([(rename(f or ""), m) for f, m in problems]) from error


def _zero_based(field: str) -> str:
    """The rules number a draft's rows from 1 (``norms.2``); the request's list from 0."""
    found = re.fullmatch(r"(norms|roles|goals)\.(\d+)", field)
    return f"{found[1]}.{int(found[2]) - 1}" if found else field


def _people(cscope: CharterScope, keys: list[str], field: str) -> list[Person]:
    """The active people named by HR id or email, each once; a refusal naming every key that
    names no one."""
    found = people_by_key(cscope.organisation, keys)
    missing = list(dict.fromkeys(key.strip() for key in keys if key.strip() not in found))
    if missing:
        raise CharterProblems(
            [(field, f"No one in the org chart today has the email or HR id “{key}”.")
             for key in missing[:10]]
        )  # fmt: skip
    return list({found[key.strip()].pk: found[key.strip()] for key in keys}.values())


def _person(cscope: CharterScope, key: str, field: str) -> Person:
    return _people(cscope, [key], field)[0]


DECISIONS = {str(label): value for value, label in Decision.choices}


def _endorsements(lines: list[selectors.EndorsementLine]) -> list[dict[str, Any]]:
    return [
        {"name": e.name, "decision": DECISIONS.get(e.decision, e.decision), "comment": e.comment,
         "at": e.at}
        for e in lines
    ]  # fmt: skip


def _version_out(view: selectors.VersionView) -> dict[str, Any]:
    version = view.version
    based_on = version.based_on
    return {
        "number": version.number, "status": version.status, "vision": view.vision,
        "goals": [{"goal_id": g.goal_id, "text": g.text, "measure": g.measure}
                  for g in view.goals],
        "norms": [{"id": pk, "text": text, "signs": signs} for pk, text, signs in view.norms],
        "roles": [{"what": r.what, "owner_id": r.owner_id,
                   "owner": r.owner.name if r.owner is not None else None}
                  for r in version.roles.select_related("owner")],
        "based_on": based_on.number if based_on is not None else None,
        "created_at": version.created_at, "proposed_at": version.proposed_at,
        "adopted_at": version.adopted_at, "ended_at": version.ended_at,
    }  # fmt: skip


def _version(version: Version, cscope: CharterScope) -> dict[str, Any]:
    return _version_out(selectors.version_view(version, cscope))


def _charter_out(cscope: CharterScope, charter: Charter) -> dict[str, Any]:
    page = selectors.charter_page(cscope, charter)
    team = page.on_team
    out: dict[str, Any] = {
        "id": charter.pk, "name": charter.name, "kind": charter.kind,
        "unit_id": charter.unit_id, "team_id": charter.team_id,
        "facilitator_id": charter.facilitator_id, "facilitator": charter.facilitator.name,
        "rule": charter.rule, "cadence_months": charter.cadence_months,
        "next_revisit_on": charter.next_revisit_on, "stage": page.stage, "on_team": team,
        "is_facilitator": page.is_facilitator, "is_member": page.is_member,
        "members": [{"id": p.pk, "name": p.name} for p in page.members],
        "in_force": _version_out(page.in_force) if page.in_force is not None else None,
        "waiting_on_me": [step.label for step in page.steps],
        "recharter_reason": None, "working": None, "agreement": None, "endorsements": None,
        "late_endorsements": None, "gaps": None, "values_answered": None, "revisit": None,
    }  # fmt: skip
    if not team:
        return out
    endorsed, members = page.agreement
    out.update(
        recharter_reason=charter.recharter_reason,
        working=_version_out(page.working) if page.working is not None else None,
        agreement={"endorsed": endorsed, "members": members} if page.working else None,
        endorsements=_endorsements(page.endorsements),
        late_endorsements=_endorsements(page.late_endorsements),
        gaps=[{"message": gap.message, "blocks": gap.blocks} for gap in page.gaps],
        values_answered=page.values_answered,
        revisit=(
            _revisit_out(page.revisit, answered=page.revisit_answered)
            if page.revisit is not None else None
        ),
    )  # fmt: skip
    return out


def _revisit_out(revisit: Revisit, **more: Any) -> dict[str, Any]:
    return {
        "version": revisit.version.number, "opened_at": revisit.opened_at,
        "closes_at": revisit.closes_at, "closed_at": revisit.closed_at, **more,
    }  # fmt: skip


def _pulse_out(line: selectors.PulseLine) -> dict[str, Any]:
    pulse, result = line.pulse, line.result
    questions, cycle = pulse.questions, result.cycle
    statements = [
        {"text": row.text, "answered": row.answered, "mean": row.mean, "counts": row.counts}
        for row in result.rows
    ] if result.shown else []  # fmt: skip
    return {
        "id": pulse.pk, "cycle_id": cycle.pk, "cycle_name": cycle.name,
        "cycle_status": cycle.status, "opens_at": cycle.opens_at, "state": questions.state,
        "version": pulse.version.number, "statements": list(questions.statements),
        "asked_count": questions.asked_count,
        "results": {"published": result.published, "answered": result.answered,
                    "minimum": result.minimum, "shown": result.shown, "statements": statements},
    }  # fmt: skip


def _upcoming_out(pulse: team_questions.UpcomingPulse) -> dict[str, Any]:
    return {"id": pulse.id, "name": pulse.name, "opens_at": pulse.opens_at, "status": pulse.status}


def _row(row: selectors.CharterRow) -> dict[str, Any]:
    charter = row.charter
    return {
        "id": charter.pk, "name": charter.name, "kind": charter.kind,
        "facilitator": charter.facilitator.name, "stage": row.stage, "on_team": row.on_team,
        "waiting_on_me": [step.label for step in row.steps],
        "next_revisit_on": charter.next_revisit_on,
    }  # fmt: skip


# --- the charters ----------------------------------------------------------------------------


@router.get("/charters", response=list[CharterRowOut],
            summary="My teams' charters with what waits on me, then those I oversee")  # fmt: skip
def list_charters(request: HttpRequest) -> Any:
    cscope = _cscope(request)
    rows = selectors.my_charters(cscope) + selectors.overseen_rows(list(selectors.overseen(cscope)))
    return [_row(row) for row in rows]


def _team_of(
    cscope: CharterScope, body: CharterIn
) -> tuple[Unit | None, Team | None, list[Person]]:
    """The unit, leadership team or named people the request names, as its kind wants."""
    unit = team = None
    people: list[Person] = []
    if body.kind == TeamKind.UNIT:
        if body.unit_id is None:
            raise CharterError("Give the id of the unit.", field="unit_id")
        unit = cscope.units_to_charter().filter(pk=body.unit_id).first()
        if unit is None:
            raise CharterError("No unit you may charter has that id.", field="unit_id")
    elif body.unit_id is not None:
        raise CharterError("Only a unit's charter names a unit.", field="unit_id")
    if body.kind == TeamKind.LEADERSHIP_TEAM:
        if body.team_id is None:
            raise CharterError("Give the id of the leadership team.", field="team_id")
        team = cscope.teams_to_charter().filter(pk=body.team_id).first()
        if team is None:
            raise CharterError("No leadership team you lead has that id.", field="team_id")
    elif body.team_id is not None:
        raise CharterError("Only a leadership team's charter names a team.", field="team_id")
    if body.kind == TeamKind.GROUP:
        if not body.people:
            raise CharterError("Name the people of the group.", field="people")
        people = _people(cscope, body.people, "people")
    elif body.people:
        raise CharterError(
            "Only a named group lists its people: a unit's come from the org chart, a "
            "leadership team's from Goals.", field="people",
        )  # fmt: skip
    return unit, team, people


@router.post("/charters", response={201: CharterOut, 422: Refusal},
             summary="Start a charter (whoever leads the team): its members are asked for "
             "their values")  # fmt: skip
def start_charter(request: HttpRequest, body: CharterIn) -> Any:
    cscope = _cscope(request)
    if not cscope.may_start:
        raise NotAllowed(NOT_STARTER)
    unit, team, people = _team_of(cscope, body)
    facilitator = _person(cscope, body.facilitator, "facilitator") if body.facilitator else None
    members_field = {"unit": "unit_id", "leadership_team": "team_id"}.get(body.kind, "people")
    with _fields_as_sent(lambda f: members_field if f == "members" else f):
        charter = services.start_charter(
            cscope=cscope, actor=cscope.user, via=VIA, name=body.name, kind=body.kind,
            unit=unit, team=team, people=people, facilitator=facilitator, rule=body.rule,
            cadence_months=body.cadence_months,
        )  # fmt: skip
    return Status(201, _charter_out(cscope, charter))


@router.get("/charters/{charter_id}", response=CharterOut,
            summary="A charter: the one in force and where it stands; for its team also the "
            "working version, endorsements and what the draft is missing")  # fmt: skip
def get_charter(request: HttpRequest, charter_id: Id) -> Any:
    cscope = _cscope(request)
    return _charter_out(cscope, cscope.charter_of(charter_id))


@router.patch("/charters/{charter_id}", response={200: CharterOut, 422: Refusal},
              summary="Change the name, adoption rule or cadence (the facilitator)")  # fmt: skip
def patch_charter(request: HttpRequest, charter_id: Id, body: CharterSettingsPatch) -> Any:
    cscope = _cscope(request)
    charter = cscope.charter_to_facilitate(charter_id)
    charter = services.update_settings(
        cscope=cscope, actor=cscope.user, via=VIA, charter=charter, name=body.name,
        rule=body.rule, cadence_months=body.cadence_months,
    )  # fmt: skip
    return _charter_out(cscope, charter)


@router.put("/charters/{charter_id}/members", response={200: CharterOut, 422: Refusal},
            summary="Keep a named group's members (the facilitator)")  # fmt: skip
def put_members(request: HttpRequest, charter_id: Id, body: CharterMembersIn) -> Any:
    cscope = _cscope(request)
    charter = cscope.charter_to_facilitate(charter_id)
    people = _people(cscope, body.people, "people")
    with _fields_as_sent(lambda f: "people" if f == "members" else f):
        charter = services.set_group_members(
            cscope=cscope, actor=cscope.user, via=VIA, charter=charter, people=people
        )
    return _charter_out(cscope, charter)


@router.post("/charters/{charter_id}/hand-over", response={200: CharterFacilitatorOut,
             422: Refusal}, summary="Hand the charter to a new facilitator (the facilitator, or "
             "a program admin)")  # fmt: skip
def hand_over(request: HttpRequest, charter_id: Id, body: CharterHandOverIn) -> Any:
    cscope = _cscope(request)
    charter = cscope.charter_to_hand_over(charter_id)
    to = _person(cscope, body.facilitator, "facilitator")
    charter = services.hand_over(cscope=cscope, actor=cscope.user, via=VIA, charter=charter, to=to)
    return {"charter_id": charter.pk, "facilitator_id": to.pk, "facilitator": to.name}


# --- values -----------------------------------------------------------------------------------


@router.post("/charters/{charter_id}/values", response={204: None, 422: Refusal},
             summary="Answer the values questions of the draft (a member, once): kept "
             "without your name")  # fmt: skip
def answer_values(request: HttpRequest, charter_id: Id, body: CharterValuesIn) -> Any:
    cscope = _cscope(request)
    charter = cscope.charter_to_answer(charter_id)
    with _fields_as_sent(lambda f: f if f == "answers" else f"answers.{f}"):
        services.answer_values(cscope=cscope, actor=cscope.user, via=VIA, charter=charter,
                               answers=body.answers.model_dump())  # fmt: skip
    return Status(204, None)


@router.get("/charters/{charter_id}/values", response=CharterValuesOut,
            summary="The values answers pooled into themes (the team): nothing until three "
            "members have answered")  # fmt: skip
def get_values(request: HttpRequest, charter_id: Id) -> Any:
    cscope = _cscope(request)
    charter = cscope.team_charter(charter_id)
    version = selectors.values_version(charter)
    if version is None:
        return {"version": None, "answered": 0, "shown": False,
                "minimum": POOLED_MINIMUM, "prompts": []}  # fmt: skip
    pooled = selectors.pooled_values(version)
    prompts = [
        {"prompt": prompt.value, "question": line.prompt, "hidden": line.hidden,
         "themes": [{"name": t.name, "people": t.people, "texts": t.texts} for t in line.themes]}
        for prompt, line in zip(Prompt, pooled.prompts, strict=True)
    ] if pooled.shown else []  # fmt: skip
    return {"version": version.number, "answered": pooled.answered, "shown": pooled.shown,
            "minimum": pooled.minimum, "prompts": prompts}  # fmt: skip


# --- drafting and endorsing ---------------------------------------------------------------------


@router.put("/charters/{charter_id}/draft", response={200: CharterVersionOut, 422: Refusal},
            summary="Save the whole draft (the facilitator)")  # fmt: skip
def put_draft(request: HttpRequest, charter_id: Id, body: CharterDraftIn) -> Any:
    cscope = _cscope(request)
    charter = cscope.charter_to_facilitate(charter_id)
    draft = Draft(
        vision=body.vision,
        goals=[GoalDraft(g.goal_id, g.text) for g in body.goals],
        norms=[NormDraft(n.text, n.signs) for n in body.norms],
        roles=[RoleDraft(r.what, r.owner_id) for r in body.roles],
    )
    with _fields_as_sent(_zero_based):
        version = services.save_draft(cscope=cscope, actor=cscope.user, via=VIA, charter=charter,
                                      draft=draft, version_number=body.version)  # fmt: skip
    return _version(version, cscope)


@router.post("/charters/{charter_id}/propose", response={200: CharterVersionOut, 422: Refusal},
             summary="Propose the draft to the members to endorse (the facilitator)")  # fmt: skip
def propose(request: HttpRequest, charter_id: Id) -> Any:
    cscope = _cscope(request)
    charter = cscope.charter_to_facilitate(charter_id)
    version = services.propose(cscope=cscope, actor=cscope.user, via=VIA, charter=charter)
    return _version(version, cscope)


@router.post("/charters/{charter_id}/revise", response={201: CharterVersionOut, 422: Refusal},
             summary="Open a new draft from the proposed version or the charter in force (the "
             "facilitator)")  # fmt: skip
def revise(request: HttpRequest, charter_id: Id) -> Any:
    cscope = _cscope(request)
    charter = cscope.charter_to_facilitate(charter_id)
    version = services.revise(cscope=cscope, actor=cscope.user, via=VIA, charter=charter)
    return Status(201, _version(version, cscope))


@router.post("/charters/{charter_id}/endorse", response={200: CharterVersionOut, 422: Refusal},
             summary="Endorse the version read, or comment asking for changes (a member)")  # fmt: skip
def endorse(request: HttpRequest, charter_id: Id, body: CharterEndorseIn) -> Any:
    cscope = _cscope(request)
    charter = cscope.charter_to_answer(charter_id)
    version = services.endorse(
        cscope=cscope, actor=cscope.user, via=VIA, charter=charter, version_number=body.version,
        decision=body.decision, comment=body.comment,
    )  # fmt: skip
    return _version(version, cscope)


# --- history ----------------------------------------------------------------------------------


@router.get("/charters/{charter_id}/versions", response=list[CharterVersionLineOut],
            summary="Every version, newest first (for those who oversee the team, the adopted "
            "ones)")  # fmt: skip
def list_versions(request: HttpRequest, charter_id: Id) -> Any:
    cscope = _cscope(request)
    charter = cscope.charter_of(charter_id)
    return list(selectors.history(cscope, charter).select_related("based_on"))


def _version_of(cscope: CharterScope, charter: Charter, number: int) -> Version:
    found = selectors.version_of(cscope, charter, number)
    if found is None:
        raise Http404(f"No version {number} you may read.")
    return found


@router.get("/charters/{charter_id}/versions/{number}", response=CharterVersionReadOut,
            summary="One version; with its endorsements and comments for the team")  # fmt: skip
def get_version(request: HttpRequest, charter_id: Id, number: VersionNumber) -> Any:
    cscope = _cscope(request)
    charter = cscope.charter_of(charter_id)
    version = _version_of(cscope, charter, number)
    on_team = cscope.is_on_team(charter)
    endorsements = _endorsements(selectors.endorsements_of(version)) if on_team else None
    return {**_version(version, cscope), "endorsements": endorsements}


@router.get("/charters/{charter_id}/diff", response=CharterDiffOut,
            summary="What changed from version a to version b, section by section")  # fmt: skip
def diff(request: HttpRequest, charter_id: Id, a: VersionNumber, b: VersionNumber) -> Any:
    cscope = _cscope(request)
    charter = cscope.charter_of(charter_id)
    old, new = _version_of(cscope, charter, a), _version_of(cscope, charter, b)
    sections = [
        {"name": s.name, "changed": s.changed,
         "lines": [{"kind": line.kind, "text": line.text} for line in s.lines]}
        for s in selectors.difference(old, new, cscope)
    ]  # fmt: skip
    return {"a": a, "b": b, "sections": sections}


# --- revisits ----------------------------------------------------------------------------------


@router.post("/charters/{charter_id}/revisit", response={201: CharterRevisitOut, 422: Refusal},
             summary="Open a revisit (the facilitator): members rate how well each norm is "
             "kept, and a new draft opens")  # fmt: skip
def open_revisit(request: HttpRequest, charter_id: Id) -> Any:
    cscope = _cscope(request)
    charter = cscope.charter_to_facilitate(charter_id)
    revisit = services.open_revisit(cscope=cscope, actor=cscope.user, via=VIA, charter=charter)
    return Status(201, _revisit_out(revisit))


@router.post("/charters/{charter_id}/revisit/ratings", response={204: None, 422: Refusal},
             summary="Rate how well each norm is kept (a member, once): kept without your "
             "name")  # fmt: skip
def rate_norms(request: HttpRequest, charter_id: Id, body: CharterRatingsIn) -> Any:
    cscope = _cscope(request)
    charter = cscope.charter_to_answer(charter_id)
    with _fields_as_sent(lambda f: f"ratings.{f[5:]}" if f.startswith("norm_") else f):
        services.rate_norms(cscope=cscope, actor=cscope.user, via=VIA, charter=charter,
                            ratings=body.ratings)  # fmt: skip
    return Status(204, None)


@router.post("/charters/{charter_id}/revisit/close", response={200: CharterRevisitOut,
             422: Refusal}, summary="Close the open revisit (the facilitator)")  # fmt: skip
def close_revisit(request: HttpRequest, charter_id: Id) -> Any:
    cscope = _cscope(request)
    charter = cscope.charter_to_facilitate(charter_id)
    revisit = services.close_revisit(cscope=cscope, actor=cscope.user, via=VIA, charter=charter)
    return _revisit_out(revisit)


@router.get("/charters/{charter_id}/revisit", response=CharterRatingsOut,
            summary="The norm ratings of the open or last revisit, pooled (the team): nothing "
            "until three members have answered")  # fmt: skip
def get_revisit(request: HttpRequest, charter_id: Id) -> Any:
    cscope = _cscope(request)
    charter = cscope.team_charter(charter_id)
    revisit = state.open_revisit_of(charter) or selectors.last_revisit(charter)
    if revisit is None:
        raise Http404("This charter has had no revisit yet.")
    pooled = selectors.pooled_ratings(revisit)
    norms = []
    if pooled.shown:
        norms = [
            {"norm_id": norm.pk, "text": score.text, "answered": score.answered,
             "mean": score.mean, "counts": score.counts}
            for norm, score in zip(revisit.version.norms.all(), pooled.norms, strict=True)
        ]  # fmt: skip
    return _revisit_out(revisit, answered=pooled.answered, shown=pooled.shown,
                        minimum=pooled.minimum, norms=norms)  # fmt: skip


# --- norms in the pulse ------------------------------------------------------------------------


@router.get("/charters/{charter_id}/pulses", response=CharterPulsesOut,
            summary="The norms in pulse surveys (the team): what was asked, pooled once the "
            "results are published; for the facilitator, the pulses not yet open")  # fmt: skip
def list_pulses(request: HttpRequest, charter_id: Id) -> Any:
    cscope = _cscope(request)
    charter = cscope.team_charter(charter_id)
    upcoming: list[team_questions.UpcomingPulse] = []
    if cscope.is_facilitator(charter) and state.version_in_force(charter) is not None:
        upcoming = selectors.pulses_to_join(charter)
    return {"pulses": [_pulse_out(line) for line in selectors.pulses_of(charter)],
            "upcoming": [_upcoming_out(pulse) for pulse in upcoming]}  # fmt: skip


@router.post("/charters/{charter_id}/pulses", response={201: CharterPulseOut, 422: Refusal},
             summary="Add the norms of the charter in force to a pulse survey not yet open (the "
             "facilitator): its invitees on the team are asked how well each is kept")  # fmt: skip
def add_to_pulse(request: HttpRequest, charter_id: Id, body: CharterPulseIn) -> Any:
    cscope = _cscope(request)
    charter = cscope.charter_to_facilitate(charter_id)
    with _fields_as_sent(lambda f: "cycle_id" if f == "cycle" else f):
        pulse = services.add_norms_to_pulse(cscope=cscope, actor=cscope.user, via=VIA,
                                            charter=charter, cycle_id=body.cycle_id)  # fmt: skip
    line = selectors.PulseLine(pulse, team_questions.result(pulse.questions))
    return Status(201, _pulse_out(line))


@router.delete("/charters/{charter_id}/pulses/{pulse_id}", response={204: None, 422: Refusal},
               summary="Take the norms out of a pulse survey not yet open (the facilitator)")  # fmt: skip
def withdraw_from_pulse(request: HttpRequest, charter_id: Id, pulse_id: Id) -> Any:
    cscope = _cscope(request)
    charter = cscope.charter_to_facilitate(charter_id)
    if not charter.pulses.filter(pk=pulse_id).exists():
        raise Http404("The team's norms are not in that survey.")
    with _fields_as_sent(lambda f: "pulse_id" if f == "pulse" else f):
        services.withdraw_norms_from_pulse(cscope=cscope, actor=cscope.user, via=VIA,
                                           charter=charter, pulse_id=pulse_id)  # fmt: skip
    return Status(204, None)
