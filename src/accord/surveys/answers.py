"""Reading a submitted form into answers, and packing answers into one row per response.

A response's scored answers are one byte per scored item in instrument order: the answer
code, or ``SKIPPED`` (255) when the item was left out. A whole cycle is then a single
``numpy.frombuffer`` away from the answer matrix the insights engine reads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from accord.surveys.instruments import SCALES, Instrument, Item

SKIPPED = 255
NOT_OBSERVED = 0  # a 360's "not observed", on scales that offer it: no rating, not a skip
MAX_COMMENT_LENGTH = 2000
ANSWER_CODE = re.compile(r"[0-9]{1,2}")


def scored_items(instrument: Instrument) -> tuple[Item, ...]:
    return tuple(item for item in instrument.items if not SCALES[item.scale].is_open_text)


def comment_items(instrument: Instrument) -> tuple[Item, ...]:
    return tuple(item for item in instrument.items if SCALES[item.scale].is_open_text)


def answer_codes(item: Item) -> tuple[int, ...]:
    """The codes a form may send for ``item``: its scale's, and "not observed" where offered."""
    scale = SCALES[item.scale]
    return (*scale.codes, NOT_OBSERVED) if scale.not_observed else scale.codes


@dataclass
class ParsedAnswers:
    """What a form carried: valid answers kept, every problem named by item."""

    scores: dict[str, int] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    # A team's statements (surveys/team_questions.py): codes by set id, skips as SKIPPED.
    team: dict[str, list[int]] = field(default_factory=dict)


def parse_answers(instrument: Instrument, data: Mapping[str, Any]) -> ParsedAnswers:
    """Answers from form fields named ``q_<item id>``; a missing or empty field is a skip.

    A question sent twice is refused rather than one of its values kept silently, and an
    answer code is plain ASCII digits (``int`` alone would take a full-width digit)."""
    parsed = ParsedAnswers()

    def value(item_id: str) -> str | None:
        name = f"q_{item_id}"
        if hasattr(data, "getlist") and len(data.getlist(name)) > 1:
            parsed.errors[item_id] = "This question was sent twice; choose one answer."
            return None
        return str(data.get(name) or "")

    for item in scored_items(instrument):
        raw = (value(item.id) or "").strip()
        if not raw:
            continue
        codes = answer_codes(item)
        code = int(raw) if ANSWER_CODE.fullmatch(raw) else None
        if code is None or code not in codes:
            parsed.errors[item.id] = "That is not one of the answers offered; choose one again."
        else:
            parsed.scores[item.id] = code
    for item in comment_items(instrument):
        text = (value(item.id) or "").replace("\x00", "").strip()
        if not text:
            continue
        if len(text) > MAX_COMMENT_LENGTH:
            parsed.errors[item.id] = (
                f"Please keep this to {MAX_COMMENT_LENGTH} characters (it has {len(text)})."
            )
        parsed.comments[item.id] = text
    return parsed


def pack(instrument: Instrument, scores: Mapping[str, int]) -> bytes:
    return bytes(scores.get(item.id, SKIPPED) for item in scored_items(instrument))


def unpack(instrument: Instrument, packed: bytes) -> dict[str, int]:
    return {
        item.id: code
        for item, code in zip(scored_items(instrument), packed, strict=True)
        if code != SKIPPED
    }
