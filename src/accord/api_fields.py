"""The field types and error shapes every API router shares, each carrying into the OpenAPI
document the limit the server enforces, so that the document is the contract a client can
generate requests from: an id fits a 64-bit column, a line of text holds no control
character, a paragraph keeps only tab and line breaks, an amount has at most 14 digits.

django-ninja reads these annotations at run time: no ``from __future__ import annotations``.
"""

import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict

from accord.text import control_character_problem

# Ids and offsets are 64-bit integers in the database: anything larger is a 422 naming the
# parameter, not a database error.
MAX_INT64 = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_INT64)]

# The control-character rules of accord/text.py as patterns a JSON Schema reader understands
# (ECMA-262 and Python alike).
LINE_PATTERN = r"^[^\u0000-\u001f\u007f]*$"
NAME_PATTERN = r"^[^\u0000-\u001f\u007f]*[^\s\u0000-\u001f\u007f][^\u0000-\u001f\u007f]*$"
PARAGRAPH_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$"


def _line(value: str) -> str:
    problem = control_character_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _paragraph(value: str) -> str:
    problem = control_character_problem(value, multiline=True)
    if problem:
        raise ValueError(problem)
    return value


Line = Annotated[str, AfterValidator(_line), Field(json_schema_extra={"pattern": LINE_PATTERN})]
# A line that must say something: a title, a name (blank ones are refused by the services).
Name = Annotated[str, AfterValidator(_line), Field(json_schema_extra={"pattern": NAME_PATTERN})]
Paragraph = Annotated[
    str, AfterValidator(_paragraph), Field(json_schema_extra={"pattern": PARAGRAPH_PATTERN})
]


class DecimalRule:
    """A decimal amount as a JSON number or a string of digits (``written``). A number is a
    binary float to most clients (0.1 is not exactly 0.1), so it is rounded to the places the
    column keeps; a string is taken exactly as written, and refused if it does not fit."""

    def __init__(self, *, places: int, written: str, lowest: str, highest: str) -> None:
        self.places, self.written, self.lowest, self.highest = places, written, lowest, highest
        self.schema = {
            "anyOf": [
                {"type": "number", "minimum": float(lowest), "maximum": float(highest)},
                {"type": "string", "pattern": written},
            ]
        }
        self.limits = {"ge": Decimal(lowest), "le": Decimal(highest), "decimal_places": places}

    def parse(self, value: Any) -> Any:
        if isinstance(value, bool):
            return value  # pydantic refuses it as a decimal
        if isinstance(value, int | float) and abs(value) <= float(self.highest) + 1:
            # (a larger one is left to the limit, which refuses it; quantizing it could fail)
            return Decimal(repr(value)).quantize(Decimal(1).scaleb(-self.places))
        if isinstance(value, str) and not re.fullmatch(self.written, value):
            raise ValueError(
                f"Write a number from {self.lowest} to {self.highest} with at most "
                f"{self.places} decimal places, such as 12.5."
            )
        return value


def _without_null_defaults(document: dict[str, Any]) -> None:
    for field in document.get("properties", {}).values():
        if "default" in field and field["default"] is None:
            del field["default"]


def left_out(**limits: Any) -> Any:
    """The default of a ``Changes`` field: None, which pydantic does not validate, so that a
    field typed ``str`` may be left out but not sent as null."""
    return Field(None, **limits)


class Changes(Schema):
    """A PATCH body: each field may be left out (it reads None and stays as it is) but not
    sent as null unless its type says it may be (pydantic refuses a null ``str``; a default
    is not validated). The document offers no null either."""

    model_config = ConfigDict(json_schema_extra=_without_null_defaults)


class Error(Schema):
    detail: str


class Problem(Schema):
    field: str | None
    message: str
    kind: Literal["invalid", "refused"] = Field(
        description="`invalid`: the request breaks this document (a type, a limit). "
        "`refused`: it fits the document but a rule of the organisation's data refuses it "
        "(a time in the past, a cancelled conversation, a name already taken)."
    )


class Refusal(Schema):
    detail: str
    errors: list[Problem]
