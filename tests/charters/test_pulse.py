"""A team's norms in a pulse survey: added by the facilitator before the survey opens, asked
only of the team's members on a page of their own, stored apart from the survey's answers and
shown to the team only pooled, once the results are published and enough members answered."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from accord.access.scopes import NotAllowed
from accord.charters import selectors, services
from accord.charters.errors import CharterError
from accord.charters.models import CharterAuditEntry, PulseNorms
from accord.charters.rules import NormDraft
from accord.insights.publishing import publish_cycle
from accord.org.models import Unit
from accord.surveys import team_questions
from accord.surveys.models import (
    Cycle,
    PendingSubmission,
    Response,
    SealedTeamAnswer,
    TeamAnswer,
    TeamQuestions,
)
from accord.surveys.services import close_now, create_cycle, open_now, schedule_cycle, update_cycle
from tests.cast import Cast
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
from tests.surveys.conftest import cycle_settings, tokens_from_outbox

pytestmark = pytest.mark.django_db
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def upcoming_pulse(cast: Cast, minimum: int = 3, **changes: object) -> Cycle:
    riverside = cast.riverside
    riverside.survey_min_group_size = minimum
    riverside.save()
    return create_cycle(
        organisation=riverside, settings=cycle_settings(riverside, **changes), created_by=cast.admin
    )


def add(cast: Cast, charter_id: int, cycle: Cycle) -> PulseNorms:
    charter = cscope_of(cast, cast.nurse_manager).charter_of(charter_id)
    return services.add_norms_to_pulse(
        cscope=cscope_of(cast, cast.nurse_manager), actor=cast.nurse_manager, charter=charter,
        cycle_id=cycle.pk,
    )  # fmt: skip


def opened(cycle: Cycle, capture) -> tuple[Cycle, dict[str, str]]:  # type: ignore[no-untyped-def]
    schedule_cycle(cycle=cycle)
    mail.outbox.clear()
    with capture(execute=True):
        cycle = open_now(cycle=cycle)
    return cycle, tokens_from_outbox()


def form_page(client: Client, token: str) -> str:
    assert client.get(f"/s/{token}/").status_code == 302
    return client.get("/s/answer/").content.decode()


def answer(token: str, team: dict[int, str] | None, survey: dict[str, str] | None = None) -> str:
    """Fill in the whole form as a browser without JavaScript would: the survey's first page,
    then Next to the end, the team's page answered where it comes; the last page's HTML."""
    client = Client()
    html = form_page(client, token)
    while True:
        fields = dict(HIDDEN.findall(html))
        values = dict(fields)
        if survey and "Page 1 of" in html:
            values.update(survey)
        if "Your team:" in html and team is not None:
            for name in re.findall(r'name="(t_\d+_\d+)"', html):
                index = int(name.rsplit("_", 1)[1])
                if index in team:
                    values[name] = team[index]
        last = 'value="submit"' in html
        response = client.post("/s/answer/", {**values, "nav": "submit" if last else "next"})
        if last:
            assert response.status_code == 302, response.content.decode()[:2000]
            return html
        html = response.content.decode()


def test_the_norms_are_asked_of_the_team_only_and_shown_pooled_once_published(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks
) -> None:
    charter = adopted(cast)
    cycle = upcoming_pulse(cast)
    pulse = add(cast, charter.pk, cycle)
    assert pulse.questions.statements == [
        "We hand over face to face, with the plan said out loud.",
        "We ask for help before we are drowning.",
    ]
    assert selectors.pulses_of(charter)[0].waiting
    cycle, tokens = opened(cycle, django_capture_on_commit_callbacks)
    questions = TeamQuestions.objects.get(pk=pulse.questions_id)
    assert questions.state == TeamQuestions.State.ASKED and questions.asked_count == 6

    # A member sees one more page, the team's; someone outside the team never does.
    sam = form_page(Client(), tokens["sam@riverside.example"])
    olga = form_page(Client(), tokens["olga@riverside.example"])
    pages = lambda html: int(re.search(r"Page 1 of (\d+)", html).group(1))  # noqa: E731
    assert pages(sam) == pages(olga) + 1

    last = answer(tokens["sam@riverside.example"], {0: "4", 1: "2"}, {"q_burnout": "3"})
    assert "Your team: ED interprofessional team" in last
    assert "We ask for help before we are drowning." in last and "Can&#x27;t say" in last
    for who, codes in (("nina", {0: "5", 1: "3"}), ("ned", {0: "4", 1: "0"}),
                       ("paula", {0: "3", 1: "2"}), ("olga", None)):  # fmt: skip
        answer(tokens[f"{who}@riverside.example"], codes)
    # Before the results are published the team sees nothing, however many answered.
    assert team_questions.result(questions).answered is None
    # Until the survey closes every submission carries one sealed blob of one length, team
    # member or not, and no team answer is readable anywhere.
    assert not TeamAnswer.objects.exists()
    blobs = [bytes(p.team_sealed) for p in PendingSubmission.objects.filter(cycle=cycle)]
    assert len(blobs) == 5 and len({len(b) for b in blobs}) == 1
    assert not any(bytes([4, 2]) in b for b in blobs)
    close_now(cycle=cycle)
    assert not PendingSubmission.objects.filter(cycle=cycle).exists()
    assert not SealedTeamAnswer.objects.exists()
    # The answers sit apart: four rows holding the set and the codes, nothing else.
    assert {f.name for f in TeamAnswer._meta.get_fields()} == {"id", "questions", "answers"}
    assert sorted(bytes(a.answers) for a in TeamAnswer.objects.all()) == sorted(
        [bytes([4, 2]), bytes([5, 3]), bytes([4, 255]), bytes([3, 2])]
    )
    assert Response.objects.filter(cycle=cycle).count() == 5
    assert team_questions.result(questions).answered is None  # closed, not published

    publish_cycle(cycle=cycle)
    line = selectors.pulses_of(charter)[0]
    assert line.result.shown and line.result.answered == 4
    first, second = line.result.rows
    assert (first.answered, first.mean, first.counts) == (4, 4.0, [0, 0, 1, 2, 1])
    assert (second.answered, second.mean, second.counts) == (3, 7 / 3, [0, 2, 1, 0, 0])

    # The team reads it on its page; the page speaks of the team, never of a member.
    page = cast.client_for(cast.nurse_manager).get(f"/o/riverside/charters/{charter.pk}/pulse/")
    html = page.content.decode()
    assert page.status_code == 200 and "4 of the 6 members asked answered" in html
    assert "4.0 of 5" in html and "2.3 of 5" in html


def test_too_few_answers_show_nothing_and_a_norm_too_few_rated_stays_hidden(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks
) -> None:
    charter = adopted(cast)
    cycle = upcoming_pulse(cast)
    pulse = add(cast, charter.pk, cycle)
    cycle, tokens = opened(cycle, django_capture_on_commit_callbacks)
    answer(tokens["sam@riverside.example"], {0: "4", 1: "2"})
    answer(tokens["nina@riverside.example"], {0: "5"})
    answer(tokens["ned@riverside.example"], {})  # the team's page left blank: not an answer
    close_now(cycle=cycle)
    publish_cycle(cycle=cycle)
    result = team_questions.result(TeamQuestions.objects.get(pk=pulse.questions_id))
    assert result.published and not result.shown and result.answered is None and result.rows == []

    other = upcoming_pulse(cast, name="Winter pulse")
    pulse = add(cast, charter.pk, other)
    other, tokens = opened(other, django_capture_on_commit_callbacks)
    for who, codes in (("sam", {0: "4", 1: "2"}), ("nina", {0: "5", 1: "0"}), ("ned", {0: "3"})):
        answer(tokens[f"{who}@riverside.example"], codes)
    close_now(cycle=other)
    publish_cycle(cycle=other)
    result = team_questions.result(TeamQuestions.objects.get(pk=pulse.questions_id))
    assert result.shown and result.answered == 3
    assert result.rows[0].mean == 4.0 and result.rows[1].mean is None
    assert result.rows[1].answered == 1 and result.rows[1].counts == []


def test_the_norms_follow_the_charter_and_the_team_until_the_survey_opens(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks
) -> None:
    charter = adopted(cast)
    cycle = upcoming_pulse(cast)
    pulse = add(cast, charter.pk, cycle)
    nora = cscope_of(cast, cast.nurse_manager)
    services.revise(cscope=nora, actor=cast.nurse_manager, charter=charter)
    draft = full_draft(cast)
    draft.norms.append(
        NormDraft("We close the loop on every concern raised.", "Raised and answered")
    )
    drafted(cast, charter, draft)
    proposed(cast, charter)
    endorsed_by(cast, charter, TEAM, number=2)
    questions = TeamQuestions.objects.get(pk=pulse.questions_id)
    assert questions.statements[-1] == "We close the loop on every concern raised."
    assert PulseNorms.objects.get(pk=pulse.pk).version.number == 2

    services.set_group_members(
        cscope=nora, actor=cast.nurse_manager, charter=charter,
        people=[cast.person(p) for p in TEAM if p != "peter"],
    )  # fmt: skip
    assert cast.person("peter").pk not in set(questions.people.values_list("pk", flat=True))
    services.update_settings(cscope=nora, actor=cast.nurse_manager, charter=charter,
                             name="ED team")  # fmt: skip
    questions.refresh_from_db()
    assert questions.team_name == "ED team" and questions.people.count() == 5

    cycle, _ = opened(cycle, django_capture_on_commit_callbacks)
    services.set_group_members(
        cscope=nora, actor=cast.nurse_manager, charter=charter,
        people=[cast.person(p) for p in TEAM],
    )  # fmt: skip
    questions.refresh_from_db()
    assert questions.people.count() == 5 and questions.state == TeamQuestions.State.ASKED


def test_norms_are_not_asked_when_too_few_of_the_team_are_invited(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks
) -> None:
    charter = adopted(cast)
    cycle = upcoming_pulse(cast, minimum=5)
    pulse = add(cast, charter.pk, cycle)
    # The administrator then narrows the audience to the nurses' unit and Surgery: 4 of the team.
    units = tuple(
        Unit.objects.filter(organisation=cast.riverside, name__in=("ED Nursing", "Surgery"))
    )
    cycle = update_cycle(cycle=cycle, settings=cycle_settings(cast.riverside, units=units))
    cycle, tokens = opened(cycle, django_capture_on_commit_callbacks)
    questions = TeamQuestions.objects.get(pk=pulse.questions_id)
    assert questions.state == TeamQuestions.State.NOT_ASKED and questions.asked_count == 4
    assert "Your team:" not in answer(tokens["sam@riverside.example"], {0: "4"})
    html = (
        cast.client_for(cast.nurse_manager)
        .get(f"/o/riverside/charters/{charter.pk}/pulse/")
        .content.decode()
    )
    assert "only 4 of the team were invited" in html


def test_what_cannot_be_added_is_refused_with_its_reason(cast: Cast) -> None:
    charter = adopted(cast)
    nora = cscope_of(cast, cast.nurse_manager)
    surgery = Unit.objects.get(organisation=cast.riverside, name="Surgery")
    elsewhere = upcoming_pulse(cast, units=(surgery,))
    with pytest.raises(CharterError, match="Only 0 of the team's 6 members would be invited"):
        add(cast, charter.pk, elsewhere)
    cycle = upcoming_pulse(cast)
    add(cast, charter.pk, cycle)
    with pytest.raises(CharterError, match="in “Autumn pulse” already"):
        add(cast, charter.pk, cycle)
    schedule_cycle(cycle=cycle)
    open_now(cycle=cycle)
    later_one = upcoming_pulse(cast, name="Spring pulse")
    open_one = Cycle.objects.get(pk=cycle.pk)
    with pytest.raises(CharterError, match="has not opened yet"):
        services.add_norms_to_pulse(cscope=nora, actor=cast.nurse_manager, charter=charter,
                                    cycle_id=open_one.pk)  # fmt: skip
    pulse = PulseNorms.objects.get(cycle=open_one)
    with pytest.raises(CharterError, match="already opened"):
        services.withdraw_norms_from_pulse(cscope=nora, actor=cast.nurse_manager, charter=charter,
                                           pulse_id=pulse.pk)  # fmt: skip
    lakeview = create_cycle(organisation=cast.lakeview, settings=cycle_settings(cast.lakeview),
                            created_by=None)  # fmt: skip
    with pytest.raises(CharterError, match="has not opened yet"):
        services.add_norms_to_pulse(cscope=nora, actor=cast.nurse_manager, charter=charter,
                                    cycle_id=lakeview.pk)  # fmt: skip
    sam = user_of(cast, "sam")
    with pytest.raises(NotAllowed):
        services.add_norms_to_pulse(cscope=cscope_of(cast, sam), actor=sam, charter=charter,
                                    cycle_id=later_one.pk)  # fmt: skip
    added = add(cast, charter.pk, later_one)
    services.withdraw_norms_from_pulse(cscope=nora, actor=cast.nurse_manager, charter=charter,
                                       pulse_id=added.pk)  # fmt: skip
    assert not TeamQuestions.objects.filter(cycle=later_one).exists()
    actions = list(CharterAuditEntry.objects.filter(charter=charter, action__startswith="pulse")
                   .values_list("action", flat=True))  # fmt: skip
    assert sorted(actions) == ["pulse.add", "pulse.add", "pulse.withdraw"]


def test_a_tampered_answer_on_the_teams_page_is_named_and_nothing_is_stored(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks
) -> None:
    charter = adopted(cast)
    cycle = upcoming_pulse(cast)
    pulse = add(cast, charter.pk, cycle)
    cycle, tokens = opened(cycle, django_capture_on_commit_callbacks)
    client = Client()
    html = form_page(client, tokens["sam@riverside.example"])
    fields = dict(HIDDEN.findall(html))
    field = f"t_{pulse.questions_id}_0"
    sent = client.post("/s/answer/", {**fields, field: "9", "nav": "submit"})
    assert sent.status_code == 400
    page = sent.content.decode()
    assert "That is not one of the answers offered" in page and "Your team:" in page
    assert not PendingSubmission.objects.filter(cycle=cycle).exists()
    # Another team's statements cannot be smuggled into an answer.
    other = f"t_{pulse.questions_id + 1}_0"
    answer(tokens["olga@riverside.example"], None, {other: "5"})
    close_now(cycle=cycle)
    assert not TeamAnswer.objects.exists()


def test_the_cycle_page_names_the_teams_questions_and_only_admins_read_them(cast: Cast) -> None:
    charter = adopted(cast)
    cycle = upcoming_pulse(cast)
    add(cast, charter.pk, cycle)
    url = f"/o/riverside/surveys/{cycle.pk}/"
    admin = cast.client_for(cast.admin).get(url).content.decode()
    assert "ED interprofessional team: 2 statements of its charter" in admin
    assert "(6 in the team now)" in admin and "We ask for help before we are drowning." in admin
    chair = cast.client_for(cast.chair).get(url)
    assert chair.status_code == 200
    html = chair.content.decode()
    assert "ED interprofessional team: 2 statements" in html
    assert "We ask for help before we are drowning." not in html


def test_a_member_of_two_teams_answers_only_the_first_teams_page(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks
) -> None:
    """Two overlapping teams' pooled answers could be subtracted, so a person answers one
    team's page per survey: the team that added its norms first."""
    first = adopted(cast)
    cycle = upcoming_pulse(cast)
    add(cast, first.pk, cycle)
    crossing = ("nora", "sam", "olga", "omar", "sue")
    second = services.start_charter(
        cscope=cscope_of(cast, cast.nurse_manager), actor=cast.nurse_manager,
        name="Theatre handovers", kind="group", people=[cast.person(p) for p in crossing],
    )  # fmt: skip
    drafted(cast, second, full_draft(cast, crossing))
    proposed(cast, second)
    endorsed_by(cast, second, crossing)
    later = add(cast, second.pk, cycle)
    cycle, tokens = opened(cycle, django_capture_on_commit_callbacks)
    later_questions = TeamQuestions.objects.get(pk=later.questions_id)
    assert later_questions.state == TeamQuestions.State.ASKED
    assert set(later_questions.people.values_list("external_id", flat=True)) == {
        "olga", "omar", "sue",
    }  # fmt: skip
    sam = form_page(Client(), tokens["sam@riverside.example"])
    olga = form_page(Client(), tokens["olga@riverside.example"])
    chad = form_page(Client(), tokens["chad@riverside.example"])
    pages = lambda html: int(re.search(r"Page 1 of (\d+)", html).group(1))  # noqa: E731
    assert pages(sam) == pages(olga) == pages(chad) + 1
    assert "Theatre handovers" in answer(tokens["olga@riverside.example"], {0: "5"})
    assert "ED interprofessional team" in answer(tokens["sam@riverside.example"], {0: "5"})
