"""`accord grant` and `accord token create`: bootstrapping access from the command line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner, Result

from accord.access.models import ApiToken, Membership, Role
from accord.cli import app
from tests.cast import Cast

pytestmark = pytest.mark.django_db


def accord(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def test_grant_gives_a_person_a_leader_login(cast: Cast) -> None:
    result = accord("grant", "sue@riverside.example", "--org", "riverside", "--role", "leader",
                    "--person", "sue")  # fmt: skip
    assert result.exit_code == 0, result.output
    membership = Membership.objects.get(user__email="sue@riverside.example")
    assert membership.role == Role.LEADER
    assert membership.person == cast.person("sue")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--org", "atlantis", "--role", "admin"), "no organisation with the slug 'atlantis'"),
        (("--org", "riverside", "--role", "king"), "Unknown role 'king'"),
        (("--org", "riverside", "--role", "leader"), "scope comes from their person record"),
        (
            ("--org", "riverside", "--role", "member", "--person", "zz"),
            "no person with external id",
        ),
    ],
)
def test_grant_refuses_bad_arguments_with_a_reason(
    cast: Cast, args: tuple[str, ...], message: str
) -> None:
    before = Membership.objects.count()
    result = accord("grant", "new@riverside.example", *args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert Membership.objects.count() == before


def test_grant_refuses_a_person_who_already_has_another_login(cast: Cast) -> None:
    result = accord("grant", "sam.other@riverside.example", "--org", "riverside",
                    "--role", "member", "--person", "sam")  # fmt: skip

    assert result.exit_code == 1
    assert "Sam Nurse (sam) is already the login sam@riverside.example." in result.stderr
    assert "Traceback" not in result.output
    assert cast.person("sam").membership.user == cast.staff_nurse


def test_grant_again_to_the_same_login_keeps_its_person(cast: Cast) -> None:
    result = accord("grant", "SAM@riverside.example", "--org", "riverside",
                    "--role", "leader", "--person", "sam")  # fmt: skip

    assert result.exit_code == 0, result.output
    membership = cast.membership(cast.staff_nurse)
    assert (membership.role, membership.person) == (Role.LEADER, cast.person("sam"))


def test_token_create_prints_a_working_token_once(cast: Cast) -> None:
    result = accord("token", "create", "alice@riverside.example", "--org", "riverside",
                    "--name", "HR sync")  # fmt: skip
    assert result.exit_code == 0, result.output
    secret = result.output.strip()
    assert secret.startswith("acc_")
    assert not ApiToken.objects.filter(digest=secret).exists()  # only the digest is kept
    response = cast.client_for(None).get("/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert response.json()["role"] == "admin"


def test_token_create_for_someone_without_a_login_there_is_refused(cast: Cast) -> None:
    result = accord("token", "create", "olive@lakeview.example", "--org", "riverside",
                    "--name", "x")  # fmt: skip
    assert result.exit_code == 1
    assert "has no membership in 'riverside'" in result.output
