"""Response counts while a cycle runs: never a count below the minimum group size."""

from __future__ import annotations

import random

from django.urls import reverse

from accord.access.scopes import scope_for
from accord.access.services import issue_api_token
from accord.demo.surveys import synthetic_answers
from accord.surveys.models import Invitation
from accord.surveys.selectors import response_rates
from accord.surveys.services import submit_in_bulk
from tests.cast import Cast
from tests.surveys.conftest import RunningCycle


def answer(running: RunningCycle, *external_ids: str) -> None:
    cycle = running.cycle
    invitations = Invitation.objects.filter(
        cycle=cycle, person__external_id__in=external_ids
    ).select_related("person__unit", "person__profession")
    rng = random.Random(3)
    submit_in_bulk(
        cycle=cycle,
        submissions=[
            (cycle.opens_at, invitation, synthetic_answers(invitation.person, 0, rng))
            for invitation in invitations
        ],
    )


def test_a_unit_with_fewer_than_the_minimum_answered_shows_no_count(
    running: RunningCycle, cast: Cast
) -> None:
    k = running.cycle.min_group_size
    answer(running, "sam", "nina")  # two of ED Nursing's nurses; the minimum is 3
    scope = scope_for(cast.admin, "riverside")
    rates = {rate.unit.name: rate for rate in response_rates(scope, running.cycle)}
    assert rates["ED Nursing"].invited >= k
    assert rates["ED Nursing"].responded is None and rates["ED Nursing"].rate is None
    assert all(rate.responded is None or rate.responded >= k for rate in rates.values())

    page = cast.client_for(cast.admin).get(
        reverse("survey-cycle", args=["riverside", running.cycle.pk])
    )
    assert f"fewer than {k}" in page.content.decode()
    token = issue_api_token(membership=cast.membership(cast.admin), name="rates")[1]
    api = cast.client_for(None).get(
        f"/api/surveys/cycles/{running.cycle.pk}/response-rates",
        headers={"Authorization": f"Bearer {token}"},
    )
    by_unit = {row["unit_id"]: row["responded"] for row in api.json()}
    assert by_unit[cast.person("sam").unit_id] is None
    assert all(n is None or n >= k for n in by_unit.values())

    answer(running, "ned")  # the third
    rates = {rate.unit.name: rate for rate in response_rates(scope, running.cycle)}
    assert rates["ED Nursing"].responded == 3
