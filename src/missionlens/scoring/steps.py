"""The recipe's steps: pure functions ``(state, params) -> state`` over whole arrays.

Each function is registered once, with :func:`register_step`, against the step model of
:mod:`missionlens.scoring.recipe` that holds its parameter model and the fields of the state it
reads and writes; :data:`STEPS` is that one registry. Loops run over steps, nodes, scales or
indicator groups, never over rows or missions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any, Literal, TypeVar, get_type_hints

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from missionlens.errors import RecipeError
from missionlens.framework.elements import BinaryScale, NumericScale, RubricScale
from missionlens.framework.model import Framework
from missionlens.periods import period_order
from missionlens.scoring import methods
from missionlens.scoring.kernels import aggregate as agg
from missionlens.scoring.kernels import impute, outliers
from missionlens.scoring.kernels import normalise as norm
from missionlens.scoring.recipe import (
    STEP_PARAMS,
    STEP_TYPES,
    AggregateParams,
    AggregateStep,
    DenominateParams,
    DenominateStep,
    ImputeParams,
    ImputeStep,
    NormaliseParams,
    NormaliseStep,
    Recipe,
    Step,
    TreatOutliersParams,
    TreatOutliersStep,
    WeightParams,
    WeightStep,
    first_changed_step,
)
from missionlens.scoring.state import ROLES, ScoringState, node_applicability
from missionlens.suggest import did_you_mean
from missionlens.text import factorize, listing

__all__ = [
    "STEPS",
    "RecipeTrace",
    "StepFunction",
    "StepSpec",
    "first_changed_step",
    "register_step",
    "run_recipe",
    "trace_recipe",
]


StepFunction = Callable[[ScoringState, Any], ScoringState]
_Rule = Literal["reweight", "propagate"]
_F = TypeVar("_F", bound=StepFunction)


@dataclass(frozen=True)
class StepSpec:
    """A registered step: its model (parameters, reads, writes) and its function.

    Calling the spec calls the function, so ``STEPS["impute"](state, params)`` works as before.
    """

    name: str
    model: type[Step]
    params: type[Any]
    function: StepFunction

    @property
    def reads(self) -> frozenset[str]:
        """Fields of the state the step reads (for its usual parameters)."""
        return self.model.reads

    @property
    def writes(self) -> frozenset[str]:
        """Fields of the state the step writes (for its usual parameters)."""
        return self.model.writes

    def __call__(self, state: ScoringState, params: Any) -> ScoringState:
        return self.function(state, params)


_REGISTRY: dict[str, StepSpec] = {}

#: The registry: step name -> :class:`StepSpec` (model, parameter model, function). Read-only.
STEPS: Mapping[str, StepSpec] = MappingProxyType(_REGISTRY)


def register_step(model: type[Step]) -> Callable[[_F], _F]:
    """Register ``function`` as the one implementation of the step ``model``.

    The function's ``params`` annotation must be the step's parameter model, and a step may be
    registered only once.

    Raises
    ------
    RecipeError
        If the step is already registered, unknown, or the annotation does not match.
    """
    name = model.model_fields["step"].default
    if STEP_TYPES.get(name) is not model:
        raise RecipeError(f"register_step: {model.__name__} is not a step of the recipe models")

    def decorate(function: _F) -> _F:
        if name in _REGISTRY:
            raise RecipeError(
                f"register_step: step {name!r} is already registered "
                f"({_REGISTRY[name].function.__name__})"
            )
        annotated = get_type_hints(function).get("params")
        if annotated is not STEP_PARAMS[name]:
            raise RecipeError(
                f"register_step: {function.__name__} takes params: {annotated!r}, but step "
                f"{name!r} has parameters {STEP_PARAMS[name].__name__}"
            )
        _REGISTRY[name] = StepSpec(name, model, STEP_PARAMS[name], function)
        return function

    return decorate


def _targets(state: ScoringState, requested: tuple[str, ...] | None, step: str) -> list[int]:
    if requested is None:
        return list(range(len(state.indicators)))
    unknown = [i for i in requested if i not in state.indicators]
    if unknown:
        raise RecipeError(
            f"step '{step}': unknown indicator(s) {listing(unknown)}"
            + did_you_mean(unknown[0], state.indicators)
        )
    return [state.column(i) for i in requested]


@register_step(DenominateStep)
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


@register_step(ImputeStep)
def step_impute(state: ScoringState, params: ImputeParams) -> ScoringState:
    """Fill missing values and flag them (see :class:`~missionlens.scoring.recipe.ImputeParams`)."""
    if params.method == "none":
        return state
    cols = _targets(state, params.indicators, "impute")
    if params.method == "sibling_mean":
        if state.normalised is None:
            raise RecipeError("impute sibling_mean must come after normalise")
        current = state.normalised.copy()
        for siblings in sibling_families(state, cols):
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
        groups = factorize(state.units[params.group].astype(str))[0].astype(np.int64)
        filled, mask = impute.fill_group_stat(
            values[:, cols], groups, "mean" if params.method == "group_mean" else "median"
        )
    else:  # locf
        entity = factorize(state.units["mission"])[0].astype(np.int64)
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
    """Chronological rank of each unit's period (:func:`missionlens.periods.period_order`)."""
    return period_order(units["period"])


@register_step(TreatOutliersStep)
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


@register_step(NormaliseStep)
def step_normalise(state: ScoringState, params: NormaliseParams) -> ScoringState:
    """Normalise every indicator to 0-100 with 100 best; direction handled here, once.

    Lower-is-better indicators are negated together with their goalposts, bounds and targets,
    then every method treats higher as better.
    """
    fw = state.framework
    unknown = [k for k in params.overrides if k not in state.indicators]
    if unknown:
        raise RecipeError(
            f"step 'normalise': overrides name unknown indicator(s) {listing(unknown)}"
            + did_you_mean(unknown[0], state.indicators)
        )
    out = np.full(state.values.shape, np.nan)
    # group indicators that share a method and parameters so each group is one array operation
    groups: dict[tuple[Any, ...], list[int]] = {}
    for j, ident in enumerate(state.indicators):
        groups.setdefault(_normalise_key(fw, ident, params, state.log_treated), []).append(j)
    for key, cols in groups.items():
        method, direction, transform_name, lo, hi, target, cap, mapping = key
        spec = methods.NORMALISERS[method]  # _normalise_key refused unknown methods
        names = [state.indicators[c] for c in cols]
        block = state.values[:, cols]
        sign = float(direction)
        try:
            if spec.transforms:
                block = norm.transform(block, transform_name)
            low = high = signed_target = None
            if "bounds" in spec.needs and lo is not None and hi is not None:
                bounds = np.array([lo, hi], dtype=np.float64)
                if spec.transforms and transform_name is not None:
                    bounds = norm.transform(bounds, transform_name)
                low, high = (float(v) for v in np.sort(sign * bounds))
            if "target" in spec.needs and target is not None:
                t = np.array([target], dtype=np.float64)
                if spec.transforms and transform_name is not None:
                    t = norm.transform(t, transform_name)
                signed_target = float(sign * t[0])
            raw = state.values[:, cols]
            # methods that read levels see them from worst to best: mirror lower-is-better
            levels = raw if direction == 1 or lo is None or hi is None else (lo + hi) - raw
            out[:, cols] = spec.kernel(
                methods.NormaliseInput(
                    levels=levels,
                    x=sign * block,
                    low=low,
                    high=high,
                    target=signed_target,
                    cap=cap,
                    mapping=dict(mapping),
                    zscore_centre=params.zscore_centre,
                    zscore_scale=params.zscore_scale,
                )
            )
        except ValueError as exc:
            raise RecipeError(f"step 'normalise' on {listing(names)}: {exc}") from None
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
    if method not in methods.NORMALISERS:
        raise RecipeError(
            f"step 'normalise': unknown method {method!r} for '{ident}'; use one of "
            f"{', '.join(methods.NORMALISERS)}"
        )
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


@register_step(WeightStep)
def step_weight(state: ScoringState, params: WeightParams) -> ScoringState:
    """Set the weights of nodes and indicators."""
    fw = state.framework
    known = set(fw.node_ids) | set(fw.indicator_ids)
    unknown = [k for k in params.overrides if k not in known]
    if unknown:
        raise RecipeError(
            f"step 'weight': overrides name unknown node(s) {listing(unknown)}"
            + did_you_mean(unknown[0], sorted(known))
        )
    weights = {k: 1.0 for k in known} if params.method == "equal" else fw.weights()
    weights.update(params.overrides)
    for node in fw.node_ids:
        children = fw.children(node)
        if children and all(weights[c] == 0 for c in children):
            raise RecipeError(f"step 'weight': all children of '{node}' would weigh 0")
    return replace(state, weights=weights)


@register_step(AggregateStep)
def step_aggregate(state: ScoringState, params: AggregateParams) -> ScoringState:
    """Aggregate bottom-up, node by node, over all units at once, once per indicator role.

    The tree is computed twice by one code path (:func:`_aggregate_tree`): with only the
    performance indicators (the headline composite, ``node_scores``) and with only the context
    indicators (the context index, ``context_scores``; Cairo 2018 finding 16(b): the operating
    environment is considered beside performance, never inside it). In each pass the other
    role's indicators neither apply nor have a score, so a node with no indicator of the role
    below it is *not applicable* for that role (left out of its parent's weight), not missing.
    A role without any indicator gets ``NaN`` everywhere without a pass.
    """
    if state.normalised is None:
        raise RecipeError("step 'aggregate' needs a 'normalise' step before it")
    fw = state.framework
    unknown = [k for k in params.overrides if k not in fw.node_ids]
    if unknown:
        raise RecipeError(
            f"step 'aggregate': overrides name unknown node(s) {listing(unknown)}"
            + did_you_mean(unknown[0], fw.node_ids)
        )
    rules, min_shares = _node_rules(fw, params)
    out: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]] = {}
    shape = (state.values.shape[0], len(fw.nodes))
    for role in ROLES:
        if state.has_role(role):
            out[role] = _aggregate_tree(state.for_role(role), rules, min_shares)
        else:
            out[role] = (np.full(shape, np.nan), np.full(shape, np.nan))
    return replace(
        state,
        node_scores=out["performance"][0],
        node_share=out["performance"][1],
        context_scores=out["context"][0],
        context_share=out["context"][1],
        node_rule=tuple(rules[n][0] for n in fw.node_ids),
        node_min_share=tuple(min_shares[n] for n in fw.node_ids),
    )


def _node_rules(
    fw: Framework, params: AggregateParams
) -> tuple[dict[str, tuple[_Rule, str, float | None]], dict[str, float]]:
    """Per node: (missing rule, method, p), and the min_share, after the recipe's settings."""
    rules: dict[str, tuple[_Rule, str, float | None]] = {}
    min_shares: dict[str, float] = {}
    for node_id in fw.node_ids:
        node = fw.node(node_id)
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
        rules[node_id], min_shares[node_id] = (rule, method, p), float(min_share)
    return rules, min_shares


def _aggregate_tree(
    state: ScoringState,
    rules: dict[str, tuple[_Rule, str, float | None]],
    min_shares: dict[str, float],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Node scores and weight shares (units x nodes) of the tree over ``state.normalised``,
    with ``state.applicable`` (one role's view: :meth:`ScoringState.for_role`)."""
    fw = state.framework
    assert state.normalised is not None  # checked by the step (not an input check)
    n_units = state.values.shape[0]
    node_pos = {n: k for k, n in enumerate(fw.node_ids)}
    node_applies = node_applicability(state)
    scores = np.full((n_units, len(fw.nodes)), np.nan)
    share = np.full((n_units, len(fw.nodes)), np.nan)
    for node_id in sorted(fw.node_ids, key=lambda n: -fw.depth(n)):
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
        rule, method, p = rules[node_id]
        try:
            scores[:, node_pos[node_id]], share[:, node_pos[node_id]] = agg.aggregate(
                block,
                w,
                method,
                p=p,
                rule=rule,
                min_share=min_shares[node_id],
                applicable=applies,
            )
        except ValueError as exc:
            raise RecipeError(f"step 'aggregate' at node '{node_id}': {exc}") from None
    return scores, share


def sibling_families(state: ScoringState, cols: list[int]) -> list[list[int]]:
    """The columns that ``sibling_mean`` imputation fills from each other, for the target
    columns ``cols``: the indicators of one parent and one role (a context value is never
    filled from performance values, nor the other way round), one list per family."""
    fw = state.framework
    families = {
        (fw.indicator(state.indicators[c]).parent, fw.indicator(state.indicators[c]).role)
        for c in cols
    }
    return [
        [
            state.column(i)
            for i in fw.children(parent)
            if i in state.indicators and fw.indicator(i).role == role
        ]
        for parent, role in sorted(families)
    ]


def run_recipe(state: ScoringState, recipe: Recipe, start: int = 0) -> ScoringState:
    """Apply the recipe's steps in order, from ``steps[start]``.

    Parameters
    ----------
    state : ScoringState
        The state before ``steps[start]``: the prepared state for ``start=0``, else the state
        after ``steps[:start]`` (e.g. ``trace.states[start]`` of a :class:`RecipeTrace` of a
        recipe whose first ``start`` steps are the same, see
        :func:`~missionlens.scoring.recipe.first_changed_step`).
    recipe : Recipe
        The recipe.
    start : int
        Index of the first step to run, ``0 <= start <= len(recipe.steps)``.

    Raises
    ------
    RecipeError
        If ``start`` is out of range or a step cannot be applied (naming the step).
    """
    states = _run(state, recipe, start)
    return states[-1]


def _run(state: ScoringState, recipe: Recipe, start: int) -> list[ScoringState]:
    n = len(recipe.steps)
    if isinstance(start, bool) or not isinstance(start, int) or not 0 <= start <= n:
        raise RecipeError(f"run_recipe: start must be an index from 0 to {n}, got {start!r}")
    states = [state]
    for index in range(start, n):
        step = recipe.steps[index]
        try:
            spec = STEPS[step.step]
        except KeyError:
            raise RecipeError(
                f"recipe '{recipe.name}', steps[{index}]: no function is registered for step "
                f"{step.step!r}"
            ) from None
        try:
            states.append(spec(states[-1], step.params))
        except RecipeError as exc:
            raise RecipeError(f"recipe '{recipe.name}', steps[{index}]: {exc}") from None
    return states


@dataclass(frozen=True)
class RecipeTrace:
    """A recipe run with every intermediate state, to rerun a changed recipe from where it
    changes.

    ``states[k]`` is the state before ``recipe.steps[k]`` and ``states[-1]`` the result. Steps
    copy only the arrays they write and share the others, so the trace costs about one copy of
    each written array per step.

    Examples
    --------
    >>> import missionlens as ml
    >>> from missionlens.scoring.prepare import prepare
    >>> fw = ml.load_framework("whole-of-mission")
    >>> data = pd.DataFrame({"mission": ["A", "B"], "period": "2024",
    ...                      "pol_strategy_anchor": [5, 2], "pol_good_offices": [4, 1],
    ...                      "pol_local_conflict": [4, 2]})
    >>> recipe = ml.Recipe.default()
    >>> trace = trace_recipe(prepare(data, fw, recipe)[0], recipe)
    >>> changed = recipe.with_params("weight", method="equal")
    >>> rerun = trace.rerun(changed)  # runs steps 2 and 3 only
    >>> rerun.start, len(rerun.states)
    (2, 5)
    """

    recipe: Recipe
    states: tuple[ScoringState, ...]
    start: int = 0

    @property
    def final(self) -> ScoringState:
        """The state after the last step."""
        return self.states[-1]

    def rerun(self, recipe: Recipe) -> RecipeTrace:
        """The trace of ``recipe``, rerunning only from its first step that differs.

        Raises
        ------
        RecipeError
            If the recipes consolidate differently (the prepared state itself differs: prepare
            and trace again), or a step cannot be applied.
        """
        ours, theirs = self.recipe.settings, recipe.settings
        prepared = ("consolidate", "trim", "confidence_weights")
        differ = [k for k in prepared if getattr(ours, k) != getattr(theirs, k)]
        if differ:
            raise RecipeError(
                f"rerun: the recipes differ in settings {differ}, which change the prepared "
                "state; prepare the data again and call trace_recipe"
            )
        start = first_changed_step(self.recipe, recipe)
        states = _run(self.states[start], recipe, start)
        return RecipeTrace(recipe, (*self.states[:start], *states), start)


def trace_recipe(state: ScoringState, recipe: Recipe) -> RecipeTrace:
    """Run ``recipe`` on the prepared ``state`` keeping every intermediate state."""
    return RecipeTrace(recipe, tuple(_run(state, recipe, 0)), 0)


def _check_registry(steps: Sequence[str]) -> None:
    missing = [name for name in steps if name not in _REGISTRY]
    if missing:
        raise RecipeError(f"steps without a registered function: {listing(missing)}")


_check_registry(tuple(STEP_TYPES))
