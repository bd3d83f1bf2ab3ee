"""The recipe's steps: pure functions ``(state, params) -> state`` over whole arrays.

Loops run over steps, nodes, scales or indicator groups, never over rows or missions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from missionlens.errors import RecipeError
from missionlens.framework.elements import BinaryScale, NumericScale, RubricScale
from missionlens.framework.model import Framework
from missionlens.scoring.kernels import aggregate as agg
from missionlens.scoring.kernels import impute, outliers
from missionlens.scoring.kernels import normalise as norm
from missionlens.scoring.recipe import (
    AggregateParams,
    DenominateParams,
    ImputeParams,
    NormaliseParams,
    Recipe,
    TreatOutliersParams,
    WeightParams,
)
from missionlens.scoring.state import ScoringState, node_applicability

__all__ = ["STEPS", "run_recipe"]


StepFunction = Callable[[ScoringState, Any], ScoringState]


def _targets(state: ScoringState, requested: tuple[str, ...] | None, step: str) -> list[int]:
    if requested is None:
        return list(range(len(state.indicators)))
    unknown = [i for i in requested if i not in state.indicators]
    if unknown:
        raise RecipeError(f"step '{step}': unknown indicator(s) {unknown}")
    return [state.column(i) for i in requested]


def step_denominate(state: ScoringState, params: DenominateParams) -> ScoringState:
    """Divide indicators by a data column: ``value / by * multiplier``."""
    if params.by not in state.units.columns:
        raise RecipeError(
            f"step 'denominate': the data has no column '{params.by}' "
            f"(columns: {', '.join(map(str, state.units.columns))})"
        )
    denom = pd.to_numeric(state.units[params.by], errors="coerce").to_numpy(dtype=np.float64)
    cols = _targets(state, params.indicators, "denominate")
    fw = state.framework
    not_numeric = [
        state.indicators[c]
        for c in cols
        if not isinstance(fw.scale_of(state.indicators[c]), NumericScale)
    ]
    if not_numeric:
        raise RecipeError(
            f"step 'denominate': {not_numeric} are not numeric indicators; only numeric values "
            "can be divided by a denominator"
        )
    values = state.values.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = values[:, cols] / denom[:, None] * params.multiplier
    ratio[~np.isfinite(ratio)] = np.nan
    zero = (denom == 0) | np.isnan(denom)
    values[:, cols] = ratio
    out = replace(state, values=values)
    if zero.any():
        out = out.noted(
            "denominate",
            f"{int(zero.sum())} unit(s) have a zero or missing '{params.by}'; their "
            "denominated values are missing",
        )
    return out


def step_impute(state: ScoringState, params: ImputeParams) -> ScoringState:
    """Fill missing values and flag them (see :class:`~missionlens.scoring.recipe.ImputeParams`)."""
    if params.method == "none":
        return state
    cols = _targets(state, params.indicators, "impute")
    if params.method == "sibling_mean":
        if state.normalised is None:
            raise RecipeError("impute sibling_mean must come after normalise")
        current = state.normalised.copy()
        fw = state.framework
        for parent in {fw.indicator(state.indicators[c]).parent for c in cols}:
            siblings = [state.column(i) for i in fw.children(parent) if i in state.indicators]
            block = current[:, siblings]
            with np.errstate(invalid="ignore"):
                import warnings

                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    mean = np.nanmean(block, axis=1)
            for c in siblings:
                if c in cols:
                    gap = np.isnan(current[:, c]) & ~np.isnan(mean) & state.applicable[:, c]
                    current[gap, c] = mean[gap]
        filled_mask = np.isnan(state.normalised) & ~np.isnan(current)
        return replace(state, normalised=current, imputed=state.imputed | filled_mask)
    values = state.values.copy()
    if params.method in ("group_mean", "group_median"):
        if params.group not in state.units.columns:
            raise RecipeError(f"step 'impute': the data has no group column '{params.group}'")
        groups = pd.factorize(state.units[params.group].astype(str))[0].astype(np.int64)
        filled, mask = impute.fill_group_stat(
            values[:, cols], groups, "mean" if params.method == "group_mean" else "median"
        )
    else:  # locf
        entity = pd.factorize(state.units["mission"])[0].astype(np.int64)
        order = _period_order(state.units)
        filled, mask = impute.fill_locf(values[:, cols], entity, order)
    mask &= state.applicable[:, cols]  # never fill an indicator that does not apply
    values[:, cols] = np.where(mask, filled, values[:, cols])
    imputed = state.imputed.copy()
    imputed[:, cols] |= mask
    return replace(state, values=values, imputed=imputed).noted(
        "impute", f"{params.method}: {int(mask.sum())} cell(s) imputed"
    )


def _period_order(units: pd.DataFrame) -> NDArray[np.int64]:
    if "period_start" in units.columns:
        start = pd.to_datetime(units["period_start"], errors="coerce")
        if start.notna().all():
            return start.rank(method="dense").to_numpy(dtype=np.int64)
    return pd.factorize(units["period"], sort=True)[0].astype(np.int64)


def step_treat_outliers(state: ScoringState, params: TreatOutliersParams) -> ScoringState:
    """Winsorise skewed numeric indicators, log fallback (COINr ``Treat``)."""
    fw = state.framework
    if params.indicators is None:
        cols = [
            j for j, i in enumerate(state.indicators) if isinstance(fw.scale_of(i), NumericScale)
        ]
    else:
        cols = _targets(state, params.indicators, "treat_outliers")
    values = state.values.copy()
    treated = state.treated.copy()
    out = state
    # all target columns in one vectorised call; columns are treated independently
    new, changed, infos = outliers.treat_outliers_columns(
        values[:, cols],
        skew_threshold=params.skew_threshold,
        kurtosis_threshold=params.kurtosis_threshold,
        max_points=params.max_points,
        fallback=params.fallback,
    )
    for k, j in enumerate(cols):
        info = infos.column(k)
        if info.action != "none":
            values[:, j] = new[:, k]
            treated[:, j] |= changed[:, k]
            out = out.noted(
                "treat_outliers",
                f"{state.indicators[j]}: {info.action}",
                indicator=state.indicators[j],
                skew_before=info.skew_before,
                kurtosis_before=info.kurtosis_before,
                skew_after=info.skew_after,
                kurtosis_after=info.kurtosis_after,
                winsorised=info.winsorised,
            )
    logged = frozenset(
        entry["indicator"]
        for entry in out.log[len(state.log) :]
        if entry.get("message", "").endswith(": log")
    )
    return replace(out, values=values, treated=treated, log_treated=state.log_treated | logged)


def step_normalise(state: ScoringState, params: NormaliseParams) -> ScoringState:
    """Normalise every indicator to 0-100 with 100 best; direction handled here, once.

    Lower-is-better indicators are negated together with their goalposts, bounds and targets,
    then every method treats higher as better.
    """
    fw = state.framework
    unknown = [k for k in params.overrides if k not in state.indicators]
    if unknown:
        raise RecipeError(f"step 'normalise': overrides name unknown indicator(s) {unknown}")
    out = np.full(state.values.shape, np.nan)
    # group indicators that share a method and parameters so each group is one array operation
    groups: dict[tuple[Any, ...], list[int]] = {}
    for j, ident in enumerate(state.indicators):
        groups.setdefault(_normalise_key(fw, ident, params, state.log_treated), []).append(j)
    for key, cols in groups.items():
        method, direction, transform_name, lo, hi, target, cap, mapping = key
        block = state.values[:, cols]
        if method == "custom":
            # the mapping reads levels from worst to best: mirror lower-is-better rubrics
            levels = block if direction == 1 else (lo + hi) - block
            try:
                out[:, cols] = norm.custom_map(levels, dict(mapping))
            except ValueError as exc:
                names = [state.indicators[c] for c in cols]
                raise RecipeError(f"step 'normalise' on {names}: {exc}") from None
            continue
        try:
            block = norm.transform(block, transform_name)
        except ValueError as exc:
            names = [state.indicators[c] for c in cols]
            raise RecipeError(f"step 'normalise' on {names}: {exc}") from None
        sign = float(direction)
        x = sign * block
        if method in ("linear", "goalposts"):
            bounds = np.array([lo, hi], dtype=np.float64)
            if transform_name is not None:
                bounds = norm.transform(bounds, transform_name)
            low, high = np.sort(sign * bounds)
            if method == "linear":
                out[:, cols] = norm.linear(x, low, high)
            else:
                out[:, cols] = norm.goalposts(x, low, high, cap=cap)
        elif method == "minmax":
            out[:, cols] = norm.minmax(x)
        elif method == "zscore":
            out[:, cols] = norm.zscore(x, centre=params.zscore_centre, scale=params.zscore_scale)
        elif method == "rank":
            out[:, cols] = norm.rank(x)
        elif method == "percentile":
            out[:, cols] = norm.percentile(x)
        elif method == "distance_to_target":
            t = np.array([target], dtype=np.float64)
            if transform_name is not None:
                t = norm.transform(t, transform_name)
            try:
                out[:, cols] = norm.distance_to_target(x, sign * t[0], cap=cap)
            except ValueError as exc:
                names = [state.indicators[c] for c in cols]
                raise RecipeError(f"step 'normalise' on {names}: {exc}") from None
    return replace(state, normalised=out)


def _normalise_key(
    fw: Framework, ident: str, params: NormaliseParams, treated_log: frozenset[str]
) -> tuple[Any, ...]:
    """Method and parameters of one indicator, as a hashable key."""
    indicator = fw.indicator(ident)
    scale = fw.scale(indicator.scale)
    override = params.overrides.get(ident)
    lo: float | None = None
    hi: float | None = None
    target: float | None = None
    mapping: tuple[tuple[float, float], ...] = ()
    transform_name: str | None = None
    method: str
    if isinstance(scale, RubricScale):
        method = params.rubric
        lo, hi = scale.bounds
        if method == "custom" and params.rubric_mapping:
            mapping = tuple(sorted(params.rubric_mapping.items()))
    elif isinstance(scale, BinaryScale):
        method, lo, hi = "linear", 0.0, 1.0
    else:
        goal = fw.goalposts(ident)
        method = params.numeric
        if method == "auto":
            method = "goalposts" if goal is not None else "minmax"
        if goal is not None:
            lo, hi = goal
        transform_name = scale.transform if params.transform == "scale" else params.transform
    if override is not None:
        method = override.method or method
        if override.goalposts is not None:
            lo, hi = override.goalposts
        if override.target is not None:
            target = override.target
        if override.transform is not None:
            transform_name = override.transform
        if override.mapping is not None:
            mapping = tuple(sorted(override.mapping.items()))
    if transform_name == "none":
        transform_name = None
    cap = params.cap if override is None or override.cap is None else override.cap
    if method == "goalposts" and (lo is None or hi is None):
        raise RecipeError(
            f"step 'normalise': indicator '{ident}' has no goalposts; give them in the "
            "framework or in overrides, or use another method"
        )
    if method == "distance_to_target" and target is None:
        raise RecipeError(
            f"step 'normalise': distance_to_target for '{ident}' needs a target in overrides"
        )
    if method == "custom" and not mapping:
        raise RecipeError(f"step 'normalise': custom mapping for '{ident}' is empty")
    if method == "linear" and isinstance(scale, NumericScale):
        if scale.minimum is None or scale.maximum is None:
            raise RecipeError(
                f"step 'normalise': linear scaling of '{ident}' needs the scale's minimum and "
                "maximum"
            )
        lo, hi = scale.minimum, scale.maximum
    if method == "custom":
        if isinstance(scale, NumericScale):
            raise RecipeError(
                f"step 'normalise': the custom mapping of '{ident}' needs a rubric or binary "
                "scale; its scale is numeric"
            )
        transform_name = None
    if ident in treated_log and method == "goalposts":
        if params.numeric == "auto" and (override is None or override.method is None):
            method = "minmax"  # goalposts are in raw units, the values are now logs
        else:
            raise RecipeError(
                f"step 'normalise': '{ident}' was log-transformed by treat_outliers, so its "
                "goalposts (in raw units) no longer apply; use minmax or another data-driven "
                "method for it"
            )
    return (method, indicator.direction, transform_name, lo, hi, target, cap, mapping)


def step_weight(state: ScoringState, params: WeightParams) -> ScoringState:
    """Set the weights of nodes and indicators."""
    fw = state.framework
    known = set(fw.node_ids) | set(fw.indicator_ids)
    unknown = [k for k in params.overrides if k not in known]
    if unknown:
        raise RecipeError(f"step 'weight': overrides name unknown node(s) {unknown}")
    weights = {k: 1.0 for k in known} if params.method == "equal" else fw.weights()
    weights.update(params.overrides)
    for node in fw.node_ids:
        children = fw.children(node)
        if children and all(weights[c] == 0 for c in children):
            raise RecipeError(f"step 'weight': all children of '{node}' would weigh 0")
    return replace(state, weights=weights)


def step_aggregate(state: ScoringState, params: AggregateParams) -> ScoringState:
    """Aggregate bottom-up, node by node, over all units at once."""
    if state.normalised is None:
        raise RecipeError("step 'aggregate' needs a 'normalise' step before it")
    fw = state.framework
    unknown = [k for k in params.overrides if k not in fw.node_ids]
    if unknown:
        raise RecipeError(f"step 'aggregate': overrides name unknown node(s) {unknown}")
    n_units = state.values.shape[0]
    node_pos = {n: k for k, n in enumerate(fw.node_ids)}
    node_applies = node_applicability(state)
    scores = np.full((n_units, len(fw.nodes)), np.nan)
    share = np.full((n_units, len(fw.nodes)), np.nan)
    for node_id in sorted(fw.node_ids, key=lambda n: -fw.depth(n)):
        node = fw.node(node_id)
        children = fw.children(node_id)
        block = np.column_stack(
            [
                scores[:, node_pos[c]] if c in node_pos else state.normalised[:, state.column(c)]
                for c in children
            ]
        )
        applies = np.column_stack(
            [
                node_applies[:, node_pos[c]]
                if c in node_pos
                else state.applicable[:, state.column(c)]
                for c in children
            ]
        )
        w = np.array([state.weights[c] for c in children], dtype=np.float64)
        override = params.overrides.get(node_id)
        method: str = node.aggregation.method if params.method == "framework" else params.method
        p = node.aggregation.p if params.method == "framework" else params.p
        rule = params.rule or node.missing.rule
        min_share = node.missing.min_share if params.min_share is None else params.min_share
        if override is not None:
            method = override.method or method
            p = override.p if override.p is not None else p
            rule = override.rule or rule
            min_share = override.min_share if override.min_share is not None else min_share
        try:
            scores[:, node_pos[node_id]], share[:, node_pos[node_id]] = agg.aggregate(
                block, w, method, p=p, rule=rule, min_share=min_share, applicable=applies
            )
        except ValueError as exc:
            raise RecipeError(f"step 'aggregate' at node '{node_id}': {exc}") from None
    return replace(state, node_scores=scores, node_share=share)


#: The registry: step name -> pure function of (state, parsed parameters).
STEPS: dict[str, StepFunction] = {
    "denominate": step_denominate,
    "impute": step_impute,
    "treat_outliers": step_treat_outliers,
    "normalise": step_normalise,
    "weight": step_weight,
    "aggregate": step_aggregate,
}


def run_recipe(state: ScoringState, recipe: Recipe) -> ScoringState:
    """Apply the recipe's steps in order."""
    for index, step in enumerate(recipe.steps):
        params = step.parsed()
        try:
            state = STEPS[step.step](state, params)
        except RecipeError as exc:
            raise RecipeError(f"recipe '{recipe.name}', steps[{index}]: {exc}") from None
    return state
