"""An executive sees the whole organisation and changes nothing."""

from __future__ import annotations

from django.urls import reverse

from accord.org.models import OrgImport, Person, Unit
from accord.org.services import preview_org_import
from tests.access.seen import people_seen, riverside_scope, units_seen
from tests.cast import Cast, roster_csv


def test_executive_sees_every_unit_and_person(cast: Cast) -> None:
    scope = riverside_scope(cast.executive)
    assert people_seen(scope) == set(
        Person.objects.filter(organisation=cast.riverside).values_list("external_id", flat=True)
    )
    assert len(units_seen(scope)) == Unit.objects.filter(organisation=cast.riverside).count()


def test_executive_gets_403_on_every_import_page_and_changes_nothing(cast: Cast) -> None:
    upload = preview_org_import(
        organisation=cast.riverside, filename="r.csv", content=roster_csv(), deactivate_missing=True
    )
    client = cast.client_for(cast.executive)
    assert client.get(reverse("import-upload", args=["riverside"])).status_code == 403
    assert client.get(reverse("import-preview", args=["riverside", upload.pk])).status_code == 403
    for action in ("import-confirm", "import-discard"):
        assert client.post(reverse(action, args=["riverside", upload.pk])).status_code == 403
    upload.refresh_from_db()
    assert upload.status == OrgImport.Status.PREVIEWED
