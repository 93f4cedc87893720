"""A deterministic synthetic health system, from 50 to 300,000 people.

The generator yields rows in the org-chart import format, so the demo and the
benchmarks load through the same validated import as a real HRIS file. The
shape is modelled on a multi-hospital system: a system office with the
executive team; hospitals of varied size; clinical and support departments;
units with believable profession mixes; large units split into teams; and
reporting lines staff → team lead → unit manager → department head →
hospital president → chief operating officer → chief executive.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import random
from dataclasses import dataclass, field

COLUMNS = (
    "external_id", "name", "email", "unit_path", "unit_kinds", "manager_external_id",
    "role_group", "profession", "hire_date", "leader", "job_title", "employment_type",
)  # fmt: skip

ROLE_GROUP = {
    "Physician": "clinician",
    "Nurse": "clinician",
    "Advanced practice provider": "clinician",
    "Pharmacist": "clinician",
    "Social worker": "clinician",
    "Therapist": "clinician",
    "Technologist": "clinician",
    "Executive": "administrator",
    "Manager": "administrator",
    "Administrative staff": "administrator",
    "Support staff": "other",
}

JOB_TITLES = {
    "Physician": "Staff physician",
    "Nurse": "Registered nurse",
    "Advanced practice provider": "Nurse practitioner",
    "Pharmacist": "Clinical pharmacist",
    "Social worker": "Clinical social worker",
    "Therapist": "Therapist",
    "Technologist": "Technologist",
    "Administrative staff": "Administrative specialist",
    "Support staff": "Support associate",
    "Manager": "Manager",
    "Executive": "Executive",
}


@dataclass(frozen=True)
class UnitTemplate:
    department: str
    name: str
    typical_size: int
    mix: dict[str, float]
    manager_profession: str = "Nurse"


N, PHY, APP, PHA, SW, TH, TEC = (
    "Nurse", "Physician", "Advanced practice provider", "Pharmacist", "Social worker",
    "Therapist", "Technologist",
)  # fmt: skip
ADM, SUP = "Administrative staff", "Support staff"

# Ordered by priority: a small hospital keeps the first units only.
UNIT_TEMPLATES = (
    UnitTemplate("Emergency", "ED Nursing", 70, {N: 0.78, TEC: 0.06, SUP: 0.16}),
    UnitTemplate("Emergency", "ED Physicians", 24, {PHY: 0.7, APP: 0.3}, PHY),
    UnitTemplate("Emergency", "ED Registration", 10, {ADM: 1.0}, "Manager"),
    UnitTemplate("Internal Medicine", "4 West Medical-Surgical", 55, {N: 0.66, SUP: 0.3, TH: 0.04}),
    UnitTemplate("Internal Medicine", "Hospitalist Group", 26, {PHY: 0.78, APP: 0.22}, PHY),
    UnitTemplate("Pharmacy", "Inpatient Pharmacy", 30, {PHA: 0.55, TEC: 0.45}, PHA),
    UnitTemplate("Critical Care", "Medical ICU", 50, {N: 0.82, TH: 0.08, SUP: 0.1}),
    UnitTemplate("Surgery", "Perioperative Services", 60, {N: 0.55, TEC: 0.27, SUP: 0.18}),
    UnitTemplate("Surgery", "Surgeons", 22, {PHY: 0.82, APP: 0.18}, PHY),
    UnitTemplate("Environmental Services", "Environmental Services", 45, {SUP: 1.0}, "Manager"),
    UnitTemplate("Internal Medicine", "5 East Telemetry", 48, {N: 0.7, SUP: 0.26, TEC: 0.04}),
    UnitTemplate("Case Management", "Care Coordination", 20, {SW: 0.5, N: 0.4, ADM: 0.1}, SW),
    UnitTemplate("Imaging", "Radiology", 34, {TEC: 0.75, PHY: 0.12, ADM: 0.13}, TEC),
    UnitTemplate("Laboratory", "Clinical Laboratory", 32, {TEC: 0.86, SUP: 0.14}, TEC),
    UnitTemplate("Finance", "Patient Access", 30, {ADM: 1.0}, "Manager"),
    UnitTemplate("Women and Infants", "Labor and Delivery", 40, {N: 0.8, PHY: 0.08, SUP: 0.12}),
    UnitTemplate("Women and Infants", "Neonatal ICU", 36, {N: 0.86, APP: 0.06, TH: 0.08}),
    UnitTemplate("Critical Care", "Surgical ICU", 42, {N: 0.84, TH: 0.08, SUP: 0.08}),
    UnitTemplate("Rehabilitation", "Physical and Occupational Therapy", 26, {TH: 0.85, ADM: 0.15}, TH),
    UnitTemplate("Behavioral Health", "Inpatient Psychiatry", 34, {N: 0.48, SW: 0.16, TH: 0.1, PHY: 0.1, SUP: 0.16}),
    UnitTemplate("Oncology", "Infusion Center", 28, {N: 0.6, PHA: 0.1, SUP: 0.3}),
    UnitTemplate("Cardiology", "Cardiac Catheterization Lab", 24, {TEC: 0.4, N: 0.4, PHY: 0.2}),
    UnitTemplate("Pediatrics", "Pediatric Unit", 32, {N: 0.72, PHY: 0.13, SUP: 0.15}),
    UnitTemplate("Facilities", "Engineering and Maintenance", 25, {SUP: 1.0}, "Manager"),
    UnitTemplate("Food and Nutrition", "Food and Nutrition Services", 35, {SUP: 0.9, TH: 0.1}, "Manager"),
    UnitTemplate("Finance", "Revenue Cycle", 28, {ADM: 1.0}, "Manager"),
    UnitTemplate("Quality and Patient Safety", "Quality Improvement", 12, {N: 0.5, ADM: 0.5}),
    UnitTemplate("Information Technology", "Clinical Applications", 20, {ADM: 1.0}, "Manager"),
)  # fmt: skip

CLINICAL_DEPARTMENTS = {
    "Emergency", "Internal Medicine", "Critical Care", "Surgery", "Women and Infants",
    "Behavioral Health", "Oncology", "Cardiology", "Pediatrics",
}  # fmt: skip
TEAM_SIZE = 45  # units larger than about this are split into teams with a lead each

PLACES = (
    "North", "South", "Lakeside", "Riverbend", "Cedar Falls", "Maple Grove", "Harbor",
    "Eastwood", "Pine Ridge", "Westfield", "Stonebridge", "Fairview", "Oak Hollow",
    "Brookside", "Summit", "Willow Creek", "Granite Bay", "Clearwater", "Ashford", "Meadowlands",
)  # fmt: skip
HOSPITAL_SUFFIXES = ("Hospital", "Medical Center", "Community Hospital", "Regional Hospital")
FIRST_NAMES = (
    "Amara", "Ben", "Carmen", "Dev", "Elena", "Farid", "Grace", "Hiro", "Imani", "Jonah",
    "Keiko", "Luis", "Maya", "Nikhil", "Olivia", "Pavel", "Quinn", "Rosa", "Samir", "Tess",
    "Uma", "Victor", "Wen", "Xavier", "Yara", "Zane", "Aisha", "Bruno", "Chloe", "Dario",
    "Esther", "Felix", "Gemma", "Hassan", "Iris", "Jamal", "Kira", "Leon", "Mira", "Noah",
    "Omar", "Priya", "Rafael", "Sofia", "Theo", "Valeria", "Wyatt", "Yusuf", "Zoe", "Adele",
    "Callum", "Daniela", "Emeka", "Freya", "Gabriel", "Hana", "Ivan", "Julia", "Kwame", "Lena",
)  # fmt: skip
LAST_NAMES = (
    "Abbott", "Banerjee", "Castillo", "Dubois", "Eriksen", "Fontaine", "Garcia", "Haddad",
    "Ibarra", "Jensen", "Kowalski", "Lindqvist", "Mensah", "Nakamura", "Okafor", "Petrov",
    "Quintero", "Rossi", "Schmidt", "Tanaka", "Umar", "Varga", "Whitaker", "Xu", "Yilmaz",
    "Zhang", "Alvarez", "Brennan", "Chowdhury", "Delgado", "Ellison", "Fischer", "Goldberg",
    "Hughes", "Iyer", "Jovanovic", "Kim", "Larsen", "Moreau", "Novak", "Osei", "Park",
    "Reyes", "Sato", "Thompson", "Usman", "Vasquez", "Walsh", "Young", "Zimmerman",
    "Adeyemi", "Bianchi", "Costa", "Dimitriou", "Estrada", "Ferreira", "Gupta", "Horvat",
)  # fmt: skip


@dataclass
class DemoLogins:
    """External ids of the people who get demo logins, found while generating."""

    admin: str = ""
    executive: str = ""
    chief_executive: str = ""
    chair: str = ""
    nurse_manager: str = ""
    staff_nurse: str = ""


@dataclass
class DemoRoster:
    system_name: str
    rows: list[dict[str, str]] = field(default_factory=list)
    logins: DemoLogins = field(default_factory=DemoLogins)

    def to_csv(self) -> bytes:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return buffer.getvalue().encode()


class _Builder:
    def __init__(self, *, seed: int, system_name: str, email_domain: str) -> None:
        self.rng = random.Random(seed)
        self.roster = DemoRoster(system_name=system_name)
        self.email_domain = email_domain
        self.counter = 0
        self.used_emails: set[str] = set()
        self.today = dt.date(2026, 6, 30)  # fixed, so the same seed gives the same file

    def person(
        self,
        *,
        unit_path: tuple[str, ...],
        unit_kinds: tuple[str, ...],
        profession: str,
        manager: str,
        title: str = "",
        leader: bool = False,
        role_group: str = "",
    ) -> str:
        self.counter += 1
        external_id = f"E{self.counter:07d}"
        first = self.rng.choice(FIRST_NAMES)
        last = self.rng.choice(LAST_NAMES)
        email = ""
        # Some support staff have no work email: later capabilities print codes for them.
        if profession != SUP or self.rng.random() < 0.6:
            base = f"{first}.{last}".lower()
            email = f"{base}@{self.email_domain}"
            suffix = 2
            while email in self.used_emails:
                email = f"{base}{suffix}@{self.email_domain}"
                suffix += 1
            self.used_emails.add(email)
        years = min(40.0, self.rng.expovariate(1 / 7.5))
        hire_date = self.today - dt.timedelta(days=int(years * 365.25) + self.rng.randint(0, 30))
        self.roster.rows.append(
            {
                "external_id": external_id,
                "name": f"{first} {last}",
                "email": email,
                "unit_path": "/".join(unit_path),
                "unit_kinds": "/".join(unit_kinds),
                "manager_external_id": manager,
                "role_group": role_group or ROLE_GROUP[profession],
                "profession": profession,
                "hire_date": hire_date.isoformat(),
                "leader": "yes" if leader else "no",
                "job_title": title or JOB_TITLES[profession],
                "employment_type": self.rng.choices(
                    ("full-time", "part-time", "per diem"), (0.74, 0.18, 0.08)
                )[0],
            }
        )
        return external_id

    def staff(
        self,
        unit: tuple[str, ...],
        kinds: tuple[str, ...],
        mix: dict[str, float],
        count: int,
        manager: str,
    ) -> list[str]:
        professions = list(mix)
        weights = list(mix.values())
        return [
            self.person(
                unit_path=unit,
                unit_kinds=kinds,
                profession=self.rng.choices(professions, weights)[0],
                manager=manager,
            )
            for _ in range(count)
        ]


def generate_demo_roster(
    *,
    people: int = 2000,
    seed: int = 7,
    system_name: str = "Riverside Health",
    email_domain: str = "riverside.example",
) -> DemoRoster:
    """A roster of exactly ``people`` rows (at least 50), identical for the same arguments."""
    if not 50 <= people <= 1_000_000:
        raise ValueError("The demo health system holds between 50 and 1,000,000 people.")
    b = _Builder(seed=seed, system_name=system_name, email_domain=email_domain)
    logins = b.roster.logins
    root = (system_name,)
    root_kind = ("system",)
    ceo = b.person(
        unit_path=root, unit_kinds=root_kind, profession="Executive", manager="",
        title="Chief Executive Officer", leader=True,
    )  # fmt: skip
    logins.chief_executive = ceo
    office = (*root, "Executive Office")
    office_kinds = ("system", "department")
    executives: dict[str, str] = {}
    for title, profession in (
        ("Chief Operating Officer", "Executive"),
        ("Chief Nursing Officer", N),
        ("Chief Medical Officer", PHY),
        ("Chief Financial Officer", "Executive"),
        ("Chief People Officer", "Executive"),
    ):
        executives[title] = b.person(
            unit_path=office, unit_kinds=office_kinds, profession=profession, manager=ceo,
            title=title, role_group="administrator",
        )  # fmt: skip
    logins.executive = executives["Chief Nursing Officer"]
    culture = (*root, "People and Culture")
    logins.admin = b.person(
        unit_path=culture, unit_kinds=office_kinds, profession="Manager",
        manager=executives["Chief People Officer"], title="Director, Organizational Development",
        leader=True,
    )  # fmt: skip
    budget = people - b.counter
    hospital_count = max(1, math.ceil(people / 4500))
    shares = [b.rng.uniform(0.6, 1.4) for _ in range(hospital_count)]
    sizes = [int(budget * share / sum(shares)) for share in shares]
    sizes[0] += budget - sum(sizes)
    names = _hospital_names(b.rng, hospital_count)
    for index, (hospital_name, size) in enumerate(zip(names, sizes, strict=True)):
        _build_hospital(b, root, hospital_name, size, executives, first=index == 0)
    b.roster.rows = b.roster.rows[:people]
    return b.roster


def _hospital_names(rng: random.Random, count: int) -> list[str]:
    names = [f"{place} {HOSPITAL_SUFFIXES[0]}" for place in PLACES[:2]]
    combos = [f"{p} {s}" for s in HOSPITAL_SUFFIXES for p in PLACES]
    rest = [name for name in combos if name not in names]
    rng.shuffle(rest)
    names += rest
    while len(names) < count:
        names += [f"{name} {len(names) // len(combos) + 1}" for name in combos]
    return names[:count]


def _build_hospital(
    b: _Builder,
    root: tuple[str, ...],
    name: str,
    size: int,
    executives: dict[str, str],
    *,
    first: bool,
) -> None:
    logins = b.roster.logins
    hospital = (*root, name)
    kinds = ("system", "hospital")
    president = b.person(
        unit_path=hospital, unit_kinds=kinds, profession="Executive",
        manager=executives["Chief Operating Officer"], title="Hospital President", leader=True,
    )  # fmt: skip
    hospital_cno = b.person(
        unit_path=hospital, unit_kinds=kinds, profession=N,
        manager=executives["Chief Nursing Officer"], title="Hospital Chief Nursing Officer",
        role_group="administrator",
    )  # fmt: skip
    size -= 2
    if size <= 0:
        return
    # Keep templates in priority order until their leaders alone would overrun the budget.
    templates = list(UNIT_TEMPLATES)
    total_typical = sum(t.typical_size for t in templates)
    while len(templates) > 2 and size < total_typical * 0.35 and len(templates) * 3 > size:
        templates.pop()
        total_typical = sum(t.typical_size for t in templates)
    scale = size / total_typical
    heads: dict[str, str] = {}
    nursing_directors: dict[str, str] = {}
    remaining = size
    unit_sizes = [max(1, round(t.typical_size * scale)) for t in templates]
    for position, template in enumerate(templates):
        if remaining <= 0:
            break
        department = (*hospital, template.department)
        department_kinds = (*kinds, "department")
        if template.department not in heads:
            clinical = template.department in CLINICAL_DEPARTMENTS
            heads[template.department] = b.person(
                unit_path=department, unit_kinds=department_kinds,
                profession=PHY if clinical else "Manager",
                manager=president, title=f"Chair of {template.department}" if clinical
                else f"Director of {template.department}", leader=True,
                role_group="clinician" if clinical else "administrator",
            )  # fmt: skip
            remaining -= 1
            if first and template.department == "Emergency":
                logins.chair = heads[template.department]
        manager_of_unit_manager = heads[template.department]
        if template.manager_profession == N and template.department in CLINICAL_DEPARTMENTS:
            if template.department not in nursing_directors and remaining > 40:
                nursing_directors[template.department] = b.person(
                    unit_path=department, unit_kinds=department_kinds, profession=N,
                    manager=hospital_cno, title=f"Director of Nursing, {template.department}",
                    role_group="administrator",
                )  # fmt: skip
                remaining -= 1
            manager_of_unit_manager = nursing_directors.get(
                template.department, manager_of_unit_manager
            )
        unit = (*department, template.name)
        unit_kinds = (*department_kinds, "unit")
        is_last = position == len(templates) - 1
        headcount = remaining - 1 if is_last else min(unit_sizes[position], remaining - 1)
        title = "Nurse Manager" if template.manager_profession == N else "Unit Manager"
        manager = b.person(
            unit_path=unit, unit_kinds=unit_kinds, profession=template.manager_profession,
            manager=manager_of_unit_manager, title=title, leader=True,
            role_group="administrator" if template.manager_profession in (N, "Manager")
            else ROLE_GROUP[template.manager_profession],
        )  # fmt: skip
        remaining -= 1
        if first and template.name == "ED Nursing":
            logins.nurse_manager = manager
        if headcount <= 0:
            continue
        team_count = math.ceil(headcount / TEAM_SIZE) if headcount > TEAM_SIZE * 1.3 else 1
        if team_count == 1:
            members = b.staff(unit, unit_kinds, template.mix, headcount, manager)
        else:
            members = []
            per_team = headcount // team_count
            for team_index in range(team_count):
                team = (*unit, f"Team {chr(ord('A') + team_index % 26)}{team_index // 26 or ''}")
                team_kinds = (*unit_kinds, "team")
                count = (
                    per_team
                    if team_index < team_count - 1
                    else headcount - per_team * (team_count - 1)
                )
                lead_profession = max(template.mix, key=lambda p: template.mix[p])
                lead = b.person(
                    unit_path=team, unit_kinds=team_kinds, profession=lead_profession,
                    manager=manager, title="Team Lead" if lead_profession != N else "Charge Nurse",
                    leader=True,
                )  # fmt: skip
                members += b.staff(team, team_kinds, template.mix, count - 1, lead)
        remaining -= headcount
        if first and template.name == "ED Nursing" and not logins.staff_nurse:
            nurses = [
                r
                for r in b.roster.rows[-len(members) :]
                if r["profession"] == N and r["leader"] == "no"
            ]
            logins.staff_nurse = nurses[0]["external_id"] if nurses else members[0]
