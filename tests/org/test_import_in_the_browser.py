"""The web flow: upload, preview of what will change, confirm or discard. Admins only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from accord.org.models import OrgImport, Person, Profession
from tests.cast import NH, ROSTER, Cast, roster_csv
from tests.org.roster_files import table_sizes

NEW_HIRE = ("newbie", "New Nurse", f"{NH}/Emergency/ED Nursing", "", "nora", "clinician",
            "Nurse", "no")  # fmt: skip


def upload(client: Client, content: bytes, *, deactivate_missing: bool = False) -> Any:
    data: dict[str, object] = {"file": SimpleUploadedFile("roster.csv", content, "text/csv")}
    if deactivate_missing:
        data["deactivate_missing"] = "on"
    return client.post(reverse("import-upload", args=["riverside"]), data)


def latest_import() -> OrgImport:
    return OrgImport.objects.latest("pk")


def url(name: str, org_import: OrgImport, slug: str = "riverside") -> str:
    return reverse(name, args=[slug, org_import.pk])


def test_admin_uploads_previews_and_confirms(cast: Cast) -> None:
    admin = cast.client_for(cast.admin)
    sizes = table_sizes()

    without_pat = [row for row in ROSTER if row[0] != "pat"]

    response = upload(admin, roster_csv([*without_pat, NEW_HIRE]), deactivate_missing=True)

    org_import = latest_import()
    assert response.status_code == 302
    assert response["Location"] == url("import-preview", org_import)
    assert table_sizes() == sizes  # a preview writes no people
    preview = admin.get(url("import-preview", org_import))
    assertContains(
        preview, '<p class="figure">1</p><p class="figure-label">people to add</p>', html=True
    )
    assertContains(
        preview, '<p class="figure">1</p><p class="figure-label">to deactivate</p>', html=True
    )
    assertContains(
        preview, '<p class="figure">15</p><p class="figure-label">unchanged</p>', html=True
    )
    assertContains(preview, "Apply these changes")

    confirmed = admin.post(url("import-confirm", org_import), follow=True)

    assertContains(confirmed, "Org chart imported: 1 added, 0 updated, 1 deactivated, 0 new units.")
    assert cast.person("newbie").manager == cast.person("nora")
    assert not cast.person("pat").is_active
    org_import.refresh_from_db()
    assert org_import.status == OrgImport.Status.APPLIED
    assert bytes(org_import.content) == b""  # no second copy of the roster is kept


def test_invalid_file_shows_every_problem_with_row_and_column(cast: Cast) -> None:
    admin = cast.client_for(cast.admin)
    bad_email = ("x1", "Bad Email", f"{NH}/Surgery", "", "sue", "clinician", "Nurse", "no")
    content = roster_csv([NEW_HIRE, bad_email]).replace(b"x1@riverside.example", b"x1-at-home")
    content = content.replace(b"nora,clinician", b"nobody,clinician")
    sizes = table_sizes()

    upload(admin, content)
    preview = admin.get(url("import-preview", latest_import()))

    assert table_sizes() == sizes
    assertContains(preview, "Nothing was imported: 2 problems to fix")
    assertContains(
        preview,
        "<tr><td class='num'>2</td><td>manager_external_id</td><td>Manager 'nobody' is neither "
        "in this file nor already in the organisation.</td></tr>",
        html=True,
    )
    assertContains(
        preview,
        "<tr><td class='num'>3</td><td>email</td><td>'x1-at-home' is not a valid email "
        "address.</td></tr>",
        html=True,
    )
    assertNotContains(preview, "Apply these changes")
    assert latest_import().status == OrgImport.Status.INVALID


def test_discarding_an_upload_changes_nothing(cast: Cast) -> None:
    admin = cast.client_for(cast.admin)
    upload(admin, roster_csv([NEW_HIRE]))
    org_import = latest_import()

    response = admin.post(url("import-discard", org_import), follow=True)

    assertContains(response, "Upload discarded; nothing was changed.")
    org_import.refresh_from_db()
    assert org_import.status == OrgImport.Status.DISCARDED
    assert not Person.objects.filter(external_id="newbie").exists()
    refused = admin.post(url("import-confirm", org_import), follow=True)
    assertContains(refused, "This upload has already been applied or discarded.")
    assert not Person.objects.filter(external_id="newbie").exists()


def test_confirming_twice_is_refused_politely(cast: Cast) -> None:
    admin = cast.client_for(cast.admin)
    upload(admin, roster_csv([NEW_HIRE]))
    org_import = latest_import()
    admin.post(url("import-confirm", org_import))
    sizes = table_sizes()

    again = admin.post(url("import-confirm", org_import), follow=True)

    assert again.status_code == 200
    assertContains(again, "This upload has already been applied or discarded.")
    assert table_sizes() == sizes
    discard = admin.post(url("import-discard", org_import), follow=True)
    assertContains(discard, "This upload has already been applied or discarded.")
    org_import.refresh_from_db()
    assert org_import.status == OrgImport.Status.APPLIED


def test_confirm_validates_again_against_the_organisation_as_it_is_now(cast: Cast) -> None:
    admin = cast.client_for(cast.admin)
    therapist = ("thea", "Thea Therapist", f"{NH}/Surgery", "", "sue", "clinician", "Therapist",
                 "no")  # fmt: skip
    upload(admin, roster_csv([therapist]))
    org_import = latest_import()
    Profession.objects.filter(organisation=cast.riverside, name="Therapist").delete()

    response = admin.post(url("import-confirm", org_import), follow=True)

    assertContains(response, "The organisation changed since the preview; the file now has errors.")
    assertContains(response, "Unknown profession &#x27;Therapist&#x27;")
    assert not Person.objects.filter(external_id="thea").exists()


def test_file_over_the_size_limit_gets_a_form_error(cast: Cast) -> None:
    admin = cast.client_for(cast.admin)

    with override_settings(ACCORD_MAX_IMPORT_BYTES=1024):
        response = upload(admin, roster_csv())

    assert response.status_code == 200
    assertContains(response, "larger than the 1.0\xa0KB the browser upload accepts")
    assert not OrgImport.objects.exists()


def test_posting_without_a_file_asks_for_one(cast: Cast) -> None:
    admin = cast.client_for(cast.admin)

    response = admin.post(reverse("import-upload", args=["riverside"]), {})

    assertContains(response, "This field is required.")
    assert not OrgImport.objects.exists()


@pytest.mark.parametrize("role", ["executive", "chair", "nurse_manager", "staff_nurse"])
def test_other_roles_may_not_import(cast: Cast, role: str) -> None:
    admin_upload = upload(cast.client_for(cast.admin), roster_csv([NEW_HIRE]))
    assert admin_upload.status_code == 302
    org_import = latest_import()
    client = cast.client_for(cast.by_role[role])

    assert client.get(reverse("import-upload", args=["riverside"])).status_code == 403
    assert upload(client, roster_csv([NEW_HIRE])).status_code == 403
    assert client.get(url("import-preview", org_import)).status_code == 403
    assert client.post(url("import-confirm", org_import)).status_code == 403
    assert client.post(url("import-discard", org_import)).status_code == 403
    assert OrgImport.objects.get().status == OrgImport.Status.PREVIEWED


def test_an_admin_of_another_organisation_sees_nothing(cast: Cast) -> None:
    upload(cast.client_for(cast.admin), roster_csv([NEW_HIRE]))
    org_import = latest_import()
    outsider = cast.client_for(cast.outsider)

    assert outsider.get(url("import-preview", org_import)).status_code == 404
    assert outsider.post(url("import-confirm", org_import)).status_code == 404
    # Her own organisation's address with Riverside's upload id finds nothing either.
    assert outsider.post(url("import-confirm", org_import, slug="lakeview")).status_code == 404
    assert latest_import().status == OrgImport.Status.PREVIEWED


def test_signed_out_visitors_are_sent_to_sign_in(cast: Cast) -> None:
    response = Client().get(reverse("import-upload", args=["riverside"]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
