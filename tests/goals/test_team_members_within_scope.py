"""A leader builds teams only from people in their own part of the organisation, and a
refusal says nothing about anyone outside it.
"""

from __future__ import annotations

from collections.abc import Callable

from accord.access.models import User
from accord.access.scopes import Scope
from accord.goals import services
from accord.goals.models import Team
from tests.api.conftest import TokenClient
from tests.cast import Cast
from tests.goals.world import emergency_team, url


def test_a_leader_cannot_create_a_team_with_someone_outside_their_scope_through_the_api(
    cast: Cast, token_client: Callable[[User], TokenClient]
) -> None:
    chad = token_client(cast.chair).client
    response = chad.post("/api/teams", {"name": "Spies", "member_ids": [cast.person("pia").pk]},
                         content_type="application/json")  # fmt: skip
    assert response.status_code == 422, response.content
    [error] = response.json()["errors"]
    assert error["field"] == "member_ids"
    # Refused like an id that names nobody: nothing about pia is revealed.
    assert error["message"] == (
        "No such people in your part of the organisation (a program admin can add anyone): "
        f"[{cast.person('pia').pk}]."
    )
    assert not Team.objects.filter(name="Spies").exists()
    response = chad.post("/api/teams", {"name": "ED", "member_ids": [cast.person("nora").pk]},
                         content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    admin = token_client(cast.admin).client
    response = admin.post("/api/teams", {"name": "Cross", "member_ids": [cast.person("pia").pk],
                                         "leader_id": cast.person("chad").pk},
                          content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content


def test_a_leader_cannot_add_someone_outside_their_scope_by_hr_id_on_the_web(cast: Cast) -> None:
    client = cast.client_for(cast.chair)
    response = client.post(url("team-list"), {"name": "Spies", "more_members": "pia sue",
                                              "conversation_window_days": 90})  # fmt: skip
    assert response.status_code == 200
    assert "No one in your part of the org chart has the HR id(s): pia, sue." in (
        response.content.decode()
    )
    assert "Pia Pediatrics" not in response.content.decode()
    assert not Team.objects.filter(name="Spies").exists()
    team = emergency_team(cast)
    members = [
        str(pk) for pk in team.members.exclude(pk=team.leader_id).values_list("pk", flat=True)
    ]
    response = client.post(url("team-edit", team.pk), {"name": team.name, "members": members,
                           "more_members": "pia", "conversation_window_days": 90})  # fmt: skip
    assert response.status_code == 200
    assert "No one in your part of the org chart has the HR id(s): pia." in (
        response.content.decode()
    )
    assert not team.members.filter(external_id="pia").exists()


def test_a_leader_may_keep_members_an_admin_added_when_editing_the_team(cast: Cast) -> None:
    team = services.create_team(organisation=cast.riverside, actor=None, name="Mixed",
                                leader=cast.person("chad"), members=[cast.person("pia")])  # fmt: skip
    services.update_team(team=team, actor=cast.chair, scope=_scope(cast, cast.chair),
                         name="Mixed again", members=list(team.members.all()))  # fmt: skip
    assert team.members.filter(external_id="pia").exists()


def _scope(cast: Cast, user: User) -> Scope:
    return Scope(cast.membership(user))


def test_an_id_outside_ones_scope_reads_exactly_like_an_id_that_names_nobody(
    cast: Cast, token_client: Callable[[User], TokenClient]
) -> None:
    chad = token_client(cast.chair).client

    def refusal(member: int) -> str:
        response = chad.post("/api/teams", {"name": "T", "member_ids": [member]},
                             content_type="application/json")  # fmt: skip
        assert response.status_code == 422
        return str(response.json()["errors"][0]["message"]).replace(str(member), "N")

    assert refusal(cast.person("pia").pk) == refusal(999_999)
