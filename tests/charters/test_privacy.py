"""An adversary against the charters' privacy: the facilitator, a program admin, an executive,
a leader over the unit, a member, a member who has left, someone of another organisation and
an external coach each try to learn who wrote which values answer or gave which rating, or to
read or change what is the team's own.

The rules under attack:

1. Values answers and norm ratings carry no person and no time; who answered is only in the
   receipts. Nobody learns who wrote or rated what — through a page, an ordering, a count, an
   email, an audit entry, an error message, or the order the rows are stored in (the
   standard ``tests/surveys/test_unlinkability.py`` holds the surveys to).
2. Pooled values only once three members answered, a theme only over three members' answers,
   "Other" only over three, the rest only counted. Ratings only once three answered, a norm's
   figures only once three rated it.
3. Drafts, endorsements, comments, pooled values and ratings are the team's (current members
   and the facilitator). Executives, admins and leaders over a unit charter's unit read the
   charter in force, its stage and the adopted versions. Other organisations get 404. A coach
   sees nothing.
4. Only the facilitator edits, proposes, revises, runs revisits, changes settings and a
   group's members; a program admin or the facilitator hands over. Only current members
   answer, endorse and rate.

A test named ``test_LEAK_…`` fails today: it is a finding, with how to reproduce it and what
would fix it in its docstring. Tests whose docstrings say "found in review" pin findings that
have since been fixed (rows stored in answering order, answers and ratings shown one member at
a time, the audit naming who answered, an admin handing a charter to herself).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from huey import Huey

from accord.access.scopes import NotAllowed
from accord.charters import selectors, services, urls
from accord.charters.errors import CharterError
from accord.charters.models import (
    Charter,
    CharterAuditEntry,
    CharterMember,
    Endorsement,
    NormRating,
    Revisit,
    RevisitReceipt,
    TeamKind,
    ValuesAnswer,
    ValuesReceipt,
    Version,
)
from accord.charters.rules import Draft, NormDraft, RoleDraft
from accord.charters.state import version_in_force, working_version
from accord.org.importing import plan_org_import
from accord.org.models import Person, Unit
from accord.org.services import apply_org_import
from tests.cast import Cast, roster_csv
from tests.charters.world import cscope_of, later, user_of

pytestmark = pytest.mark.django_db

ED = ("nora", "sam", "nina", "ned")  # the people of ED Nursing
# Ten people who answer one after another, each in a way that marks their place in line.
TEN = ("sam", "nina", "ned", "paula", "peter", "olga", "omar", "oscar_r", "pat", "pia")
ROLES = ("admin", "executive", "chair", "nurse_manager", "staff_nurse", "outsider", "coach")
OVERSEERS = ("admin", "executive", "chair")  # of ED Nursing: everyone, everyone, its unit
POST_ONLY = {
    "charter-propose", "charter-revise", "charter-discard", "charter-endorse",
    "charter-revisit-open", "charter-revisit-close", "charter-people", "charter-hand-over",
    "charter-pulse-withdraw",
}  # fmt: skip
TEAM_PAGES = ("charter-values", "charter-draft", "charter-revisit", "charter-pulse")
READ_PAGES = ("charter", "charter-versions")  # the charter in force and its history


# --- building -------------------------------------------------------------------------------


def nora_scope(cast: Cast) -> Any:
    return cscope_of(cast, cast.nurse_manager)


def unit(cast: Cast, name: str) -> Unit:
    return Unit.objects.get(organisation=cast.riverside, name=name)


def ed_charter(cast: Cast, *, rule: str = "all_but_one") -> Charter:
    """ED Nursing's charter, started by Nora (its leader), who facilitates it and is one of
    its four members with Sam, Nina and Ned. Chad leads Emergency, which contains it."""
    return services.start_charter(
        cscope=nora_scope(cast), actor=cast.nurse_manager, name="ED Nursing team",
        kind=TeamKind.UNIT, unit=unit(cast, "ED Nursing"), rule=rule,
    )  # fmt: skip


def group_charter(cast: Cast, people: tuple[str, ...], *, name: str = "A named group") -> Charter:
    """A named group Nora facilitates without being one of its members (unless named)."""
    return services.start_charter(
        cscope=nora_scope(cast), actor=cast.nurse_manager, name=name, kind=TeamKind.GROUP,
        people=[cast.person(p) for p in people], rule="everyone",
    )  # fmt: skip


def peds_charter(cast: Cast) -> Charter:
    """Pediatrics' charter: started by the admin, facilitated by Pia (who has no login)."""
    return services.start_charter(
        cscope=cscope_of(cast, cast.admin), actor=cast.admin, name="Pediatrics",
        kind=TeamKind.UNIT, unit=unit(cast, "Pediatrics"), facilitator=cast.person("pia"),
    )  # fmt: skip


def lakeview_charter(cast: Cast) -> Charter:
    """A charter of the other organisation, facilitated by Lee, Lakeview's one person."""
    lee = Person.objects.filter(organisation=cast.lakeview, external_id="lee").first()
    if lee is None:
        rows = [("lee", "Lee Lakeview", "Lakeview Clinics/Family Medicine", "system/department",
                 "", "clinician", "Physician", "yes")]  # fmt: skip
        apply_org_import(plan=plan_org_import(
            organisation=cast.lakeview, filename="lakeview.csv", content=roster_csv(rows)
        ))  # fmt: skip
        lee = Person.objects.get(organisation=cast.lakeview, external_id="lee")
    charter = Charter.objects.create(
        organisation=cast.lakeview, name="Lakeview team", kind=TeamKind.GROUP, facilitator=lee
    )
    CharterMember.objects.create(charter=charter, person=lee, joined_at=timezone.now())
    Version.objects.create(charter=charter, number=1, status="draft")
    return charter


def answer(cast: Cast, charter: Charter, pid: str, **answers: str) -> None:
    user = user_of(cast, pid)
    services.answer_values(
        cscope=cscope_of(cast, user), actor=user, charter=charter, answers=answers
    )


def rate(cast: Cast, charter: Charter, pid: str, scores: dict[int, int]) -> None:
    user = user_of(cast, pid)
    services.rate_norms(cscope=cscope_of(cast, user), actor=user, charter=charter, ratings=scores)


def endorse(cast: Cast, charter: Charter, pid: str, number: int, comment: str = "") -> None:
    user = user_of(cast, pid)
    services.endorse(
        cscope=cscope_of(cast, user), actor=user, charter=charter, version_number=number,
        decision="commented" if comment else "endorsed", comment=comment,
    )  # fmt: skip


def a_draft(cast: Cast, people: tuple[str, ...], vision: str = "Safe, kind care.") -> Draft:
    return Draft(
        vision=vision,
        norms=[
            NormDraft("We hand over face to face.", "The receiving nurse repeats the plan"),
            NormDraft("We ask for help early.", "Someone says I need a hand and is answered"),
        ],
        roles=[RoleDraft(f"Huddle {n}", cast.person(p).pk) for n, p in enumerate(people, 1)],
    )


def save_draft(cast: Cast, charter: Charter, people: tuple[str, ...], vision: str) -> None:
    services.save_draft(
        cscope=nora_scope(cast), actor=cast.nurse_manager, charter=charter,
        draft=a_draft(cast, people, vision),
    )  # fmt: skip


def adopt(cast: Cast, charter: Charter, people: tuple[str, ...]) -> Version:
    save_draft(cast, charter, people, "Safe, kind care.")
    version = services.propose(cscope=nora_scope(cast), actor=cast.nurse_manager, charter=charter)
    for pid in people:
        endorse(cast, charter, pid, version.number)
    version.refresh_from_db()
    assert version.status == "adopted"
    return version


def open_revisit(cast: Cast, charter: Charter) -> tuple[Revisit, list[int]]:
    revisit = services.open_revisit(
        cscope=nora_scope(cast), actor=cast.nurse_manager, charter=charter
    )
    return revisit, list(revisit.version.norms.values_list("pk", flat=True))


def client(cast: Cast, role: str) -> Client:
    return cast.client_for(cast.by_role[role])


def login_of(cast: Cast, pid: str) -> Client:
    return cast.client_for(user_of(cast, pid))


def url(name: str, charter_id: int, *, slug: str = "riverside", number: int = 1) -> str:
    args: list[Any] = [slug, charter_id]
    if name in ("charter-version", "charter-pulse-withdraw"):
        args.append(number)  # a version's number, a pulse's id
    return reverse(name, args=args)


def charter_routes() -> list[str]:
    """Every page that takes a charter's id, read from the URLconf so none is forgotten."""
    return [p.name for p in urls.urlpatterns if "<int:charter_id>" in str(p.pattern) and p.name]


def text_of(response: Any) -> str:
    if response.get("Content-Type", "").startswith("application/pdf"):
        import io

        from pypdf import PdfReader

        return " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        )
    return response.content.decode()


def shown_texts(pooled: selectors.PooledValues) -> set[str]:
    return {text for p in pooled.prompts for theme in p.themes for text in theme.texts}


def quotes_and_counts(page: str) -> tuple[list[str], list[str]]:
    """What a values page shows of the answers: the quotes, and the hidden answers' counts."""
    return (
        re.findall(r'<ul class="quotes">(.*?)</ul>', page, re.S),
        re.findall(r"\d+ answers? in themes of fewer[^<]*", page),
    )


# --- 1. the database: who wrote what, from the order the rows are stored in ----------------

# Everyone in Riverside's org chart but Nora, who facilitates: five batches of three.
FIFTEEN = (*TEN, "ceo", "eve", "alice", "chad", "sue")


def physical(table: str, columns: str, where: str, value: int) -> list[tuple[Any, ...]]:
    position = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        # The table and column names are this module's own; the value is a parameter.
        cursor.execute(
            f"SELECT {columns} FROM {table} WHERE {where} = %s ORDER BY {position}",  # noqa: S608
            [value],
        )
        return list(cursor.fetchall())


def in_first_seen_order(rows: list[tuple[Any, ...]]) -> dict[Any, list[Any]]:
    sheets: dict[Any, list[Any]] = {}
    for sheet, *rest in rows:
        sheets.setdefault(sheet, []).append(rest[0] if len(rest) == 1 else tuple(rest))
    return sheets


def test_values_answers_are_not_stored_in_the_order_members_answered(cast: Cast) -> None:
    """Someone who can read the whole database (a DBA, a backup) reads the receipts by id for
    who answered in which order, the answers in their stored order (rowid on SQLite, ctid on
    PostgreSQL; the ORM's default order is the same), and pairs them. Found in review: the
    answers were written in the order members answered, in the receipt's own transaction,
    which paired everyone's words with their name; now they are written again, shuffled with
    new ids, in batches of three (services._show_in_batches). A batch still says "one of
    these three", never which: fifteen members in five batches are all paired right by
    chance once in 6**5 = 7,776."""
    charter = group_charter(cast, FIFTEEN)
    for place, pid in enumerate(FIFTEEN):
        answer(cast, charter, pid, matters=f"note {place}", need=f"also {place}")
    version = working_version(charter)
    assert version is not None
    people = list(
        ValuesReceipt.objects.filter(version=version).order_by("pk")
        .values_list("person__external_id", flat=True)
    )  # fmt: skip
    # (Today the receipts give that order away: see the LEAK test below.)
    stored = in_first_seen_order(
        physical(ValuesAnswer._meta.db_table, "sheet, text", "version_id", version.pk)
    )
    guessed = {pid: sorted(texts) for pid, texts in zip(people, stored.values(), strict=True)}
    truth = {pid: [f"also {place}", f"note {place}"] for place, pid in enumerate(FIFTEEN)}
    default = list(ValuesAnswer.objects.filter(version=version).values_list("text", flat=True))
    in_order = [t for t in default if t.startswith("note")] == [f"note {p}" for p in range(15)]
    assert guessed != truth and not in_order, "the stored order names who wrote each answer"
    # Every batch was written in one go: three members' answers, never one member's alone.
    # (A stored value of the transaction's id on PostgreSQL dates a batch, not a person.)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(DISTINCT xmin::text) FROM {ValuesAnswer._meta.db_table} "  # noqa: S608
                "WHERE version_id = %s", [version.pk],
            )  # fmt: skip
            assert cursor.fetchone()[0] <= 5


def test_norm_ratings_are_not_stored_in_the_order_members_rated(cast: Cast) -> None:
    """The same attack on ``services.rate_norms`` (found in review, fixed the same way)."""
    charter = group_charter(cast, FIFTEEN)
    adopt(cast, charter, FIFTEEN)
    revisit, (first, second) = open_revisit(cast, charter)
    marks = {pid: (1 + place % 5, 1 + place // 5) for place, pid in enumerate(FIFTEEN)}
    for pid in FIFTEEN:
        rate(cast, charter, pid, {first: marks[pid][0], second: marks[pid][1]})
    people = list(
        RevisitReceipt.objects.filter(revisit=revisit).order_by("pk")
        .values_list("person__external_id", flat=True)
    )  # fmt: skip
    rows = physical(NormRating._meta.db_table, "sheet, norm_id, score", "revisit_id", revisit.pk)
    guessed = {
        pid: tuple(score for _, score in sorted(scores))
        for pid, scores in zip(people, in_first_seen_order(rows).values(), strict=True)
    }
    assert guessed != marks, "the stored order of the ratings names who gave each one"


def test_LEAK_receipts_keep_the_order_members_answered_which_names_the_waiting_answers(
    cast: Cast,
) -> None:
    """LEAK (rule 1), what the batches leave. Answers wait, unshown (``shown=False``), until
    three members' wait together; but ``ValuesReceipt`` and ``RevisitReceipt`` still keep
    the order members answered — in their ids (a sequence) and in their stored order — so
    whoever reads the database knows who answered since the last batch: the last one or two
    receipts. The waiting rows are their words. In a team of four who all answer, the
    fourth member's words wait for ever, and the last receipt names them. The same for
    ratings.

    Reproduce: ED Nursing's four answer, Ned last; the receipt with the highest id is Ned's;
    the one sheet with ``shown=False`` holds his words.

    A fix: keep no order in the receipts either — in ``answer_values`` and ``rate_norms``,
    rewrite the round's receipts whole in a random order with no sequence in their ids
    (delete and bulk_create them shuffled, as the answers are; a UUID primary key), so the
    database says who has answered, never who answered last. (The "A member of the team"
    audit entries then date answers without naming anyone.)

    Asserted robustly: fourteen members answer in a known order (two then wait); neither the
    receipts' ids nor their stored order may give that order back (1 in 14! by chance)."""
    answering = FIFTEEN[:14]
    charter = group_charter(cast, FIFTEEN)
    for pid in answering:
        answer(cast, charter, pid, matters=f"Respect, says {pid}")
    version = working_version(charter)
    assert version is not None
    waiting = set(
        ValuesAnswer.objects.filter(version=version, shown=False).values_list("text", flat=True)
    )
    assert waiting == {f"Respect, says {pid}" for pid in answering[-2:]}
    adopt(cast, charter, FIFTEEN)
    revisit, (first, _) = open_revisit(cast, charter)
    for pid in answering:
        rate(cast, charter, pid, {first: 3})
    for model, where, value in (
        (ValuesReceipt, "version_id", version.pk),
        (RevisitReceipt, "revisit_id", revisit.pk),
    ):
        ids = dict(Person.objects.values_list("pk", "external_id"))
        by_id = [ids[p] for p in model.objects.filter(**{where: value}).order_by("pk")
                 .values_list("person_id", flat=True)]  # fmt: skip
        stored = [ids[p] for (p,) in physical(model._meta.db_table, "person_id", where, value)]
        assert by_id != list(answering), f"{model.__name__}: ids in the order people answered"
        assert stored != list(answering), f"{model.__name__}: stored in the order people answered"


def test_the_audit_log_never_says_which_member_answered(cast: Cast) -> None:
    """Found in review: ``values.answer`` and ``revisit.answer`` were audited with the
    member's name and the second they answered — a second, timed record of who answered,
    beside the receipts that keep no time on purpose. Now "A member of the team"."""
    charter = ed_charter(cast)
    for pid in ("sam", "nina", "ned"):
        answer(cast, charter, pid, matters="Respect")
    adopt(cast, charter, ED)
    _, (first, _) = open_revisit(cast, charter)
    rate(cast, charter, "sam", {first: 2})
    entries = CharterAuditEntry.objects.filter(
        charter=charter, action__in=("values.answer", "revisit.answer")
    )
    assert entries.count() == 4
    for entry in entries:
        for pid in ("sam", "nina", "ned"):
            assert pid not in entry.actor.lower(), (entry.action, entry.actor)
        assert entry.detail in ({}, {"version": 1}), entry.detail


# --- 2. pooled values: thresholds, "Other", hidden counts, ordering, differencing ---------------


def test_nothing_is_pooled_under_three_and_every_shown_bucket_holds_three_peoples_words(
    cast: Cast,
) -> None:
    charter = group_charter(cast, TEN)
    version = working_version(charter)
    assert version is not None
    answer(cast, charter, "sam", matters="Respect for nurses", need="Purple socks on Tuesdays")
    answer(cast, charter, "nina", matters="Respect at the bedside")
    pooled = selectors.pooled_values(version)
    assert not pooled.shown and pooled.prompts == [] and pooled.answered == 2
    page = text_of(login_of(cast, "nina").get(url("charter-values", charter.pk)))
    assert "Respect for nurses" not in page and "Purple socks" not in page
    answer(cast, charter, "ned", matters="Bananas on the night shift", need="Chess at lunch")
    pooled = selectors.pooled_values(version)
    assert pooled.shown
    for prompt in pooled.prompts:
        for theme in prompt.themes:
            assert theme.people >= 3 and len(theme.texts) == theme.people, theme
    matters, need, _ = pooled.prompts
    # Respect has two people: hidden as a theme, but "Other" gathers three.
    assert [(t.name, t.people) for t in matters.themes] == [("Other things people said", 3)]
    assert matters.hidden == 0
    # Two people answered the second question, off every theme: counted, never shown.
    assert need.themes == [] and need.hidden == 2
    for viewer in ("sam", "nina", "ned"):
        page = text_of(login_of(cast, viewer).get(url("charter-values", charter.pk)))
        assert "Purple socks" not in page and "Chess at lunch" not in page
        assert "2 answers in themes of fewer than 3 people are not shown" in page
    facilitator = text_of(client(cast, "nurse_manager").get(url("charter-values", charter.pk)))
    assert "Purple socks" not in facilitator and "Bananas on the night shift" in facilitator


def test_one_more_answer_shows_nothing_and_the_next_batch_only_three_peoples_words(
    cast: Cast,
) -> None:
    """The differencing attack: the facilitator reads the pooled values before and after one
    more member answers. Found in review: the newcomer's words appeared at once, so a
    reader who knew who had just answered read them as that member's. Now they wait until
    three members' answers wait together. Then a theme crosses three: two answers move
    into it from "Other", where they were read already, and the third is the new batch's —
    one of three people's. "Other" still gathers three, and the hidden counts change only
    with a batch: they add nothing of one member."""
    charter = group_charter(cast, TEN)
    version = working_version(charter)
    assert version is not None
    answer(cast, charter, "sam", matters="Respect for nurses")
    answer(cast, charter, "nina", matters="Respect at the bedside")
    answer(cast, charter, "ned", matters="Bananas on the night shift")
    before = selectors.pooled_values(version)
    nora = client(cast, "nurse_manager")
    page_before = text_of(nora.get(url("charter-values", charter.pk)))
    answer(cast, charter, "paula", matters="Respect from every doctor")
    one_more = selectors.pooled_values(version)
    assert one_more.prompts == before.prompts and one_more.waiting == 1
    page_after = text_of(nora.get(url("charter-values", charter.pk)))
    assert "Respect from every doctor" not in page_after
    assert quotes_and_counts(page_before)[0]
    assert quotes_and_counts(page_after) == quotes_and_counts(page_before)
    answer(cast, charter, "peter", matters="Gardening")
    assert selectors.pooled_values(version).prompts == before.prompts
    answer(cast, charter, "olga", matters="Chess at lunch")
    after = selectors.pooled_values(version)
    batch = {"Respect from every doctor", "Gardening", "Chess at lunch"}
    assert shown_texts(after) - shown_texts(before) == batch
    matters = after.prompts[0]
    assert [(t.name, t.people) for t in matters.themes] == [
        ("Respect", 3), ("Other things people said", 3),
    ]  # fmt: skip
    assert matters.hidden == 0 and after.waiting == 0


def test_quotes_are_in_the_same_order_whoever_answered_first(cast: Cast) -> None:
    """Ordering: the quotes' order (and the themes') must not follow who answered when.
    Two teams give the same answers in opposite orders and see the same page."""
    words = {
        "sam": "Respect for nurses", "nina": "Respect at the bedside",
        "ned": "Respect from every doctor", "paula": "Respect, always", "peter": "Respect",
        "olga": "Respect each other",
    }  # fmt: skip
    one = group_charter(cast, tuple(words), name="One")
    two = group_charter(cast, tuple(words), name="Two")
    for pid in words:
        answer(cast, one, pid, matters=words[pid])
    for pid, text in zip(reversed(list(words)), words.values(), strict=True):
        answer(cast, two, pid, matters=text)
    seen = [
        [(t.name, t.texts) for p in selectors.pooled_values(working_version(c)).prompts  # type: ignore[arg-type]
         for t in p.themes]
        for c in (one, two)
    ]  # fmt: skip
    assert seen[0] == seen[1] and seen[0][0][1] != list(words.values())


def test_a_member_who_answered_then_left_is_off_the_team_and_their_words_stay_pooled(
    cast: Cast,
) -> None:
    people = ("sam", "nina", "ned", "paula")
    charter = group_charter(cast, people)
    version = working_version(charter)
    assert version is not None
    answer(cast, charter, "sam", matters="Respect for nurses")
    answer(cast, charter, "nina", matters="Respect at the bedside")
    services.set_group_members(
        cscope=nora_scope(cast), actor=cast.nurse_manager, charter=charter,
        people=[cast.person(p) for p in ("nina", "ned", "paula")],
    )  # fmt: skip
    answer(cast, charter, "ned", matters="Respect from every doctor")
    pooled = selectors.pooled_values(version)
    assert pooled.shown and pooled.answered == 3
    assert shown_texts(pooled) == {
        "Respect for nurses", "Respect at the bedside", "Respect from every doctor",
    }  # fmt: skip
    sam = login_of(cast, "sam")
    for name in charter_routes():
        for method in ("get", "post"):
            if method == "get" and name in POST_ONLY:
                continue
            got = getattr(sam, method)(url(name, charter.pk)).status_code
            assert got == 404, f"sam, who left, {method} {name}: {got}"
    home = sam.get(reverse("charters", args=["riverside"])).content.decode()
    assert "A named group" not in home
    with pytest.raises(Http404):
        answer(cast, charter, "sam", need="Support")
    # Nobody's page names who answered.
    page = text_of(client(cast, "nurse_manager").get(url("charter-values", charter.pk)))
    assert "3 of 3 members answered" in page
    for name in ("Sam Nurse", "Nina Nurse", "Ned Nurse"):
        assert name not in page


# --- 3. pooled ratings -----------------------------------------------------------------------


def test_three_answers_with_one_norm_rated_by_two_shows_that_norm_as_a_count_only(
    cast: Cast,
) -> None:
    charter = ed_charter(cast)
    adopt(cast, charter, ED)
    revisit, (first, second) = open_revisit(cast, charter)
    rate(cast, charter, "sam", {first: 5, second: 1})
    rate(cast, charter, "nina", {first: 4, second: 2})
    for role in ("nurse_manager", "staff_nurse"):
        page = text_of(client(cast, role).get(url("charter-revisit", charter.pk)))
        assert "2 members have answered" in page and " of 5" not in page
    rate(cast, charter, "ned", {first: 3})
    pooled = selectors.pooled_ratings(revisit)
    assert pooled.shown and pooled.answered == 3
    kept, unknown = pooled.norms
    assert kept.mean == pytest.approx(4.0) and kept.counts == [0, 0, 1, 1, 1]
    assert unknown.answered == 2 and unknown.mean is None and unknown.counts == []
    for role in ("nurse_manager", "staff_nurse"):
        page = text_of(client(cast, role).get(url("charter-revisit", charter.pk)))
        assert "4.0 of 5" in page
        assert "Fewer than 3 rated it (2): not shown." in page
        assert "1.5" not in page  # the two scores' mean
        assert page.count(" of 5") == 1


def test_one_more_rating_cannot_be_read_off_the_open_revisit(cast: Cast) -> None:
    """Differencing on ratings. Found in review: the pooled ratings changed with every answer
    once three had rated, and a rating's difference is exact — counts per point of the
    scale, per norm, before and after Ned rated, were Ned's scores. Now a rating waits
    until three wait together."""
    charter = ed_charter(cast)
    adopt(cast, charter, ED)
    revisit, (first, second) = open_revisit(cast, charter)
    for pid, scores in (("sam", (5, 1)), ("nina", (4, 2)), ("nora", (3, 3))):
        rate(cast, charter, pid, {first: scores[0], second: scores[1]})
    before = selectors.pooled_ratings(revisit)
    rate(cast, charter, "ned", {first: 1, second: 5})
    after = selectors.pooled_ratings(revisit)
    assert after.norms == before.norms and after.waiting == 1
    page = text_of(client(cast, "nurse_manager").get(url("charter-revisit", charter.pk)))
    assert "4 members answered" in page and "4.0 of 5" in page and "2.0 of 5" in page


# --- 4. what the team's pages hold, and what everyone else sees ------------------------------

SECRET = "ZQX"  # every word a member writes privately, or the team shares, carries it


def secret_world(cast: Cast, seen: dict[str, dict[str, str]] | None = None) -> Charter:
    """ED Nursing's charter through its whole life, with something private at every step:
    values answers, a comment on the proposal, a late comment by a member who joined after
    adoption, a new draft's vision, ratings (norm 1: 5, 4, 5 → "4.7 of 5"), a second round of
    values. ``seen`` collects every page as each role saw it at each step."""

    def look(step: str) -> None:
        if seen is not None:
            seen[step] = {role: every_page(cast, role, charter) for role in ROLES}

    charter = ed_charter(cast)
    for pid in ED:
        answer(cast, charter, pid, matters=f"Respect {SECRET}-values-{pid}",
               need=f"Support {SECRET}-need-{pid}", patients=f"Bananas {SECRET}-lone-{pid}")  # fmt: skip
    look("values")
    save_draft(cast, charter, ED, "We give safe, kind care.")
    services.propose(cscope=nora_scope(cast), actor=cast.nurse_manager, charter=charter)
    endorse(cast, charter, "sam", 1, comment=f"Add night shifts {SECRET}-comment-sam")
    for pid in ("nina", "ned", "nora"):
        endorse(cast, charter, pid, 1)
    look("proposed")
    services.keep_charters(now=later(8))  # all but one, after the week
    assert version_in_force(charter) is not None
    paula = cast.person("paula")
    paula.unit = unit(cast, "ED Nursing")
    paula.save()
    services.keep_members(charter)
    endorse(cast, charter, "paula", 1, comment=f"What about physicians {SECRET}-late-paula")
    _, (first, second) = open_revisit(cast, charter)
    save_draft(cast, charter, (*ED, "paula"), f"Kinder still {SECRET}-draft-vision")
    for pid, scores in (("sam", (5, 3)), ("nina", (4, 1)), ("ned", (5, None))):
        rate(cast, charter, pid, {n: s for n, s in zip((first, second), scores, strict=True) if s})
    answer(cast, charter, "sam", matters=f"Respect {SECRET}-second-round-sam")
    look("revisit")
    return charter


def every_page(cast: Cast, role: str, charter: Charter) -> dict[str, str]:
    """Every page of the charter as ``role`` sees it (the status, then the text)."""
    browser = client(cast, role)
    found = {"charters": browser.get(reverse("charters", args=["riverside"]))}
    for name in charter_routes():
        if name in POST_ONLY:
            continue
        if name == "charter-version":
            for number in (1, 2, 3):
                found[f"{name} {number}"] = browser.get(url(name, charter.pk, number=number))
            continue
        found[name] = browser.get(url(name, charter.pk))
    found["charter-versions a=1 b=2"] = browser.get(
        url("charter-versions", charter.pk) + "?a=1&b=2"
    )
    return {
        name: f"{r.status_code} {text_of(r) if r.status_code == 200 else r.content.decode()}"
        for name, r in found.items()
    }


def test_those_who_oversee_read_the_charter_in_force_and_never_the_teams_words(
    cast: Cast,
) -> None:
    seen: dict[str, dict[str, str]] = {}
    secret_world(cast, seen)
    for step, pages in seen.items():
        for role in ("admin", "executive", "chair", "outsider", "coach"):
            for name, page in pages[role].items():
                assert SECRET not in page, f"{role} reads private words on {name} ({step})"
                assert "4.7" not in page, f"{role} reads the ratings on {name} ({step})"
        for role in OVERSEERS:
            status = {name: int(page[:3]) for name, page in pages[role].items()}
            for name in TEAM_PAGES:
                assert status[name] == 403, (step, role, name)
            assert status["charter"] == 200 and status["charter-versions"] == 200
            assert status["charter-settings"] == (200 if role == "admin" else 403)
        assert {int(p[:3]) for n, p in pages["outsider"].items()} == {404}
        assert {int(p[:3]) for n, p in pages["coach"].items()} == {403}
    # Only adopted versions, for those who oversee: the draft (2) is not there.
    final = seen["revisit"]
    for role in OVERSEERS:
        assert final[role]["charter-version 1"].startswith("200")
        assert final[role]["charter-version 2"].startswith("404")
        assert final[role]["charter-pdf"].startswith("200")
    # The team reads it all — so the searches above would have found it.
    # (Four answered: three members' words are shown together, the fourth's wait.)
    nora, sam = seen["values"]["nurse_manager"], seen["values"]["staff_nurse"]
    assert sum(f"{SECRET}-values-{pid}" in nora["charter-values"] for pid in ED) == 3
    assert sum(f"{SECRET}-need-{pid}" in sam["charter-values"] for pid in ED) == 3
    assert f"{SECRET}-comment-sam" in seen["proposed"]["staff_nurse"]["charter-draft"]
    assert f"{SECRET}-comment-sam" in final["nurse_manager"]["charter-version 1"]
    assert f"{SECRET}-late-paula" in final["staff_nurse"]["charter"]
    assert f"{SECRET}-draft-vision" in final["staff_nurse"]["charter-draft"]
    assert "4.7 of 5" in final["nurse_manager"]["charter-revisit"]
    # A second round with one answer shows nothing of it, to anyone.
    for role in ROLES:
        for page in final[role].values():
            assert f"{SECRET}-second-round" not in page
    # No page, to anyone, puts a name next to a values answer or a rating.
    for role in ("nurse_manager", "staff_nurse"):
        for name in ("charter-values", "charter-revisit"):
            for step in seen:
                page = seen[step][role][name]
                for other in ("Sam Nurse", "Nina Nurse", "Ned Nurse"):
                    assert other not in page or (role == "staff_nurse" and other == "Sam Nurse")


def test_answers_in_no_theme_from_three_or_more_people_go_to_other(cast: Cast) -> None:
    """Three members each wrote words in no theme ("Bananas …"): "Other" gathers three
    people's words — shown to the team, as the rule says; a fourth's waits for two more."""
    charter = ed_charter(cast)
    for pid in ED:
        answer(cast, charter, pid, patients=f"Bananas {SECRET}-lone-{pid}")
    pooled = selectors.pooled_values(working_version(charter))  # type: ignore[arg-type]
    patients = pooled.prompts[2]
    assert [(t.name, t.people) for t in patients.themes] == [("Other things people said", 3)]
    assert pooled.waiting == 1 and patients.hidden == 0


def test_no_email_holds_a_values_answer_a_comment_or_a_rating(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        charter = secret_world(cast)
    with django_capture_on_commit_callbacks(execute=True):
        services.keep_charters(now=later(4))  # the revisit's reminder
        services.remind_now(charter=charter)
    assert len(mail.outbox) >= 10
    kinds = {m.subject.split(": ", 1)[-1] for m in mail.outbox}
    assert any("how well are we keeping" in k for k in kinds), kinds
    for message in mail.outbox:
        whole = f"{message.subject}\n{message.body}"
        assert SECRET not in whole, whole
        assert not re.search(r"\b[1-5](\.\d)? of 5\b", whole), whole
        for score_word in ("Not at all", "Rarely", "Sometimes", "Mostly"):
            assert score_word not in whole


def test_no_audit_entry_holds_what_a_member_wrote_or_rated(cast: Cast) -> None:
    charter = secret_world(cast)
    entries = list(CharterAuditEntry.objects.filter(charter=charter))
    actions = {e.action for e in entries}
    assert {"values.answer", "version.commented", "revisit.answer", "draft.save"} <= actions
    for entry in entries:
        dumped = json.dumps(entry.detail) + entry.actor + entry.action
        assert SECRET not in dumped, entry.detail
        if entry.action in ("values.answer", "revisit.answer", "version.commented",
                            "version.endorsed"):  # fmt: skip
            assert set(entry.detail) <= {"version"}, entry.detail  # no sheet, no score


# --- 5. ids: another organisation's, a charter one is not on, out of range -----------------


def requests_for(
    charter_id: int, *, slug: str = "riverside", number: int = 1
) -> Iterator[tuple[str, str, str]]:
    for name in charter_routes():
        target = url(name, charter_id, slug=slug, number=number)
        yield name, "post", target
        if name not in POST_ONLY:
            yield name, "get", target


def test_every_page_answers_404_for_another_organisations_charter(cast: Cast) -> None:
    theirs = lakeview_charter(cast)
    ours = ed_charter(cast)
    for role in ROLES:
        browser = client(cast, role)
        for name, method, target in requests_for(theirs.pk):
            got = getattr(browser, method)(target).status_code
            want = 403 if role == "coach" else 404
            assert got == want, f"{role} {method} {name} of a lakeview charter: {got}"
        for name, method, target in requests_for(ours.pk, slug="lakeview"):
            got = getattr(browser, method)(target).status_code
            assert got == 404, f"{role} {method} {name} of a riverside charter at lakeview: {got}"
    # Olive, admin at Lakeview, reads her own organisation's charter: the 404s are not an
    # accident of the route.
    assert (
        client(cast, "outsider").get(url("charter", theirs.pk, slug="lakeview")).status_code == 200
    )


def test_every_page_answers_404_for_a_charter_one_is_not_on_and_does_not_oversee(
    cast: Cast,
) -> None:
    peds = peds_charter(cast)
    group = group_charter(cast, ("paula", "peter", "olga"))  # nora facilitates
    for charter, strangers in ((peds, ("chair", "nurse_manager", "staff_nurse")),
                               (group, ("chair", "staff_nurse"))):  # fmt: skip
        for role in strangers:
            browser = client(cast, role)
            for name, method, target in requests_for(charter.pk):
                got = getattr(browser, method)(target).status_code
                assert got == 404, f"{role} {method} {name} of {charter.name}: {got}"
    # ED Physicians' people in the group do not see ED Nursing's charter either.
    ed = ed_charter(cast)
    paula = login_of(cast, "paula")
    for name, method, target in requests_for(ed.pk):
        assert getattr(paula, method)(target).status_code == 404, (name, method)


@pytest.mark.parametrize("charter_id", [0, 2**31, 2**63 - 1, 2**63, 10**30])
def test_out_of_range_ids_are_404_never_an_error(cast: Cast, charter_id: int) -> None:
    ed_charter(cast)
    for role in ("admin", "nurse_manager"):
        browser = client(cast, role)
        for name, method, target in requests_for(charter_id):
            got = getattr(browser, method)(target).status_code
            assert got == 404, f"{role} {method} {name} id {charter_id}: {got}"


@pytest.mark.parametrize("number", [0, 2, 2**31 - 1, 2**31, 2**63, 10**30])
def test_version_numbers_out_of_range_are_404(cast: Cast, number: int) -> None:
    charter = ed_charter(cast)
    adopt(cast, charter, ED)
    for role in ("admin", "chair", "nurse_manager"):
        got = client(cast, role).get(url("charter-version", charter.pk, number=number))
        assert got.status_code == 404, (role, number)
    browser = client(cast, "nurse_manager")
    for query in (f"a=1&b={number}", f"a={number}&b=1", "a=-1&b=1", "a=x&b=1", "a=&b="):
        got = browser.get(url("charter-versions", charter.pk) + "?" + query)
        assert got.status_code == 200 and "From version" not in got.content.decode(), query


def test_a_draft_version_is_404_to_those_who_oversee_even_by_number(cast: Cast) -> None:
    charter = ed_charter(cast)
    adopt(cast, charter, ED)
    services.revise(cscope=nora_scope(cast), actor=cast.nurse_manager, charter=charter)
    save_draft(cast, charter, ED, f"{SECRET} new vision")
    for role in OVERSEERS:
        browser = client(cast, role)
        assert browser.get(url("charter-version", charter.pk, number=2)).status_code == 404
        diff = browser.get(url("charter-versions", charter.pk) + "?a=1&b=2").content.decode()
        assert SECRET not in diff and "Choose two versions" in diff
    assert (
        SECRET
        in client(cast, "staff_nurse")
        .get(url("charter-version", charter.pk, number=2))
        .content.decode()
    )


def test_endorsing_a_number_out_of_range_or_of_another_charter_is_refused(cast: Cast) -> None:
    charter = ed_charter(cast)
    other = group_charter(cast, ("sam", "nina"))
    save_draft(cast, charter, ED, "Safe, kind care.")
    services.propose(cscope=nora_scope(cast), actor=cast.nurse_manager, charter=charter)
    sam = login_of(cast, "sam")
    for number in ("0", "-1", "2", str(2**31), str(2**63), str(10**30), "x", ""):
        got = sam.post(
            url("charter-endorse", charter.pk), {"version": number, "decision": "endorsed"}
        )
        assert got.status_code == 302, number
    # Version 1 of the group exists, but is a draft of another charter: nothing changes.
    sam.post(url("charter-endorse", other.pk), {"version": "1", "decision": "endorsed"})
    assert not Endorsement.objects.exists()


def test_ratings_for_a_norm_of_another_charter_are_ignored(cast: Cast) -> None:
    charter = ed_charter(cast)
    adopt(cast, charter, ED)
    other = group_charter(cast, ("sam", "nina", "ned"))
    adopt(cast, other, ("sam", "nina", "ned"))
    revisit, (first, _) = open_revisit(cast, charter)
    foreign = other.versions.get(number=1).norms.first()
    assert foreign is not None
    got = login_of(cast, "sam").post(url("charter-revisit", charter.pk), {
        f"norm_{foreign.pk}": "1", f"norm_{first}": "4",
    })  # fmt: skip
    assert got.status_code == 302
    assert list(NormRating.objects.values_list("norm_id", "score")) == [(first, 4)]
    with pytest.raises(CharterError, match="not in the charter revisited"):
        rate(cast, charter, "nina", {foreign.pk: 1})
    assert NormRating.objects.count() == 1
    assert RevisitReceipt.objects.filter(revisit=revisit).count() == 1


# --- 6. stale forms ------------------------------------------------------------------------------


def test_a_stale_draft_form_is_refused_and_the_draft_kept(cast: Cast) -> None:
    charter = ed_charter(cast)
    adopt(cast, charter, ED)
    nora = client(cast, "nurse_manager")
    services.revise(cscope=nora_scope(cast), actor=cast.nurse_manager, charter=charter)
    form = {"version": "2", "vision": "Written over", "norm_1_text": "We listen.",
            "role_1_what": "Huddle", "role_1_owner": str(cast.person("sam").pk)}  # fmt: skip
    services.propose(cscope=nora_scope(cast), actor=cast.nurse_manager, charter=charter)
    # Draft 2 was proposed while the form was open: there is no draft to write over.
    got = nora.post(url("charter-draft", charter.pk), form)
    assert got.status_code == 302
    services.revise(cscope=nora_scope(cast), actor=cast.nurse_manager, charter=charter)
    got = nora.post(url("charter-draft", charter.pk), form)  # draft 3 now
    assert got.status_code == 400 and "changed while you edited it" in got.content.decode()
    assert not Version.objects.filter(charter=charter, vision="Written over").exists()


def test_the_former_facilitators_open_form_changes_nothing(cast: Cast) -> None:
    charter = ed_charter(cast)
    services.hand_over(cscope=nora_scope(cast), actor=cast.nurse_manager, charter=charter,
                       to=cast.person("sam"))  # fmt: skip
    nora = client(cast, "nurse_manager")  # still a member of ED Nursing
    got = nora.post(url("charter-draft", charter.pk), {"version": "1", "vision": "Mine"})
    assert got.status_code == 302
    for name in ("charter-propose", "charter-revisit-open", "charter-settings", "charter-people"):
        assert nora.post(url(name, charter.pk), {"name": "Mine"}).status_code == 403, name
    charter.refresh_from_db()
    assert charter.name == "ED Nursing team" and working_version(charter).vision == ""  # type: ignore[union-attr]


def test_a_stale_values_form_after_proposing_stores_nothing(cast: Cast) -> None:
    charter = ed_charter(cast)
    save_draft(cast, charter, ED, "Safe, kind care.")
    services.propose(cscope=nora_scope(cast), actor=cast.nurse_manager, charter=charter)
    got = client(cast, "staff_nurse").post(url("charter-values", charter.pk),
                                           {"matters": "Respect late"})  # fmt: skip
    assert got.status_code == 302
    assert not ValuesAnswer.objects.exists() and not ValuesReceipt.objects.exists()


def test_a_stale_ratings_form_after_the_revisit_closed_stores_nothing(cast: Cast) -> None:
    charter = ed_charter(cast)
    adopt(cast, charter, ED)
    _, (first, _) = open_revisit(cast, charter)
    services.close_revisit(cscope=nora_scope(cast), actor=cast.nurse_manager, charter=charter)
    got = client(cast, "staff_nurse").post(url("charter-revisit", charter.pk),
                                           {f"norm_{first}": "1"})  # fmt: skip
    assert got.status_code == 302
    assert not NormRating.objects.exists() and not RevisitReceipt.objects.exists()


def test_a_second_answer_is_refused_and_changes_nothing(cast: Cast) -> None:
    charter = ed_charter(cast)
    answer(cast, charter, "sam", matters="Respect first")
    got = client(cast, "staff_nurse").post(url("charter-values", charter.pk),
                                           {"matters": "Respect second"})  # fmt: skip
    assert got.status_code == 302
    assert list(ValuesAnswer.objects.values_list("text", flat=True)) == ["Respect first"]


# --- 7. who may change what --------------------------------------------------------------------

FACILITATORS_STEPS = {
    "charter-draft": {"version": "1", "vision": "Taken over"},
    "charter-propose": {},
    "charter-revise": {},
    "charter-discard": {},
    "charter-revisit-open": {},
    "charter-revisit-close": {},
    "charter-settings": {"name": "Taken over", "rule": "everyone", "cadence_months": "1"},
    "charter-people": {"people": "olga\nomar"},
}


def state_of(charter: Charter) -> tuple[Any, ...]:
    charter.refresh_from_db()
    return (
        charter.name, charter.rule, charter.cadence_months, charter.facilitator_id,
        list(charter.versions.values_list("number", "status", "vision")),
        list(charter.revisits.values_list("pk", "closed_at")),
        sorted(CharterMember.objects.filter(charter=charter, left_at__isnull=True)
               .values_list("person_id", flat=True)),
    )  # fmt: skip


@pytest.mark.parametrize("kind", ["unit", "group"])
def test_only_the_facilitator_edits_proposes_revises_runs_revisits_and_keeps_the_team(
    cast: Cast, kind: str
) -> None:
    if kind == "unit":
        charter = ed_charter(cast)
    else:
        charter = group_charter(cast, ("nora", "sam", "nina", "ned"))
    adopt(cast, charter, ED)
    services.revise(cscope=nora_scope(cast), actor=cast.nurse_manager, charter=charter)
    before = state_of(charter)
    for role in ("admin", "executive", "chair", "staff_nurse"):
        browser = client(cast, role)
        for name, data in FACILITATORS_STEPS.items():
            got = browser.post(url(name, charter.pk), data).status_code
            if kind == "group" and role == "chair":
                want = 404  # chad oversees ED Nursing's unit charter, not a named group
            elif name == "charter-draft" and role == "staff_nurse":
                want = 302  # a member reads the draft: "no draft for you to edit"
            else:
                want = 403
            assert got == want, f"{role} {name} ({kind}): {got}"
        assert state_of(charter) == before, f"{role} changed the charter"
    for role in ("executive", "chair", "staff_nurse"):
        got = client(cast, role).post(url("charter-hand-over", charter.pk),
                                      {"facilitator": "chad"}).status_code  # fmt: skip
        assert got == (404 if kind == "group" and role == "chair" else 403), (role, got)
    assert state_of(charter) == before
    # A program admin hands over.
    got = client(cast, "admin").post(url("charter-hand-over", charter.pk), {"facilitator": "sam"})
    assert got.status_code == 302
    charter.refresh_from_db()
    assert charter.facilitator == cast.person("sam")


def test_only_current_members_answer_endorse_and_rate(cast: Cast) -> None:
    # Nora facilitates a group she is not one of; Chad leads the unit of the ED charter.
    group = group_charter(cast, ("sam", "nina", "ned"))
    adopt(cast, group, ("sam", "nina", "ned"))
    services.revise(cscope=nora_scope(cast), actor=cast.nurse_manager, charter=group)
    nora = client(cast, "nurse_manager")
    assert nora.post(url("charter-values", group.pk), {"matters": "Respect"}).status_code == 302
    assert nora.post(url("charter-endorse", group.pk),
                     {"version": "2", "decision": "endorsed"}).status_code == 403  # fmt: skip
    with pytest.raises(NotAllowed):
        services.answer_values(cscope=nora_scope(cast), actor=cast.nurse_manager, charter=group,
                               answers={"matters": "Respect"})  # fmt: skip
    ed = ed_charter(cast)
    for role in OVERSEERS:
        browser = client(cast, role)
        assert browser.post(url("charter-values", ed.pk), {"matters": "Hi"}).status_code == 403
        assert browser.post(url("charter-endorse", ed.pk),
                            {"version": "1", "decision": "endorsed"}).status_code == 403  # fmt: skip
        assert browser.post(url("charter-revisit", ed.pk), {}).status_code == 403
    assert (
        not ValuesReceipt.objects.exists()
        and not Endorsement.objects.filter(version__charter=ed).exists()
    )


def test_an_admin_cannot_take_the_charter_over_to_read_the_teams_words(cast: Cast) -> None:
    """Found in review (rules 3 and 4): a program admin, who reads only the charter in force,
    could hand the charter to herself and so join "the team" — its pooled values, drafts,
    comments and ratings. Now an admin stepping in names a member of the team."""
    charter = ed_charter(cast)
    for pid in ("sam", "nina", "ned"):
        answer(cast, charter, pid, matters=f"Respect {SECRET}-{pid}")
    alice = client(cast, "admin")
    assert alice.get(url("charter-values", charter.pk)).status_code == 403
    for outsider in ("alice", "eve", "chad"):
        refused = alice.post(url("charter-hand-over", charter.pk), {"facilitator": outsider})
        assert refused.status_code == 400, outsider
    got = alice.get(url("charter-values", charter.pk))
    assert got.status_code == 403 and SECRET not in got.content.decode()
    charter.refresh_from_db()
    assert charter.facilitator == cast.person("nora")
