"""An adversary against a team's norms in a pulse survey ("norms in the pulse").

Each test is one attack, written as the promise it tries to break:

(a) a team's statements are asked only of the team's invited members;
(b) their answers are never linkable to a person, to the respondent's survey response, to a
    unit, role, profession or tenure, or to a time;
(c) the team (and anyone) sees them only pooled, once the cycle is published, when at least the
    cycle's minimum group answered, and a statement only when that many rated it;
(d) nothing about them leaks through the survey's results, exports, response counts, the
    insights engine, the API, audit entries or the cycle pages;
(e) the figures, once shown, never change;
(f) only the facilitator adds or withdraws the norms, and only before the cycle opens;
(g) a respondent cannot write into another team's set, or answer a set they were not asked.

The attacker who reads the database is the one ``tests/surveys/test_unlinkability.py`` plays:
every table and column, the physical row order, and — like any backup or replica — the
database as it stood at earlier moments — but not the server's key (``ACCORD_RECEIPT_KEY``),
which the database never holds. The key holder opens the sealed team answers of an open
cycle: a documented limit (docs/privacy.md, "Limits"); ``tokens.unseal`` appears below only
where a test plays that holder, and says so. Pools are made small (``POOL_BATCH``) exactly
as that test makes them: in a real pulse of hundreds a batch of 20 holds a team's answers one
or two at a time, as a batch of five does among Riverside's sixteen.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from django.apps import apps
from django.core import mail
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import timezone

from accord.charters import services
from accord.charters.errors import CharterError
from accord.charters.models import Charter, CharterAuditEntry, PulseNorms, TeamKind
from accord.charters.rules import NormDraft
from accord.insights.models import Release
from accord.insights.publishing import publish_cycle
from accord.insights.services import release_cycle
from accord.org.models import Person
from accord.surveys import services as survey_services
from accord.surveys import team_questions
from accord.surveys.answers import SKIPPED, ParsedAnswers, unpack
from accord.surveys.models import (
    MAX_TEAM_STATEMENTS,
    Cycle,
    Invitation,
    PendingSubmission,
    Receipt,
    Response,
    SealedTeamAnswer,
    TeamAnswer,
    TeamQuestions,
)
from accord.surveys.services import (
    Outcome,
    close_now,
    issue_token,
    schedule_cycle,
    submit_response,
    update_cycle,
)
from accord.surveys.tokens import seal, unseal
from tests.cast import Cast
from tests.charters.test_api import api
from tests.charters.test_pulse import HIDDEN, add, form_page, opened, upcoming_pulse
from tests.charters.world import (
    TEAM,
    adopted,
    cscope_of,
    drafted,
    endorsed_by,
    full_draft,
    proposed,
    user_of,
)
from tests.leadership import world as leadership
from tests.surveys.conftest import cycle_settings

pytestmark = pytest.mark.django_db

K = 3  # the cycles' minimum group size in these attacks
EVERYONE = ("ceo", "eve", "alice", "chad", "nora", "sam", "nina", "ned", "paula", "peter",
            "sue", "olga", "omar", "oscar_r", "pia", "pat")  # fmt: skip
ORG = "/o/riverside"


# --- the scene ---------------------------------------------------------------------------------


@dataclass
class Pulse:
    charter: Charter
    cycle: Cycle
    questions: TeamQuestions
    tokens: dict[str, str]

    @property
    def set_id(self) -> int:
        return self.questions.pk

    def token(self, who: str) -> str:
        return self.tokens[f"{who}@riverside.example"]

    def send(self, who: str, sheet: list[int] | None = None, *, burnout: int = 3) -> Outcome:
        """What the respondent pages send for ``who``: one survey answer and, for a member,
        the team's page (``sheet``), through the same service."""
        team = {str(self.set_id): sheet} if sheet is not None else {}
        return submit_response(
            token=self.token(who),
            answers=ParsedAnswers(scores={"burnout": burnout}, team=team),
            nonce=f"form-{who}",
        )


def running_pulse(cast: Cast, capture: Any, *, minimum: int = K) -> Pulse:
    """The ED team's adopted charter, its two norms added to a pulse open to all Riverside."""
    charter = adopted(cast)
    cycle = upcoming_pulse(cast, minimum)
    added = add(cast, charter.pk, cycle)
    cycle, tokens = opened(cycle, capture)
    return Pulse(charter, cycle, TeamQuestions.objects.get(pk=added.questions_id), tokens)


def adopted_group(cast: Cast, name: str, people: tuple[str, ...]) -> Charter:
    """Another named group's charter, facilitated by Nora, adopted by everyone on it."""
    nora = cscope_of(cast, cast.nurse_manager)
    charter = services.start_charter(
        cscope=nora, actor=cast.nurse_manager, name=name, kind=TeamKind.GROUP,
        people=[cast.person(p) for p in people],
    )  # fmt: skip
    drafted(cast, charter, full_draft(cast, people))
    proposed(cast, charter)
    endorsed_by(cast, charter, people)
    charter.refresh_from_db()
    return charter


def sheets_by_set() -> dict[int, Counter[bytes]]:
    """Every team answer the database holds in readable form, as a multiset per set."""
    found: dict[int, Counter[bytes]] = {}
    for set_id, raw in TeamAnswer.objects.values_list("questions_id", "answers"):
        found.setdefault(set_id, Counter())[bytes(raw)] += 1
    return found


def physical(model: type[Any], column: str, **where: object) -> list[Any]:
    """A column in the table's physical order (what someone reading the files sees)."""
    position = "ctid" if connection.vendor == "postgresql" else "rowid"
    table = model._meta.db_table
    clause = " AND ".join(f"{key} = %s" for key in where) or "1 = 1"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE {clause} ORDER BY {position}",  # noqa: S608
            list(where.values()),
        )
        return [row[0] for row in cursor.fetchall()]


def stored_once_closed(cycle: Cycle) -> dict[int, Counter[bytes]]:
    """What the team sets hold once the cycle has closed and the pool has moved."""
    close_now(cycle=cycle)
    return sheets_by_set()


def post_answer(client: Client, extra: dict[str, Any]) -> Any:
    """Submit the form straight from its first page, with ``extra`` fields of the attacker's."""
    html = client.get("/s/answer/").content.decode()
    return client.post("/s/answer/", {**dict(HIDDEN.findall(html)), **extra, "nav": "submit"})


def client_with(token: str) -> Client:
    client = Client()
    assert client.get(f"/s/{token}/").status_code == 302
    return client


class _Undo(Exception):
    pass


@contextmanager
def undone() -> Iterator[None]:
    """Whatever happens inside is rolled back (a savepoint of the test's transaction)."""
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass


def nothing_answered(cycle_id: int) -> bytes:
    """What a submission asked no team's page seals: set 0 and only skips (the format of
    ``services._team_sheet``), under a fresh nonce."""
    return seal(cycle_id, bytes(8) + bytes([SKIPPED] * MAX_TEAM_STATEMENTS))


def sealed_lengths() -> set[int]:
    """The lengths of every sealed team answer, pooled or moved out of the pool."""
    pooled = PendingSubmission.objects.values_list("team_sealed", flat=True)
    moved = SealedTeamAnswer.objects.values_list("sealed", flat=True)
    return {len(bytes(blob)) for blob in (*pooled, *moved)}


def without_team_answers() -> None:
    """The database as it would be had the team answered nothing on its page: no opened
    answers, and every sealed one (pooled or moved) replaced by what a submission asked no
    team's page seals. (This plays the key holder: it writes sealed blobs.)"""
    TeamAnswer.objects.all().delete()
    for model, column in ((PendingSubmission, "team_sealed"), (SealedTeamAnswer, "sealed")):
        for pk, cycle_id, blob in model.objects.values_list("pk", "cycle_id", column):
            if bytes(blob):
                model.objects.filter(pk=pk).update(**{column: nothing_answered(cycle_id)})


CSRF = re.compile(r"(csrf[\w-]*\"?\s*(?:value|content)?=?\s*:?\s*\")[^\"]+\"", re.IGNORECASE)


def normalised(content: bytes) -> str:
    return CSRF.sub(r"\1…\"", content.decode(errors="replace"))


# --- (b) the database, read at any moment ---------------------------------------------------------


def test_a_pooled_submission_does_not_tie_a_members_team_answers_to_their_attributes(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks: Any
) -> None:
    """While a submission waits in the mixing pool (until 20 have gathered, or the cycle
    closes) its row holds the reporting unit, role group, profession, tenure band, the day and
    the whole survey response. Its team answers must not be readable there, and the row must
    not say whether its author is on a team at all: with ``TeamQuestions.people`` naming the
    team, that alone narrows the survey response below the minimum. The attacker reads the
    database (a backup, a replica, a support dump) but not the server's key. (Against the
    first design the row held the set id and codes in plain text: this was a LEAK.)"""
    pulse = running_pulse(cast, django_capture_on_commit_callbacks)
    invitations = {
        inv.person.external_id: inv
        for inv in Invitation.objects.filter(cycle=pulse.cycle).select_related("person")
    }

    def attributes(row: Any) -> tuple[object, ...]:
        return (row.reporting_unit_id, row.role_group, row.profession, row.tenure_band)

    def sharing(key: tuple[object, ...]) -> set[str]:
        return {who for who, inv in invitations.items() if attributes(inv) == key}

    # The attributes alone hide everyone among at least K invitees (the survey's guarantee);
    # the attacker picks the member the team's list narrows most, and a non-member answers
    # too (one with the member's attributes when there is one).
    assert all(len(sharing(attributes(inv))) >= K for inv in invitations.values())
    who = min(TEAM, key=lambda w: len(sharing(attributes(invitations[w])) & set(TEAM)))
    outsiders = sorted(set(invitations) - set(TEAM))
    other = min(outsiders, key=lambda w: attributes(invitations[w]) != attributes(invitations[who]))
    assert pulse.send(who, [5, 1], burnout=5) is Outcome.RECORDED
    assert pulse.send(other, burnout=1) is Outcome.RECORDED

    instrument = survey_services.instrument_for(pulse.cycle)
    rows = {
        unpack(instrument, bytes(row.answers))["burnout"]: row
        for row in PendingSubmission.objects.filter(cycle=pulse.cycle)
    }
    members_row, others_row = rows[5], rows[1]
    blobs = {name: bytes(row.team_sealed) for name, row in (("member", members_row),
                                                            ("other", others_row))}  # fmt: skip
    plain_codes = bytes([5, 1, *[SKIPPED] * (MAX_TEAM_STATEMENTS - 2)])
    set_id = pulse.set_id.to_bytes(8, "big")

    # Every submission of the cycle carries a sealed blob, all of one length.
    assert all(blobs.values()), f"a pooled row carries no sealed blob: {blobs}"
    assert len(blobs["member"]) == len(blobs["other"]) == len(nothing_answered(pulse.cycle.pk)), (
        f"the sealed lengths {[len(b) for b in blobs.values()]} tell a member's row from another"
    )
    # Nothing of the answers or the set can be read in it.
    for plain in (plain_codes, bytes([5, 1, SKIPPED]), set_id, set_id + bytes([5, 1])):
        assert plain not in blobs["member"], f"the pooled row holds {plain!r} in plain text"
    # Keys the database itself could give do not open it.
    for guess in ("", pulse.cycle.receipt_key_check, str(pulse.cycle.pk)):
        with override_settings(ACCORD_RECEIPT_KEY=guess), pytest.raises(InvalidTag):
            unseal(pulse.cycle.pk, blobs["member"])
    # Nor does the blob under another cycle's label (no copying it between cycles).
    with pytest.raises(InvalidTag):
        unseal(pulse.cycle.pk + 1, blobs["member"])

    # The attacker's narrowing: the attributes, then the team's list for any row the sealed
    # column marks as a member's (a length other than a non-member's).
    for row in (members_row, others_row):
        candidates = sharing(attributes(row))
        if len(bytes(row.team_sealed)) != len(nothing_answered(pulse.cycle.pk)):
            candidates &= set(TEAM)
        assert len(candidates) >= K, (
            f"the pooled row's sealed column narrows its survey response to {sorted(candidates)}"
        )

    # The key holder — a documented limit (docs/privacy.md, "Limits": the key opens the teams'
    # sealed answers of an open cycle) — reads them; shown here only so that the checks above
    # are known to have looked at the member's real answers, and the other's real nothing.
    assert unseal(pulse.cycle.pk, blobs["member"]) == set_id + plain_codes
    assert unseal(pulse.cycle.pk, blobs["other"]) == bytes(8) + bytes(
        [SKIPPED] * MAX_TEAM_STATEMENTS
    )


def test_no_copy_of_the_database_shows_a_teams_answers_a_few_at_a_time(
    cast: Cast,
    immediate_queue: object,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each flush of the pool moves one batch. A batch holds a team's answers one or two at a
    time, so two copies of the database taken either side of a flush (yesterday's backup and
    today's) must not show which sheet came in that window: here Sam is the only member in
    the first batch. Between flushes no team answer may be readable and every sealed one
    (pooled or moved) must look alike, one per submission, member or not; at closing the whole
    set must appear at once. (Against the first design each flush wrote its batch's team
    answers in readable rows, Sam's alone for a while: this was a LEAK.)"""
    monkeypatch.setattr(survey_services, "POOL_BATCH", 5)
    pulse = running_pulse(cast, django_capture_on_commit_callbacks)
    order = ["olga", "sam", "omar", "oscar_r", "pat", "nina", "pia", "chad", "sue", "eve",
             "ned", "paula", "peter", "nora", "alice", "ceo"]  # fmt: skip
    length = len(nothing_answered(pulse.cycle.pk))

    def copy() -> tuple[dict[int, Counter[bytes]], int, int]:
        """What a copy of the database shows: readable team answers, sealed ones moved."""
        assert sealed_lengths() <= {length}, f"sealed answers of lengths {sealed_lengths()}"
        moved = SealedTeamAnswer.objects.filter(cycle=pulse.cycle).count()
        return sheets_by_set(), moved, Response.objects.filter(cycle=pulse.cycle).count()

    copies = [copy()]
    for position, who in enumerate(order):
        sheet = [1 + position % 5, 5 - position % 5] if who in TEAM else None
        assert pulse.send(who, sheet) is Outcome.RECORDED
        copies.append(copy())
    assert copies[-1][1] == 15, "the flushes moved no sealed answers: nothing was attacked"
    close_now(cycle=pulse.cycle)
    copies.append(copy())

    final = copies[-1][0].get(pulse.set_id, Counter())
    assert sum(final.values()) == len(TEAM)
    assert not SealedTeamAnswer.objects.filter(cycle=pulse.cycle).exists()
    for moment, (readable, moved, responses) in enumerate(copies[:-1]):
        assert readable == {}, f"after submission {moment} a team's answers are readable"
        # One sealed answer per response moved: their number follows the survey's, not the team.
        assert moved == responses, (
            f"after submission {moment}, {moved} sealed answers moved with {responses} responses"
        )
    for moment, (before, after) in enumerate(itertools.pairwise(c[0] for c in copies)):
        old = before.get(pulse.set_id, Counter())
        new = after.get(pulse.set_id, Counter())
        added = sum((new - old).values())
        whole_set_at_once = not old and new == final
        assert added == 0 or whole_set_at_once, (
            f"after submission {moment + 1} a copy of the database shows {added} new sheet(s) "
            f"of the team's set: {sorted(new - old)}, not the whole set at once"
        )


def test_the_closing_flush_does_not_single_out_the_last_answer(
    cast: Cast,
    immediate_queue: object,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every full batch here holds five of the team at once, but the cycle closes with
    Peter's submission alone in the pool: ``close_cycle`` flushes it with ``minimum=1``, so
    one Response row is written at closing. His team answers must not land with it alone
    (on PostgreSQL they would share an ``xmin``; on any database, a copy taken before closing
    would show them as the only new rows): closing must write the whole set at once, so his
    sheet is one of all the team's. (Against the first design the closing wrote his one
    TeamAnswer row beside his one Response: this was a LEAK.)"""
    monkeypatch.setattr(survey_services, "POOL_BATCH", 5)
    pulse = running_pulse(cast, django_capture_on_commit_callbacks)
    order = ["nora", "sam", "nina", "ned", "paula", "ceo", "eve", "alice", "chad", "sue",
             "olga", "omar", "oscar_r", "pia", "pat", "peter"]  # fmt: skip
    for position, who in enumerate(order):
        sheet = [1 + position % 5, 1 + position % 5] if who in TEAM else None
        assert pulse.send(who, sheet, burnout=1 + position % 5) is Outcome.RECORDED
    assert PendingSubmission.objects.filter(cycle=pulse.cycle).count() == 1  # Peter's alone
    before = sheets_by_set().get(pulse.set_id, Counter())
    responses_before = set(Response.objects.filter(cycle=pulse.cycle).values_list("pk", flat=True))
    close_now(cycle=pulse.cycle)
    after = sheets_by_set()[pulse.set_id]
    new_responses = Response.objects.filter(cycle=pulse.cycle).exclude(pk__in=responses_before)
    assert new_responses.count() == 1

    added = sum((after - before).values())
    assert not before and added == len(TEAM), (
        f"closing wrote {added} sheet(s) of the team's set {sorted(after - before)} together "
        f"with {new_responses.count()} survey response(s) "
        f"{[(r.reporting_unit.name, r.role_group, r.profession) for r in new_responses]}, "
        f"{sum(before.values())} having been readable before"
    )
    assert not SealedTeamAnswer.objects.filter(cycle=pulse.cycle).exists()


def test_team_answers_are_stored_shuffled_and_apart_from_the_responses_order(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks: Any
) -> None:
    """Fifteen members answer in a known order, each team sheet and each survey response
    marking its place in line; the pool moves everything at closing. Neither table's physical
    order is the order of answering, and the two tables are not in the same order as each other
    (either would join a sheet to its response). By chance: 3 in 15!, about 1 in 400 billion."""
    team = tuple(who for who in EVERYONE if who != "ceo")
    charter = adopted_group(cast, "Riverside wide team", team)
    cycle = upcoming_pulse(cast)
    added = add(cast, charter.pk, cycle)
    cycle, tokens = opened(cycle, django_capture_on_commit_callbacks)
    for position, who in enumerate(team):
        outcome = submit_response(
            token=tokens[f"{who}@riverside.example"],
            answers=ParsedAnswers(
                scores={"burnout": 1 + position % 5, "recommend_workplace": position // 5},
                team={str(added.questions_id): [1 + position // 5, 1 + position % 5]},
            ),
            nonce=f"form-{who}",
        )
        assert outcome is Outcome.RECORDED
    close_now(cycle=cycle)

    sheets = [bytes(raw) for raw in physical(TeamAnswer, "answers")]
    team_order = [(s[0] - 1) * 5 + (s[1] - 1) for s in sheets]
    assert sorted(team_order) == list(range(len(team)))
    assert team_order not in (list(range(len(team))), list(reversed(range(len(team)))))
    instrument = survey_services.instrument_for(cycle)
    response_order = []
    for raw in physical(Response, "answers", cycle_id=cycle.pk):
        scores = unpack(instrument, bytes(raw))
        response_order.append((scores["burnout"] - 1) + 5 * scores["recommend_workplace"])
    assert sorted(response_order) == list(range(len(team)))
    assert team_order != response_order


# --- (a) and (g): who is asked, and what a form can write ---------------------------------------


def test_a_respondent_writes_only_into_the_sets_they_are_asked(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks: Any
) -> None:
    """Two teams in one pulse, Nina on both: she is asked the ED team's statements only (its
    norms were added first; a person answers one team's page per survey). Through the real
    form: a non-member sends the ED team's fields, a member sends the other team's, Nina
    sends both, with fields beyond the statements, fields sent twice and hostile values.
    Only each respondent's own set, at its own indexes, with offered codes, is stored — read
    once the cycle has closed, when the sealed answers are opened."""
    ed = adopted(cast)
    periop_people = ("olga", "omar", "oscar_r", "nina")
    periop = adopted_group(cast, "Perioperative and ED", periop_people)
    cycle = upcoming_pulse(cast)
    a = add(cast, ed.pk, cycle).questions_id
    b = add(cast, periop.pk, cycle).questions_id
    cycle, tokens = opened(cycle, django_capture_on_commit_callbacks)

    def token(who: str) -> str:
        return tokens[f"{who}@riverside.example"]

    # Who sees which page: Nina and the ED members the ED team's, Olga the other, Pat none.
    asked_b = set(TeamQuestions.objects.get(pk=b).people.values_list("external_id", flat=True))
    assert asked_b == {"olga", "omar", "oscar_r"}
    pages = {who: form_page(Client(), token(who)) for who in ("nina", "sam", "olga", "pat", "nora")}
    count = {who: int(re.search(r"Page 1 of (\d+)", html).group(1)) for who, html in pages.items()}
    assert count["nina"] == count["sam"] == count["olga"] == count["nora"] == count["pat"] + 1
    assert "Perioperative and ED" not in pages["nina"]

    # Hostile values and duplicates are refused whole: nothing stored.
    paula = client_with(token("paula"))
    hostile = ["99999999999999999999", "-1", "4.0", "\u0664", "\uff15", "0x4", "255", "6",
               "1e0", "4\x00", " 4 5"]  # fmt: skip
    for value in hostile:
        sent = post_answer(paula, {f"t_{a}_0": value})
        assert sent.status_code == 400, value
    sent = post_answer(paula, {f"t_{a}_0": ["4", "5"]})
    assert sent.status_code == 400 and "sent twice" in sent.content.decode()
    assert not PendingSubmission.objects.filter(cycle=cycle).exists()

    # Fields for sets or statements not asked are ignored; the respondent's own are kept.
    extra = {f"t_{a}_2": "1", f"t_{a}_99": "1", f"t_{a}_00": "1", f"t_{a}_-1": "1",
             f"t_{a}_0x": "1", f"t_{b + 1000}_0": "1"}  # fmt: skip
    assert (
        post_answer(
            client_with(token("olga")), {f"t_{a}_0": "5", f"t_{a}_1": "5", f"t_{b}_0": "4", **extra}
        ).status_code
        == 302
    )
    assert (
        post_answer(
            client_with(token("sam")), {f"t_{b}_0": "1", f"t_{b}_1": "1", f"t_{a}_0": "3"}
        ).status_code
        == 302
    )
    assert (
        post_answer(
            client_with(token("nina")), {f"t_{a}_0": "2", f"t_{b}_1": "5", **extra}
        ).status_code
        == 302
    )
    assert post_answer(client_with(token("pat")), {f"t_{a}_0": "1", f"t_{b}_0": "1"}
                       ).status_code == 302  # fmt: skip
    assert post_answer(paula, {f"t_{a}_1": "0", f"t_{a}_0": " 4 "}).status_code == 302
    assert PendingSubmission.objects.filter(cycle=cycle).count() == 5
    assert len(sealed_lengths()) == 1  # member of one, of the other, or of none: alike
    assert stored_once_closed(cycle) == {
        # Sam: his team's only; Nina: the ED team's only; Paula: "can't say" kept as a skip
        a: Counter([bytes([3, SKIPPED]), bytes([2, SKIPPED]), bytes([4, SKIPPED])]),
        # Olga: her team's only (Nina's field for it is ignored: she was not asked it)
        b: Counter([bytes([4, SKIPPED])]),
    }


def test_a_second_submission_never_adds_a_second_sheet(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks: Any
) -> None:
    """A member who sends the same form twice (a double click) or answers again through a new
    link (a reminder, the app's "answer" button) leaves one sheet in the team's set."""
    pulse = running_pulse(cast, django_capture_on_commit_callbacks)
    field = f"t_{pulse.set_id}_0"
    client = client_with(pulse.token("sam"))
    html = client.get("/s/answer/").content.decode()
    form = {**dict(HIDDEN.findall(html)), field: "1", "nav": "submit"}
    assert client.post("/s/answer/", form).status_code == 302
    again = client_with(pulse.token("sam"))  # the token's cookie is gone; follow the link anew
    assert again.get("/s/answer/").status_code == 200  # the "answered" page
    assert again.post("/s/answer/", form).status_code == 302  # the same form: "received"
    invitation = Invitation.objects.get(cycle=pulse.cycle, person=cast.person("sam"))
    second = client_with(issue_token(invitation=invitation, channel=invitation.channel))
    page = second.post("/s/answer/", {field: "5", "nonce": "another form", "nav": "submit"})
    assert page.status_code == 200 and "Your team:" not in page.content.decode()
    assert stored_once_closed(pulse.cycle) == {pulse.set_id: Counter([bytes([1, SKIPPED])])}


def test_members_gone_before_the_opening_leave_too_few_and_nobody_is_asked(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks: Any
) -> None:
    """Four of the six leave between adding the norms and the opening (the clock has not yet
    brought the charter's members in step): two invited members could never be shown, so the
    statements are asked of nobody, and a member's tampered answer is not stored."""
    charter = adopted(cast)
    cycle = upcoming_pulse(cast)
    added = add(cast, charter.pk, cycle)
    Person.objects.filter(
        organisation=cast.riverside, external_id__in=("nora", "ned", "paula", "peter")
    ).update(is_active=False)
    cycle, tokens = opened(cycle, django_capture_on_commit_callbacks)
    questions = TeamQuestions.objects.get(pk=added.questions_id)
    assert questions.state == TeamQuestions.State.NOT_ASKED and questions.asked_count == 2
    assert not questions.people.exists()
    html = form_page(Client(), tokens["sam@riverside.example"])
    assert "Your team:" not in html
    sent = post_answer(client_with(tokens["nina@riverside.example"]),
                       {f"t_{questions.pk}_0": "1"})  # fmt: skip
    assert sent.status_code == 302
    assert stored_once_closed(cycle) == {}


def test_a_minimum_raised_after_adding_means_the_norms_are_not_asked(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks: Any
) -> None:
    """The administrator schedules, unschedules, raises the cycle's minimum above the team's
    size and schedules again: the opening decides with the minimum in force then."""
    charter = adopted(cast)
    cycle = upcoming_pulse(cast)
    added = add(cast, charter.pk, cycle)
    schedule_cycle(cycle=cycle)
    survey_services.unschedule_cycle(cycle=cycle)
    cycle = update_cycle(
        cycle=cycle,
        settings=cycle_settings(cast.riverside, min_group_size=7, min_comment_group_size=10),
    )
    cycle, tokens = opened(cycle, django_capture_on_commit_callbacks)
    questions = TeamQuestions.objects.get(pk=added.questions_id)
    assert questions.state == TeamQuestions.State.NOT_ASKED and questions.asked_count == 6
    assert "Your team:" not in form_page(Client(), tokens["sam@riverside.example"])


def test_the_statements_asked_are_fixed_when_the_survey_opens(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks: Any
) -> None:
    """A member renders the form; the team then adopts a version with a third norm and changes
    its members. The open survey still asks the two norms of the people fixed at the opening,
    and the third statement's field, sent anyway, is not stored."""
    pulse = running_pulse(cast, django_capture_on_commit_callbacks)
    client = client_with(pulse.token("sam"))
    html = client.get("/s/answer/").content.decode()
    nora = cscope_of(cast, cast.nurse_manager)
    services.revise(cscope=nora, actor=cast.nurse_manager, charter=pulse.charter)
    draft = full_draft(cast)
    draft.norms.append(NormDraft("We close the loop on every concern raised.", "Said and done"))
    drafted(cast, pulse.charter, draft)
    proposed(cast, pulse.charter)
    endorsed_by(cast, pulse.charter, TEAM, number=2)
    services.set_group_members(
        cscope=nora, actor=cast.nurse_manager, charter=pulse.charter,
        people=[cast.person(p) for p in ("nora", "sam", "nina", "olga")],
    )  # fmt: skip
    questions = TeamQuestions.objects.get(pk=pulse.set_id)
    assert len(questions.statements) == 2 and questions.people.count() == 6
    assert "Your team:" not in form_page(Client(), pulse.token("olga"))
    fields = {f"t_{pulse.set_id}_{i}": "5" for i in range(3)}
    sent = client.post("/s/answer/", {**dict(HIDDEN.findall(html)), **fields, "nav": "submit"})
    assert sent.status_code == 302
    assert stored_once_closed(pulse.cycle) == {pulse.set_id: Counter([bytes([5, 5])])}


# --- the 360 path ----------------------------------------------------------------------------------


def test_a_leaders_360_never_carries_team_questions(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks: Any
) -> None:
    """Nora's 360 runs while the ED team's norms are asked in a pulse. Sam rates Nora: his 360
    form has no team page, and the team's fields sent on it are not stored. A 360 cycle, even
    one not yet open, cannot be given a team's statements."""
    pulse = running_pulse(cast, django_capture_on_commit_callbacks)
    start = len(mail.outbox)
    review = leadership.approved(
        cast,
        leadership.nominated(cast, leadership.started(cast)),
        django_capture_on_commit_callbacks,
    )
    round_ = leadership.cycle_of(review)
    raters = leadership.tokens(start)
    sam_html = form_page(Client(), raters["sam"])
    olga_html = form_page(Client(), raters["olga"])
    assert "Your team:" not in sam_html
    pages = [int(re.search(r"Page 1 of (\d+)", h).group(1)) for h in (sam_html, olga_html)]
    assert pages[0] == pages[1]
    invitation = Invitation.objects.get(cycle=round_, person=cast.person("sam"))
    assert team_questions.pages_for(invitation) == []
    sent = post_answer(client_with(raters["sam"]), {f"t_{pulse.set_id}_0": "1",
                                                     f"t_{pulse.set_id}_1": "1"})  # fmt: skip
    assert sent.status_code == 302
    pooled = PendingSubmission.objects.filter(cycle=round_).values_list("team_sealed", flat=True)
    assert [bytes(blob) for blob in pooled] == [b""]  # a 360 carries no team blob at all
    leadership.closed(cast, review)
    assert Cycle.objects.get(pk=round_.pk).status == Cycle.Status.CLOSED
    assert sheets_by_set() == {}
    assert not TeamQuestions.objects.filter(cycle=round_).exists()

    draft_360 = Cycle.objects.get(pk=round_.pk)
    draft_360.pk = None
    draft_360.status = Cycle.Status.DRAFT
    draft_360.save()
    with pytest.raises(team_questions.TeamQuestionsError, match="Only a pulse survey"):
        team_questions.add_team_questions(
            cycle=draft_360, team_name="ED", statements=["We listen."],
            people_ids=list(pulse.questions.people.values_list("pk", flat=True)),
        )  # fmt: skip
    with pytest.raises(CharterError, match="has not opened yet"):
        services.add_norms_to_pulse(
            cscope=cscope_of(cast, cast.nurse_manager), actor=cast.nurse_manager,
            charter=pulse.charter, cycle_id=draft_360.pk,
        )  # fmt: skip
    assert not TeamQuestions.objects.filter(cycle=draft_360).exists()


# --- (f) who adds and withdraws, and when -----------------------------------------------------------


def test_only_the_facilitator_adds_or_withdraws_and_only_before_the_opening(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks: Any
) -> None:
    charter = adopted(cast)
    cycle = upcoming_pulse(cast)
    other = upcoming_pulse(cast, name="Winter pulse")
    added = add(cast, charter.pk, cycle)
    page = f"{ORG}/charters/{charter.pk}/pulse/"
    withdraw = f"{page}{added.pk}/withdraw/"
    endpoint = f"/api/charters/{charter.pk}/pulses"
    # A member, the executive, the program admin and the chair: none adds or withdraws.
    for who in (user_of(cast, "sam"), cast.executive, cast.admin, cast.chair):
        browser = cast.client_for(who)
        assert browser.post(page, {"cycle": other.pk}).status_code in (403, 404)
        assert browser.post(withdraw).status_code in (403, 404)
        script = api(cast, who)
        sent = script.post(endpoint, {"cycle_id": other.pk}, content_type="application/json")
        assert sent.status_code in (403, 404)
        assert script.delete(f"{endpoint}/{added.pk}").status_code in (403, 404)
    assert list(PulseNorms.objects.filter(charter=charter)) == [added]

    # Once the survey opens, not even the facilitator takes the norms out, by any door.
    cycle, tokens = opened(cycle, django_capture_on_commit_callbacks)
    nora = cast.client_for(cast.nurse_manager)
    nora.post(withdraw)
    assert api(cast, cast.nurse_manager).delete(f"{endpoint}/{added.pk}").status_code == 422
    with pytest.raises(team_questions.TeamQuestionsError):
        team_questions.withdraw_team_questions(questions=TeamQuestions.objects.get(cycle=cycle))
    pulse = Pulse(charter, cycle, TeamQuestions.objects.get(cycle=cycle), tokens)
    for who in ("sam", "nina", "ned"):
        assert pulse.send(who, [4, 4]) is Outcome.RECORDED
    close_now(cycle=cycle)
    publish_cycle(cycle=cycle)
    nora.post(withdraw)
    api(cast, cast.nurse_manager).delete(f"{endpoint}/{added.pk}")
    assert PulseNorms.objects.filter(pk=added.pk).exists()
    assert team_questions.result(TeamQuestions.objects.get(cycle=cycle)).answered == 3


def test_a_withdrawal_racing_the_opening_is_refused(
    cast: Cast,
    immediate_queue: object,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Promise (f), a race. ``withdraw_norms_from_pulse`` reads the cycle with the pulse row,
    then ``withdraw_team_questions`` locks the cycle. If the queue opens the survey in between
    (on PostgreSQL: its transaction commits while the withdrawal waits for the lock), the
    withdrawal must judge by the cycle read under the lock and be refused, leaving the open
    survey's asked set alone. Here the opening is made to happen exactly at that moment.
    (Against the first design the check read the copy from before the lock: this was a LEAK.)

    One connection plays both sides here, so the opening runs inside the withdrawal's
    transaction and a refusal rolls it back too; on a real server it would have committed
    first. So the test checks what the withdrawal saw under the lock, that it was refused, and
    that the set is still there, not the cycle's status afterwards."""
    charter = adopted(cast)
    cycle = upcoming_pulse(cast)
    added = add(cast, charter.pk, cycle)
    schedule_cycle(cycle=cycle)
    real_lock = team_questions.lock_cycle
    opened_meanwhile: list[int] = []
    seen_under_lock: list[str] = []

    def lock_after_the_queue_opened_it(locked: Cycle) -> Cycle:
        if not opened_meanwhile:
            opened_meanwhile.append(locked.pk)
            with django_capture_on_commit_callbacks(execute=True):
                survey_services.open_now(cycle=Cycle.objects.get(pk=locked.pk))
        fresh = real_lock(locked)
        seen_under_lock.append(fresh.status)
        return fresh

    monkeypatch.setattr(team_questions, "lock_cycle", lock_after_the_queue_opened_it)
    refusal = ""
    try:
        services.withdraw_norms_from_pulse(
            cscope=cscope_of(cast, cast.nurse_manager), actor=cast.nurse_manager,
            charter=charter, pulse_id=added.pk,
        )  # fmt: skip
    except CharterError as error:
        refusal = str(error)
    assert opened_meanwhile, "the withdrawal no longer locks the cycle through lock_cycle"
    assert seen_under_lock == [Cycle.Status.OPEN], seen_under_lock
    assert "has already opened" in refusal, "the norms were withdrawn from a survey that had opened"
    assert TeamQuestions.objects.filter(pk=added.questions_id).exists(), (
        "the norms were withdrawn from a survey that had opened"
    )
    assert PulseNorms.objects.filter(pk=added.pk).exists()


# --- (c), (d): what anyone sees, before and after publication ------------------------------------------


def _every_view(cast: Cast, pulse: Pulse, *, published: bool) -> dict[str, tuple[int, str]]:
    """Every page and API call that could say something about the cycle or the team, as the
    facilitator, a member, a member of another unit, the executive and the program admin."""
    c, ch = pulse.cycle.pk, pulse.charter.pk
    pages = [f"{ORG}/", f"{ORG}/surveys/", f"{ORG}/surveys/{c}/", f"{ORG}/charters/",
             f"{ORG}/charters/{ch}/", f"{ORG}/charters/{ch}/pulse/", f"{ORG}/results/"]  # fmt: skip
    calls = ["/api/surveys/cycles", f"/api/surveys/cycles/{c}/response-rates",
             "/api/results/cycles", f"/api/charters/{ch}", f"/api/charters/{ch}/pulses"]  # fmt: skip
    if published:
        pages += [f"{ORG}/results/{c}/", f"{ORG}/results/{c}/comments/",
                  f"{ORG}/results/{c}/export/json/", f"{ORG}/results/{c}/export/csv/"]  # fmt: skip
        calls += [f"/api/results/cycles/{c}/report"]
    seen = {}
    for who in (cast.nurse_manager, user_of(cast, "sam"), user_of(cast, "olga"), cast.executive,
                cast.admin):  # fmt: skip
        browser, script = cast.client_for(who), api(cast, who)
        for url in pages:
            got = browser.get(url)
            seen[f"{who.email} {url}"] = (got.status_code, normalised(got.content))
        for url in calls:
            got = script.get(url)
            seen[f"{who.email} {url}"] = (got.status_code, normalised(got.content))
    return seen


def _differences(cast: Cast, pulse: Pulse, *, published: bool) -> set[str]:
    with_answers = _every_view(cast, pulse, published=published)
    without: dict[str, tuple[int, str]] = {}
    with undone():
        without_team_answers()
        without = _every_view(cast, pulse, published=published)
    assert set(with_answers) == set(without)
    return {key for key in with_answers if with_answers[key] != without[key]}


def test_nothing_anywhere_depends_on_team_answers_until_publication_and_then_only_the_team(
    cast: Cast,
    immediate_queue: object,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every page and API call is read twice — with the team's answers in the database, and
    with them taken out (every sealed one, pooled or moved, replaced by a sealed "no team
    answers") — while the survey is open, once it has closed, and once published.
    Until publication nothing differs anywhere; after it, only the team's own pulse page and
    pulses call, for the team. Survey results, exports, response rates and the cycle pages
    never move with the team's answers."""
    monkeypatch.setattr(survey_services, "POOL_BATCH", 2)  # sealed rows moved mid-cycle
    pulse = running_pulse(cast, django_capture_on_commit_callbacks)
    for position, who in enumerate(("olga", "sam", "nina", "pat", "ned")):
        sheet = [1 + position % 5, 5 - position % 5] if who in TEAM else None
        assert pulse.send(who, sheet, burnout=1 + position % 5) is Outcome.RECORDED
    assert SealedTeamAnswer.objects.exists() and PendingSubmission.objects.exists()
    assert not TeamAnswer.objects.exists()  # opened only at closing
    assert _differences(cast, pulse, published=False) == set()

    close_now(cycle=pulse.cycle)
    assert _differences(cast, pulse, published=False) == set()

    publish_cycle(cycle=pulse.cycle)
    team_views = {
        f"{who} {url}"
        for who in ("nora@riverside.example", "sam@riverside.example")
        for url in (f"{ORG}/charters/{pulse.charter.pk}/pulse/",
                    f"/api/charters/{pulse.charter.pk}/pulses")
    }  # fmt: skip
    assert _differences(cast, pulse, published=True) == team_views
    # Outside the team the pooled answers are refused, not merely empty.
    for who in (cast.executive, cast.admin, user_of(cast, "olga")):
        assert cast.client_for(who).get(f"{ORG}/charters/{pulse.charter.pk}/pulse/"
                                        ).status_code in (403, 404)  # fmt: skip
        assert api(cast, who).get(f"/api/charters/{pulse.charter.pk}/pulses"
                                  ).status_code in (403, 404)  # fmt: skip


def test_the_survey_release_is_the_same_whatever_the_team_answered(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks: Any
) -> None:
    """The insights engine's release (every released number, the exports' source) is byte for
    byte what it would be had the team answered nothing on its page."""
    pulse = running_pulse(cast, django_capture_on_commit_callbacks)
    for position, who in enumerate(EVERYONE):
        sheet = [1 + position % 5, 1 + (position * 3) % 5] if who in TEAM else None
        assert pulse.send(who, sheet, burnout=1 + position % 5) is Outcome.RECORDED
    close_now(cycle=pulse.cycle)
    without = b""
    with undone():
        without_team_answers()
        publish_cycle(cycle=pulse.cycle)
        without = bytes(Release.objects.get(cycle=pulse.cycle).snapshot)
    publish_cycle(cycle=pulse.cycle)
    assert bytes(Release.objects.get(cycle=pulse.cycle).snapshot) == without
    assert team_questions.result(pulse.questions).shown  # the team's answers were there


def test_answering_writes_no_audit_entry_and_the_steps_say_nothing_of_answers(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks: Any
) -> None:
    """An audit entry written when a member answers would date their answer. None is written
    by answering, closing or publishing; the facilitator's steps name the survey and the
    version, never a count of answers or a score."""
    audit_models = [m for m in apps.get_models() if m.__name__.endswith("AuditEntry")]
    pulse = running_pulse(cast, django_capture_on_commit_callbacks)
    before = {m: set(m.objects.values_list("pk", flat=True)) for m in audit_models}
    for position, who in enumerate(TEAM):
        assert pulse.send(who, [1 + position % 5, 2]) is Outcome.RECORDED
    close_now(cycle=pulse.cycle)
    publish_cycle(cycle=pulse.cycle)
    written = {m.__name__: list(m.objects.exclude(pk__in=before[m]).values()) for m in audit_models}
    assert all(not rows for rows in written.values()), written
    steps = CharterAuditEntry.objects.filter(charter=pulse.charter, action__startswith="pulse")
    assert [(s.action, sorted(s.detail)) for s in steps] == [
        ("pulse.add", ["cycle", "norms", "version"])
    ]


def test_a_team_set_hidden_for_too_few_answers_shows_no_count_either(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks: Any
) -> None:
    """Participation; the project's own rule. Two of the six answer. The survey never says
    "two of a team's six have answered" (``response_rates``), and a group hidden by the
    release carries "no number at all — not even its respondent count" (docs/privacy.md). So
    the hidden set's result has no count (``answered`` is None, no statement's either), and
    the team's pulse page and the API read exactly the same whether two, one or none of the
    team answered. (Against the first design they said "2 members of the 6 asked answered":
    this was a LEAK.)"""
    pulse = running_pulse(cast, django_capture_on_commit_callbacks)
    assert pulse.send("sam", [4, 2]) is Outcome.RECORDED
    assert pulse.send("nina", [5, 0]) is Outcome.RECORDED
    close_now(cycle=pulse.cycle)
    publish_cycle(cycle=pulse.cycle)
    assert TeamAnswer.objects.filter(questions_id=pulse.set_id).count() == 2
    result = team_questions.result(TeamQuestions.objects.get(pk=pulse.set_id))
    assert result.published and not result.shown
    assert (result.answered, result.rows) == (None, []), "the hidden set's result counts"
    page = f"{ORG}/charters/{pulse.charter.pk}/pulse/"
    endpoint = f"/api/charters/{pulse.charter.pk}/pulses"
    got = api(cast, cast.nurse_manager).get(endpoint).json()
    shown = got["pulses"][0]["results"]
    html = cast.client_for(user_of(cast, "sam")).get(page).content.decode()
    assert shown["answered"] is None, f"the API says {shown['answered']} of the team answered"
    assert not shown.get("statements"), f"the API counts each statement: {shown['statements']}"
    assert not re.search(r"\b2 members? of the", html), "the page counts the team's answers"

    def views() -> list[tuple[int, str]]:
        """The page for a member and the facilitator, and the API for both."""
        seen = []
        for who in (user_of(cast, "sam"), cast.nurse_manager):
            for got in (cast.client_for(who).get(page), api(cast, who).get(endpoint)):
                seen.append((got.status_code, normalised(got.content)))
        return seen

    two = views()
    sheets = list(TeamAnswer.objects.filter(questions_id=pulse.set_id).values_list("pk", flat=True))
    for keep in (1, 0):
        with undone():
            TeamAnswer.objects.filter(pk__in=sheets[keep:]).delete()
            assert views() == two, f"the team's page or API reads otherwise with {keep} answer(s)"


def test_two_overlapping_teams_asked_the_same_norms_do_not_give_away_the_one_between_them(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks: Any
) -> None:
    """Differencing across two sets of one cycle. Nora also facilitates a copy of the ED
    charter for the team without Peter, with the same norms, and adds both to the pulse. Were
    each set asked of its team and shown on its own (six and five answers, minimum three), the
    five would answer the same statements on two pages — alike — and the first set's counts
    minus the second's would be Peter's ratings. A person is asked one team's set per survey,
    the earliest added: the five are asked the ED team's only, the copy is asked of nobody,
    and their fields for it, sent anyway through the form, are not stored. (Against the first
    design both sets were asked and shown: this was a RISK, realised.)"""
    ed = adopted(cast)
    five = tuple(p for p in TEAM if p != "peter")
    copy = adopted_group(cast, "ED team, Peter aside", five)
    cycle = upcoming_pulse(cast)
    a = add(cast, ed.pk, cycle).questions_id
    b = add(cast, copy.pk, cycle).questions_id
    assert TeamQuestions.objects.get(pk=a).statements == TeamQuestions.objects.get(pk=b).statements
    cycle, tokens = opened(cycle, django_capture_on_commit_callbacks)

    asked: Counter[str] = Counter()
    for questions in TeamQuestions.objects.filter(cycle=cycle, state=TeamQuestions.State.ASKED):
        asked.update(questions.people.values_list("external_id", flat=True))
    assert set(asked) == set(TEAM) and max(asked.values()) == 1, f"asked more than once: {asked}"
    second_set = TeamQuestions.objects.get(pk=b)
    assert second_set.state == TeamQuestions.State.NOT_ASKED and not second_set.people.exists()

    alike = {"nora": [5, 4], "sam": [4, 4], "nina": [4, 3], "ned": [3, 4], "paula": [5, 5]}
    sent = [(who, {a: s, b: s}) for who, s in alike.items()] + [("peter", {a: [1, 2]})]
    for who, sheets in sent:
        html = form_page(Client(), tokens[f"{who}@riverside.example"])
        assert "ED team, Peter aside" not in html
        fields = {f"t_{x}_{i}": str(code) for x, s in sheets.items() for i, code in enumerate(s)}
        sent_form = post_answer(client_with(tokens[f"{who}@riverside.example"]), fields)
        assert sent_form.status_code == 302
    close_now(cycle=cycle)
    assert b not in sheets_by_set(), "answers were stored in a set its senders were not asked"
    assert sum(sheets_by_set()[a].values()) == len(TEAM)
    publish_cycle(cycle=cycle)
    first = team_questions.result(TeamQuestions.objects.get(pk=a))
    second = team_questions.result(TeamQuestions.objects.get(pk=b))
    assert first.shown and first.answered == len(TEAM)
    assert not second.shown and second.answered is None
    rows = list(zip(first.rows, second.rows, strict=False))
    if first.shown and second.shown and all(x.counts and y.counts for x, y in rows):
        derived = [[m - n for m, n in zip(x.counts, y.counts, strict=True)] for x, y in rows]
        peters = [[int(code == point) for point in team_questions.POINTS] for code in (1, 2)]
        assert derived != peters, f"the two sets' counts, subtracted, are Peter's: {derived}"


# --- (e) figures that never move ---------------------------------------------------------------------


def test_the_teams_figures_never_change_once_shown(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks: Any
) -> None:
    """After publication: a member leaves, another is erased from the organisation, the charter
    adopts new norms, the results are released again, and a submission waiting when the cycle
    closed is looked for. The team's figures stay exactly as first shown. (And the second
    norm, rated by two of the four, is shown by no door: neither page nor API.)"""
    pulse = running_pulse(cast, django_capture_on_commit_callbacks)
    sheets = {"sam": [1, 5], "nina": [2, 4], "ned": [3, SKIPPED], "paula": [4, SKIPPED]}
    for who, sheet in sheets.items():
        assert pulse.send(who, sheet) is Outcome.RECORDED
    close_now(cycle=pulse.cycle)
    assert not PendingSubmission.objects.filter(cycle=pulse.cycle).exists()
    publish_cycle(cycle=pulse.cycle)
    first = team_questions.result(TeamQuestions.objects.get(pk=pulse.set_id))
    assert first.shown and first.answered == 4
    got = api(cast, user_of(cast, "sam")).get(f"/api/charters/{pulse.charter.pk}/pulses")
    rows = got.json()["pulses"][0]["results"]["statements"]
    assert (rows[0]["mean"], rows[0]["counts"]) == (2.5, [1, 1, 1, 1, 0])
    assert (rows[1]["mean"], rows[1]["counts"]) == (None, [])
    page = f"{ORG}/charters/{pulse.charter.pk}/pulse/"

    def figures() -> str:
        html = cast.client_for(cast.nurse_manager).get(page).content.decode()
        return re.search(r'<article class="card".*?</article>', html, re.S).group(0)

    shown = figures()
    assert shown.count(" of 5") == 1 and "2.5 of 5" in shown  # the second norm: no figure
    Person.objects.filter(pk=cast.person("paula").pk).update(is_active=False)
    services.keep_members(pulse.charter)
    Person.objects.filter(pk=cast.person("ned").pk).delete()  # erased
    nora = cscope_of(cast, cast.nurse_manager)
    services.revise(cscope=nora, actor=cast.nurse_manager, charter=pulse.charter)
    draft = full_draft(cast, ("nora", "sam", "nina", "peter"))
    draft.norms.append(NormDraft("We close the loop on every concern raised.", "Said and done"))
    drafted(cast, pulse.charter, draft)
    proposed(cast, pulse.charter)
    endorsed_by(cast, pulse.charter, ("nora", "sam", "nina", "peter"), number=2)
    release_cycle(cycle=pulse.cycle, note="A correction")
    survey_services.flush_pool(cycle=pulse.cycle, minimum=1)

    again = team_questions.result(TeamQuestions.objects.get(pk=pulse.set_id))
    assert (again.answered, again.rows) == (first.answered, first.rows)
    assert figures() == shown


def test_a_submission_racing_the_closing_leaves_nothing_behind(
    cast: Cast,
    immediate_queue: object,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A race in the survey's submission, carrying team answers. ``_submit_once`` checks that
    the cycle accepts answers *before* its transaction. If the cycle closes in between (the
    queue's ``advance_cycles``, or "close now"), a receipt, a pooled row or a sealed answer
    written after closing has flushed the pool, opened the sealed answers and deleted every
    receipt would stay for good — the sealed team answers beside unit, role, day and survey
    answers, openable by the key holder, and a receipt that, with the key, names the
    invitation that sent them. The submission must be refused and leave nothing. (Against the
    first design nothing re-read the cycle after the check: this was a LEAK.)"""
    pulse = running_pulse(cast, django_capture_on_commit_callbacks)
    for who in ("sam", "nina", "ned"):
        assert pulse.send(who, [4, 4]) is Outcome.RECORDED
    real_check = survey_services.accepting_answers
    closed: list[int] = []

    def closes_right_after_the_check(cycle: Cycle, now: Any = None) -> bool:
        verdict = real_check(cycle, now)
        if verdict and not closed:
            closed.append(cycle.pk)
            close_now(cycle=Cycle.objects.get(pk=cycle.pk), now=timezone.now())
        return verdict

    monkeypatch.setattr(survey_services, "accepting_answers", closes_right_after_the_check)
    outcome = pulse.send("peter", [1, 1])
    assert closed, "the submission no longer checks through services.accepting_answers"
    assert Cycle.objects.get(pk=pulse.cycle.pk).status == Cycle.Status.CLOSED
    left = list(PendingSubmission.objects.filter(cycle=pulse.cycle).values())
    receipts = Receipt.objects.filter(cycle=pulse.cycle).count()
    sealed = SealedTeamAnswer.objects.filter(cycle=pulse.cycle).count()
    assert (left, receipts, sealed) == ([], 0, 0), (
        f"{outcome}: after closing the pool still holds {left}, {receipts} receipt(s) and "
        f"{sealed} sealed team answer(s)"
    )
    assert outcome is Outcome.NOT_OPEN
    assert sheets_by_set() == {pulse.set_id: Counter([bytes([4, 4])] * 3)}  # not Peter's
