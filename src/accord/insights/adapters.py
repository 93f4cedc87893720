"""Turn a survey instrument definition into the plain metadata the engine reads.

The engine works on raw answer codes, exactly as the collection stores them; reverse-coding
is applied here, once, by listing which raw codes count as favourable and what each raw code
scores. ``accord.surveys.instruments`` has no Django import either.
"""

from __future__ import annotations

from accord.insights.data import InstrumentMeta, ItemMeta, OutcomeMeta

# The answer matrix's columns are the scored items in instrument order, as collection packs them.
from accord.surveys.answers import scored_items
from accord.surveys.instruments import SCALES, Instrument

AGREEING = (4, 5)  # on agree5: agree, strongly agree — whatever the statement's direction
PROMOTERS = range(9, 11)
DETRACTORS = range(7)


def instrument_meta(instrument: Instrument) -> InstrumentMeta:
    """Items with favourable raw codes and scores, and the headline outcomes the items allow.

    * burnout rate: answers to the ``burnout`` item that are not favourable;
    * intent-to-leave rate: agreeing (raw 4-5) with the ``intent_to_leave`` statement, which
      is reverse-coded, so agreeing is the unfavourable answer;
    * feeling valued: favourable answers to the ``feeling_valued`` item;
    * employee net promoter score: on the likelihood item of ``recommend``, the share
      answering 9-10 minus the share answering 0-6 (on the scored scale).
    """
    items = scored_items(instrument)
    metas = []
    for item in items:
        codes = SCALES[item.scale].codes
        metas.append(
            ItemMeta(
                id=item.id,
                construct=item.construct,
                role=item.role,
                codes=codes,
                favourable=tuple(code for code in codes if item.is_favourable(code)),
                scores=tuple(item.score(code) for code in codes),
            )
        )
    outcomes = []
    for j, item in enumerate(items):
        meta = metas[j]
        if item.construct == "burnout" and item.favourable:
            unfavourable = tuple(c for c in meta.codes if c not in meta.favourable)
            outcomes.append(OutcomeMeta("burnout_rate", j, unfavourable))
        elif item.construct == "intent_to_leave" and item.scale == "agree5":
            outcomes.append(OutcomeMeta("intent_to_leave_rate", j, AGREEING))
        elif item.construct == "feeling_valued" and item.favourable:
            outcomes.append(OutcomeMeta("feeling_valued_pct", j, meta.favourable))
        elif item.construct == "recommend" and item.scale == "likelihood11":
            promoters = tuple(c for c in meta.codes if item.score(c) in PROMOTERS)
            detractors = tuple(c for c in meta.codes if item.score(c) in DETRACTORS)
            outcomes.append(OutcomeMeta("enps", j, promoters, detractors))
    return InstrumentMeta(tuple(metas), tuple(outcomes))
