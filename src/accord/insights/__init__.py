"""Survey analytics: per-group results with anonymity guaranteed by construction.

The engine is pure NumPy — no Django import — so it runs the same in a request, a queue task,
a test or a benchmark. See docs/privacy.md ("Releasing results") for the anonymity model.
"""

from accord.insights.data import (
    MISSING,
    NOT_RECORDED,
    Comment,
    CycleData,
    Dimension,
    InsightsInputError,
    InstrumentMeta,
    ItemMeta,
    OutcomeMeta,
    UnitTree,
)
from accord.insights.engine import (
    REASONS,
    CommentList,
    DimensionInfo,
    GroupResult,
    ItemResult,
    ReleasePolicy,
    Report,
    UnitInfo,
    release_results,
)
from accord.insights.ledger import ReleaseRecord
from accord.insights.suppression import releasable_groups

__all__ = [
    "MISSING",
    "NOT_RECORDED",
    "REASONS",
    "Comment",
    "CommentList",
    "CycleData",
    "Dimension",
    "DimensionInfo",
    "GroupResult",
    "InsightsInputError",
    "InstrumentMeta",
    "ItemMeta",
    "ItemResult",
    "OutcomeMeta",
    "ReleasePolicy",
    "ReleaseRecord",
    "Report",
    "UnitInfo",
    "UnitTree",
    "releasable_groups",
    "release_results",
]
