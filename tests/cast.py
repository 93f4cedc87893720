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

Lakeview Clinics (slug ``lakeview``): olive, an admin there and nowhere else.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.test import Client

from accord.access.models import Membership, Role, User
from accord.access.services import grant_membership
from accord.org.importing import plan_org_import
from accord.org.models import Organisation, Person
from accord.org.services import apply_org_import, create_organisation

PASSWORD = "correct-horse-battery-staple"
HEADER = (
    "external_id,name,email,unit_path,unit_kinds,manager_external_id,role_group,"
    "profession,hire_date,leader"
)
R = "Riverside Health"
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
        }


def build_cast() -> Cast:
    riverside = create_organisation(name=R, slug="riverside", time_zone="America/Chicago")
    apply_org_import(
        plan=plan_org_import(organisation=riverside, filename="cast.csv", content=roster_csv())
    )
    lakeview = create_organisation(name="Lakeview Clinics", slug="lakeview")

    def login(org: Organisation, external_id: str | None, email: str, role: str) -> User:
        person = (
            Person.objects.get(organisation=org, external_id=external_id) if external_id else None
        )
        membership = grant_membership(
            organisation=org, email=email, role=role, person=person, password=PASSWORD
        )
        return membership.user

    return Cast(
        riverside=riverside,
        lakeview=lakeview,
        admin=login(riverside, "alice", "alice@riverside.example", Role.ADMIN),
        executive=login(riverside, "eve", "eve@riverside.example", Role.EXECUTIVE),
        chair=login(riverside, "chad", "chad@riverside.example", Role.LEADER),
        nurse_manager=login(riverside, "nora", "nora@riverside.example", Role.LEADER),
        staff_nurse=login(riverside, "sam", "sam@riverside.example", Role.MEMBER),
        outsider=login(lakeview, None, "olive@lakeview.example", Role.ADMIN),
    )
