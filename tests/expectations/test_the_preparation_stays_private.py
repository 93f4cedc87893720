"""The leader's preparation is read by its author only. Every page and API operation of
Accord is requested as every person in the cast — the colleague, the admin, the executive,
the leader's own manager… — and none shows a word of it; nor does the audit trail, nor any
email. The agreement itself is read by its two people only."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from huey import Huey
from icalendar import Calendar

from accord.access.models import Role
from accord.access.services import grant_membership, issue_api_token
from accord.expectations import services
from accord.expectations.models import AgreementAuditEntry
from tests.cast import Cast
from tests.expectations.world import SECRET, escope, proposed_agreement
from tests.test_scope_matrix import discover_routes

pytestmark = pytest.mark.django_db

PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


def test_no_page_or_api_operation_shows_the_preparation_to_anyone_but_its_author(
    cast: Cast, immediate_queue: Huey, django_capture_on_commit_callbacks: Any
) -> None:
    agreement = proposed_agreement(cast)
    concern = services.add_concern(escope=escope(cast, cast.nurse_manager),
                                   actor=cast.nurse_manager, agreement=agreement,
                                   text="When do we start?")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):  # the invitations are emailed
        meeting = services.schedule_meeting(
            escope=escope(cast, cast.chair), actor=cast.chair, agreement=agreement,
            starts_at=timezone.now() + dt.timedelta(days=1),
        )  # fmt: skip
    assert len(mail.outbox) == 2
    values = {"org_slug": "riverside", "agreement_id": agreement.pk, "concern_id": concern.pk,
              "meeting_id": meeting.pk}  # fmt: skip
    # Beside the cast, Sue (a peer of Chad's) and Cora (his manager) sign in.
    extra = {
        external_id: grant_membership(organisation=cast.riverside, email=f"{external_id}@riverside.example",
                                      role=Role.LEADER, person=cast.person(external_id),
                                      password="x-very-long-password-1").user
        for external_id in ("ceo", "sue")
    }  # fmt: skip
    users = {**cast.by_role, **extra}
    seen: list[str] = []
    for name, route in discover_routes().items():
        method, _, api_path = name.partition(" ")
        if api_path and method != "GET":
            continue  # the API's writes: covered by the scope matrix; they show nothing new
        path = "/" + PARAMETER.sub(lambda m: str(values.get(m.group(2), 1)), route)
        for viewer, user in users.items():
            if viewer == "chair":
                continue  # the author
            client = Client()
            if api_path:
                _, token = issue_api_token(membership=cast.membership(user), name="walk")
                client = Client(headers={"Authorization": f"Bearer {token}"})
            else:
                client.force_login(user)
            response = client.get(path)
            body = response.content.decode(errors="replace")
            assert SECRET not in body, f"{viewer} read the preparation at {path}"
            assert "I never said the rota was hers" not in body, f"{viewer} at {path}"
            seen.append(path)
    assert len(seen) > 200  # every route, as every reader
    assert not AgreementAuditEntry.objects.filter(summary__contains="Nora can grow").exists()
    assert all(SECRET not in message.body for message in mail.outbox)
    attachments = [content for m in mail.outbox for _, content, _ in m.attachments]
    # Read as calendars read them: iCalendar folds long lines.
    events = [Calendar.from_ical(content).walk("VEVENT")[0] for content in attachments]
    assert events and all(SECRET not in str(event["DESCRIPTION"]) for event in events)
    assert SECRET not in meeting.agenda


def test_only_the_two_people_read_the_agreement_and_only_its_author_the_preparation(
    cast: Cast,
) -> None:
    agreement = proposed_agreement(cast)
    slug = cast.riverside.slug
    page = reverse("agreement", args=[slug, agreement.pk])
    preparation = reverse("agreement-preparation", args=[slug, agreement.pk])
    chad, nora = cast.client_for(cast.chair), cast.client_for(cast.nurse_manager)
    assert SECRET in chad.get(preparation).content.decode()
    assert "Running the night shift" in nora.get(page).content.decode()
    assert nora.get(preparation).status_code == 403  # she sees the agreement, not his notes
    for viewer in ("admin", "executive", "staff_nurse", "outsider"):
        client = cast.client_for(cast.by_role[viewer])
        assert client.get(page).status_code == 404, viewer
        assert client.get(preparation).status_code == 404, viewer
        assert (
            "Running the night shift"
            not in client.get(reverse("agreements", args=[slug])).content.decode()
        )
