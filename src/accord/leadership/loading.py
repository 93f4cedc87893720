"""A 360's stored answers into the report engine: the raters' rows from the surveys tables
(their group and packed answers, nothing else), the open answers with names redacted, the
leader's own ratings, and how many were asked per group. Many reviews load in one query
each, so a cohort's reports are computed together."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

import numpy as np

from accord.insights.text import Redactor
from accord.leadership.models import Review
from accord.leadership.report import GROUPS, Framework, Round
from accord.org.models import Person
from accord.surveys.answers import comment_items, scored_items
from accord.surveys.instruments import Instrument
from accord.surveys.models import Comment, Invitation, Response
from accord.surveys.selectors import organisation_instruments

GROUP_CODE = {group: code for code, group in enumerate(GROUPS)}


def framework_of(instrument: Instrument, asked: Sequence[str] = ()) -> Framework:
    """The framework as a round asked it: every behaviour, or those ``asked`` (a
    re-assessment's), with the competencies that hold them."""
    behaviours = [i for i in scored_items(instrument) if not asked or i.id in asked]
    competencies = tuple(dict.fromkeys(item.construct for item in behaviours))
    return Framework(
        competencies=competencies,
        behaviours=tuple(item.id for item in behaviours),
        competency_of=tuple(competencies.index(item.construct) for item in behaviours),
        questions=tuple(item.id for item in comment_items(instrument)),
    )


def instrument_of(review: Review) -> Instrument:
    registry = organisation_instruments(review.organisation)
    return registry.get(review.instrument_id, review.instrument_version)


def columns_of(instrument: Instrument, framework: Framework) -> list[int]:
    """Where the framework's behaviours sit in answers packed for the whole instrument."""
    order = [item.id for item in scored_items(instrument)]
    return [order.index(behaviour) for behaviour in framework.behaviours]


def rounds_of(
    reviews: Sequence[Review], behaviours: int, columns: Sequence[int] | None = None
) -> list[Round]:
    """Each review's round, in order. The reviews have closed rounds (``cycle`` set). Answers
    are packed for all ``behaviours`` of the instrument; ``columns`` keeps those a
    re-assessment asked."""
    cycles = {review.cycle_id: i for i, review in enumerate(reviews)}
    groups: dict[int, list[int]] = defaultdict(list)
    packed: dict[int, list[bytes]] = defaultdict(list)
    rows = Response.objects.filter(cycle_id__in=list(cycles)).values_list(
        "cycle_id", "rater_group", "answers"
    )
    for cycle_id, group, answers in rows.iterator(chunk_size=5000):
        groups[cycle_id].append(GROUP_CODE[group])
        packed[cycle_id].append(bytes(answers))
    asked: dict[int, Counter[str]] = defaultdict(Counter)
    for cycle_id, group in Invitation.objects.filter(cycle_id__in=list(cycles)).values_list(
        "cycle_id", "rater_group"
    ):
        asked[cycle_id][group] += 1
    comments = _comments(reviews)
    own = {
        review.pk: review.self_assessment
        for review in reviews
        if hasattr(review, "self_assessment") and review.self_assessment.submitted_at
    }
    result = []
    for review in reviews:
        closed = review.cycle_id
        assert closed is not None
        answers = b"".join(packed[closed])
        matrix = np.frombuffer(answers, dtype=np.uint8).reshape(-1, behaviours)
        if columns is not None:
            matrix = matrix[:, columns]
        mine = own.get(review.pk)
        result.append(
            Round(
                groups=np.asarray(groups[closed], dtype=np.int64),
                answers=matrix,
                asked=dict(asked[closed]),
                minimum=review.min_group_size,
                self_answers=_own(mine.answers, columns) if mine else None,
                comments=comments.get(closed, []),
                self_comments=dict(mine.comments) if mine else {},
            )
        )
    return result


def _comments(reviews: Sequence[Review]) -> dict[int, list[tuple[str, str]]]:
    if not reviews:
        return {}
    redactor = Redactor(
        Person.objects.filter(organisation_id=reviews[0].organisation_id).values_list(
            "name", flat=True
        )
    )
    found: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = Comment.objects.filter(cycle_id__in=[r.cycle_id for r in reviews]).values_list(
        "cycle_id", "item_id", "text"
    )
    for cycle_id, item, text in rows.iterator(chunk_size=5000):
        found[cycle_id].append((item, redactor.redact(text)))
    return found


def _own(packed: bytes, columns: Sequence[int] | None) -> np.ndarray:
    answers = np.frombuffer(bytes(packed), dtype=np.uint8)
    return answers if columns is None else answers[list(columns)]
