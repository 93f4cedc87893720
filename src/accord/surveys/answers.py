"""Reading a submitted form into answers, and packing answers into one row per response.

A response's scored answers are one byte per scored item in instrument order: the answer
code, or ``SKIPPED`` (255) when the item was left out. A whole cycle is then a single
``numpy.frombuffer`` away from the answer matrix the insights engine reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from accord.surveys.instruments import SCALES, Instrument, Item

SKIPPED = 255
MAX_COMMENT_LENGTH = 2000


def scored_items(instrument: Instrument) -> tuple[Item, ...]:
    return tuple(item for item in instrument.items if not SCALES[item.scale].is_open_text)


def comment_items(instrument: Instrument) -> tuple[Item, ...]:
    return tuple(item for item in instrument.items if SCALES[item.scale].is_open_text)


@dataclass
class ParsedAnswers:
    """What a form carried: valid answers kept, every problem named by item."""

    scores: dict[str, int] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def parse_answers(instrument: Instrument, data: Mapping[str, str]) -> ParsedAnswers:
    """Answers from form fields named ``q_<item id>``; a missing or empty field is a skip."""
    parsed = ParsedAnswers()
    for item in scored_items(instrument):
        raw = (data.get(f"q_{item.id}") or "").strip()
        if not raw:
            continue
        codes = SCALES[item.scale].codes
        try:
            code = int(raw)
        except ValueError:
            code = None
        if code is None or code not in codes:
            parsed.errors[item.id] = "That is not one of the answers offered; choose one again."
        else:
            parsed.scores[item.id] = code
    for item in comment_items(instrument):
        text = (data.get(f"q_{item.id}") or "").replace("\x00", "").strip()
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
