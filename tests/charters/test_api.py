"""A charter through the API with real personal access tokens: started, values answered and
pooled over three, drafted, proposed, endorsed and adopted, revised and compared, revisited
with pooled ratings, its norms added to a pulse survey — with the pages' checks and refusals,
each a 422 naming its field, and the same people reading what the pages let them read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from accord.access.models import User
from accord.access.services import issue_api_token
from accord.charters.models import (
    AdoptionRule,
    CharterAuditEntry,
    Decision,
    Norm,
    PulseNorms,
    TeamKind,
)
from accord.insights.publishing import publish_cycle
from accord.org.models import Unit
from accord.surveys.models import TeamQuestions
from accord.surveys.services import close_now, create_cycle
from tests.cast import Cast
from tests.charters import world
from tests.charters.test_pulse import answer, opened, upcoming_pulse
from tests.charters.world import TEAM, VALUES, adopted, drafted, full_draft, started, user_of
from tests.surveys.conftest import cycle_settings

pytestmark = pytest.mark.django_db
BASE = "/api/charters"
JSON: dict[str, Any] = {"content_type": "application/json"}


def api(cast: Cast, who: User | str) -> Client:
    """A client with a token of the cast's login ``who``, or of the team member of that id."""
    user = who if isinstance(who, User) else user_of(cast, who)
    _, token = issue_api_token(membership=cast.membership(user), name="script")
    return Client(headers={"Authorization": f"Bearer {token}"})


def errors(response: Any) -> dict[str | None, str]:
    assert response.status_code == 422, response.content
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def errors_of(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.content
    return list(response.json()["errors"])


def draft_body(cast: Cast, people: tuple[str, ...] = TEAM, **more: Any) -> dict[str, Any]:
    draft = full_draft(cast, people)
    return {
        "vision": draft.vision,
        "goals": [{"text": g.text} for g in draft.goals],
        "norms": [{"text": n.text, "signs": n.signs} for n in draft.norms],
        "roles": [{"what": r.what, "owner_id": r.owner_id} for r in draft.roles],
        **more,
    }


def test_a_charter_from_start_to_revisit_through_the_api(cast: Cast) -> None:
    nora = api(cast, cast.nurse_manager)
    started_ = nora.post(BASE, {"name": "ED interprofessional team", "kind": "group",
                                "people": ["nora", "sam", "nina@riverside.example", *TEAM[3:]],
                                "cadence_months": 2}, **JSON)  # fmt: skip
    assert started_.status_code == 201, started_.content
    body = started_.json()
    charter = body["id"]
    assert body["stage"] == "Drafting" and body["is_facilitator"] and body["on_team"]
    assert body["rule"] == "all_but_one" and body["cadence_months"] == 2
    assert len(body["members"]) == 6 and body["working"]["status"] == "draft"
    assert any(gap["blocks"] for gap in body["gaps"])
    assert CharterAuditEntry.objects.filter(charter_id=charter, action="charter.start").exists()

    # Values: each member once, pooled when three have answered.
    members = {pid: api(cast, pid) for pid in TEAM[1:]}
    assert [r["id"] for r in members["sam"].get(BASE).json()] == [charter]
    assert members["sam"].get(BASE).json()[0]["waiting_on_me"] == ["Answer the values questions"]
    for pid in ("sam", "nina", "ned"):
        answered = members[pid].post(f"{BASE}/{charter}/values", {"answers": VALUES[pid]}, **JSON)
        assert answered.status_code == 204, answered.content
    again = members["sam"].post(f"{BASE}/{charter}/values", {"answers": VALUES["sam"]}, **JSON)
    assert "answered already" in errors(again)[None]
    pooled = nora.get(f"{BASE}/{charter}/values").json()
    assert pooled["shown"] and pooled["answered"] == 3 and pooled["version"] == 1
    patients = next(p for p in pooled["prompts"] if p["prompt"] == "patients")
    assert any(t["name"] == "Patients and families" and t["people"] == 3
               for t in patients["themes"])  # fmt: skip

    # The draft, whole; proposed; endorsed by everyone: adopted.
    drafted_ = nora.put(f"{BASE}/{charter}/draft", draft_body(cast, version=1), **JSON)
    assert drafted_.status_code == 200, drafted_.content
    assert drafted_.json()["norms"][0]["text"].startswith("We hand over")
    assert drafted_.json()["roles"][1]["owner"] == "Sam Nurse"
    assert not any(gap["blocks"] for gap in nora.get(f"{BASE}/{charter}").json()["gaps"])
    proposed = nora.post(f"{BASE}/{charter}/propose")
    assert proposed.status_code == 200 and proposed.json()["status"] == "proposed"
    assert members["sam"].get(BASE).json()[0]["waiting_on_me"] == ["Endorse the draft, or comment"]
    commented = members["peter"].post(f"{BASE}/{charter}/endorse", {
        "version": 1, "decision": "commented", "comment": "Add nights."}, **JSON)  # fmt: skip
    assert commented.status_code == 200 and commented.json()["status"] == "proposed"
    for client in (nora, *members.values()):
        endorsed = client.post(f"{BASE}/{charter}/endorse",
                               {"version": 1, "decision": "endorsed"}, **JSON)  # fmt: skip
        assert endorsed.status_code == 200, endorsed.content
    assert endorsed.json()["status"] == "adopted"
    detail = members["sam"].get(f"{BASE}/{charter}").json()
    assert detail["stage"] == "In force" and detail["in_force"]["number"] == 1
    assert detail["next_revisit_on"] and detail["working"] is None

    # Revised, changed, adopted again: the history and the difference.
    revised = nora.post(f"{BASE}/{charter}/revise")
    assert revised.status_code == 201 and revised.json()["number"] == 2
    assert revised.json()["based_on"] == 1
    changed = draft_body(cast, version=2)
    changed["norms"][1] = {"text": "We take our breaks.",
                           "signs": "Nobody skips a break two shifts running"}  # fmt: skip
    assert nora.put(f"{BASE}/{charter}/draft", changed, **JSON).status_code == 200
    assert nora.post(f"{BASE}/{charter}/propose").status_code == 200
    for client in (nora, *members.values()):
        client.post(f"{BASE}/{charter}/endorse", {"version": 2, "decision": "endorsed"}, **JSON)
    versions = members["sam"].get(f"{BASE}/{charter}/versions").json()
    assert [(v["number"], v["status"]) for v in versions] == [(2, "adopted"), (1, "superseded")]
    one = members["sam"].get(f"{BASE}/{charter}/versions/1").json()
    assert {e["decision"] for e in one["endorsements"]} == {"endorsed"}
    diff = members["sam"].get(f"{BASE}/{charter}/diff", {"a": 1, "b": 2}).json()
    norms = next(s for s in diff["sections"] if s["name"] == "Norms")
    assert norms["changed"]
    assert [(line["kind"], line["text"].split(" (")[0]) for line in norms["lines"]
            if line["kind"] != "same"] == [("removed", "We ask for help before we are drowning."),
                                           ("added", "We take our breaks.")]  # fmt: skip

    # A revisit: ratings pooled over three, never per person.
    opened = nora.post(f"{BASE}/{charter}/revisit")
    assert opened.status_code == 201 and opened.json()["version"] == 2
    in_force = members["sam"].get(f"{BASE}/{charter}").json()["in_force"]
    first, second = (n["id"] for n in in_force["norms"])
    for pid, scores in (("sam", {first: 4, second: 2}), ("nina", {first: 5, second: 3})):
        rated = members[pid].post(f"{BASE}/{charter}/revisit/ratings", {"ratings": scores}, **JSON)
        assert rated.status_code == 204, rated.content
    hidden = nora.get(f"{BASE}/{charter}/revisit").json()
    assert hidden["answered"] == 2 and not hidden["shown"] and hidden["norms"] == []
    members["ned"].post(f"{BASE}/{charter}/revisit/ratings", {"ratings": {first: 3}}, **JSON)
    shown = members["paula"].get(f"{BASE}/{charter}/revisit").json()
    assert shown["shown"] and shown["answered"] == 3 and shown["closed_at"] is None
    kept, unsure = shown["norms"]
    assert kept["norm_id"] == first and kept["mean"] == pytest.approx(4.0)
    assert kept["counts"] == [0, 0, 1, 1, 1]
    assert unsure["mean"] is None and unsure["answered"] == 2 and unsure["counts"] == []
    closed = nora.post(f"{BASE}/{charter}/revisit/close")
    assert closed.status_code == 200 and closed.json()["closed_at"]
    assert nora.get(f"{BASE}/{charter}/revisit").json()["closed_at"]

    # Settings, members and hand-over: the facilitator's.
    patched = nora.patch(f"{BASE}/{charter}", {"rule": "everyone", "cadence_months": 6}, **JSON)
    assert patched.status_code == 200, patched.content
    assert (patched.json()["rule"], patched.json()["cadence_months"]) == ("everyone", 6)
    members_ = nora.put(f"{BASE}/{charter}/members", {"people": [*TEAM, "olga"]}, **JSON)
    assert members_.status_code == 200 and len(members_.json()["members"]) == 7
    handed = nora.post(f"{BASE}/{charter}/hand-over", {"facilitator": "sam"}, **JSON)
    assert handed.status_code == 200 and handed.json()["facilitator"] == "Sam Nurse"
    assert nora.post(f"{BASE}/{charter}/revisit").status_code == 403
    actors = set(
        CharterAuditEntry.objects.filter(charter_id=charter).values_list("actor", flat=True)
    )
    assert "nora@riverside.example" in " ".join(actors)


def test_pooled_values_stay_hidden_below_three_and_never_name_anyone(cast: Cast) -> None:
    charter = started(cast)
    for pid in ("sam", "nina"):
        api(cast, pid).post(f"{BASE}/{charter.pk}/values", {"answers": VALUES[pid]}, **JSON)
    response = api(cast, cast.nurse_manager).get(f"{BASE}/{charter.pk}/values")
    assert response.status_code == 200
    assert response.json() == {"version": 1, "answered": 2, "shown": False, "minimum": 3,
                               "prompts": []}  # fmt: skip
    api(cast, "ned").post(f"{BASE}/{charter.pk}/values", {"answers": VALUES["ned"]}, **JSON)
    shown = api(cast, "sam").get(f"{BASE}/{charter.pk}/values")
    assert shown.json()["shown"]
    text = shown.content.decode()
    for name in ("Sam", "Nina", "Ned", "sheet", "person"):
        assert name not in text
    # Neither the detail nor the list says who answered: only how many.
    detail = api(cast, cast.nurse_manager).get(f"{BASE}/{charter.pk}").json()
    assert detail["values_answered"] == 3


def test_pooled_ratings_never_list_anything_per_person(cast: Cast) -> None:
    charter = adopted(cast)
    nora = api(cast, cast.nurse_manager)
    assert nora.get(f"{BASE}/{charter.pk}/revisit").status_code == 404  # none yet
    assert nora.post(f"{BASE}/{charter.pk}/revisit").status_code == 201
    norm = Norm.objects.filter(version__charter=charter, version__number=1).first()
    assert norm is not None
    for pid in ("sam", "nina", "ned"):
        api(cast, pid).post(f"{BASE}/{charter.pk}/revisit/ratings", {"ratings": {norm.pk: 4}},
                            **JSON)  # fmt: skip
    pooled = nora.get(f"{BASE}/{charter.pk}/revisit").json()
    assert set(pooled) == {"version", "opened_at", "closes_at", "closed_at", "answered", "shown",
                           "minimum", "norms"}  # fmt: skip
    assert set(pooled["norms"][0]) == {"norm_id", "text", "answered", "mean", "counts"}
    assert pooled["norms"][0]["counts"] == [0, 0, 0, 3, 0]
    assert pooled["norms"][1] == {"norm_id": pooled["norms"][1]["norm_id"],
                                  "text": pooled["norms"][1]["text"], "answered": 0,
                                  "mean": None, "counts": []}  # fmt: skip


def test_bad_input_is_a_422_naming_the_field(cast: Cast) -> None:
    nora = api(cast, cast.nurse_manager)
    group = {"name": "ED team", "kind": "group", "people": list(TEAM)}
    assert "rule" in errors(nora.post(BASE, {**group, "rule": "majority"}, **JSON))
    assert "cadence_months" in errors(nora.post(BASE, {**group, "cadence_months": 13}, **JSON))
    assert "kind" in errors(nora.post(BASE, {**group, "kind": "ward"}, **JSON))
    unknown = errors(nora.post(BASE, {**group, "people": [*TEAM, "nobody@x.example"]}, **JSON))
    assert "nobody@x.example" in unknown["people"]
    no_facilitator = errors(nora.post(BASE, {**group, "facilitator": "zed"}, **JSON))
    assert "zed" in no_facilitator["facilitator"]
    pediatrics = Unit.objects.get(organisation=cast.riverside, name="Pediatrics").pk
    assert "unit_id" in errors(nora.post(BASE, {"name": "Peds", "kind": "unit",
                                                "unit_id": pediatrics}, **JSON))  # fmt: skip
    assert "people" in errors(nora.post(BASE, {"name": "Peds", "kind": "group", "people": ["sam"]},
                                        **JSON))  # a team of one  # fmt: skip
    assert not CharterAuditEntry.objects.exists()

    charter = started(cast).pk
    assert "cadence_months" in errors(nora.patch(f"{BASE}/{charter}", {"cadence_months": 13},
                                                 **JSON))  # fmt: skip
    assert "rule" in errors(nora.patch(f"{BASE}/{charter}", {"rule": "most"}, **JSON))
    outsider_owner = draft_body(cast)
    outsider_owner["roles"][0]["owner_id"] = cast.person("olga").pk
    assert errors(nora.put(f"{BASE}/{charter}/draft", outsider_owner, **JSON)) == {
        "roles.0": "Responsibility 1: its owner must be on the team."
    }
    twice = draft_body(cast)
    twice["norms"].append(dict(twice["norms"][0]))
    assert "norms.2" in errors(nora.put(f"{BASE}/{charter}/draft", twice, **JSON))
    assert "norms.0" in errors(nora.put(f"{BASE}/{charter}/draft",
                                             {"norms": [{"text": "  "}]}, **JSON))  # fmt: skip
    stale = errors(nora.put(f"{BASE}/{charter}/draft", draft_body(cast, version=7), **JSON))
    assert "changed while you edited" in stale[None]
    empty = nora.post(f"{BASE}/{charter}/propose")
    assert {e["field"] for e in errors_of(empty)} == {"draft"}
    assert any("Write the vision" in e["message"] for e in errors_of(empty))
    assert "answers" in errors(api(cast, "sam").post(f"{BASE}/{charter}/values",
                                                     {"answers": {}}, **JSON))  # fmt: skip

    sams = api(cast, "sam")
    group_charter = adopted(cast)
    no_comment = sams.post(f"{BASE}/{group_charter.pk}/endorse",
                           {"version": 1, "decision": "commented"}, **JSON)  # fmt: skip
    assert "comment" in errors(no_comment)
    assert "decision" in errors(sams.post(f"{BASE}/{group_charter.pk}/endorse",
                                          {"version": 1, "decision": "maybe"}, **JSON))  # fmt: skip
    nora.post(f"{BASE}/{group_charter.pk}/revisit")
    norm = Norm.objects.filter(version__charter=group_charter, version__number=1).first()
    assert norm is not None
    seven = errors(sams.post(f"{BASE}/{group_charter.pk}/revisit/ratings",
                             {"ratings": {norm.pk: 7}}, **JSON))  # fmt: skip
    assert list(seven) == [f"ratings.{norm.pk}"]
    another = world.started(cast)
    world.drafted(cast, another)
    other = Norm.objects.filter(version__charter=another).first()
    assert other is not None
    foreign = errors(sams.post(f"{BASE}/{group_charter.pk}/revisit/ratings",
                               {"ratings": {other.pk: 3}}, **JSON))  # fmt: skip
    assert "is not in the charter revisited" in foreign["ratings"]
    assert "ratings" in errors(sams.post(f"{BASE}/{group_charter.pk}/revisit/ratings",
                                         {"ratings": {}}, **JSON))  # fmt: skip

    unit = nora.post(BASE, {"name": "ED Nursing", "kind": "unit",
                            "unit_id": cast.person("nora").unit_id}, **JSON)  # fmt: skip
    assert unit.status_code == 201, unit.content
    follows = errors(nora.put(f"{BASE}/{unit.json()['id']}/members", {"people": ["sam", "nina"]},
                              **JSON))  # fmt: skip
    assert "follow the org chart" in follows["people"]
    assert "people" in errors(nora.put(f"{BASE}/{group_charter.pk}/members",
                                       {"people": ["sam", "ghost"]}, **JSON))  # fmt: skip
    assert "facilitator" in errors(nora.post(f"{BASE}/{group_charter.pk}/hand-over",
                                             {"facilitator": "ghost"}, **JSON))  # fmt: skip


def test_an_endorsement_of_a_stale_version_is_refused(cast: Cast) -> None:
    charter = started(cast)
    drafted(cast, charter)
    nora, sam = api(cast, cast.nurse_manager), api(cast, "sam")
    assert nora.post(f"{BASE}/{charter.pk}/propose").status_code == 200
    assert nora.post(f"{BASE}/{charter.pk}/revise").json()["number"] == 2
    stale = sam.post(f"{BASE}/{charter.pk}/endorse", {"version": 1, "decision": "endorsed"}, **JSON)
    assert "no longer waiting" in errors(stale)["version"]
    assert nora.post(f"{BASE}/{charter.pk}/propose").json()["number"] == 2
    stale = sam.post(f"{BASE}/{charter.pk}/endorse", {"version": 1, "decision": "endorsed"}, **JSON)
    assert "version" in errors(stale)
    fresh = sam.post(f"{BASE}/{charter.pk}/endorse", {"version": 2, "decision": "endorsed"}, **JSON)
    assert fresh.status_code == 200
    # The withdrawn version 1 keeps nobody's endorsement; version 2 has sam's.
    read = sam.get(f"{BASE}/{charter.pk}").json()
    assert [(e["name"], e["decision"]) for e in read["endorsements"]] == [("Sam Nurse", "endorsed")]


def test_those_who_oversee_read_the_charter_in_force_only(cast: Cast) -> None:
    nora = api(cast, cast.nurse_manager)
    made = nora.post(BASE, {"name": "ED Nursing", "kind": "unit",
                            "unit_id": cast.person("nora").unit_id}, **JSON)  # fmt: skip
    charter = made.json()["id"]
    assert {m["name"] for m in made.json()["members"]} == {
        "Nora Manager", "Sam Nurse", "Nina Nurse", "Ned Nurse"}  # fmt: skip
    nursing = ("nora", "sam", "nina", "ned")
    assert nora.put(f"{BASE}/{charter}/draft", draft_body(cast, nursing), **JSON).status_code == 200
    assert nora.post(f"{BASE}/{charter}/propose").status_code == 200
    for pid in nursing:
        api(cast, pid).post(f"{BASE}/{charter}/endorse", {"version": 1, "decision": "endorsed"},
                            **JSON)  # fmt: skip
    assert nora.post(f"{BASE}/{charter}/revise").status_code == 201
    for who in (cast.admin, cast.executive, cast.chair):
        client = api(cast, who)
        read = client.get(f"{BASE}/{charter}")
        assert read.status_code == 200, who
        body = read.json()
        assert body["in_force"]["number"] == 1 and body["stage"].startswith("In force")
        assert body["working"] is None and body["endorsements"] is None and body["gaps"] is None
        assert [row["on_team"] for row in client.get(BASE).json() if row["id"] == charter] == [
            False
        ]
        assert [v["number"] for v in client.get(f"{BASE}/{charter}/versions").json()] == [1]
        assert client.get(f"{BASE}/{charter}/versions/1").json()["endorsements"] is None
        assert client.get(f"{BASE}/{charter}/versions/2").status_code == 404
        assert client.get(f"{BASE}/{charter}/diff", {"a": 1, "b": 2}).status_code == 404
        for team_only in ("values", "revisit"):
            assert client.get(f"{BASE}/{charter}/{team_only}").status_code == 403
        endorse = client.post(f"{BASE}/{charter}/endorse", {"version": 1, "decision": "endorsed"},
                              **JSON)  # fmt: skip
        assert endorse.status_code == 403
        assert client.put(f"{BASE}/{charter}/draft", {}, **JSON).status_code == 403
    # The admin may hand the charter over; the executive and the chair may not.
    assert api(cast, cast.executive).post(f"{BASE}/{charter}/hand-over",
                                          {"facilitator": "sam"}, **JSON).status_code == 403  # fmt: skip
    handed = api(cast, cast.admin).post(f"{BASE}/{charter}/hand-over", {"facilitator": "sam"},
                                        **JSON)  # fmt: skip
    assert handed.status_code == 200
    # A leader over another unit, a named group's outsiders: nothing at all.
    group = adopted(cast)
    assert api(cast, cast.chair).get(f"{BASE}/{group.pk}").status_code == 404
    assert group.pk not in [row["id"] for row in api(cast, cast.chair).get(BASE).json()]
    assert api(cast, "olga").get(f"{BASE}/{charter}").status_code == 404


def test_outsiders_coaches_and_anonymous_callers_are_refused(cast: Cast) -> None:
    charter = adopted(cast).pk
    outsider, coach = api(cast, cast.outsider), api(cast, cast.coach)
    assert outsider.get(BASE).json() == []
    for path in ("", "/values", "/versions", "/versions/1", "/revisit"):
        assert outsider.get(f"{BASE}/{charter}{path}").status_code == 404, path
        assert coach.get(f"{BASE}/{charter}{path}").status_code == 403, path
        assert Client().get(f"{BASE}/{charter}{path}").status_code == 401, path
    assert coach.get(BASE).status_code == 403
    assert outsider.post(BASE, {"name": "x", "kind": "group", "people": ["sam", "nina"]},
                         **JSON).status_code == 403  # fmt: skip
    assert api(cast, cast.staff_nurse).post(BASE, {"name": "x", "kind": "group",
                                                   "people": ["sam", "nina"]},
                                            **JSON).status_code == 403  # fmt: skip
    assert api(cast, cast.staff_nurse).get(f"{BASE}/{2**63}").status_code == 422


def test_the_openapi_document_lists_the_charter_operations(db: None) -> None:
    document = Client().get("/api/openapi.json").json()
    operations = {
        f"{method.upper()} {path}"
        for path, methods in document["paths"].items()
        if path.startswith("/api/charters")
        for method in methods
    }
    c = "/api/charters/{charter_id}"
    assert operations == {
        "GET /api/charters", "POST /api/charters", f"GET {c}", f"PATCH {c}",
        f"PUT {c}/members", f"POST {c}/hand-over", f"POST {c}/values", f"GET {c}/values",
        f"PUT {c}/draft", f"POST {c}/propose", f"POST {c}/revise", f"POST {c}/endorse",
        f"GET {c}/versions", f"GET {c}/versions/{{number}}", f"GET {c}/diff",
        f"POST {c}/revisit", f"POST {c}/revisit/ratings", f"POST {c}/revisit/close",
        f"GET {c}/revisit", f"GET {c}/pulses", f"POST {c}/pulses",
        f"DELETE {c}/pulses/{{pulse_id}}",
    }  # fmt: skip
    schemas = document["components"]["schemas"]
    start = schemas["CharterIn"]["properties"]
    assert start["kind"]["enum"] == TeamKind.values
    assert start["rule"]["enum"] == AdoptionRule.values
    assert start["cadence_months"]["maximum"] == 12
    assert schemas["CharterEndorseIn"]["properties"]["decision"]["enum"] == Decision.values
    assert (
        schemas["CharterRatingsIn"]["properties"]["ratings"]["additionalProperties"]["maximum"] == 5
    )
    referenced = {name for name in schemas if name.startswith("Charter")}
    assert {"CharterOut", "CharterVersionOut", "CharterNormIn", "CharterValuesOut"} <= referenced
    # The pulse operations: each schema under a name of its own, not taken by another app's.
    pulses = document["paths"][f"{c}/pulses"]
    assert _schema_of(pulses["get"], "200") == "CharterPulsesOut"
    assert _schema_of(pulses["post"], "201") == "CharterPulseOut"
    assert _schema_of(pulses["post"], "422") == "Refusal"
    body = pulses["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body == "#/components/schemas/CharterPulseIn"
    withdraw = document["paths"][f"{c}/pulses/{{pulse_id}}"]["delete"]
    assert {"204", "403", "404", "422"} <= set(withdraw["responses"])
    assert set(schemas["CharterPulseIn"]["properties"]) == {"cycle_id"}
    assert schemas["CharterPulseIn"]["required"] == ["cycle_id"]
    assert set(schemas["CharterPulsesOut"]["properties"]) == {"pulses", "upcoming"}
    assert set(schemas["CharterPulseOut"]["properties"]) == {
        "id", "cycle_id", "cycle_name", "cycle_status", "opens_at", "state", "version",
        "statements", "asked_count", "results"}  # fmt: skip
    assert set(schemas["CharterPulseResultsOut"]["properties"]) == {
        "published", "answered", "minimum", "shown", "statements"}  # fmt: skip
    assert set(schemas["CharterPulseStatementOut"]["properties"]) == {
        "text", "answered", "mean", "counts"}  # fmt: skip
    assert set(schemas["CharterUpcomingPulseOut"]["properties"]) == {
        "id", "name", "opens_at", "status"}  # fmt: skip
    operation_ids = [operation["operationId"] for methods in document["paths"].values()
                     for operation in methods.values()]  # fmt: skip
    assert len(operation_ids) == len(set(operation_ids))


def _schema_of(operation: dict[str, Any], status: str) -> str:
    ref = operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]
    return str(ref.rsplit("/", 1)[1])


# --- the norms in a pulse ---------------------------------------------------------------------

NORMS = [
    "We hand over face to face, with the plan said out loud.",
    "We ask for help before we are drowning.",
]
NOTHING_YET = {"published": False, "answered": None, "minimum": 4, "shown": False,
               "statements": []}  # fmt: skip


def test_the_facilitator_adds_the_norms_to_a_pulse_and_takes_them_out(cast: Cast) -> None:
    charter = adopted(cast).pk
    cycle = upcoming_pulse(cast, minimum=4)
    later = upcoming_pulse(cast, minimum=4, name="Winter pulse",
                           opens_at=cycle.opens_at + dt.timedelta(days=30),
                           closes_at=cycle.closes_at + dt.timedelta(days=30))  # fmt: skip
    nora, sam = api(cast, cast.nurse_manager), api(cast, "sam")
    listed = nora.get(f"{BASE}/{charter}/pulses")
    assert listed.status_code == 200, listed.content
    assert listed.json()["pulses"] == []
    assert [(p["id"], p["name"], p["status"]) for p in listed.json()["upcoming"]] == [
        (cycle.pk, "Autumn pulse", "draft"), (later.pk, "Winter pulse", "draft")]  # fmt: skip
    # A member reads the team's pulses but has nothing to add to, and may not add.
    assert sam.get(f"{BASE}/{charter}/pulses").json() == {"pulses": [], "upcoming": []}
    assert sam.post(f"{BASE}/{charter}/pulses", {"cycle_id": cycle.pk}, **JSON).status_code == 403
    assert not PulseNorms.objects.exists()

    added = nora.post(f"{BASE}/{charter}/pulses", {"cycle_id": cycle.pk}, **JSON)
    assert added.status_code == 201, added.content
    item = added.json()
    pulse = PulseNorms.objects.get()
    assert item == {
        "id": pulse.pk, "cycle_id": cycle.pk, "cycle_name": "Autumn pulse",
        "cycle_status": "draft", "opens_at": item["opens_at"], "state": "waiting",
        "version": 1, "statements": NORMS, "asked_count": 0, "results": NOTHING_YET,
    }  # fmt: skip
    # (JSON carries the time to the millisecond)
    assert abs(dt.datetime.fromisoformat(item["opens_at"]) - cycle.opens_at) < dt.timedelta(
        milliseconds=1)  # fmt: skip
    again = nora.post(f"{BASE}/{charter}/pulses", {"cycle_id": cycle.pk}, **JSON)
    assert "already" in errors(again)["cycle_id"]
    listed = nora.get(f"{BASE}/{charter}/pulses").json()
    assert listed["pulses"] == [item]
    assert [p["id"] for p in listed["upcoming"]] == [later.pk]
    assert sam.get(f"{BASE}/{charter}/pulses").json() == {"pulses": [item], "upcoming": []}

    # The facilitator takes the norms out before the survey opens; a member may not.
    withdraw = f"{BASE}/{charter}/pulses/{pulse.pk}"
    assert sam.delete(withdraw).status_code == 403
    assert nora.delete(withdraw).status_code == 204
    assert not TeamQuestions.objects.exists()
    assert nora.delete(withdraw).status_code == 404
    assert nora.get(f"{BASE}/{charter}/pulses").json()["pulses"] == []
    entries = CharterAuditEntry.objects.filter(charter_id=charter, action__startswith="pulse")
    assert sorted(entries.values_list("action", flat=True)) == ["pulse.add", "pulse.withdraw"]
    assert all("nora@riverside.example" in entry.actor for entry in entries)


def test_the_pulse_is_the_teams_own(cast: Cast) -> None:
    charter = adopted(cast).pk
    cycle = upcoming_pulse(cast, minimum=4)
    added = api(cast, cast.nurse_manager).post(f"{BASE}/{charter}/pulses",
                                               {"cycle_id": cycle.pk}, **JSON)  # fmt: skip
    assert added.status_code == 201, added.content
    pulse = added.json()["id"]
    # Someone outside the team, at riverside or elsewhere: nothing there at all.
    for outsider in (api(cast, "olga"), api(cast, cast.outsider)):
        assert outsider.get(f"{BASE}/{charter}/pulses").status_code == 404
        assert outsider.post(f"{BASE}/{charter}/pulses", {"cycle_id": cycle.pk},
                             **JSON).status_code == 404  # fmt: skip
        assert outsider.delete(f"{BASE}/{charter}/pulses/{pulse}").status_code == 404
    # Those who oversee the team: not the team's own.
    executive = api(cast, cast.executive)
    assert executive.get(f"{BASE}/{charter}/pulses").status_code == 403
    assert executive.delete(f"{BASE}/{charter}/pulses/{pulse}").status_code == 403
    assert api(cast, cast.coach).get(f"{BASE}/{charter}/pulses").status_code == 403
    assert Client().get(f"{BASE}/{charter}/pulses").status_code == 401
    assert PulseNorms.objects.filter(pk=pulse).exists()


def test_pulse_results_are_hidden_until_published_then_pooled(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks
) -> None:
    charter = adopted(cast).pk
    cycle = upcoming_pulse(cast, minimum=4)
    nora, sam = api(cast, cast.nurse_manager), api(cast, "sam")
    added = nora.post(f"{BASE}/{charter}/pulses", {"cycle_id": cycle.pk}, **JSON)
    assert added.status_code == 201, added.content
    pulse = added.json()["id"]
    cycle, tokens = opened(cycle, django_capture_on_commit_callbacks)
    (item,) = nora.get(f"{BASE}/{charter}/pulses").json()["pulses"]
    assert (item["state"], item["cycle_status"], item["asked_count"]) == ("asked", "open", 6)
    assert item["results"] == NOTHING_YET
    # Once the survey is open, the norms stay in it, and it takes no more.
    refused = errors(nora.delete(f"{BASE}/{charter}/pulses/{pulse}"))
    assert "already opened" in refused["pulse_id"]
    assert "has not opened yet" in errors(
        nora.post(f"{BASE}/{charter}/pulses", {"cycle_id": cycle.pk}, **JSON))["cycle_id"]  # fmt: skip
    assert nora.get(f"{BASE}/{charter}/pulses").json()["upcoming"] == []

    for who, codes in (("sam", {0: "4", 1: "2"}), ("nina", {0: "5", 1: "3"}),
                       ("ned", {0: "4", 1: "0"}), ("paula", {0: "3", 1: "2"}),
                       ("olga", None)):  # fmt: skip
        answer(tokens[f"{who}@riverside.example"], codes)
    close_now(cycle=cycle)
    (item,) = sam.get(f"{BASE}/{charter}/pulses").json()["pulses"]
    assert item["cycle_status"] == "closed" and item["results"] == NOTHING_YET

    publish_cycle(cycle=cycle)
    for client in (nora, sam):
        (item,) = client.get(f"{BASE}/{charter}/pulses").json()["pulses"]
        assert item["cycle_status"] == "published" and item["state"] == "asked"
        results = item["results"]
        assert (results["published"], results["answered"], results["shown"]) == (True, 4, True)
        # Rated by four, the first norm is shown; rated by three, the second is not.
        assert results["statements"] == [
            {"text": NORMS[0], "answered": 4, "mean": 4.0, "counts": [0, 0, 1, 2, 1]},
            {"text": NORMS[1], "answered": 3, "mean": None, "counts": []},
        ]
    text = sam.get(f"{BASE}/{charter}/pulses").content.decode()
    for name in ("Sam", "Nina", "Ned", "Paula", "person", "unit"):
        assert name not in text


def test_too_few_answers_show_nothing_not_even_how_many(
    cast: Cast, immediate_queue: object, django_capture_on_commit_callbacks
) -> None:
    charter = adopted(cast).pk
    cycle = upcoming_pulse(cast, minimum=4)
    nora = api(cast, cast.nurse_manager)
    assert nora.post(f"{BASE}/{charter}/pulses", {"cycle_id": cycle.pk},
                     **JSON).status_code == 201  # fmt: skip
    cycle, tokens = opened(cycle, django_capture_on_commit_callbacks)
    for who in ("sam", "nina", "ned"):
        answer(tokens[f"{who}@riverside.example"], {0: "4", 1: "4"})
    close_now(cycle=cycle)
    publish_cycle(cycle=cycle)
    (item,) = nora.get(f"{BASE}/{charter}/pulses").json()["pulses"]
    assert item["results"] == {"published": True, "answered": None, "minimum": 4, "shown": False,
                               "statements": []}  # fmt: skip


def test_pulse_refusals_and_bad_input_are_422s_naming_the_field(cast: Cast) -> None:
    charter = adopted(cast).pk
    nora = api(cast, cast.nurse_manager)
    add = f"{BASE}/{charter}/pulses"
    lakeview = create_cycle(organisation=cast.lakeview, settings=cycle_settings(cast.lakeview),
                            created_by=None)  # fmt: skip
    assert "has not opened yet" in errors(nora.post(add, {"cycle_id": lakeview.pk}, **JSON))[
        "cycle_id"]  # fmt: skip
    assert "has not opened yet" in errors(nora.post(add, {"cycle_id": 10**9}, **JSON))["cycle_id"]
    for body in ({}, {"cycle_id": "soon"}, {"cycle_id": None}, {"cycle_id": 0},
                 {"cycle_id": 2**63}, {"cycle_id": 1.5}, {"cycle": lakeview.pk}):  # fmt: skip
        assert list(errors(nora.post(add, body, **JSON))) == ["cycle_id"], body
    assert nora.post(add, [lakeview.pk], **JSON).status_code == 400
    assert nora.post(add).status_code == 400  # no body: not a JSON object, as everywhere
    assert list(errors(nora.delete(f"{add}/{2**63}"))) == ["pulse_id"]
    # Too few of the team in the survey's audience: refused, with how many.
    surgery = Unit.objects.get(organisation=cast.riverside, name="Surgery")
    elsewhere = upcoming_pulse(cast, minimum=4, units=(surgery,))
    assert "Only 0 of the team's 6" in errors(nora.post(add, {"cycle_id": elsewhere.pk},
                                                         **JSON))["cycle_id"]  # fmt: skip
    # No charter in force yet: nothing to ask.
    drafting = started(cast).pk
    cycle = upcoming_pulse(cast, minimum=4, name="Winter pulse")
    no_norms = errors(nora.post(f"{BASE}/{drafting}/pulses", {"cycle_id": cycle.pk}, **JSON))
    assert "Adopt a charter" in no_norms["cycle_id"]
    assert nora.get(f"{BASE}/{drafting}/pulses").json() == {"pulses": [], "upcoming": []}
    # Another charter's pulse is not there to take out.
    added = nora.post(add, {"cycle_id": cycle.pk}, **JSON)
    assert added.status_code == 201, added.content
    pulse = added.json()["id"]
    assert nora.delete(f"{BASE}/{drafting}/pulses/{pulse}").status_code == 404
    assert nora.delete(f"{BASE}/{drafting}/pulses/{10**9}").status_code == 404
    assert PulseNorms.objects.filter(pk=pulse).exists()
    assert not CharterAuditEntry.objects.filter(action="pulse.withdraw").exists()
