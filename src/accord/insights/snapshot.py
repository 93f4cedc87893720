"""A released report as bytes, so a release is frozen exactly as it was computed.

A release is stored once and read by every page, export and API call afterwards; nothing is
recomputed from the answers on view. The format is a NumPy ``.npz`` archive (no pickling) with
the report's arrays and one JSON member for everything else. Only what the report holds is
stored: released numbers, reasons, and comment texts already redacted and shuffled.
"""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np

from accord.insights.data import UnitTree
from accord.insights.engine import CommentList, DimensionInfo, GroupTable, Report

SNAPSHOT_FORMAT = "accord.release-snapshot/1"

_TABLE = ("unit", "dimension", "value", "released", "reason", "row")
_ARRAYS = (
    "invited",
    "respondents",
    "answered",
    "option_counts",
    "favourable_pct",
    "mean",
    "construct_index",
    "outcome_values",
)


def dump_report(report: Report) -> bytes:
    meta = {
        "format": SNAPSHOT_FORMAT,
        "minimum_group_size": report.minimum_group_size,
        "comment_minimum": report.comment_minimum,
        "unit_ids": list(report.tree.ids),
        "unit_names": list(report.tree.names),
        "dimensions": [[d.name, list(d.values)] for d in report.dimensions],
        "dimension_labels": [list(labels) for labels in report.dimension_labels],
        "items": list(report.items),
        "item_codes": [list(codes) for codes in report.item_codes],
        "constructs": list(report.constructs),
        "outcomes": list(report.outcomes),
        "suppression_rounds": report.suppression_rounds,
        "comments": [
            [c.group, c.item, c.released, list(c.texts or ()), c.reason_code, c.reason]
            for c in report.comments
        ],
    }
    arrays: dict[str, Any] = {
        "meta": np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
        "tree_parent": report.tree.parent,
        "tree_direct_invited": report.tree.direct_invited,
    }
    for name in _TABLE:
        arrays[f"table_{name}"] = getattr(report.table, name)
    for name in _ARRAYS:
        value = getattr(report, name)
        # Counts fit in 32 bits; halving them keeps big organisations' releases small.
        if value.dtype.kind == "i":
            value = value.astype(np.int32)
        arrays[name] = value
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def load_report(blob: bytes) -> Report:
    with np.load(io.BytesIO(blob), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files}
    meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
    if meta.get("format") != SNAPSHOT_FORMAT:
        raise ValueError(f"not a release snapshot in the {SNAPSHOT_FORMAT} format")
    tree = UnitTree(
        ids=tuple(meta["unit_ids"]),
        parent=arrays["tree_parent"],
        direct_invited=arrays["tree_direct_invited"],
        names=tuple(meta["unit_names"]),
    )
    table = GroupTable(
        **{name: arrays[f"table_{name}"].astype(bool if name == "released" else np.int64)
           for name in _TABLE}
    )  # fmt: skip
    numbers = {
        name: arrays[name].astype(np.int64) if arrays[name].dtype.kind == "i" else arrays[name]
        for name in _ARRAYS
    }
    comments = tuple(
        CommentList(group, item, released, tuple(texts) if released else None, code, reason)
        for group, item, released, texts, code, reason in meta["comments"]
    )
    return Report(
        minimum_group_size=meta["minimum_group_size"],
        comment_minimum=meta["comment_minimum"],
        tree=tree,
        dimensions=tuple(DimensionInfo(name, tuple(values)) for name, values in meta["dimensions"]),
        items=tuple(meta["items"]),
        item_codes=tuple(tuple(codes) for codes in meta["item_codes"]),
        constructs=tuple(meta["constructs"]),
        outcomes=tuple(meta["outcomes"]),
        dimension_labels=tuple(tuple(labels) for labels in meta["dimension_labels"]),
        table=table,
        comments=comments,
        suppression_rounds=meta["suppression_rounds"],
        **numbers,
    )
