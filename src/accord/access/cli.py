"""`accord grant` and `accord token ...`: logins, roles and personal access tokens."""

from __future__ import annotations

from typing import Annotated

import typer

from accord.cli_support import fail, say, setup_django, start

token_app = typer.Typer(help="Personal access tokens for the HTTP API.", no_args_is_help=True)


def grant(
    email: Annotated[str, typer.Argument(help="Login email (created if new).")],
    org: Annotated[str, typer.Option("--org", help="Organisation slug.")],
    role: Annotated[str, typer.Option(help="admin, executive, leader, member or coach.")],
    person: Annotated[str, typer.Option(help="External id of the person this login is.")] = "",
) -> None:
    """Give a login a role in an organisation. Set the password with the reset link."""
    organisation = start(org)
    from accord.access.services import AccessError, grant_membership
    from accord.org.models import Person

    person_obj = None
    if person:
        person_obj = Person.objects.filter(organisation=organisation, external_id=person).first()
        if person_obj is None:
            raise fail(f"--person: no person with external id {person!r} in {org!r}.")
    try:
        membership = grant_membership(
            organisation=organisation, email=email, role=role, person=person_obj
        )
    except AccessError as error:
        raise fail(str(error)) from None
    say(f"{membership}.")


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Argument(help="Login the token acts as.")],
    org: Annotated[str, typer.Option("--org", help="Organisation slug.")],
    name: Annotated[str, typer.Option(help="What will use the token.")],
    expires_in_days: Annotated[int | None, typer.Option(min=1, max=3650)] = None,
) -> None:
    """Create a personal access token and print it once."""
    setup_django()
    from accord.access.models import Membership
    from accord.access.services import AccessError, issue_api_token

    membership = Membership.objects.filter(
        user__email__iexact=email, organisation__slug=org
    ).first()
    if membership is None:
        raise fail(f"{email} has no membership in {org!r}.")
    try:
        _, plaintext = issue_api_token(
            membership=membership, name=name, expires_in_days=expires_in_days
        )
    except AccessError as error:
        raise fail(str(error)) from None
    say(plaintext)
