"""The scoring state: everything the recipe's steps read and write, as whole arrays."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from missionlens.framework.model import Framework

__all__ = ["BoolArray", "FloatArray", "ScoringState", "node_applicability"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class ScoringState:
    """Everything the steps read and write, as whole arrays (units x indicators)."""

    framework: Framework
    units: pd.DataFrame
    indicators: tuple[str, ...]
    raw: FloatArray
    values: FloatArray
    imputed: BoolArray
    treated: BoolArray
    applicable: BoolArray
    normalised: FloatArray | None = None
    weights: dict[str, float] = field(default_factory=dict)
    node_scores: FloatArray | None = None  # units x nodes, framework node order
    node_share: FloatArray | None = None  # units x nodes: applicable weight with a score
    node_rule: tuple[str, ...] = ()  # per node (framework node order): the rule applied
    node_min_share: tuple[float, ...] = ()  # per node: the min_share applied (reweight)
    log_treated: frozenset[str] = frozenset()
    log: tuple[dict[str, Any], ...] = ()
    #: the entries the values rest on (:class:`~missionlens.scoring.prepare.EntryArrays`)
    entries: Any = None

    def column(self, indicator: str) -> int:
        """Column position of an indicator."""
        return self.indicators.index(indicator)

    def noted(self, step: str, message: str, **details: Any) -> ScoringState:
        """A copy with one more entry in the step log."""
        return replace(self, log=(*self.log, {"step": step, "message": message, **details}))


def node_applicability(state: ScoringState) -> BoolArray:
    """Which nodes apply to each unit (units x nodes): those with an applicable indicator below."""
    below = state.framework.membership()
    return (state.applicable.astype(np.int64) @ below.astype(np.int64)) > 0
