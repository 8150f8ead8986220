"""Boosted trees compiled to numpy arrays, for queries without the per-call cost of XGBoost.

One call of XGBoost's predictor costs about 0.3 ms whatever the batch, which is more than
the benchmark's single-query budget for one objective. :class:`TreeArrays` holds the same
trees as padded arrays and walks all of them at once, level by level, so a small batch
costs tens of microseconds; large batches go through XGBoost when it is installed, which
is faster per row, and through these arrays otherwise (the base install has no XGBoost).
Both paths give the same predictions bit for bit: thresholds and leaves are float32 and
each output is summed as XGBoost sums it, from the base score one tree at a time in
float32 (``tests/surrogates`` checks this on fitted models).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class TreeArrays:
    """All trees of one booster as flat node arrays (global node ids); leaves point to themselves."""

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    leaf_value: np.ndarray
    roots: np.ndarray  # global id of each tree's root, trees grouped by output
    group_starts: np.ndarray  # index in ``roots`` of each output's first tree
    base_score: np.ndarray  # (n_outputs,)
    depth: int

    @classmethod
    def from_booster_json(cls, doc: dict[str, Any]) -> TreeArrays:
        """Compile the JSON form of an XGBoost ``gbtree`` model (``Booster.save_raw('json')``)."""
        learner = doc["learner"]
        model = learner["gradient_booster"]["model"]
        parts: dict[str, list[np.ndarray]] = {k: [] for k in ("feature", "threshold", "left", "right", "leaf_value")}
        roots, offset, depth = [], 0, 0
        for tree in model["trees"]:
            lc, rc = np.asarray(tree["left_children"]), np.asarray(tree["right_children"])
            is_leaf = lc < 0
            nodes = np.arange(len(lc)) + offset
            conditions = np.asarray(tree["split_conditions"], dtype=np.float32)
            parts["left"].append(np.where(is_leaf, nodes, lc + offset))
            parts["right"].append(np.where(is_leaf, nodes, rc + offset))
            parts["feature"].append(np.where(is_leaf, 0, tree["split_indices"]))
            parts["threshold"].append(np.where(is_leaf, np.float32(np.inf), conditions))
            parts["leaf_value"].append(np.where(is_leaf, conditions, np.float32(0.0)))
            roots.append(offset)
            offset += len(lc)
            depth = max(depth, _tree_depth(lc, rc))
        base = learner["learner_model_param"]["base_score"].strip("[]")
        output = np.asarray(model["tree_info"], dtype=np.intp)
        by_output = np.argsort(output, kind="stable")
        return cls(
            feature=np.concatenate(parts["feature"]).astype(np.intp),
            threshold=np.concatenate(parts["threshold"]).astype(np.float32),
            left=np.concatenate(parts["left"]).astype(np.intp),
            right=np.concatenate(parts["right"]).astype(np.intp),
            leaf_value=np.concatenate(parts["leaf_value"]).astype(np.float32),
            roots=np.asarray(roots, dtype=np.intp)[by_output],
            group_starts=np.searchsorted(output[by_output], np.unique(output)),
            base_score=np.array([float(v) for v in base.split(",")], dtype=np.float32),
            depth=depth,
        )

    @classmethod
    def concatenate(cls, parts: Sequence[TreeArrays]) -> TreeArrays:
        """One set of arrays walking the trees of all ``parts`` at once; its outputs are theirs side by side, each summed
        exactly as its own part sums it."""
        offsets = np.cumsum([0, *(len(part.feature) for part in parts)])
        root_offsets = np.cumsum([0, *(len(part.roots) for part in parts)])
        return cls(
            feature=np.concatenate([part.feature for part in parts]),
            threshold=np.concatenate([part.threshold for part in parts]),
            left=np.concatenate([part.left + offset for part, offset in zip(parts, offsets)]),
            right=np.concatenate([part.right + offset for part, offset in zip(parts, offsets)]),
            leaf_value=np.concatenate([part.leaf_value for part in parts]),
            roots=np.concatenate([part.roots + offset for part, offset in zip(parts, offsets)]),
            group_starts=np.concatenate([part.group_starts + offset for part, offset in zip(parts, root_offsets)]),
            base_score=np.concatenate([part.base_score for part in parts]),
            depth=max(part.depth for part in parts),
        )

    @property
    def n_outputs(self) -> int:
        """Columns of :meth:`predict`."""
        return len(self.base_score)

    @classmethod
    def from_booster(cls, booster: Any) -> TreeArrays:
        """Compile a fitted ``xgboost.Booster``."""
        return cls.from_booster_json(json.loads(bytes(booster.save_raw("json"))))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Raw predictions ``(n, n_outputs)`` of rows ``X`` ``(n, d)`` (identity link)."""
        X = np.asarray(X, dtype=np.float32)
        flat_X = X.ravel()
        row_offset = (np.arange(len(X)) * X.shape[1])[:, None]
        node = np.broadcast_to(self.roots, (len(X), len(self.roots)))
        for _ in range(self.depth):
            goes_left = np.take(flat_X, row_offset + np.take(self.feature, node)) < np.take(self.threshold, node)
            node = np.where(goes_left, np.take(self.left, node), np.take(self.right, node))
        leaves = np.take(self.leaf_value, node)
        ends = [*self.group_starts[1:], leaves.shape[1]]
        out = []
        for base, start, end in zip(self.base_score, self.group_starts, ends):
            # XGBoost's order: from the base score, one tree at a time, in float32 (accumulate is sequential)
            terms = np.concatenate([np.full((len(X), 1), base, dtype=np.float32), leaves[:, start:end]], axis=1)
            out.append(np.add.accumulate(terms, axis=1, dtype=np.float32)[:, -1])
        return np.stack(out, axis=1).astype(float)


def _tree_depth(left: np.ndarray, right: np.ndarray) -> int:
    depth, frontier = 0, [0]
    while True:
        frontier = [c for node in frontier for c in (left[node], right[node]) if c >= 0]
        if not frontier:
            return depth
        depth += 1
