"""`accord expectations ...`: how agreements are going across the organisation, for the
server's operator — numbers only, never who agreed what."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from accord.cli_support import say, start

expectations_app = typer.Typer(
    help="Agreements on expectations: the organisation's figures (never their content).",
    no_args_is_help=True,
)

Org = Annotated[str, typer.Option("--org", help="Organisation slug.")]


@expectations_app.command("list")
def expectations_list(org: Org) -> None:
    """Agreements by state, and the figures a program admin sees."""
    organisation = start(org)
    from django.db.models import Count

    from accord.access.models import Membership, Role
    from accord.access.scopes import Scope
    from accord.expectations.models import Agreement, AgreementStatus
    from accord.expectations.selectors import aggregates

    counts = dict(
        Agreement.objects.filter(organisation=organisation)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    table = Table("State", "Agreements", box=None)
    for status in AgreementStatus:
        table.add_row(status.label, str(counts.get(status.value, 0)))
    say(table)
    figures = aggregates(Scope(Membership(organisation=organisation, role=Role.ADMIN)))
    share = figures.share_with_accepted
    say(f"People with a current accepted agreement: {figures.with_accepted:,} of "
        f"{figures.people:,}" + (f" ({share:.0f}%)" if share is not None else ""))  # fmt: skip
    if figures.follow_ups_due:
        say(f"Follow-ups answered by both on time: {figures.follow_ups_on_time:,} of "
            f"{figures.follow_ups_due:,} ({figures.share_on_time:.0f}%)")  # fmt: skip
    median = figures.concern_median_age_days
    say(f"Concerns open: {figures.concerns_open:,}"
        + (f", {median:g} working days at the median" if median is not None else ""))  # fmt: skip
