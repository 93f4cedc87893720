"""`accord expectations ...`: how agreements are going across the organisation, for the
server's operator — numbers only, never what anyone agreed — with the reminders sent now,
and an agreement removed when one of its two people asks."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from accord.cli_support import LARGEST_ID, fail, say, start

expectations_app = typer.Typer(
    help="Agreements on expectations: the organisation's figures (never their content).",
    no_args_is_help=True,
)

Org = Annotated[str, typer.Option("--org", help="Organisation slug.")]
AgreementId = Annotated[int, typer.Option("--agreement", help="The agreement's number.")]
VIA = "command line"


def _admin_scope(organisation: Any) -> Any:
    """The operator acts as a program admin of the organisation."""
    from accord.access.models import Membership, Role
    from accord.access.scopes import Scope

    return Scope(Membership(organisation=organisation, role=Role.ADMIN))


@expectations_app.command("list")
def expectations_list(org: Org) -> None:
    """Agreements by state, and the figures a program admin sees."""
    organisation = start(org)
    from django.db.models import Count

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
    figures = aggregates(_admin_scope(organisation))
    share = figures.share_with_accepted
    say(f"People with a current accepted agreement: {figures.with_accepted:,} of "
        f"{figures.people:,}" + (f" ({share:.0f}%)" if share is not None else ""))  # fmt: skip
    if figures.follow_ups_due:
        say(f"Follow-ups answered by both on time: {figures.follow_ups_on_time:,} of "
            f"{figures.follow_ups_due:,} ({figures.share_on_time:.0f}%)")  # fmt: skip
    median = figures.concern_median_age_days
    say(f"Concerns open: {figures.concerns_open:,}"
        + (f", {median:g} working days at the median" if median is not None else ""))  # fmt: skip


@expectations_app.command("show")
def expectations_show(org: Org, agreement: AgreementId) -> None:
    """That an agreement exists and how it is going — the two people, its state, its
    meetings, follow-ups and concerns as counts — never its topic or a word of it."""
    organisation = start(org)
    from django.utils import timezone

    from accord.expectations.models import Agreement
    from accord.expectations.selectors import follow_up_state, working_days_since

    found = (
        Agreement.objects.filter(organisation=organisation, pk=agreement)
        .select_related("leader", "colleague")
        .first()
        if 0 < agreement <= LARGEST_ID
        else None
    )
    if found is None:
        raise fail(f"--agreement: no agreement {agreement} in {org!r}.")
    now = timezone.now()
    states = [follow_up_state(f, now) for f in found.follow_ups.all()]
    ages = [working_days_since(c.raised_at, organisation.time_zone, now)
            for c in found.concerns.filter(addressed_at__isnull=True)]  # fmt: skip
    table = Table(box=None, show_header=False)
    table.add_row("Agreement", str(found.pk))
    table.add_row("Leader", f"{found.leader.name} ({found.leader.external_id})")
    table.add_row("Colleague", f"{found.colleague.name} ({found.colleague.external_id})")
    table.add_row("State", found.get_status_display())
    table.add_row("Started", f"{timezone.localtime(found.created_at):%Y-%m-%d}")
    table.add_row("Versions", str(found.versions.count()))
    table.add_row("Meetings", ", ".join(f"{m.starts_at:%Y-%m-%d} {m.status}"
                                        for m in found.meetings.all()) or "none")  # fmt: skip
    table.add_row("Follow-ups", ", ".join(f"{states.count(s)} {s}" for s in
                                          ("done", "late", "missed", "due", "upcoming") if s in states)
                  or "none")  # fmt: skip
    table.add_row("Concerns open", f"{len(ages)}" + (f", the oldest {max(ages)} working days"
                                                     if ages else ""))  # fmt: skip
    say(table)


@expectations_app.command("remind")
def expectations_remind(org: Org) -> None:
    """Email now everyone whose follow-up has fallen due and is unanswered (the queue does
    this every quarter of an hour; each follow-up is reminded once)."""
    organisation = start(org)
    from accord.expectations.reminders import remind_due_follow_ups

    sent = remind_due_follow_ups(organisation=organisation)
    say(f"Sent {sent} follow-up reminder{'' if sent == 1 else 's'}.")


@expectations_app.command("remove")
def expectations_remove(
    org: Org,
    agreement: AgreementId,
    leader: Annotated[str, typer.Option("--leader", help="The leader's HR id.")],
    colleague: Annotated[str, typer.Option("--colleague", help="The colleague's HR id.")],
    reason: Annotated[str, typer.Option("--reason", help="Whose request, and why (audited).")],
) -> None:
    """Remove an agreement with everything in it, when one of its two people asks. Name it
    by its number and both people's HR ids; the audit log keeps who, when and why."""
    organisation = start(org)
    from accord.expectations import services
    from accord.expectations.errors import ExpectationsError

    try:
        services.remove_agreement(
            scope=_admin_scope(organisation), actor=None, agreement_id=agreement,
            leader_hr_id=leader, colleague_hr_id=colleague, reason=reason, via=VIA,
        )  # fmt: skip
    except ExpectationsError as error:
        field = {"agreement": "agreement", "reason": "reason"}.get(error.field or "", "agreement")
        raise fail(f"--{field}: {error}") from None
    say(f"Removed agreement {agreement}; the audit log records it.")
