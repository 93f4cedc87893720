"""Each rule rejects a bad definition with a problem naming the item and the field."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from accord.surveys.instruments import InstrumentError, InstrumentProblem, load_instrument

from .definitions import as_yaml, definition, item

Breaker = Callable[[dict[str, Any]], None]


def duplicate_item_id(data: dict[str, Any]) -> None:
    item(data, "recommend")["id"] = "say"


def unknown_construct(data: dict[str, Any]) -> None:
    item(data, "say")["construct"] = "morale"


def unknown_scale(data: dict[str, Any]) -> None:
    item(data, "say")["scale"] = "agree7"


def missing_spanish_text(data: dict[str, Any]) -> None:
    del item(data, "say")["text"]["es"]


def blank_english_text(data: dict[str, Any]) -> None:
    item(data, "say")["text"]["en"] = "   "


def reverse_coded_comment(data: dict[str, Any]) -> None:
    item(data, "change")["reverse_coded"] = True


def favourable_on_comment(data: dict[str, Any]) -> None:
    item(data, "change")["favourable"] = [1]


def burnout_without_favourable(data: dict[str, Any]) -> None:
    del item(data, "burnout")["favourable"]


def burnout_with_four_options(data: dict[str, Any]) -> None:
    item(data, "burnout")["options"].pop()


def favourable_outside_scale(data: dict[str, Any]) -> None:
    item(data, "say")["favourable"] = [4, 5, 6]


def unknown_role(data: dict[str, Any]) -> None:
    item(data, "say")["role"] = "predictor"


def unknown_item_field(data: dict[str, Any]) -> None:
    item(data, "say")["weight"] = 2


def version_as_text(data: dict[str, Any]) -> None:
    data["version"] = "1"


def version_as_fraction(data: dict[str, Any]) -> None:
    data["version"] = 1.5


def version_as_boolean(data: dict[str, Any]) -> None:
    data["version"] = True


CASES: list[tuple[Breaker, str | None, str, str]] = [
    (duplicate_item_id, "say", "id", "duplicate item id 'say'"),
    (unknown_construct, "say", "construct", "unknown construct 'morale'"),
    (unknown_scale, "say", "scale", "unknown scale 'agree7'"),
    (missing_spanish_text, "say", "text.es", "missing Spanish text"),
    (blank_english_text, "say", "text.en", "English text must be non-empty"),
    (reverse_coded_comment, "change", "reverse_coded", "cannot be reverse-coded"),
    (favourable_on_comment, "change", "favourable", "not allowed for a comment item"),
    (burnout_without_favourable, "burnout", "favourable", "is required for a burnout5 item"),
    (burnout_with_four_options, "burnout", "options", "exactly 5 options"),
    (favourable_outside_scale, "say", "favourable", "6 is not an answer code"),
    (unknown_role, "say", "role", "must be outcome, driver or behaviour"),
    (unknown_item_field, "say", "weight", "unknown field"),
    (version_as_text, None, "version", "must be a whole number"),
    (version_as_fraction, None, "version", "must be a whole number"),
    (version_as_boolean, None, "version", "must be a whole number"),
]


def problems_for(data: dict[str, Any]) -> list[InstrumentProblem]:
    with pytest.raises(InstrumentError) as caught:
        load_instrument(as_yaml(data))
    return caught.value.problems


@pytest.mark.parametrize(
    ("breaker", "item_id", "field", "message"), CASES, ids=[case[0].__name__ for case in CASES]
)
def test_rule_rejects_definition_naming_item_and_field(
    breaker: Breaker, item_id: str | None, field: str, message: str
) -> None:
    data = definition()
    breaker(data)

    problems = problems_for(data)

    assert len(problems) == 1, problems
    assert problems[0].item == item_id
    assert problems[0].field == field
    assert message in problems[0].message
    where = f"item '{item_id}', field '{field}'" if item_id else f"field '{field}'"
    assert str(problems[0]).startswith(where)


def test_every_problem_is_reported_at_once():
    data = definition()
    for breaker in (duplicate_item_id, unknown_construct, missing_spanish_text, version_as_text):
        breaker(data)
    reverse_coded_comment(data)

    with pytest.raises(InstrumentError) as caught:
        load_instrument(as_yaml(data))

    found = {(problem.item, problem.field) for problem in caught.value.problems}
    assert found == {
        ("say", "id"),
        ("say", "construct"),
        ("say", "text.es"),
        ("change", "reverse_coded"),
        (None, "version"),
    }
    assert "5 problem(s)" in str(caught.value)


def test_an_item_without_a_usable_id_is_named_by_its_position():
    data = definition()
    data["items"][1]["id"] = "Say Something"

    problems = problems_for(data)

    assert [(problem.item, problem.field) for problem in problems] == [("Say Something", "id")]
    del data["items"][1]["id"]
    assert [(p.item, p.field) for p in problems_for(data)] == [("#2", "id")]


def test_unreadable_yaml_is_an_instrument_error_with_the_line():
    with pytest.raises(InstrumentError, match="line 2"):
        load_instrument("id: x\nitems: [unclosed\n")


def test_a_file_that_is_not_a_mapping_is_rejected():
    with pytest.raises(InstrumentError, match="mapping"):
        load_instrument("- just\n- a list\n")


def test_loads_from_a_path(tmp_path: Path):
    path = tmp_path / "pulse.yaml"
    path.write_text(as_yaml(definition()), encoding="utf-8")

    assert load_instrument(path).key == ("test-pulse", 1)
    assert load_instrument(str(path)).key == ("test-pulse", 1)
