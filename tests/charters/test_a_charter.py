"""A charter from start to revisit, through the services: values pooled over three, a draft
checked, proposed, endorsed and adopted, versions and their difference, a revisit with
pooled ratings, members joining and leaving."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.charters import selectors, services, state
from accord.charters.errors import CharterError
from accord.charters.models import (
    Charter,
    CharterAuditEntry,
    Decision,
    ValuesAnswer,
    VersionStatus,
)
from accord.charters.rules import Draft, GoalDraft, NormDraft, RoleDraft
from accord.charters.state import version_in_force, working_version
from tests.cast import Cast
from tests.charters.world import (
    TEAM,
    adopted,
    answered_values,
    cscope_of,
    drafted,
    endorsed_by,
    full_draft,
    later,
    proposed,
    started,
    user_of,
)

pytestmark = pytest.mark.django_db


def test_values_are_pooled_only_from_three_members_and_never_name_anyone(cast: Cast) -> None:
    charter = started(cast)
    version = working_version(charter)
    assert version is not None
    answered_values(cast, charter, ("sam", "nina"))
    assert not selectors.pooled_values(version).shown
    answered_values(cast, charter, ("ned",))
    pooled = selectors.pooled_values(version)
    assert pooled.shown and pooled.answered == 3
    shown = [t for p in pooled.prompts for t in p.themes]
    assert shown and all(t.people >= 3 for t in shown)
    patients = next(
        p for p in pooled.prompts if p.prompt.startswith("What would you like patients")
    )
    kind = next(t for t in patients.themes if t.name == "Patients and families")
    assert sorted(kind.texts) == sorted(
        [
            "They were kind and explained everything",
            "Kind staff who listened to my family",
            "Everyone was kind",
        ]
    )
    # Stored with no person and no time: only a receipt says who answered.
    fields = {f.name for f in ValuesAnswer._meta.get_fields()}
    assert fields == {"id", "version", "sheet", "prompt", "text", "shown"}


def test_a_member_answers_once(cast: Cast) -> None:
    charter = started(cast)
    answered_values(cast, charter, ("sam",))
    with pytest.raises(CharterError, match="answered already"):
        answered_values(cast, charter, ("sam",))


def test_the_draft_is_checked_for_what_is_missing(cast: Cast) -> None:
    charter = started(cast)
    drafted(cast, charter, Draft(
        vision="Safe, kind care.",
        norms=[NormDraft("Be nice", "")],
        roles=[RoleDraft("Runs the huddle", cast.person("nora").pk)],
    ))  # fmt: skip
    version = working_version(charter)
    assert version is not None
    gaps = [g.message for g in state.gaps_of(version)]
    assert any("“Be nice” — write it as something you all do" in g for g in gaps)
    assert any("“Be nice” — nobody could observe it" in g for g in gaps)
    for name in ("Sam Nurse", "Nina Nurse", "Ned Nurse", "Paula Physician", "Peter Physician"):
        assert any(g.startswith(f"{name} has no responsibility") for g in gaps)
    assert not any(g.startswith("Nora Manager has no") for g in gaps)
    assert any("Name at least one goal" in g for g in gaps)


def test_a_draft_without_a_vision_or_norms_cannot_be_proposed(cast: Cast) -> None:
    charter = started(cast)
    with pytest.raises(CharterError, match="Write the vision") as refused:
        proposed(cast, charter)
    assert "Agree at least one norm" in str(refused.value)
    assert working_version(charter).status == VersionStatus.DRAFT  # type: ignore[union-attr]


def test_bad_draft_rows_are_named(cast: Cast) -> None:
    charter = started(cast)
    with pytest.raises(CharterError) as refused:
        drafted(cast, charter, Draft(
            vision="x",
            norms=[NormDraft("We listen.", "ok ok ok"), NormDraft("we  LISTEN", "")],
            roles=[RoleDraft("Orders supplies", cast.person("olga").pk), RoleDraft("Rota", None)],
        ))  # fmt: skip
    problems = dict(refused.value.problems)
    assert problems["norms.2"] == "Norm 2 repeats an earlier norm."
    assert problems["roles.1"] == "Responsibility 1: its owner must be on the team."
    assert problems["roles.2"] == "Responsibility 2: choose the member who owns it."


def test_everyone_endorsing_adopts_and_schedules_the_revisit(cast: Cast) -> None:
    mail.outbox.clear()
    charter = adopted(cast)
    version = version_in_force(charter)
    assert version is not None and version.number == 1
    assert charter.next_revisit_on is not None
    assert (charter.next_revisit_on - version.adopted_at.date()).days in range(89, 93)  # type: ignore[union-attr]
    assert CharterAuditEntry.objects.filter(charter=charter, action="version.adopt").count() == 1


def test_all_but_one_adopts_only_after_a_week(cast: Cast) -> None:
    charter = started(cast)
    drafted(cast, charter)
    proposed(cast, charter)
    endorsed_by(cast, charter, TEAM[:-1])
    assert version_in_force(charter) is None
    services.keep_charters(now=later(6))
    assert version_in_force(charter) is None
    services.keep_charters(now=later(8))
    assert version_in_force(charter) is not None


def test_a_comment_holds_adoption_under_the_everyone_rule(cast: Cast) -> None:
    charter = started(cast, rule="everyone")
    drafted(cast, charter)
    proposed(cast, charter)
    endorsed_by(cast, charter, TEAM[:-1])
    peter = user_of(cast, "peter")
    services.endorse(
        cscope=cscope_of(cast, peter), actor=peter, charter=charter, version_number=1,
        decision=Decision.COMMENTED, comment="Add a norm about night shifts.",
    )  # fmt: skip
    services.keep_charters(now=later(30))
    assert version_in_force(charter) is None
    page = selectors.charter_page(cscope_of(cast, cast.staff_nurse), charter)
    assert [(e.name, e.comment) for e in page.endorsements if e.comment] == [
        ("Peter Physician", "Add a norm about night shifts.")
    ]


def test_an_endorsement_of_a_revised_draft_is_refused(cast: Cast) -> None:
    charter = started(cast)
    drafted(cast, charter)
    proposed(cast, charter)
    services.revise(
        cscope=cscope_of(cast, cast.nurse_manager), actor=cast.nurse_manager, charter=charter
    )
    with pytest.raises(CharterError, match="no longer waiting"):
        endorsed_by(cast, charter, ("sam",), number=1)


def test_versions_keep_history_and_show_what_changed(cast: Cast) -> None:
    charter = adopted(cast)
    nora = cscope_of(cast, cast.nurse_manager)
    services.revise(cscope=nora, actor=cast.nurse_manager, charter=charter)
    draft = full_draft(cast)
    changed = Draft(
        draft.vision,
        [
            draft.norms[0],
            NormDraft("We take our breaks.", "Nobody skips a break two shifts running"),
        ],
        draft.roles,
        draft.goals,
    )
    drafted(cast, charter, changed)
    proposed(cast, charter)
    endorsed_by(cast, charter, TEAM, number=2)
    history = list(selectors.history(nora, charter))
    assert [(v.number, v.status) for v in history] == [(2, "adopted"), (1, "superseded")]
    sections = {s.name: s for s in selectors.difference(history[1], history[0])}
    assert not sections["Vision"].changed
    norms = [
        (line.kind, line.text.split(" (")[0])
        for line in sections["Norms"].lines
        if line.kind != "same"
    ]
    assert norms == [
        ("removed", "We ask for help before we are drowning."),
        ("added", "We take our breaks."),
    ]


def test_a_revisit_pools_ratings_over_three_and_opens_a_new_draft(cast: Cast) -> None:
    charter = adopted(cast)
    assert charter.next_revisit_on is not None
    done = services.keep_charters(now=later(95))
    assert done["opened"] == 1
    revisit = state.open_revisit_of(charter)
    assert revisit is not None
    assert working_version(charter).status == VersionStatus.DRAFT  # type: ignore[union-attr]
    norms = list(revisit.version.norms.all())
    for pid, scores in (("sam", (4, 2)), ("nina", (5, 3))):
        user = user_of(cast, pid)
        services.rate_norms(cscope=cscope_of(cast, user), actor=user, charter=charter,
                            ratings={norms[0].pk: scores[0], norms[1].pk: scores[1]})  # fmt: skip
    assert not selectors.pooled_ratings(revisit).shown
    ned = user_of(cast, "ned")
    services.rate_norms(
        cscope=cscope_of(cast, ned), actor=ned, charter=charter, ratings={norms[0].pk: 3}
    )
    pooled = selectors.pooled_ratings(revisit)
    assert pooled.shown and pooled.answered == 3
    first, second = pooled.norms
    assert first.mean == pytest.approx(4.0) and first.counts == [0, 0, 1, 1, 1]
    assert second.mean is None and second.answered == 2


def test_a_new_member_is_asked_to_endorse_and_turnover_suggests_rechartering(cast: Cast) -> None:
    charter = adopted(cast)
    nora = cscope_of(cast, cast.nurse_manager)
    services.set_group_members(
        cscope=nora, actor=cast.nurse_manager, charter=charter,
        people=[cast.person(p) for p in (*TEAM, "olga")],
    )  # fmt: skip
    olga = user_of(cast, "olga")
    steps = selectors.my_steps(cscope_of(cast, olga), charter)
    assert [s.label for s in steps] == ["Read and endorse the charter"]
    services.endorse(
        cscope=cscope_of(cast, olga),
        actor=olga,
        charter=charter,
        version_number=1,
        decision="endorsed",
    )
    assert selectors.my_steps(cscope_of(cast, olga), charter) == []
    charter.refresh_from_db()
    assert not charter.recharter_reason
    services.set_group_members(
        cscope=nora, actor=cast.nurse_manager, charter=charter,
        people=[cast.person(p) for p in ("nora", "sam", "nina", "ned", "olga")],
    )  # fmt: skip
    charter.refresh_from_db()
    assert "2 left a team of 6" in charter.recharter_reason


def test_those_who_oversee_many_teams_read_them_in_pages_in_a_fixed_number_of_queries(
    cast: Cast,
) -> None:
    for n in range(55):
        services.start_charter(
            cscope=cscope_of(cast, cast.admin), actor=cast.admin, name=f"Team {n:02}",
            kind="group", people=[cast.person("olga"), cast.person("omar")],
        )  # fmt: skip
    eve = cast.client_for(cast.executive)
    first = eve.get("/o/riverside/charters/").content.decode()
    assert "Teams you oversee (55)" in first and "Team 49" in first and "Team 50" not in first
    assert "Team 54" in eve.get("/o/riverside/charters/?page=2").content.decode()
    charters = selectors.overseen(cscope_of(cast, cast.executive))

    def queries(rows: list[Charter]) -> int:
        with CaptureQueriesContext(connection) as done:
            found = selectors.overseen_rows(rows)
        assert {row.stage for row in found} == {"Drafting"}
        return len(done)

    assert queries(list(charters)) == queries(list(charters[:5])) == 3


def test_a_member_who_joins_during_a_revisit_is_not_asked_to_rate_it(cast: Cast) -> None:
    charter = adopted(cast)
    nora = cscope_of(cast, cast.nurse_manager)
    services.open_revisit(cscope=nora, actor=cast.nurse_manager, charter=charter)
    services.set_group_members(
        cscope=nora, actor=cast.nurse_manager, charter=charter,
        people=[cast.person(p) for p in (*TEAM, "olga")],
    )  # fmt: skip
    olga = user_of(cast, "olga")
    labels = [s.label for s in selectors.my_steps(cscope_of(cast, olga), charter)]
    assert labels == ["Read and endorse the charter"]
    revisit = state.open_revisit_of(charter)
    assert revisit is not None
    norm = revisit.version.norms.first()
    assert norm is not None
    with pytest.raises(CharterError, match="joined the team after this revisit opened"):
        services.rate_norms(
            cscope=cscope_of(cast, olga), actor=olga, charter=charter, ratings={norm.pk: 4}
        )
    assert services.waiting_privately(charter) == len(TEAM)


def test_a_linked_goal_some_members_cannot_open_is_named_in_the_checks(cast: Cast) -> None:
    from decimal import Decimal

    from accord.goals.services import create_goal

    charter = started(cast)
    goal = create_goal(
        organisation=cast.riverside, actor=cast.nurse_manager, owner=cast.person("nora"),
        period="2027", title="Fewer patients leave unseen", metric_name="Left without being seen",
        metric_unit="%", baseline=Decimal(6), target=Decimal(3), direction="decrease",
        due_date=later(200).date(), visibility="team",
    )  # fmt: skip
    draft = full_draft(cast)
    drafted(cast, charter, Draft(draft.vision, draft.norms, draft.roles, [GoalDraft(goal.pk)]))
    version = working_version(charter)
    assert version is not None
    hidden = [g.message for g in state.gaps_of(version) if "cannot open in Goals" in g.message]
    # Nora's goal is shared with her teams, boss and reports: not the physicians.
    assert hidden == [
        "“Fewer patients leave unseen” is a goal Paula Physician, Peter Physician cannot open "
        "in Goals: they will see it unnamed. Share it more widely there, or name it in words."
    ]
    page = selectors.charter_page(cscope_of(cast, user_of(cast, "paula")), charter)
    assert page.working is not None
    assert [g.text for g in page.working.goals] == [selectors.HIDDEN_GOAL]
