"""The scoring state: everything the recipe's steps read and write, as whole arrays."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from missionlens.framework.model import Framework

__all__ = ["ROLES", "BoolArray", "FloatArray", "Role", "ScoringState", "node_applicability"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: An indicator's role (:attr:`missionlens.framework.elements.Indicator.role`).
Role = Literal["performance", "context"]

#: The roles, in the order the profiles report them: the performance composite (the headline)
#: first, then the context index.
ROLES: tuple[Role, ...] = ("performance", "context")


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
    #: units x nodes (framework node order): the performance composite, from the performance
    #: indicators only (NaN at a node with no performance indicator below it)
    node_scores: FloatArray | None = None
    node_share: FloatArray | None = None  # units x nodes: applicable weight with a score
    #: units x nodes: the context index, from the context indicators only (NaN at a node with
    #: no context indicator below it); written by the aggregate step with ``node_scores``
    context_scores: FloatArray | None = None
    context_share: FloatArray | None = None
    node_rule: tuple[str, ...] = ()  # per node (framework node order): the rule applied
    node_min_share: tuple[float, ...] = ()  # per node: the min_share applied (reweight)
    log_treated: frozenset[str] = frozenset()
    log: tuple[dict[str, Any], ...] = ()
    #: the entries the values rest on (:class:`~missionlens.scoring.prepare.EntryArrays`)
    entries: Any = None

    def column(self, indicator: str) -> int:
        """Column position of an indicator."""
        return self.indicators.index(indicator)

    def role_mask(self, role: Role) -> BoolArray:
        """Which indicators (columns) have the ``role``, shape ``(n_indicators,)``."""
        fw = self.framework
        return np.array([fw.indicator(i).role == role for i in self.indicators], dtype=bool)

    def has_role(self, role: Role) -> bool:
        """Whether any indicator has the ``role``."""
        return bool(self.role_mask(role).any())

    def for_role(self, role: Role) -> ScoringState:
        """The state as one role's tree sees it: the other role's indicators do not apply and
        have no normalised score, and ``node_scores``/``node_share`` are that
        role's (``context_scores``/``context_share`` for ``"context"``).

        With every indicator of the role (a framework without context indicators and
        ``role="performance"``) the arrays are the state's own, unchanged.
        """
        keep = self.role_mask(role)
        scores, share = (
            (self.node_scores, self.node_share)
            if role == "performance"
            else (self.context_scores, self.context_share)
        )
        if keep.all():
            return replace(self, node_scores=scores, node_share=share)
        normalised = None if self.normalised is None else np.where(keep, self.normalised, np.nan)
        return replace(
            self,
            applicable=self.applicable & keep,
            normalised=normalised,
            node_scores=scores,
            node_share=share,
        )

    def noted(self, step: str, message: str, **details: Any) -> ScoringState:
        """A copy with one more entry in the step log."""
        return replace(self, log=(*self.log, {"step": step, "message": message, **details}))


def node_applicability(state: ScoringState) -> BoolArray:
    """Which nodes apply to each unit (units x nodes): those with an applicable indicator below.

    For one role's tree, call it on :meth:`ScoringState.for_role`: a node with no indicator of
    that role below it then does not apply (it is *not applicable*, not missing).
    """
    below = state.framework.membership()
    return (state.applicable.astype(np.int64) @ below.astype(np.int64)) > 0
