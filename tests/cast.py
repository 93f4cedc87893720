"""The named people every test shares, one per role, plus an outsider.

Riverside Health (slug ``riverside``)::

    Riverside Health                      ceo (leader of the whole system)
    ├── Executive Office                  eve (CNO, executive login)
    ├── People and Culture                alice (program admin login)
    ├── North Hospital
    │   ├── Emergency                     chad (chair, leader login)
    │   │   ├── ED Nursing                nora (nurse manager, leader login)
    │   │   │                             sam (staff nurse, member login), nina, ned
    │   │   └── ED Physicians             paula, peter
    │   └── Surgery                       sue (chair, leader)
    │       └── Perioperative             olga, omar;  oscar_r reports to chad (cross-line)
    └── South Hospital
        └── Pediatrics                    pia (chair), pat

Lakeview Clinics (slug ``lakeview``): olive, an admin there and nowhere else. Rosa, an external
coach, has a riverside login with no person record.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Model
from django.test import Client

from accord.access.models import Membership, Role, User
from accord.access.services import grant_membership
from accord.org.importing import plan_org_import
from accord.org.models import Organisation, OrgImport, Person, Profession, Unit, UnitKind
from accord.org.services import apply_org_import, create_organisation

PASSWORD = "correct-horse-battery-staple"
HEADER = (
    "external_id,name,email,unit_path,unit_kinds,manager_external_id,role_group,"
    "profession,hire_date,leader"
)
R = "Riverside Health"
# The test health systems keep Chicago's clock, as the demo does: between midnight and six in
# the morning UTC their date is the day before the machine's.
RIVERSIDE_ZONE = "America/Chicago"
NH = f"{R}/North Hospital"
ROSTER = [
    ("ceo", "Cora Chief", f"{R}", "system", "", "administrator", "Executive", "yes"),
    ("eve", "Eve Exec", f"{R}/Executive Office", "system/department", "ceo", "administrator", "Nurse", "no"),
    ("alice", "Alice Admin", f"{R}/People and Culture", "system/department", "ceo", "administrator", "Manager", "yes"),
    ("chad", "Chad Chair", f"{NH}/Emergency", "system/hospital/department", "ceo", "clinician", "Physician", "yes"),
    ("nora", "Nora Manager", f"{NH}/Emergency/ED Nursing", "system/hospital/department/unit", "chad", "administrator", "Nurse", "yes"),
    ("sam", "Sam Nurse", f"{NH}/Emergency/ED Nursing", "system/hospital/department/unit", "nora", "clinician", "Nurse", "no"),
    ("nina", "Nina Nurse", f"{NH}/Emergency/ED Nursing", "system/hospital/department/unit", "nora", "clinician", "Nurse", "no"),
    ("ned", "Ned Nurse", f"{NH}/Emergency/ED Nursing", "system/hospital/department/unit", "nora", "clinician", "Nurse", "no"),
    ("paula", "Paula Physician", f"{NH}/Emergency/ED Physicians", "system/hospital/department/unit", "chad", "clinician", "Physician", "no"),
    ("peter", "Peter Physician", f"{NH}/Emergency/ED Physicians", "system/hospital/department/unit", "chad", "clinician", "Physician", "no"),
    ("sue", "Sue Surgeon", f"{NH}/Surgery", "system/hospital/department", "ceo", "clinician", "Physician", "yes"),
    ("olga", "Olga Periop", f"{NH}/Surgery/Perioperative", "system/hospital/department/unit", "sue", "clinician", "Nurse", "no"),
    ("omar", "Omar Periop", f"{NH}/Surgery/Perioperative", "system/hospital/department/unit", "sue", "clinician", "Nurse", "no"),
    ("oscar_r", "Oscar Liaison", f"{NH}/Surgery/Perioperative", "system/hospital/department/unit", "chad", "clinician", "Nurse", "no"),
    ("pia", "Pia Pediatrics", f"{R}/South Hospital/Pediatrics", "system/hospital/department", "ceo", "clinician", "Physician", "yes"),
    ("pat", "Pat Peds", f"{R}/South Hospital/Pediatrics", "system/hospital/department", "pia", "clinician", "Nurse", "no"),
]  # fmt: skip


def roster_csv(rows: list[tuple[str, ...]] = ROSTER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER.split(","))
    for external_id, name, unit_path, kinds, manager, group, profession, leader in rows:
        email = f"{external_id}@riverside.example"
        writer.writerow([external_id, name, email, unit_path, kinds, manager, group, profession,
                         "2019-04-01", leader])  # fmt: skip
    return buffer.getvalue().encode()


@dataclass
class Cast:
    riverside: Organisation
    lakeview: Organisation
    admin: User
    executive: User
    chair: User
    nurse_manager: User
    staff_nurse: User
    outsider: User
    coach: User

    def person(self, external_id: str) -> Person:
        return Person.objects.get(organisation=self.riverside, external_id=external_id)

    def membership(self, user: User) -> Membership:
        return Membership.objects.get(user=user)

    def client_for(self, user: User | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    @property
    def by_role(self) -> dict[str, User]:
        return {
            "admin": self.admin,
            "executive": self.executive,
            "chair": self.chair,
            "nurse_manager": self.nurse_manager,
            "staff_nurse": self.staff_nurse,
            "outsider": self.outsider,
            "coach": self.coach,
        }


# Who has a login: the Cast field, then (organisation slug, their person, email, role).
LOGINS = {
    "admin": ("riverside", "alice", "alice@riverside.example", Role.ADMIN),
    "executive": ("riverside", "eve", "eve@riverside.example", Role.EXECUTIVE),
    "chair": ("riverside", "chad", "chad@riverside.example", Role.LEADER),
    "nurse_manager": ("riverside", "nora", "nora@riverside.example", Role.LEADER),
    "staff_nurse": ("riverside", "sam", "sam@riverside.example", Role.MEMBER),
    "outsider": ("lakeview", None, "olive@lakeview.example", Role.ADMIN),
    # An external coach: a riverside login with no person record, who sees only the 360s
    # of the leaders they coach.
    "coach": ("riverside", None, "rosa@coaching.example", Role.COACH),
}
SLUGS = ("riverside", "lakeview")


def local_today() -> dt.date:
    """Today on the test health systems' clock: what their pages and services call today."""
    return dt.datetime.now(zoneinfo.ZoneInfo(RIVERSIDE_ZONE)).date()


def build_cast() -> Cast:
    riverside = create_organisation(name=R, slug="riverside", time_zone=RIVERSIDE_ZONE)
    apply_org_import(
        plan=plan_org_import(organisation=riverside, filename="cast.csv", content=roster_csv())
    )
    lakeview = create_organisation(name="Lakeview Clinics", slug="lakeview")
    organisations = {"riverside": riverside, "lakeview": lakeview}
    logins = {}
    for field, (slug, external_id, email, role) in LOGINS.items():
        org = organisations[slug]
        person = (
            Person.objects.get(organisation=org, external_id=external_id) if external_id else None
        )
        membership = grant_membership(
            organisation=org, email=email, role=role, person=person, password=PASSWORD
        )
        logins[field] = membership.user
    return Cast(**organisations, **logins)


def load_cast() -> Cast | None:
    """The cast as the database holds it now, in fresh instances; None if it is not there.

    Each test gets its own instances, so one that changes a login in memory changes it for
    itself only.
    """
    organisations = Organisation.objects.in_bulk(SLUGS, field_name="slug")
    emails = {email: field for field, (_, _, email, _) in LOGINS.items()}
    users = User.objects.in_bulk(list(emails), field_name="email")
    if len(organisations) < len(SLUGS) or len(users) < len(LOGINS):
        return None
    return Cast(**organisations, **{emails[email]: user for email, user in users.items()})


def shared_cast() -> Cast:
    """The cast built once for the whole run, or built now where a flush removed it."""
    return load_cast() or build_cast()


def remove_cast() -> None:
    """Take the cast out of the database, for a test that did not ask for it.

    Inside a test's transaction the rows come back when it rolls back. The deletes go table
    by table, children first, in plain SQL: Django's collector refuses to delete units,
    people, unit kinds and professions that protect one another, and would query every table
    that refers to a login or an organisation.
    """
    organisations = list(Organisation.objects.filter(slug__in=SLUGS).values_list("pk", flat=True))
    if not organisations:
        return
    emails = [email for _, _, email, _ in LOGINS.values()]
    with transaction.atomic():
        for model in (Membership, OrgImport, Person, Unit, UnitKind, Profession):
            _delete_where(model, "organisation_id", organisations)
        _delete_where(User, "email", emails)
        _delete_where(Organisation, "id", organisations)


def _delete_where(model: type[Model], column: str, values: list[Any]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    placeholders = ", ".join(["%s"] * len(values))
    with connection.cursor() as cursor:
        # The table and column names are this module's own; the values are parameters.
        cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({placeholders})", values)  # noqa: S608
