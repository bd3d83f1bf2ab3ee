"""Uncertainty analysis: one vectorised Monte Carlo experiment over every uncertain input.

A profile gives one number per mission, period and node. Analysts' ratings, their stated
confidence, the weights and the methodological choices (normalisation, aggregation,
imputation, outlier treatment, which indicators are in) all move that number. Following the
handbook practice, the uncertain inputs are varied *together* in one Monte Carlo experiment and
the scores and ranks of every replication are summarised by their median and a 5-95 % interval
(OECD/JRC 2008, step 7; Saisana, Saltelli and Tarantola 2005).

:class:`Uncertainty` names what varies and how; :func:`uncertainty` runs the experiment and
returns an :class:`UncertaintyResult` of tidy tables; :class:`UncertaintyModel` is the engine,
also usable by a variance-based sensitivity analysis through its ``evaluate_unit`` protocol.

How it is fast
--------------
What does not vary is computed once: reading, the entry checks, the unit table, the
applicability of every indicator, and (when no per-entry input varies) the consolidated values
and every step before the aggregation. Replications are batched along a leading axis through
the scoring kernels (:mod:`missionlens.scoring.kernels`); replications that share a discrete
choice (one recipe variation) form one batch; batches are cut into chunks sized from a memory
budget (at most 32 replications, so that a chunk's arrays stay in the processor's cache). What
depends only on the recipe variation (its weights, the grouping of its normalisation, the
aggregation plan) is worked out once per variation, not per chunk; blocks of per-entry draws
are kept for the chunks that ask for them again (a sensitivity design asks in random order).
No replication calls :func:`~missionlens.score` or builds a DataFrame.

Trigger factors
---------------
A group of inputs that is high-dimensional (one noise per weight, one jitter per entry, one
bootstrap draw per entry) is one *factor*: ``M`` realisations are drawn in advance (seeded),
and a scalar ``u`` in ``[0, 1)`` selects realisation ``floor(u * M)``: the trigger-parameter
device for groups of inputs (Saltelli et al. 2008, *Global Sensitivity Analysis. The Primer*,
Wiley, on groups of factors and trigger parameters). A discrete choice among ``k`` options is
selected by ``floor(u * k)``. :func:`uncertainty` uses ``M = n``: every replication draws each
discrete choice independently and takes its own realisation of every trigger factor (each of
the ``n`` once; replications that share their choices take consecutive ones, so that a batch
draws each block of realisations once).

References
----------
OECD/JRC (2008). *Handbook on Constructing Composite Indicators: Methodology and User Guide*,
OECD Publishing, step 7 "Uncertainty and sensitivity analysis".
Saisana, M., Saltelli, A. and Tarantola, S. (2005). Uncertainty and sensitivity analysis
techniques as tools for the quality assessment of composite indicators. *Journal of the Royal
Statistical Society A* 168(2), 307-323: the joint Monte Carlo over all uncertain inputs, the
exclusion of one indicator at a time, median ranks with 5-95 % bounds, and the average shift in
rank ``R_S = (1/M) sum_c |Rank_ref(c) - Rank(c)|`` (their eq. 2).
Efron, B. and Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*, Chapman & Hall:
resampling the raters of each cell with replacement.
Hyndman, R. J. and Fan, Y. (1996). Sample quantiles in statistical packages. *The American
Statistician* 50(4), 361-365: the quantiles are their type 7 (numpy's default, R's default).
Becker, W. et al. (2022). COINr: an R package for developing composite indicators. *JOSS*
7(78), 4567: ``get_sensitivity`` (weight noise per level, alternative methods as discrete
choices), the design these specifications follow.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from missionlens.assessments.checks import check_entries
from missionlens.assessments.consolidation import consolidate_cells
from missionlens.assessments.formats import load_sources
from missionlens.assessments.validation import resolve_framework
from missionlens.errors import ArgumentError, RecipeError
from missionlens.framework.elements import NumericScale, RubricScale
from missionlens.framework.model import Framework
from missionlens.framework.yaml_io import dump_yaml, safe_load_unique
from missionlens.periods import period_order
from missionlens.scoring import methods
from missionlens.scoring.fingerprints import data_fingerprint
from missionlens.scoring.kernels import aggregate as agg
from missionlens.scoring.kernels import impute, outliers
from missionlens.scoring.kernels import normalise as norm
from missionlens.scoring.prepare import EntryArrays, prepare
from missionlens.scoring.profiles import Profiles, profiles_from_state, resolve_recipe
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
from missionlens.scoring.steps import (
    STEPS,
    _normalise_key,
    _period_order,
    _targets,
    sibling_families,
)
from missionlens.text import factorize, listing

__all__ = [
    "COMPARE_COLUMNS",
    "DEFAULT_HALF_WIDTHS",
    "PAIRWISE_COLUMNS",
    "RANK_SHIFT_COLUMNS",
    "SUMMARY_COLUMNS",
    "ConfidenceJitter",
    "LeaveOut",
    "RecipeChoice",
    "RecipeOption",
    "Uncertainty",
    "UncertaintyModel",
    "UncertaintyResult",
    "WeightNoise",
    "compare_uncertain",
    "uncertainty",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

#: Default half-width of the jitter of a rubric rating, in rubric levels, by stated confidence:
#: a low-confidence rating may be one level off either way, a medium one half a level, a high
#: one is taken as entered. An entry without a confidence counts as low (as in consolidation).
DEFAULT_HALF_WIDTHS: Mapping[str, float] = {"low": 1.0, "medium": 0.5, "high": 0.0}

_CONFIDENCE_LEVELS = ("low", "medium", "high")

#: Columns of :attr:`UncertaintyResult.summary`, in order.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "phase",
    "node",
    "node_type",
    "nominal",
    "median",
    "mean",
    "lower",
    "upper",
    "n_scored",
    "nominal_rank",
    "rank_median",
    "rank_mean",
    "rank_lower",
    "rank_upper",
    "rank_shift",
)

#: Columns of :meth:`UncertaintyResult.pairwise`, in order.
PAIRWISE_COLUMNS: tuple[str, ...] = (
    "period",
    "node",
    "mission",
    "mission_other",
    "p_above",
    "n_compared",
)

#: Columns of :attr:`UncertaintyResult.rank_shift`, in order.
RANK_SHIFT_COLUMNS: tuple[str, ...] = (
    "period",
    "node",
    "n_missions",
    "nominal_shift",
    "mean",
    "median",
    "lower",
    "upper",
)

#: Columns of :meth:`UncertaintyResult.compare`, in order.
COMPARE_COLUMNS: tuple[str, ...] = (
    "mission",
    "period",
    "period_other",
    "node",
    "node_type",
    "score",
    "score_other",
    "difference",
    "diff_median",
    "diff_lower",
    "diff_upper",
    "n_compared",
    "real",
)

#: Working memory of one chunk of replications (bytes); the result's own arrays come on top.
DEFAULT_MEMORY_BUDGET: int = 512 * 2**20

#: Largest result (the stored replication matrices of scores and ranks) :func:`uncertainty`
#: builds, in bytes: with the working chunk and the temporaries of the summary (about as
#: large again) this keeps a run under 2 GB.
MAX_RESULT_BYTES: int = 768 * 2**20

# most replications per chunk: a chunk's per-entry arrays (replications x entries) should stay
# in the processor's cache; 32 x 9,000 entries of the benchmark grid is 2.3 MB (128 was 3x
# slower per element, 8 drowns in per-chunk overhead)
_CHUNK = 32
_BLOCK = 128  # realisations of a per-entry factor generated together (see _EntryDraws)


# ------------------------------------------------------------------------------ specification
class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ConfidenceJitter(_Spec):
    """Jitter of each analyst's rubric rating, by the confidence the analyst stated.

    A rating ``v`` with half-width ``d`` (``half_widths[confidence]``, in rubric levels)
    becomes ``v + d * e`` with ``e`` drawn on ``[-1, 1]``: ``uniform``, or ``triangular``
    (symmetric, mode 0; by its inverse distribution function), then clipped to the scale's
    lowest and highest level (so a rating at the end of the scale moves inward only; the
    clipped draws sit at the end). With ``to_level`` the result is rounded to the nearest
    level of the scale (ties to the lower level), so every replication holds valid ratings;
    by default it stays continuous, which is what makes "half a level" (medium) mean anything
    (a uniform ``±0.5`` rounded back is the rating itself).

    Only rubric ratings are jittered; binary and numeric values are taken as entered. An entry
    without a stated confidence (and every value of a wide table) has half-width ``unstated``.
    """

    half_widths: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_HALF_WIDTHS))
    unstated: float = Field(default=1.0, ge=0)
    shape: Literal["uniform", "triangular"] = "uniform"
    to_level: bool = False

    @field_validator("half_widths")
    @classmethod
    def _levels(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(_CONFIDENCE_LEVELS))
        if unknown:
            raise ValueError(
                f"half_widths: unknown confidence level(s) {unknown}; use low, medium, high"
            )
        bad = {k: v for k, v in value.items() if not (math.isfinite(v) and v >= 0)}
        if bad:
            raise ValueError(f"half_widths must be finite and >= 0, got {bad}")
        return {**DEFAULT_HALF_WIDTHS, **value}


class WeightNoise(_Spec):
    """Noise on the weights of the recipe (after its ``weight`` step).

    ``relative``: each weight ``w`` becomes ``w (1 + x (2u - 1))``, ``u`` uniform on
    ``[0, 1)``, so uniform on ``w (1 ± x)`` (COINr ``get_sensitivity``, weight noise per
    level); ``x`` is ``noise``, one number for every weight, or one per type of the weighted
    element (``indicator``, ``subdimension``, ``dimension``), missing types unperturbed.
    ``x`` must be below 1 so that no weight turns negative.

    ``dirichlet``: the weights of the children of each node are drawn from a Dirichlet
    distribution with parameters ``concentration * w / sum(w)`` (mean: the nominal shares;
    the larger ``concentration``, the closer to them), rescaled to the nominal total. Children
    weighing 0 stay at 0.
    """

    method: Literal["relative", "dirichlet"] = "relative"
    noise: float | dict[str, float] = 0.25
    concentration: float = Field(default=100.0, gt=0)

    @field_validator("noise")
    @classmethod
    def _noise(cls, value: float | dict[str, float]) -> float | dict[str, float]:
        items = value.items() if isinstance(value, dict) else [("noise", value)]
        types = ("indicator", "subdimension", "dimension")
        for key, x in items:
            if isinstance(value, dict) and key not in types:
                raise ValueError(f"noise: unknown element type {key!r}; use {', '.join(types)}")
            if not (math.isfinite(x) and 0 <= x < 1):
                raise ValueError(f"noise {key}: must be in [0, 1), got {x}")
        return value


class RecipeOption(_Spec):
    """One option of a discrete choice: a variation of the recipe.

    ``set`` holds :meth:`Recipe.set_params` paths (``{"normalise__numeric": "zscore"}``);
    ``add_step`` a step to insert with :meth:`Recipe.with_step` (``{"step": "treat_outliers",
    "max_points": 3}``, optional ``index``); ``drop_step`` the name of a step to remove. An
    option with none of these is the recipe as given.
    """

    label: str = Field(min_length=1)
    set: dict[str, Any] = Field(default_factory=dict)
    add_step: dict[str, Any] | None = None
    drop_step: str | None = None

    def apply(self, recipe: Recipe) -> Recipe:
        """The recipe with this option's changes."""
        out = recipe
        if self.drop_step is not None:
            position = out.step_index(self.drop_step)
            steps = [s for i, s in enumerate(out.steps) if i != position]
            out = Recipe(
                name=f"{out.name}-{self.drop_step}",
                description=out.description,
                settings=out.settings,
                steps=tuple(steps),
            )
        if self.add_step is not None:
            spec = dict(self.add_step)
            if "step" not in spec:
                raise RecipeError(f"option {self.label!r}: add_step needs a 'step' name")
            name = str(spec.pop("step"))
            index = spec.pop("index", None)
            out = out.with_step(name, index, **spec)
        if self.set:
            out = out.set_params(**self.set)
        return out


class RecipeChoice(_Spec):
    """A discrete methodological choice: one of ``options`` per replication, equally likely."""

    name: str = Field(min_length=1)
    options: tuple[RecipeOption, ...] = Field(min_length=1)


class LeaveOut(_Spec):
    """Leave one element out per replication (Saisana et al. 2005): its weight becomes 0.

    ``elements`` is a type (``indicator``, ``subdimension``, ``dimension``: every element of
    that type) or a list of ids. Each replication leaves out one of them or none, equally
    likely (``1 + len(elements)`` options, option 0 = none). An element that is the only child
    with positive weight of its parent cannot be left out (the parent would have no score) and
    is refused.
    """

    elements: Literal["indicator", "subdimension", "dimension"] | tuple[str, ...] = "indicator"


class Uncertainty(_Spec):
    """What varies in an uncertainty analysis, and how.

    Attributes
    ----------
    jitter : ConfidenceJitter, optional
        Jitter of the analysts' rubric ratings by stated confidence.
    raters : bool
        Resample the raters of each cell with replacement (the bootstrap of Efron and
        Tibshirani 1993, per mission, period and indicator), then consolidate as the recipe
        says.
    weights : WeightNoise, optional
        Noise on the weights.
    choices : tuple of RecipeChoice
        Discrete methodological choices, each a list of recipe variations.
    leave_out : LeaveOut, optional
        Leave one indicator (or sub-dimension, ...) out per replication.
    realisations : int
        ``M``, realisations pre-drawn for each trigger factor of :class:`UncertaintyModel`
        (see the module notes); :func:`uncertainty` uses ``M = n``.
    interval : float
        Coverage of the reported intervals (0.9: the 5 % and 95 % quantiles).

    Examples
    --------
    >>> spec = Uncertainty(jitter=ConfidenceJitter(), weights=WeightNoise(noise=0.2))
    >>> Uncertainty.from_yaml(spec.to_yaml()) == spec
    True
    """

    jitter: ConfidenceJitter | None = None
    raters: bool = False
    weights: WeightNoise | None = None
    choices: tuple[RecipeChoice, ...] = ()
    leave_out: LeaveOut | None = None
    realisations: int = Field(default=1000, ge=1, le=10**7)
    interval: float = Field(default=0.9, gt=0, lt=1)

    @field_validator("choices")
    @classmethod
    def _unique(cls, value: tuple[RecipeChoice, ...]) -> tuple[RecipeChoice, ...]:
        names = [c.name for c in value]
        reserved = {"jitter", "raters", "weights", "leave_out"}
        clash = sorted({n for n in names if names.count(n) > 1 or n in reserved})
        if clash:
            raise ValueError(
                f"choice names must be unique and not one of {sorted(reserved)}: {clash}"
            )
        return value

    @property
    def is_empty(self) -> bool:
        """Whether nothing varies."""
        return (
            self.jitter is None
            and not self.raters
            and self.weights is None
            and not self.choices
            and self.leave_out is None
        )

    def to_dict(self) -> dict[str, Any]:
        """A plain mapping (JSON and YAML safe) from which :meth:`from_dict` rebuilds it."""
        data: dict[str, Any] = self.model_dump(mode="json", exclude_defaults=True)
        return data

    @classmethod
    def from_dict(cls, data: Any) -> Uncertainty:
        """Build and validate a specification from a mapping.

        Raises
        ------
        ArgumentError
            Listing every problem, each with its field path.
        """
        if isinstance(data, Uncertainty):
            return data
        if not isinstance(data, Mapping):
            raise ArgumentError(
                f"uncertainty specification must be a mapping, not {type(data).__name__}"
            )
        try:
            return cls.model_validate(dict(data))
        except ValidationError as exc:
            lines = [
                f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
            ]
            raise ArgumentError(
                "invalid uncertainty specification:\n  " + "\n  ".join(lines)
            ) from None

    def to_yaml(self, path: str | Path | None = None) -> str:
        """The specification as YAML text, also written to ``path`` if given."""
        text = dump_yaml(self.to_dict())
        if path is not None:
            from missionlens.atomic import atomic_write

            with atomic_write(Path(path), "w", encoding="utf-8") as handle:
                handle.write(text)
        return text

    @classmethod
    def from_yaml(cls, source: str | Path) -> Uncertainty:
        """Read a specification from YAML text or a ``.yaml``/``.yml`` file (safe loading,
        duplicate keys refused)."""
        if isinstance(source, Path) and not source.is_file():
            raise ArgumentError(f"uncertainty specification file not found: {source}")
        text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
        if isinstance(source, str) and "\n" not in source and source.endswith((".yaml", ".yml")):
            if not Path(source).is_file():
                raise ArgumentError(f"uncertainty specification file not found: {source}")
            text = Path(source).read_text(encoding="utf-8")
        data = safe_load_unique(text)
        return cls.from_dict({} if data is None else data)

    @property
    def fingerprint(self) -> str:
        """SHA-256 (16 hex digits) of the canonical JSON of the specification."""
        payload = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def resolve_spec(spec: object) -> Uncertainty:
    """The :class:`Uncertainty` of a ``spec=`` argument: an object, a mapping, YAML text or a
    path."""
    if spec is None:
        return Uncertainty()
    if isinstance(spec, Uncertainty):
        return spec
    if isinstance(spec, Mapping):
        return Uncertainty.from_dict(spec)
    if isinstance(spec, os.PathLike):
        return Uncertainty.from_yaml(Path(os.fspath(spec)))
    if isinstance(spec, str):
        return Uncertainty.from_yaml(spec)
    raise ArgumentError(
        "spec must be an Uncertainty, a mapping, YAML text or the path of a YAML file, not "
        f"{type(spec).__name__}"
    )


# --------------------------------------------------------------------------------- draws
class _EntryDraws:
    """Uniform draws per entry, realisation by realisation, without holding all of them.

    Realisation ``r`` is row ``r % B`` of block ``r // B``, a ``(B, n_entries)`` array drawn
    from its own seed (``SeedSequence(seed, spawn_key=(factor, salt, block))``), so any
    realisation is reproduced exactly whatever the order in which they are asked for. ``salt``
    comes from the data's fingerprint: the same data gets the same per-entry draws (two
    recipes compared on one round share them), another round its own, independent ones.

    Blocks once drawn are kept, least recently used dropped first: two at first (enough for
    realisations asked for in order, as :func:`uncertainty` does), and as many as fit in
    ``cache_bytes`` once a block has to be drawn a second time (a sensitivity design asks for
    realisations in random order, so every chunk touches most blocks, and drawing them again
    for each chunk cost most of its time).
    """

    def __init__(
        self,
        entropy: int,
        factor: int,
        n_entries: int,
        m: int,
        salt: int = 0,
        cache_bytes: int = 64 * 2**20,
    ) -> None:
        self.entropy = entropy
        self.factor = factor
        self.salt = salt
        self.n_entries = n_entries
        self.m = m
        block_bytes = max(1, 4 * _BLOCK * n_entries)
        self._most = max(2, cache_bytes // block_bytes)
        self._keep = 2
        self._drawn: set[int] = set()
        self._cache: dict[int, NDArray[np.float32]] = {}  # insertion order = recency

    def block(self, b: int) -> NDArray[np.float32]:
        cached = self._cache.pop(b, None)
        if cached is not None:
            self._cache[b] = cached  # most recent last
            return cached
        seq = np.random.SeedSequence(self.entropy, spawn_key=(self.factor, self.salt, b))
        rows = min(_BLOCK, self.m - b * _BLOCK)
        # single precision: half the cost of drawing and moving them; a uniform draw needs no
        # more resolution (2**-24) to pick a rater or place a jitter
        out: NDArray[np.float32] = np.random.default_rng(seq).random(
            (rows, self.n_entries), dtype=np.float32
        )
        out.flags.writeable = False  # shared by every chunk that asks for it
        if b in self._drawn:
            self._keep = self._most  # asked for out of order: keep as many as fit
        self._drawn.add(b)
        if len(self._cache) >= self._keep:
            del self._cache[next(iter(self._cache))]  # the least recently used
        self._cache[b] = out
        return out

    def take(self, index: IntArray) -> NDArray[np.float32]:
        """Rows ``index`` of the realisations (read-only: a view of a block when they are
        consecutive rows of one block, as the replications of one batch often are)."""
        if index.size == 0:
            return np.empty((0, self.n_entries), dtype=np.float32)
        first = int(index[0])
        b = first // _BLOCK
        if (
            (index[-1] - first) == index.size - 1
            and int(index[-1]) // _BLOCK == b
            and (index.size == 1 or bool((np.diff(index) == 1).all()))
        ):
            start = first - b * _BLOCK
            return self.block(b)[start : start + index.size]
        out = np.empty((index.size, self.n_entries), dtype=np.float32)
        blocks = index // _BLOCK
        for bb in np.unique(blocks):
            rows = np.flatnonzero(blocks == bb)
            out[rows] = self.block(int(bb))[index[rows] % _BLOCK]
        return out


def _entropy(seed: int | None) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ArgumentError(f"seed must be a non-negative whole number or None, not {seed!r}")
    return int(seed)


def _rng(entropy: int, factor: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(entropy, spawn_key=(factor,)))


# Fixed stream numbers, so that a factor's draws do not depend on which other factors are on
# (pairing in compare_uncertain relies on it).
_STREAM = {"weights": 1, "choices": 2, "leave_out": 3, "jitter": 4, "raters": 5}


@dataclass(frozen=True)
class _NodeGroup:
    """Nodes of one depth aggregated in one kernel call (same child count, method, rule)."""

    nodes: tuple[str, ...]
    positions: IntArray  # (G,) node positions
    children: IntArray  # (G, c) columns of the children (nodes, then indicators)
    weight_columns: IntArray  # (G, c) positions of the children among the elements
    applies: BoolArray | None  # (units, G, c), None when every child applies
    method: str
    p: float | None
    rule: str
    min_share: float


@dataclass(frozen=True)
class ReplicationInputs:
    """The concrete inputs of one replication (for checks and reference computations).

    ``recipe`` is the recipe variation with every weight set in its ``weight`` step (so that
    :func:`~missionlens.score` with it uses exactly these weights); ``entries`` are the entries
    the values are consolidated from (after rater resampling and jitter).
    """

    recipe: Recipe
    weights: dict[str, float]
    entries: EntryArrays


# ------------------------------------------------------------------------------------ model
class UncertaintyModel:
    """The uncertainty engine: scores of every unit and node for given uncertain inputs.

    Build with :meth:`build`. Implements the protocol a variance-based sensitivity analysis
    samples: :attr:`factor_names`, :attr:`factor_levels` and :meth:`evaluate_unit`.

    Attributes
    ----------
    units : pandas.DataFrame
        ``mission``, ``period``, ``phase`` of each unit, in output order.
    nodes : tuple of str
        The framework's node ids (framework order) then its indicator ids: the last axis of
        every score array.
    node_types : tuple of str
        ``root``, ``dimension``, ``subdimension`` or ``indicator`` for each of :attr:`nodes`.
    factor_names : tuple of str
        One per uncertain input group, in this order when present: ``jitter``, ``raters``,
        ``weights``, each choice's name, ``leave_out``.
    factor_levels : tuple of (int or None)
        ``None`` for a trigger factor (continuous ``u`` selects realisation
        ``floor(u * realisations)``), ``k`` for a discrete choice among ``k`` options
        (``floor(u * k)``).
    nominal : numpy.ndarray, shape (units, nodes)
        The scores of the recipe as given (what :func:`~missionlens.score` reports).
    """

    def __init__(
        self,
        *,
        framework: Framework,
        recipe: Recipe,
        spec: Uncertainty,
        state: ScoringState,
        final: ScoringState,
        confidence: IntArray | None,
        data: pd.DataFrame,
        entropy: int,
        realisations: int,
        memory_budget: int,
        nominal_profiles: Profiles,
    ) -> None:
        self.framework = framework
        self.recipe = recipe
        self.spec = spec
        self.seed = entropy
        self.realisations = realisations
        self.memory_budget = memory_budget
        self.data = data
        self.profiles = nominal_profiles
        self._state = state
        fw = framework
        self.units: pd.DataFrame = (
            state.units[["mission", "period", "phase"]].reset_index(drop=True).copy()
        )
        self.nodes: tuple[str, ...] = (*fw.node_ids, *fw.indicator_ids)
        self.node_types: tuple[str, ...] = tuple(fw.node_type(n) for n in self.nodes)
        self._elements: tuple[str, ...] = (*fw.node_ids, *fw.indicator_ids)
        self._element_pos = {e: k for k, e in enumerate(self._elements)}
        if final.node_scores is None or final.normalised is None:
            raise RecipeError("the recipe did not normalise and aggregate: nothing to analyse")
        self.nominal: FloatArray = np.concatenate([final.node_scores, final.normalised], axis=1)
        # the headline tree is the performance composite: context indicators neither apply nor
        # count there (ScoringState.for_role, as the aggregate step reads it)
        self._tree_state = state.for_role("performance")
        self._node_applies = node_applicability(self._tree_state)
        # entries sorted by cell (for the bootstrap), with their confidence and scale facts
        entries: EntryArrays = state.entries
        order = np.argsort(entries.cell, kind="stable")
        self._cell = entries.cell[order]
        self._value = entries.value[order]
        self._weight = entries.weight[order]
        self._rater = entries.rater[order]
        self._n_cells = entries.n_cells
        counts = np.bincount(self._cell, minlength=self._n_cells)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        self._entry_start = starts[self._cell]
        self._entry_count = counts[self._cell]
        n_ind = len(fw.indicator_ids)
        ind_of_entry = self._cell % n_ind
        self._half_width = np.zeros(self._cell.size)
        self._lo = np.full(self._cell.size, -np.inf)  # no bound: values off rubrics stay
        self._hi = np.full(self._cell.size, np.inf)
        self._rubric_levels: dict[int, FloatArray] = {}
        self._scale_group = np.full(self._cell.size, -1, dtype=np.int64)
        if spec.jitter is not None:
            jit = spec.jitter
            conf = (
                np.full(self._cell.size, -1, dtype=np.int64)
                if confidence is None
                else confidence[order]
            )
            widths = np.array([jit.half_widths[c] for c in _CONFIDENCE_LEVELS] + [jit.unstated])
            self._half_width = widths[np.where(conf < 0, 3, conf)]
            rubric_scales = [s for s in fw.scales if isinstance(s, RubricScale)]
            for g, scale in enumerate(rubric_scales):
                cols = [j for j, i in enumerate(fw.indicators) if i.scale == scale.id]
                on = np.isin(ind_of_entry, cols)
                self._scale_group[on] = g
                self._rubric_levels[g] = np.array(sorted(scale.values), dtype=np.float64)
                self._lo[on], self._hi[on] = scale.bounds
            self._half_width = np.where(self._scale_group >= 0, self._half_width, 0.0)
        # cells as a padded (cells, most entries per cell) table of entry positions, for the
        # batched consolidation; multi: entries in cells of several raters (the only ones a
        # bootstrap can change)
        width = int(counts.max()) if counts.size else 0
        slot = np.arange(self._cell.size) - self._entry_start
        self._slots = np.full((self._n_cells, max(width, 1)), -1, dtype=np.int64)
        self._slots[self._cell, slot] = np.arange(self._cell.size)
        self._cell_count = counts
        self._cells_by_count: dict[int, tuple[IntArray, IntArray]] = {}
        # cells of k entries whose entries lie one after another (entries sorted by cell):
        # their values are a (replications, cells, k) view of the entry values, with nothing
        # to gather (the cells themselves a slice when they too follow one another)
        self._cell_runs: dict[int, tuple[slice | IntArray, slice]] = {}
        for k in np.unique(counts[counts > 0]):
            cells = np.flatnonzero(counts == k)
            slots_k = self._slots[cells, : int(k)]
            self._cells_by_count[int(k)] = (cells, slots_k)
            first = int(slots_k[0, 0])
            if np.array_equal(slots_k.reshape(-1), np.arange(first, first + slots_k.size)):
                target: slice | IntArray = cells
                if np.array_equal(cells, np.arange(cells[0], cells[0] + cells.size)):
                    target = slice(int(cells[0]), int(cells[0]) + cells.size)
                self._cell_runs[int(k)] = (target, slice(first, first + slots_k.size))
        self._multi = np.flatnonzero(self._entry_count > 1)
        self._jittered = np.flatnonzero(self._scale_group >= 0)
        # factors
        names: list[str] = []
        levels: list[int | None] = []
        if spec.jitter is not None:
            names.append("jitter")
            levels.append(None)
        if spec.raters:
            names.append("raters")
            levels.append(None)
        if spec.weights is not None:
            names.append("weights")
            levels.append(None)
        self._variants: list[list[Recipe]] = []
        for choice in spec.choices:
            names.append(choice.name)
            levels.append(len(choice.options))
        self._leave_out: tuple[str, ...] = ()
        if spec.leave_out is not None:
            self._leave_out = self._leave_out_candidates(spec.leave_out)
            names.append("leave_out")
            levels.append(1 + len(self._leave_out))
        self.factor_names: tuple[str, ...] = tuple(names)
        self.factor_levels: tuple[int | None, ...] = tuple(levels)
        self._recipes: dict[tuple[int, ...], Recipe] = {}
        for combo in np.ndindex(*[len(c.options) for c in spec.choices]):
            self._recipe_of(tuple(int(i) for i in combo))  # refuse a bad option at build time
        self._weight_mult = self._draw_weight_multipliers()
        self.data_fingerprint = data_fingerprint(data)
        salt = int(self.data_fingerprint[:15], 16)
        cache = memory_budget // 8  # kept blocks of draws, per per-entry factor
        self._jitter_draws = (
            _EntryDraws(entropy, _STREAM["jitter"], self._jittered.size, realisations, salt, cache)
            if spec.jitter is not None
            else None
        )
        self._rater_draws = (
            _EntryDraws(entropy, _STREAM["raters"], self._multi.size, realisations, salt, cache)
            if spec.raters
            else None
        )
        self._shared_cache: dict[tuple[int, ...], tuple[ScoringState, AggregateParams]] = {}
        self._prefix_cache: dict[str, ScoringState] = {}
        self._plans: dict[str, list[_NodeGroup]] = {}
        # per-chunk work that depends only on the recipe variation, done once per variation
        self._weight_base: dict[int, tuple[Recipe, FloatArray]] = {}
        self._performance = self._state.role_mask("performance")
        self._normalise_plans: dict[str, _NormalisePlan] = {}

    # ------------------------------------------------------------------------- building
    @classmethod
    def build(
        cls,
        source: pd.DataFrame,
        *,
        framework: Framework | str,
        recipe: Recipe | dict[str, Any] | str | os.PathLike[str] | None = None,
        spec: Uncertainty | Mapping[str, Any] | str | os.PathLike[str] | None = None,
        seed: int | None = None,
        realisations: int | None = None,
        unknown_columns: Literal["error", "ignore"] = "error",
        memory_budget: int = DEFAULT_MEMORY_BUDGET,
        timelines: Any = None,
    ) -> UncertaintyModel:
        """Check, consolidate and score the data once, and prepare every draw.

        Parameters
        ----------
        source, framework, recipe, unknown_columns, timelines
            As :func:`~missionlens.score` takes them (the same checks refuse the same rows).
        spec : Uncertainty, mapping, YAML text or path
            What varies (:class:`Uncertainty`); nothing by default.
        seed : int, optional
            Seed of every draw; the same seed gives the same draws.
        realisations : int, optional
            ``M`` realisations of each trigger factor; ``spec.realisations`` by default.
        memory_budget : int
            Bytes of working memory for one chunk of replications.

        Raises
        ------
        ArgumentError
            For a bad argument or specification.
        ScoringInputError, RecipeError
            As :func:`~missionlens.score` raises them, or if a recipe variation is invalid.
        """
        if not isinstance(source, pd.DataFrame):
            raise ArgumentError(
                "uncertainty: source must be a pandas DataFrame of assessments or indicator "
                f"values (read files with ml.read_assessments), not {type(source).__name__}"
            )
        fw = resolve_framework(framework, "uncertainty")
        if fw is None:
            raise ArgumentError("uncertainty: framework is required (a Framework or its name)")
        resolved = resolve_recipe(recipe, "uncertainty")
        unc = resolve_spec(spec)
        m = unc.realisations if realisations is None else realisations
        if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 1:
            raise ArgumentError(f"uncertainty: realisations must be a whole number >= 1, not {m!r}")
        if isinstance(memory_budget, bool) or not isinstance(memory_budget, int):
            raise ArgumentError("uncertainty: memory_budget must be a number of bytes")
        if memory_budget < 2**20:
            raise ArgumentError("uncertainty: memory_budget must be at least 1 MiB (2**20 bytes)")
        entropy = _entropy(seed)
        state, data = prepare(
            source, fw, resolved, unknown_columns=unknown_columns, timelines=timelines
        )
        final = _run_plain(state, resolved)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nominal = profiles_from_state(final, resolved, data, unknown_columns=unknown_columns)
        confidence = None
        if unc.jitter is not None:
            checked = check_entries(
                load_sources(data, fw),
                fw,
                wide_allowed=sorted(resolved.data_columns()),
                unknown_columns=unknown_columns,
                timelines=timelines,
            )
            keep = ~np.isnan(checked.values) & (checked.indicator >= 0)
            confidence = checked.confidence[keep].astype(np.int64)
        return cls(
            framework=fw,
            recipe=resolved,
            spec=unc,
            state=state,
            final=final,
            confidence=confidence,
            data=data,
            entropy=entropy,
            realisations=int(m),
            memory_budget=memory_budget,
            nominal_profiles=nominal,
        )

    def _leave_out_candidates(self, leave: LeaveOut) -> tuple[str, ...]:
        fw = self.framework
        if isinstance(leave.elements, str):
            kind = leave.elements
            pool = fw.indicator_ids if kind == "indicator" else fw.node_ids
            ids = tuple(e for e in pool if fw.node_type(e) == kind)
        else:
            ids = tuple(leave.elements)
            unknown = [e for e in ids if e not in self._element_pos or e == fw.root.id]
            if unknown:
                raise ArgumentError(
                    f"leave_out: unknown or root element(s) {listing(unknown)}; give indicator, "
                    "sub-dimension or dimension ids"
                )
        weights = self._base_weights(self.recipe)
        alone = []
        for e in ids:
            parent = fw.ancestors(e)[0]
            others = [c for c in fw.children(parent) if c != e and weights[c] > 0]
            if not others:
                alone.append(e)
        if alone:
            raise ArgumentError(
                f"leave_out: {listing(alone)} cannot be left out: each is the only child with a "
                "positive weight of its parent, which would then have no score"
            )
        if not ids:
            raise ArgumentError(f"leave_out: the framework has no element of type {leave.elements}")
        return ids

    def _recipe_of(self, combo: tuple[int, ...]) -> Recipe:
        if combo not in self._recipes:
            recipe = self.recipe
            for choice, k in zip(self.spec.choices, combo, strict=True):
                option = choice.options[k]
                try:
                    recipe = option.apply(recipe)
                except RecipeError as exc:
                    raise RecipeError(
                        f"uncertainty: choice {choice.name!r}, option {option.label!r}: {exc}"
                    ) from None
            if recipe.settings != self.recipe.settings:
                raise RecipeError(
                    "uncertainty: a choice changes the recipe's settings (consolidation); vary "
                    "steps only"
                )
            self._recipes[combo] = recipe
        return self._recipes[combo]

    def _base_weights(self, recipe: Recipe) -> dict[str, float]:
        weights = dict(self._state.weights)
        for step in recipe.steps:
            if isinstance(step.params, WeightParams):
                weights = STEPS["weight"](
                    replace(self._state, weights=weights), step.params
                ).weights
        return weights

    def _draw_weight_multipliers(self) -> FloatArray | None:
        """``(M, elements)`` multipliers of the weights, or None when weights do not vary."""
        noise = self.spec.weights
        if noise is None:
            return None
        fw = self.framework
        m, e = self.realisations, len(self._elements)
        rng = _rng(self.seed, _STREAM["weights"])
        if noise.method == "relative":
            x = np.zeros(e)
            for k, element in enumerate(self._elements):
                if element == fw.root.id:
                    continue
                kind = fw.node_type(element)
                x[k] = noise.noise.get(kind, 0.0) if isinstance(noise.noise, dict) else noise.noise
            u = rng.random((m, e))
            mult: FloatArray = 1.0 + x * (2.0 * u - 1.0)
            return mult
        # Dirichlet around the nominal weights of the recipe as given, node by node
        weights = self._base_weights(self.recipe)
        mult = np.ones((m, e))
        for node in fw.node_ids:
            children = [c for c in fw.children(node) if weights[c] > 0]
            if len(children) < 2:
                continue
            w = np.array([weights[c] for c in children])
            shares = w / w.sum()
            drawn = rng.dirichlet(noise.concentration * shares, size=m)
            cols = [self._element_pos[c] for c in children]
            mult[:, cols] = drawn / shares
        return mult

    # ------------------------------------------------------------------------- evaluation
    def evaluate_unit(self, x: NDArray[np.float64]) -> FloatArray:
        """Scores for points of the unit hypercube, one row per point.

        Parameters
        ----------
        x : ndarray, shape (n, len(factor_names))
            Values in ``[0, 1)``: trigger factors select realisation ``floor(u * M)``,
            discrete factors option ``floor(u * k)``.

        Returns
        -------
        ndarray, shape (n, units, nodes)
        """
        arr = np.asarray(x, dtype=np.float64)
        d = len(self.factor_names)
        if arr.ndim != 2 or arr.shape[1] != d:
            raise ArgumentError(
                f"evaluate_unit: x must have shape (n, {d}) for the factors "
                f"{list(self.factor_names)}, got {arr.shape}"
            )
        if not np.isfinite(arr).all() or (arr < 0).any() or (arr >= 1).any():
            raise ArgumentError("evaluate_unit: every value of x must be in [0, 1)")
        index = {}
        for k, (name, levels) in enumerate(zip(self.factor_names, self.factor_levels, strict=True)):
            size = self.realisations if levels is None else levels
            index[name] = np.minimum((arr[:, k] * size).astype(np.int64), size - 1)
        return self.evaluate(index)

    def evaluate(
        self, index: Mapping[str, NDArray[np.int64]], *, progress: bool = False
    ) -> FloatArray:
        """Scores for given realisation and option indices, one array per factor.

        Parameters
        ----------
        index : mapping of factor name -> int array of shape (n,)
            Every factor of :attr:`factor_names`: a realisation ``0 <= i < M`` of a trigger
            factor, an option ``0 <= i < k`` of a discrete one.
        progress : bool
            Show a progress bar over the chunks (on an interactive standard error only).

        Returns
        -------
        ndarray, shape (n, units, nodes)
        """
        n = self._check_index(index)
        out = np.empty((n, len(self.units), len(self.nodes)))
        for rows, part in self._chunks(index, n, progress):
            out[rows] = part
        return out

    def _check_index(self, index: Mapping[str, NDArray[np.int64]]) -> int:
        missing = [f for f in self.factor_names if f not in index]
        extra = [f for f in index if f not in self.factor_names]
        if missing or extra:
            raise ArgumentError(
                f"evaluate: index must name the factors {list(self.factor_names)}; missing "
                f"{missing}, unknown {extra}"
            )
        sizes = {np.asarray(v).shape for v in index.values()}
        if len(sizes) > 1 or any(len(s) != 1 for s in sizes):
            raise ArgumentError("evaluate: every index must be a 1-D array of the same length")
        for name, levels in zip(self.factor_names, self.factor_levels, strict=True):
            size = self.realisations if levels is None else levels
            values = np.asarray(index[name])
            if values.size and (values.min() < 0 or values.max() >= size):
                raise ArgumentError(f"evaluate: index of {name!r} must be in 0..{size - 1}")
        return int(next(iter(sizes))[0]) if sizes else 1

    def _per_replication_bytes(self) -> int:
        u, i, k = len(self.units), len(self.framework.indicator_ids), len(self.nodes)
        entries = self._cell.size if (self.spec.jitter or self.spec.raters) else 0
        return 8 * (10 * u * i + 4 * u * k + 8 * entries) + 1

    def _chunks(
        self, index: Mapping[str, NDArray[np.int64]], n: int, progress: bool
    ) -> Iterator[tuple[IntArray, FloatArray]]:
        """Replications grouped by recipe variation, each group cut into chunks."""
        choice_names = [c.name for c in self.spec.choices]
        if choice_names:
            combos = np.stack([np.asarray(index[c], dtype=np.int64) for c in choice_names], 1)
        else:
            combos = np.zeros((n, 0), dtype=np.int64)
        # chunks from the memory budget, at most _CHUNK replications (arrays that fit the
        # processor's cache are faster than larger ones)
        size = max(1, min(_CHUNK, self.memory_budget // self._per_replication_bytes()))
        groups: list[tuple[tuple[int, ...], IntArray]] = []
        if n:
            keys, inverse = np.unique(combos, axis=0, return_inverse=True)
            inverse = inverse.reshape(-1)
            for g, key in enumerate(keys):
                rows = np.flatnonzero(inverse == g)
                for start in range(0, rows.size, size):
                    groups.append((tuple(int(v) for v in key), rows[start : start + size]))
        bar = _progress(len(groups), progress)
        try:
            for combo, rows in groups:
                picked = {k: np.asarray(v, dtype=np.int64)[rows] for k, v in index.items()}
                yield rows, self._evaluate_group(combo, picked)
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()

    def _evaluate_group(self, combo: tuple[int, ...], index: Mapping[str, IntArray]) -> FloatArray:
        recipe = self._recipe_of(combo)
        n = next(iter(index.values())).size if index else 1
        weights = self._weights_batch(recipe, index, n)
        if self.spec.jitter is None and not self.spec.raters:
            if combo not in self._shared_cache:
                self._shared_cache[combo] = self._shared(recipe)
            state, params = self._shared_cache[combo]
            normalised = state.normalised
            if normalised is None:  # pragma: no cover - _shared checks it
                raise RecipeError("the recipe did not normalise")
            return self._aggregate(normalised[None], weights, params)
        raw = self._values_batch(index, n)
        normalised, params = self._run_batched(recipe, raw)
        return self._aggregate(normalised, weights, params)

    def _weights_batch(self, recipe: Recipe, index: Mapping[str, IntArray], n: int) -> FloatArray:
        cached = self._weight_base.get(id(recipe))
        if cached is None or cached[0] is not recipe:
            base = self._base_weights(recipe)
            w = np.array([base[e] for e in self._elements], dtype=np.float64)
            cached = self._weight_base[id(recipe)] = (recipe, w)
        w = cached[1]
        out = np.broadcast_to(w, (n, w.size)).copy()
        if self._weight_mult is not None:
            out *= self._weight_mult[index["weights"]]
        if self._leave_out:
            pick = index["leave_out"]
            rows = np.flatnonzero(pick > 0)
            cols = [self._element_pos[self._leave_out[k - 1]] for k in pick[rows]]
            out[rows, cols] = 0.0
        return out

    def _values_batch(self, index: Mapping[str, IntArray], n: int) -> FloatArray:
        """Consolidated values ``(n, units, indicators)`` of resampled, jittered entries."""
        settings = self.recipe.settings
        weighted = settings.consolidate == "confidence_weighted"
        value, weight = self._entries_batch(index, n, weights=weighted)
        shape = (n, len(self.units), len(self.framework.indicator_ids))
        if settings.consolidate == "median":
            return self._median_batch(value).reshape(shape)
        n_cells = self._n_cells
        cells = (np.arange(n, dtype=np.int64)[:, None] * n_cells + self._cell).reshape(-1)
        flat = consolidate_cells(
            cells,
            value.reshape(-1),
            n * n_cells,
            settings.consolidate,
            trim=settings.trim,
            weights=weight.reshape(-1),
        )
        return flat.reshape(shape)

    def _median_batch(self, value: FloatArray) -> FloatArray:
        """The median of every cell of every replication, ``(n, cells)``.

        The cells' structure (which entries, how many) is the same in every replication, so
        cells are taken by their number of values ``k``: one value is itself, two give
        ``(a + b) / 2``, three the middle one (``max(min(a, b), min(max(a, b), c))``), more are
        laid out as ``(n, cells, k)`` and sorted along the short last axis, the median being
        ``(s[(k - 1) // 2] + s[k // 2]) / 2``: the same arithmetic as
        :func:`consolidate_cells` (checked against it, through ``ml.score``, in the tests),
        without its sort of all entries together.
        """
        out = np.full((value.shape[0], self._n_cells), np.nan)
        for k, (cells, slots) in self._cells_by_count.items():
            run = self._cell_runs.get(k)
            if run is not None and k <= 3:  # the same arithmetic on views of the entries
                laid_k = value[:, run[1]].reshape(value.shape[0], -1, k)
                if k == 1:
                    out[:, run[0]] = laid_k[..., 0]
                elif k == 2:
                    out[:, run[0]] = (laid_k[..., 0] + laid_k[..., 1]) / 2.0
                else:
                    a, b, c = laid_k[..., 0], laid_k[..., 1], laid_k[..., 2]
                    high = np.maximum(a, b)
                    np.minimum(high, c, out=high)
                    out[:, run[0]] = np.maximum(np.minimum(a, b), high)
                continue
            if k == 1:
                out[:, cells] = value[:, slots[:, 0]]
            elif k == 2:
                out[:, cells] = (value[:, slots[:, 0]] + value[:, slots[:, 1]]) / 2.0
            elif k == 3:
                a, b, c = (value[:, slots[:, j]] for j in range(3))
                low = np.minimum(a, b)
                np.maximum(a, b, out=a)
                np.minimum(a, c, out=a)
                out[:, cells] = np.maximum(low, a)
            else:
                laid = value[:, slots]
                laid.sort(axis=-1)
                out[:, cells] = (laid[..., (k - 1) // 2] + laid[..., k // 2]) / 2.0
        return out

    def _entries_batch(
        self, index: Mapping[str, IntArray], n: int, *, weights: bool = True
    ) -> tuple[FloatArray, FloatArray]:
        """Entry values and confidence weights ``(n, entries)`` after resampling and jitter
        (the weights only if ``weights``, else the entered ones, broadcast)."""
        value: FloatArray = np.broadcast_to(self._value, (n, self._value.size))
        weight: FloatArray = np.broadcast_to(self._weight, (n, self._weight.size))
        width: FloatArray = np.broadcast_to(self._half_width, (n, self._value.size))
        if self._rater_draws is not None:
            pick = self._picks(index["raters"])
            value = np.take(self._value, pick)  # np.take: faster than fancy indexing
            if weights:
                weight = np.take(self._weight, pick)
            if self._jitter_draws is not None:
                width = np.take(self._half_width, pick)
        if self._jitter_draws is not None and self.spec.jitter is not None:
            jit = self.spec.jitter
            cols = self._jittered  # rubric entries: only their draws are used
            every = cols.size == self._value.size
            u = self._jitter_draws.take(index["jitter"])  # single precision, on [0, 1)
            if jit.shape == "uniform":
                e = np.multiply(u, 2.0, dtype=np.float64)
                e -= 1.0
            else:  # symmetric triangular on [-1, 1] by its inverse distribution function
                e = u.astype(np.float64)
                e = np.where(e < 0.5, np.sqrt(2.0 * e) - 1.0, 1.0 - np.sqrt(2.0 * (1.0 - e)))
            e *= width if every else width[:, cols]  # half-width 0: the value as entered
            e += value if every else value[:, cols]
            np.maximum(e, self._lo[cols], out=e)
            np.minimum(e, self._hi[cols], out=e)
            if every:
                value = e
            else:
                value = np.array(value, dtype=np.float64)
                value[:, cols] = e
            if jit.to_level:
                value = self._to_level(value)
        return value, weight

    def _picks(self, realisations: IntArray) -> IntArray:
        """Entry drawn at each position by the rater bootstrap, ``(n, entries)``: a uniform
        ``u`` at a position of a cell with ``k`` entries picks its entry ``floor(u k)``."""
        multi = self._multi
        n, size = realisations.size, self._cell.size
        if self._rater_draws is None or multi.size == 0:
            return np.broadcast_to(np.arange(size), (n, size))
        u = self._rater_draws.take(realisations)  # read-only
        count = self._entry_count[multi]
        scaled = u * count.astype(np.float32)
        drawn = scaled.astype(np.int64)
        np.minimum(drawn, count - 1, out=drawn)
        drawn += self._entry_start[multi]
        if multi.size == size:
            return drawn
        picks = np.broadcast_to(np.arange(size), (n, size)).copy()
        picks[:, multi] = drawn
        return picks

    def _to_level(self, value: FloatArray) -> FloatArray:
        out = value.copy()
        for g, levels in self._rubric_levels.items():
            on = np.broadcast_to(self._scale_group == g, value.shape)
            v = value[on]
            pos = np.clip(np.searchsorted(levels, v), 1, levels.size - 1)
            below, above = levels[pos - 1], levels[pos]
            out[on] = np.where(v - below <= above - v, below, above)
        return out

    # ---------------------------------------------------------------------- recipe engine
    def _shared(self, recipe: Recipe) -> tuple[ScoringState, AggregateParams]:
        """Every step but the aggregation, once, with the library's own step functions."""
        state = self._state
        params: AggregateParams | None = None
        prefix: list[str] = []
        for index, step in enumerate(recipe.steps):
            if isinstance(step.params, AggregateParams):
                params = step.params
                continue
            prefix.append(json.dumps(step.to_dict(), sort_keys=True))
            key = "\n".join(prefix)  # variations sharing the first steps share their states
            if key not in self._prefix_cache:
                try:
                    self._prefix_cache[key] = STEPS[step.step](state, step.params)
                except RecipeError as exc:
                    raise RecipeError(f"recipe '{recipe.name}', steps[{index}]: {exc}") from None
            state = self._prefix_cache[key]
        if params is None or state.normalised is None:
            raise RecipeError(f"uncertainty: recipe '{recipe.name}' must normalise and aggregate")
        return state, params

    def _run_batched(self, recipe: Recipe, raw: FloatArray) -> tuple[FloatArray, AggregateParams]:
        """The recipe's steps before the aggregation on a batch ``(n, units, indicators)``.

        Each step does what its function in :mod:`missionlens.scoring.steps` does, through the
        same kernels, along the leading replication axis (checked value by value against
        :func:`~missionlens.score` in the tests).
        """
        values = raw  # every step below copies before it writes
        normalised: FloatArray | None = None
        logged = np.zeros((raw.shape[0], raw.shape[2]), dtype=bool)
        params: AggregateParams | None = None
        state = self._state
        for index, step in enumerate(recipe.steps):
            p = step.params
            try:
                if isinstance(p, DenominateParams):
                    values = _denominate(state, p, values)
                elif isinstance(p, ImputeParams):
                    if p.method == "sibling_mean":
                        if normalised is None:
                            raise RecipeError("impute sibling_mean must come after normalise")
                        normalised = _sibling_mean(state, p, normalised)
                    else:
                        values = _impute(state, p, values)
                elif isinstance(p, TreatOutliersParams):
                    values, now_logged = _treat_outliers(state, p, values)
                    logged |= now_logged
                elif isinstance(p, NormaliseParams):
                    normalised = _normalise(state, p, values, logged, self._normalise_plans)
                elif isinstance(p, AggregateParams):
                    params = p
            except RecipeError as exc:
                raise RecipeError(f"recipe '{recipe.name}', steps[{index}]: {exc}") from None
        if params is None or normalised is None:
            raise RecipeError(f"uncertainty: recipe '{recipe.name}' must normalise and aggregate")
        return normalised, params

    def _aggregate(
        self, normalised: FloatArray, weights: FloatArray, params: AggregateParams
    ) -> FloatArray:
        """Aggregate the tree bottom-up for a batch: THE one call of the aggregation kernel.

        ``normalised`` is ``(n or 1, units, indicators)``, ``weights`` ``(n, elements)``; the
        result is ``(n, units, nodes)`` for the model's nodes: the tree's nodes, then the
        indicators (their normalised scores).
        Methods, missing rules and applicability as the ``aggregate`` step resolves them
        (:func:`missionlens.scoring.steps.step_aggregate`). Nodes of the same depth that have
        as many children and the same method, exponent and missing rule go through the kernel
        together, stacked on one more leading axis (each is aggregated on its own: the kernel
        works unit by unit), so a tree costs a few calls rather than one per node.
        """
        fw = self.framework
        n = weights.shape[0]
        n_units = normalised.shape[1]
        # one array of node scores then indicator scores: children are columns of it
        both = np.empty((n, n_units, len(fw.nodes) + normalised.shape[2]))
        both[:, :, : len(fw.nodes)] = np.nan
        # the performance composite: a context indicator's value must not enter it (the kernel
        # counts any value present), so the tree reads them as absent ...
        performance = self._performance
        if performance.all():
            both[:, :, len(fw.nodes) :] = normalised
        else:
            both[:, :, len(fw.nodes) :] = np.where(performance, normalised, np.nan)
        for group in self._aggregation_plan(params):
            # units stay a leading axis and the G nodes of the group take the kernel's unit
            # axis: each (replication, unit, node) is aggregated on its own either way, and
            # the children come out of ``both`` contiguous, with no transposition
            block = both[:, :, group.children]  # (n, units, G, c)
            w = weights[:, None, group.weight_columns]  # (n, 1, G, c)
            try:
                out, _ = agg.aggregate(
                    block,
                    w,
                    group.method,
                    p=group.p,
                    rule=group.rule,  # type: ignore[arg-type]
                    min_share=group.min_share,
                    applicable=group.applies,
                )
            except ValueError as exc:
                raise RecipeError(
                    f"step 'aggregate' at node(s) {listing(group.nodes)}: {exc}"
                ) from None
            both[:, :, group.positions] = out
        if not performance.all():  # ... and every indicator still reports its own score
            both[:, :, len(fw.nodes) :] = normalised
        return both

    def _aggregation_plan(self, params: AggregateParams) -> list[_NodeGroup]:
        """The groups of nodes aggregated together, deepest first (kept per parameters)."""
        key = json.dumps(params.model_dump(mode="json"), sort_keys=True)
        if key in self._plans:
            return self._plans[key]
        fw = self.framework
        state = self._state
        unknown = [k for k in params.overrides if k not in fw.node_ids]
        if unknown:
            raise RecipeError(
                f"step 'aggregate': overrides name unknown node(s) {listing(unknown)}"
            )
        n_nodes = len(fw.nodes)
        node_pos = {nd: k for k, nd in enumerate(fw.node_ids)}

        def column(child: str) -> int:
            return node_pos[child] if child in node_pos else n_nodes + state.column(child)

        applies_all = np.concatenate([self._node_applies, self._tree_state.applicable], axis=1)
        plan: list[_NodeGroup] = []
        for depth in sorted({fw.depth(nd) for nd in fw.node_ids}, reverse=True):
            groups: dict[tuple[Any, ...], list[str]] = {}
            for node_id in fw.node_ids:
                if fw.depth(node_id) != depth:
                    continue
                node = fw.node(node_id)
                override = params.overrides.get(node_id)
                method: str = (
                    node.aggregation.method if params.method == "framework" else params.method
                )
                p = node.aggregation.p if params.method == "framework" else params.p
                rule = params.rule or node.missing.rule
                min_share = node.missing.min_share if params.min_share is None else params.min_share
                if override is not None:
                    method = override.method or method
                    p = override.p if override.p is not None else p
                    rule = override.rule or rule
                    min_share = override.min_share if override.min_share is not None else min_share
                group_key = (len(fw.children(node_id)), method, p, rule, float(min_share))
                groups.setdefault(group_key, []).append(node_id)
            for (_, method, p, rule, min_share), nodes in groups.items():
                children = np.array(
                    [[column(c) for c in fw.children(nd)] for nd in nodes], dtype=np.int64
                )
                plan.append(
                    _NodeGroup(
                        nodes=tuple(nodes),
                        positions=np.array([node_pos[nd] for nd in nodes], dtype=np.int64),
                        children=children,
                        weight_columns=np.array(
                            [[self._element_pos[c] for c in fw.children(nd)] for nd in nodes],
                            dtype=np.int64,
                        ),
                        # (units, G, c); None where every child applies (the same result)
                        applies=None
                        if applies_all[:, children].all()
                        else applies_all[:, children],
                        method=method,
                        p=p,
                        rule=rule,
                        min_share=min_share,
                    )
                )
        self._plans[key] = plan
        return plan

    # ------------------------------------------------------------------ one replication
    def replication_inputs(self, index: Mapping[str, int]) -> ReplicationInputs:
        """The concrete inputs of one replication: its recipe (with every weight set), weights
        and entries, for reference computations with :func:`~missionlens.score`."""
        arrays = {k: np.array([int(v)], dtype=np.int64) for k, v in index.items()}
        self._check_index(arrays)
        combo = tuple(int(index[c.name]) for c in self.spec.choices)
        recipe = self._recipe_of(combo)
        w = self._weights_batch(recipe, arrays, 1)[0]
        weights = {e: float(w[k]) for k, e in enumerate(self._elements)}
        if any(isinstance(s.params, WeightParams) for s in recipe.steps):
            recipe = recipe.with_params("weight", overrides=weights)
        value, weight = self._entries_batch(arrays, 1)
        rater = self._rater
        if self._rater_draws is not None:
            rater = self._rater[self._picks(arrays["raters"])[0]]
        entries = EntryArrays(
            cell=self._cell.copy(),
            value=value[0].copy(),
            rater=np.asarray(rater, dtype=np.int64),
            weight=weight[0].copy(),
            n_cells=self._n_cells,
        )
        return ReplicationInputs(recipe=recipe, weights=weights, entries=entries)


def _run_plain(state: ScoringState, recipe: Recipe) -> ScoringState:
    from missionlens.scoring.steps import run_recipe

    return run_recipe(state, recipe)


def _progress(total: int, wanted: bool) -> Any:
    """A tqdm bar over ``total`` chunks, or None (not wanted, one chunk, or not a terminal)."""
    if not wanted or total < 2 or not sys.stderr.isatty():
        return None
    from tqdm import tqdm  # type: ignore[import-untyped]

    return tqdm(total=total, desc="uncertainty", unit="chunk", file=sys.stderr, leave=False)


# ------------------------------------------------------------------------- batched steps
def _denominate(state: ScoringState, params: DenominateParams, values: FloatArray) -> FloatArray:
    """``step_denominate`` along the replication axis."""
    if params.by not in state.units.columns:
        raise RecipeError(f"step 'denominate': the data has no column '{params.by}'")
    denom = pd.to_numeric(state.units[params.by], errors="coerce").to_numpy(dtype=np.float64)
    cols = _targets(state, params.indicators, "denominate")
    out = values.copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = out[..., cols] / denom[:, None] * params.multiplier
    ratio[~np.isfinite(ratio)] = np.nan
    out[..., cols] = ratio
    return out


def _impute(state: ScoringState, params: ImputeParams, values: FloatArray) -> FloatArray:
    """``step_impute`` (group mean/median, LOCF) along the replication axis."""
    if params.method == "none":
        return values
    cols = _targets(state, params.indicators, "impute")
    out = values.copy()
    if params.method in ("group_mean", "group_median"):
        if params.group not in state.units.columns:
            raise RecipeError(f"step 'impute': the data has no group column '{params.group}'")
        groups = factorize(state.units[params.group].astype(str))[0].astype(np.int64)
        filled, mask = impute.fill_group_stat(
            out[..., cols], groups, "mean" if params.method == "group_mean" else "median"
        )
    else:  # locf
        entity = factorize(state.units["mission"])[0].astype(np.int64)
        filled, mask = impute.fill_locf(out[..., cols], entity, _period_order(state.units))
    mask &= state.applicable[:, cols]
    out[..., cols] = np.where(mask, filled, out[..., cols])
    return out


def _sibling_mean(state: ScoringState, params: ImputeParams, normalised: FloatArray) -> FloatArray:
    """``step_impute`` with ``sibling_mean`` along the replication axis."""
    cols = _targets(state, params.indicators, "impute")
    current = normalised.copy()
    for siblings in sibling_families(state, cols):  # as step_impute fills them
        block = current[..., siblings]
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(block, axis=-1)
        for c in siblings:
            if c in cols:
                gap = np.isnan(current[..., c]) & ~np.isnan(mean) & state.applicable[:, c]
                current[..., c] = np.where(gap, mean, current[..., c])
    return current


def _treat_outliers(
    state: ScoringState, params: TreatOutliersParams, values: FloatArray
) -> tuple[FloatArray, BoolArray]:
    """``step_treat_outliers`` along the replication axis; also which columns were logged."""
    fw = state.framework
    if params.indicators is None:
        cols = [
            j for j, i in enumerate(state.indicators) if isinstance(fw.scale_of(i), NumericScale)
        ]
    else:
        cols = _targets(state, params.indicators, "treat_outliers")
    out = values.copy()
    logged = np.zeros((values.shape[0], values.shape[2]), dtype=bool)
    if not cols:
        return out, logged
    new, _changed, infos = outliers.treat_outliers_columns(
        out[..., cols],
        skew_threshold=params.skew_threshold,
        kurtosis_threshold=params.kurtosis_threshold,
        max_points=params.max_points,
        fallback=params.fallback,
    )
    acted = infos.action != "none"  # (n, columns)
    out[..., cols] = np.where(acted[:, None, :], new, out[..., cols])
    logged[:, cols] = infos.action == "log"
    return out, logged


@dataclass
class _NormalisePlan:
    """The indicators of a ``normalise`` step grouped by method key, as ``step_normalise``
    groups them (computed once per step parameters), and each column's key were it
    log-treated (filled in as replications need them)."""

    groups: dict[tuple[Any, ...], list[int]]
    plain: list[tuple[Any, ...]]
    with_log: dict[int, tuple[Any, ...]]


def _normalise_plan(
    state: ScoringState, params: NormaliseParams, cache: dict[str, _NormalisePlan] | None
) -> _NormalisePlan:
    key = params.model_dump_json()
    if cache is not None and key in cache:
        return cache[key]
    fw = state.framework
    unknown = [k for k in params.overrides if k not in state.indicators]
    if unknown:
        raise RecipeError(
            f"step 'normalise': overrides name unknown indicator(s) {listing(unknown)}"
        )
    groups: dict[tuple[Any, ...], list[int]] = {}
    plain: list[tuple[Any, ...]] = []
    for j, ident in enumerate(state.indicators):
        k = _normalise_key(fw, ident, params, frozenset())
        plain.append(k)
        groups.setdefault(k, []).append(j)
    plan = _NormalisePlan(groups=groups, plain=plain, with_log={})
    if cache is not None:
        cache[key] = plan
    return plan


def _normalise(
    state: ScoringState,
    params: NormaliseParams,
    values: FloatArray,
    logged: BoolArray,
    cache: dict[str, _NormalisePlan] | None = None,
) -> FloatArray:
    """``step_normalise`` along the replication axis.

    Which indicators were log-transformed by an outlier treatment may differ between
    replications, and it changes the method of an indicator with goalposts; such an indicator
    is normalised both ways and each replication takes its own.
    """
    plan = _normalise_plan(state, params, cache)
    out = np.full(values.shape, np.nan)
    twice: list[tuple[int, tuple[Any, ...]]] = []
    for j in np.flatnonzero(logged.any(axis=0)).tolist():
        if j not in plan.with_log:
            ident = state.indicators[j]
            plan.with_log[j] = _normalise_key(state.framework, ident, params, frozenset({ident}))
        if plan.with_log[j] != plan.plain[j]:
            twice.append((j, plan.with_log[j]))
    for key, cols in plan.groups.items():
        # columns that follow one another are a slice: a view in, a plain assignment out
        at: slice | list[int] = cols
        if cols == list(range(cols[0], cols[0] + len(cols))):
            at = slice(cols[0], cols[0] + len(cols))
        out[..., at] = _normalise_block(key, values[..., at], params, state, cols)
    for j, key in twice:
        alt = _normalise_block(key, values[..., [j]], params, state, [j])[..., 0]
        out[..., j] = np.where(logged[:, j][:, None], alt, out[..., j])
    return out


def _normalise_block(
    key: tuple[Any, ...],
    raw: FloatArray,
    params: NormaliseParams,
    state: ScoringState,
    cols: list[int],
) -> FloatArray:
    """One group of indicators sharing a method, as in ``step_normalise``."""
    method, direction, transform_name, lo, hi, target, cap, mapping = key
    spec = methods.NORMALISERS[method]
    block = raw
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
        levels = raw if direction == 1 or lo is None or hi is None else (lo + hi) - raw
        result: FloatArray = spec.kernel(
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
        names = [state.indicators[c] for c in cols]
        raise RecipeError(f"step 'normalise' on {listing(names)}: {exc}") from None
    return result


# ------------------------------------------------------------------------------- ranks
def average_rank(x: FloatArray, groups: IntArray) -> FloatArray:
    """Rank of each unit among the units of its group, 1 for the highest score, ties averaged.

    ``x`` is ``(..., units, nodes)``; ``groups`` the group (period) code of each unit. Missing
    scores are not ranked (``NaN``) and do not count. Ties share the mean of the ranks they
    span (``pandas.Series.rank(method="average", ascending=False)``, the convention of
    Saisana et al. 2005 and of COINr's ``rank``, which is R's ``rank`` with
    ``ties.method = "average"``); the same function ranks the nominal scores, so nominal and
    replicated ranks are comparable.

    Examples
    --------
    >>> average_rank(np.array([[3.0], [5.0], [3.0], [np.nan]]), np.zeros(4, dtype=np.int64))[:, 0]
    array([2.5, 1. , 2.5, nan])
    """
    arr = np.asarray(x, dtype=np.float64)
    out = np.full(arr.shape, np.nan)
    lead = arr.shape[:-2]
    flat = arr.reshape(-1, *arr.shape[-2:])  # (batch, units, nodes)
    dest = out.reshape(flat.shape)
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        m = idx.size
        step = max(1, (32 * 2**20) // max(1, 8 * m * arr.shape[-1]))
        for start in range(0, flat.shape[0], step):
            # units on the last, contiguous axis: sorting and runs along it are fast
            sub = np.ascontiguousarray(np.moveaxis(flat[start : start + step][:, idx, :], 1, 2))
            missing = np.isnan(sub)
            key = np.where(missing, np.inf, -sub)  # descending, missing last
            order = np.argsort(key, axis=-1, kind="stable")
            ordered = np.take_along_axis(key, order, axis=-1)
            pos = np.arange(m, dtype=np.float64)
            change = ordered[..., 1:] != ordered[..., :-1]
            first = np.ones((*ordered.shape[:-1], 1), dtype=bool)
            starts = np.concatenate([first, change], axis=-1)
            ends = np.concatenate([change, first], axis=-1)
            run_start = np.maximum.accumulate(np.where(starts, pos, 0.0), axis=-1)
            run_end = np.minimum.accumulate(np.where(ends, pos, np.inf)[..., ::-1], axis=-1)[
                ..., ::-1
            ]
            ranks = np.empty(sub.shape)
            np.put_along_axis(ranks, order, (run_start + run_end) / 2.0 + 1.0, axis=-1)
            ranks[missing] = np.nan
            dest[start : start + step, idx, :] = np.moveaxis(ranks, 2, 1)
    return dest.reshape((*lead, *arr.shape[-2:]))


def _quantiles(x: FloatArray, probs: Sequence[float]) -> FloatArray:
    """Type 7 quantiles over axis 0, ignoring missing values (``NaN`` where all are).

    Hyndman and Fan (1996) type 7, numpy's default ``linear`` method: for ``m`` values sorted
    ``s_0 <= ... <= s_(m-1)`` and ``h = (m - 1) p``, ``s_floor(h) + (h - floor(h))
    (s_(floor(h)+1) - s_floor(h))``, computed as numpy does it (from the upper value when the
    fraction is 1/2 or more). One sort per block of columns serves every probability and
    handles missing values (sorted last), instead of ``numpy.nanquantile``'s column loop.
    """
    arr = np.asarray(x)
    flat = arr.reshape(arr.shape[0], -1)
    out = np.full((len(probs), flat.shape[1]), np.nan)
    step = max(1, (64 * 2**20) // max(1, 8 * flat.shape[0]))
    for start in range(0, flat.shape[1], step):
        block = np.sort(flat[:, start : start + step].astype(np.float64), axis=0)
        m = (~np.isnan(block)).sum(axis=0)
        cols = np.arange(block.shape[1])
        for k, p in enumerate(probs):
            h = (np.maximum(m, 1) - 1) * float(p)
            lo = np.floor(h).astype(np.int64)
            hi = np.minimum(lo + 1, np.maximum(m - 1, 0))
            t = h - lo
            a, b = block[lo, cols], block[hi, cols]
            diff = b - a
            with np.errstate(invalid="ignore"):
                value = np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)
            value = np.where(hi == lo, a, value)
            out[k, start : start + step] = np.where(m > 0, value, np.nan)
    return out.reshape((len(probs), *arr.shape[1:]))


def _centred_mean(x: FloatArray, centre: FloatArray) -> FloatArray:
    """Mean over axis 0 as ``centre + mean(x - centre)``: exactly ``centre`` when every
    replication equals it (a plain mean of n equal floats need not give them back)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        shift = np.nanmean(x - centre, axis=0)
    base = np.where(np.isnan(centre), 0.0, centre)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        plain = np.nanmean(x, axis=0)
    return np.where(np.isnan(centre), plain, base + shift)


# ------------------------------------------------------------------------------ result
class UncertaintyResult:
    """The replications of an uncertainty analysis and their summaries.

    Made by :func:`uncertainty`. Tables are computed from the replication matrix on first use.

    Attributes
    ----------
    model : UncertaintyModel
        The engine (units, nodes, factors, nominal scores).
    scores : numpy.ndarray, shape (n, units, nodes)
        Every replication's score of every unit and node (``model.units``, ``model.nodes``).
    index : dict of str -> numpy.ndarray
        The realisation or option each replication used, per factor.
    n : int
        Number of replications.
    provenance : dict
        Spec (as a mapping), its fingerprint, seed, n, the framework, recipe and data
        fingerprints: enough to rerun the analysis exactly.
    """

    def __init__(
        self, model: UncertaintyModel, scores: FloatArray, index: dict[str, IntArray]
    ) -> None:
        self.model = model
        self.scores = scores
        self.index = index
        self.n = int(scores.shape[0])
        self._groups = factorize(model.units["period"].astype(str))[0].astype(np.int64)
        self._ranks: FloatArray | None = None
        self._nominal_ranks = average_rank(model.nominal, self._groups)
        self._cache: dict[str, pd.DataFrame] = {}
        self.provenance: dict[str, Any] = {
            "spec": model.spec.to_dict(),
            "spec_fingerprint": model.spec.fingerprint,
            "seed": model.seed,
            "n": self.n,
            "interval": model.spec.interval,
            "framework": model.framework.fingerprint,
            "recipe": model.recipe.fingerprint,
            "data": model.data_fingerprint,
        }

    @property
    def ranks(self) -> FloatArray:
        """Rank of every unit among the missions of its period, per replication and node
        (:func:`average_rank`), shape ``(n, units, nodes)``."""
        if self._ranks is None:
            self._ranks = average_rank(self.scores, self._groups)
        return self._ranks

    def _probs(self) -> tuple[float, float]:
        tail = (1.0 - self.model.spec.interval) / 2.0
        return tail, 1.0 - tail

    def _unit_node_frame(self) -> pd.DataFrame:
        m = self.model
        u, k = len(m.units), len(m.nodes)
        rows = np.repeat(np.arange(u), k)
        cols = np.tile(np.arange(k), u)
        return pd.DataFrame(
            {
                "mission": m.units["mission"].astype(str).to_numpy()[rows],
                "period": m.units["period"].astype(str).to_numpy()[rows],
                "phase": m.units["phase"].to_numpy(dtype=object)[rows],
                "node": np.array(m.nodes, dtype=object)[cols],
                "node_type": np.array(m.node_types, dtype=object)[cols],
            }
        )

    @property
    def summary(self) -> pd.DataFrame:
        """Per mission, period and node: the nominal score and its distribution.

        Columns (:data:`SUMMARY_COLUMNS`): ``mission``, ``period``, ``phase``, ``node`` (node
        or indicator id), ``node_type``; ``nominal`` (the score of the recipe as given, as
        :func:`~missionlens.score` reports it), ``median``, ``mean``, ``lower`` and ``upper``
        (the quantiles ``(1 - interval) / 2`` and ``(1 + interval) / 2``, 5 % and 95 % by
        default, Hyndman and Fan type 7) over the replications that have a score;
        ``n_scored`` (replications with a score: below ``n`` the node's missing rule left it
        without a score in some replications, and the interval rests on the others only);
        ``nominal_rank`` (rank among the missions of the period on this node, 1 = best, ties
        averaged, see :func:`average_rank`), ``rank_median``, ``rank_mean``, ``rank_lower``,
        ``rank_upper``; ``rank_shift`` (mean over replications of ``|rank - nominal_rank|``).
        One row per unit and node, units in ``model.units`` order, nodes in ``model.nodes``
        order. ``attrs["interval"]`` is the intervals' coverage (``spec.interval``).
        """
        if "summary" not in self._cache:
            m = self.model
            lo, hi = self._probs()
            flat = self.scores.reshape(self.n, -1)
            nominal = m.nominal.reshape(-1)
            q = _quantiles(flat, [0.5, lo, hi])
            ranks = self.ranks.reshape(self.n, -1)
            nominal_rank = self._nominal_ranks.reshape(-1)
            rq = _quantiles(ranks, [0.5, lo, hi])
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                shift = np.nanmean(np.abs(ranks - nominal_rank), axis=0)
            frame = self._unit_node_frame()
            frame["nominal"] = nominal
            frame["median"] = q[0]
            frame["mean"] = _centred_mean(flat, nominal)
            frame["lower"] = q[1]
            frame["upper"] = q[2]
            frame["n_scored"] = (~np.isnan(flat)).sum(axis=0).astype(np.int64)
            frame["nominal_rank"] = nominal_rank
            frame["rank_median"] = rq[0]
            frame["rank_mean"] = _centred_mean(ranks, nominal_rank)
            frame["rank_lower"] = rq[1]
            frame["rank_upper"] = rq[2]
            frame["rank_shift"] = shift
            frame = frame[list(SUMMARY_COLUMNS)]
            frame.attrs["interval"] = float(m.spec.interval)  # the coverage, for the plots
            self._cache["summary"] = frame
        return self._cache["summary"].copy()

    def intervals(self) -> pd.DataFrame:
        """``mission``, ``period``, ``node``, ``lower``, ``upper`` of :attr:`summary` (what
        :meth:`~missionlens.Profiles.with_intervals` merges into the tree view)."""
        return self.summary[["mission", "period", "node", "lower", "upper"]]

    def pairwise(self, nodes: Sequence[str] | None = None) -> pd.DataFrame:
        """Probability that one mission scores above another, per period and node.

        Parameters
        ----------
        nodes : sequence of str, optional
            The nodes (or indicators) to compare on; by default every node of the tree (root,
            dimensions, sub-dimensions), not the indicators.

        Returns
        -------
        pandas.DataFrame
            Columns (:data:`PAIRWISE_COLUMNS`) ``period``, ``node``, ``mission``,
            ``mission_other``, ``p_above`` (the share of the replications in which both have a
            score where ``mission`` scores strictly above ``mission_other``; ties count for
            neither, so ``p_above`` of (A, B) and of (B, A) add up to 1 minus the share of
            ties), ``n_compared`` (replications in which both have a score; ``p_above`` is
            ``NaN`` when there is none). One row per ordered pair of distinct missions of the
            same period.
        """
        m = self.model
        wanted = list(m.framework.node_ids) if nodes is None else list(nodes)
        unknown = [nd for nd in wanted if nd not in m.nodes]
        if unknown:
            raise ArgumentError(f"pairwise: unknown node(s) {listing(unknown)}")
        cols = [m.nodes.index(nd) for nd in wanted]
        frames = []
        budget = 64 * 2**20
        for g in np.unique(self._groups):
            idx = np.flatnonzero(self._groups == g)
            if idx.size < 2:
                continue
            sub = self.scores[:, idx][:, :, cols]  # (n, u, k)
            above = np.zeros((idx.size, idx.size, len(cols)), dtype=np.int64)
            both = np.zeros_like(above)
            step = max(1, budget // max(1, idx.size * idx.size * len(cols)))
            for start in range(0, self.n, step):
                part = sub[start : start + step]
                a, b = part[:, :, None, :], part[:, None, :, :]
                above += (a > b).sum(axis=0)
                both += (~np.isnan(a) & ~np.isnan(b)).sum(axis=0)
            grid = np.meshgrid(
                np.arange(idx.size), np.arange(idx.size), np.arange(len(cols)), indexing="ij"
            )
            keep = (grid[0] != grid[1]).reshape(-1)
            i, j, k = (g.reshape(-1)[keep] for g in grid)
            n_both = both[i, j, k]
            with np.errstate(invalid="ignore", divide="ignore"):
                p = np.where(n_both > 0, above[i, j, k] / np.maximum(n_both, 1), np.nan)
            missions = m.units["mission"].astype(str).to_numpy()[idx]
            frames.append(
                pd.DataFrame(
                    {
                        "period": str(m.units["period"].iloc[idx[0]]),
                        "node": np.array(wanted, dtype=object)[k],
                        "mission": missions[i],
                        "mission_other": missions[j],
                        "p_above": p,
                        "n_compared": n_both.astype(np.int64),
                    }
                )
            )
        if not frames:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in PAIRWISE_COLUMNS})
        out = pd.concat(frames, ignore_index=True)
        out["_period"] = period_order(out["period"])  # chronological, not by label text
        return out.sort_values(["_period", "node", "mission", "mission_other"], kind="stable")[
            list(PAIRWISE_COLUMNS)
        ].reset_index(drop=True)

    @property
    def rank_shift(self) -> pd.DataFrame:
        """The average shift in rank of each replication (Saisana et al. 2005, eq. 2).

        ``R_S = (1/M) sum_c |Rank_ref(c) - Rank(c)|`` over the ``M`` missions of a period
        ranked both nominally and in the replication, per period and node.

        Returns
        -------
        pandas.DataFrame
            Columns (:data:`RANK_SHIFT_COLUMNS`) ``period``, ``node``, ``n_missions``,
            ``nominal_shift`` (0: the nominal result against itself), and the ``mean``,
            ``median``, ``lower`` and ``upper`` quantile of ``R_S`` over the replications.
        """
        if "rank_shift" not in self._cache:
            m = self.model
            lo, hi = self._probs()
            diff = np.abs(self.ranks - self._nominal_ranks)  # (n, u, k)
            rows = []
            for g in np.unique(self._groups):
                idx = np.flatnonzero(self._groups == g)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    rs = np.nanmean(diff[:, idx], axis=1)  # (n, k)
                q = _quantiles(rs, [0.5, lo, hi])
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    mean = np.nanmean(rs, axis=0)
                ranked = (~np.isnan(self._nominal_ranks[idx])).sum(axis=0)
                for k, node in enumerate(m.nodes):
                    rows.append(
                        {
                            "period": str(m.units["period"].iloc[idx[0]]),
                            "node": node,
                            "n_missions": int(ranked[k]),
                            "nominal_shift": 0.0,
                            "mean": float(mean[k]),
                            "median": float(q[0, k]),
                            "lower": float(q[1, k]),
                            "upper": float(q[2, k]),
                        }
                    )
            self._cache["rank_shift"] = pd.DataFrame(rows, columns=list(RANK_SHIFT_COLUMNS))
        return self._cache["rank_shift"].copy()

    def replications(self, nodes: Sequence[str] | None = None) -> pd.DataFrame:
        """The raw replication matrix as a long table (on request: it has ``n`` rows per unit
        and node).

        Columns ``replication`` (0 to n-1), ``mission``, ``period``, ``node``, ``score``,
        ``rank``, then the realisation or option index of each factor (columns named after
        :attr:`UncertaintyModel.factor_names`).
        """
        m = self.model
        wanted = list(m.nodes) if nodes is None else list(nodes)
        unknown = [nd for nd in wanted if nd not in m.nodes]
        if unknown:
            raise ArgumentError(f"replications: unknown node(s) {listing(unknown)}")
        cols = np.array([m.nodes.index(nd) for nd in wanted], dtype=np.int64)
        u = len(m.units)
        grid = np.meshgrid(np.arange(self.n), np.arange(u), np.arange(cols.size), indexing="ij")
        r, i, k = (g.reshape(-1) for g in grid)
        frame = pd.DataFrame(
            {
                "replication": r.astype(np.int64),
                "mission": m.units["mission"].astype(str).to_numpy()[i],
                "period": m.units["period"].astype(str).to_numpy()[i],
                "node": np.array(wanted, dtype=object)[k],
                "score": self.scores[r, i, cols[k]],
                "rank": self.ranks[r, i, cols[k]],
            }
        )
        for name, values in self.index.items():
            frame[name] = values[r]
        return frame

    @property
    def profiles(self) -> Profiles:
        """The nominal profiles, with ``lower`` and ``upper`` columns in the tree view."""
        return self.model.profiles.with_intervals(self)

    def compare(self, other: UncertaintyResult) -> pd.DataFrame:
        """Whether each change from this result to ``other`` exceeds its uncertainty.

        See :func:`compare_uncertain`.
        """
        return compare_uncertain(self, other)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table, by name: ``summary``, ``pairwise``, ``rank_shift``, ``provenance``."""
        provenance = pd.DataFrame(
            {
                "key": list(self.provenance),
                "value": [
                    v if isinstance(v, str) else json.dumps(v, sort_keys=True)
                    for v in self.provenance.values()
                ],
            }
        )
        return {
            "summary": self.summary,
            "pairwise": self.pairwise(),
            "rank_shift": self.rank_shift,
            "provenance": provenance,
        }

    def __repr__(self) -> str:
        m = self.model
        return (
            f"<UncertaintyResult: {self.n} replications of {len(m.units)} units x "
            f"{len(m.nodes)} nodes; factors {', '.join(m.factor_names) or 'none'}>"
        )


def uncertainty(
    source: pd.DataFrame,
    *,
    framework: Framework | str,
    recipe: Recipe | dict[str, Any] | str | os.PathLike[str] | None = None,
    spec: Uncertainty | Mapping[str, Any] | str | os.PathLike[str] | None = None,
    n: int = 1000,
    seed: int | None = None,
    progress: bool | None = None,
    unknown_columns: Literal["error", "ignore"] = "error",
    memory_budget: int = DEFAULT_MEMORY_BUDGET,
    timelines: Any = None,
) -> UncertaintyResult:
    """Monte Carlo uncertainty analysis of the scores: every uncertain input varied together.

    Each of ``n`` replications takes its own realisation of every trigger factor (jitter of
    the ratings, resampled raters, weight noise; see :class:`Uncertainty`) and an option of
    every discrete choice (recipe variations, the element left out), each option equally
    likely, and scores every mission, period and node (OECD/JRC 2008, step 7; Saisana et al.
    2005).

    Parameters
    ----------
    source, framework, recipe, unknown_columns, timelines
        As :func:`~missionlens.score` takes them (the same checks refuse the same rows).
    spec : Uncertainty, mapping, YAML text or path
        What varies. Nothing by default: every interval is then the nominal score.
    n : int
        Number of replications (at least 1).
    seed : int, optional
        The same seed gives the same result; ``None`` draws a fresh one (kept in
        ``provenance``).
    progress : bool, optional
        A progress bar over the chunks on long runs; by default shown when standard error is a
        terminal, never otherwise.
    memory_budget : int
        Bytes of working memory per chunk of replications (default 512 MiB); the result's
        matrices come on top (refused beyond :data:`MAX_RESULT_BYTES`).

    Returns
    -------
    UncertaintyResult

    Raises
    ------
    ArgumentError
        For a bad argument or specification, or a result too large for memory.
    ScoringInputError, RecipeError
        As :func:`~missionlens.score`.

    Examples
    --------
    >>> import missionlens as ml
    >>> fw = ml.load_framework("whole-of-mission")
    >>> data = pd.DataFrame({"mission": ["A", "B"], "period": "2024",
    ...                      "pol_strategy_anchor": [5, 2], "pol_good_offices": [4, 1],
    ...                      "pol_local_conflict": [4, 2]})
    >>> res = ml.uncertainty(data, framework=fw, spec={"weights": {"noise": 0.2}}, n=200, seed=1)
    >>> row = res.summary.query("mission == 'A' and node == 'pol_strategy'").iloc[0]
    >>> round(float(row.nominal), 1), bool(row.lower <= row.nominal <= row.upper)
    (83.3, True)
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ArgumentError(f"uncertainty: n must be a whole number >= 1, not {n!r}")
    if progress is not None and not isinstance(progress, bool):
        raise ArgumentError("uncertainty: progress must be True, False or None")
    model = UncertaintyModel.build(
        source,
        framework=framework,
        recipe=recipe,
        spec=spec,
        seed=seed,
        realisations=int(n),
        unknown_columns=unknown_columns,
        memory_budget=memory_budget,
        timelines=timelines,
    )
    size = int(n) * len(model.units) * len(model.nodes) * 16
    if size > MAX_RESULT_BYTES:
        raise ArgumentError(
            f"uncertainty: {n} replications of {len(model.units)} units x {len(model.nodes)} "
            f"nodes need {size / 2**20:,.0f} MiB for the scores and ranks (at most "
            f"{MAX_RESULT_BYTES / 2**20:,.0f} MiB); use fewer replications or analyse fewer "
            "missions or periods at a time"
        )
    rng = _rng(model.seed, _STREAM["choices"])
    index: dict[str, IntArray] = {}
    for choice in model.spec.choices:
        index[choice.name] = rng.integers(0, len(choice.options), size=int(n)).astype(np.int64)
    # every replication its own realisation of each trigger factor; those sharing their
    # choices get consecutive realisations, so a batch draws each block of them once
    combos = [index[c.name] for c in model.spec.choices]
    order = np.lexsort(combos[::-1]) if combos else np.arange(int(n))
    realisation = np.empty(int(n), dtype=np.int64)
    realisation[order] = np.arange(int(n), dtype=np.int64)
    for name, levels in zip(model.factor_names, model.factor_levels, strict=True):
        if levels is None:
            index[name] = realisation
    if "leave_out" in model.factor_names:
        levels = int(model.factor_levels[model.factor_names.index("leave_out")] or 1)
        index["leave_out"] = (
            _rng(model.seed, _STREAM["leave_out"]).integers(0, levels, size=int(n)).astype(np.int64)
        )
    index = {name: index[name] for name in model.factor_names}
    shown = sys.stderr.isatty() if progress is None else progress
    scores = model.evaluate(index, progress=shown) if index else _repeat(model, int(n))
    return UncertaintyResult(model, scores, index)


def _repeat(model: UncertaintyModel, n: int) -> FloatArray:
    """``n`` replications when nothing varies: the engine's one evaluation, repeated."""
    one = model._evaluate_group((), {})  # the engine, a batch of 1
    return np.repeat(one, n, axis=0)


def compare_uncertain(a: UncertaintyResult, b: UncertaintyResult) -> pd.DataFrame:
    """Whether each change from ``a`` to ``b`` exceeds its combined uncertainty.

    The difference ``b - a`` is computed replication by replication: both analyses must use
    the same specification, seed and number of replications, so that replication ``r`` of
    both has the same weight draws and the same options of every discrete choice (paired
    replications); the per-entry draws (jitter, resampled raters) of each are its own, since
    the two rounds have their own entries. Units are matched by mission and period when the
    two analyses share periods (two recipes on the same data), otherwise by mission, each
    mission having one period in each (two rounds).

    Returns
    -------
    pandas.DataFrame
        Columns (:data:`COMPARE_COLUMNS`) ``mission``, ``period`` (of ``a``),
        ``period_other`` (of ``b``), ``node``, ``node_type``, ``score`` and ``score_other``
        (nominal), ``difference`` (nominal, ``score_other - score``), ``diff_median``,
        ``diff_lower``, ``diff_upper`` (quantiles of the paired differences over the
        replications where both have a score, at the specification's interval),
        ``n_compared`` and ``real`` (the interval excludes 0: the change is larger than the
        uncertainty of both results together; false where there is no interval).

    Raises
    ------
    ArgumentError
        If the analyses are not paired (other specification, seed, n or framework) or no
        units match.
    """
    if not isinstance(a, UncertaintyResult) or not isinstance(b, UncertaintyResult):
        raise ArgumentError("compare_uncertain: both arguments must be UncertaintyResult objects")
    problems = [
        f"{what}: {x} vs {y}"
        for what, x, y in (
            ("specification", a.model.spec.fingerprint, b.model.spec.fingerprint),
            ("seed", a.model.seed, b.model.seed),
            ("n", a.n, b.n),
            ("framework", a.model.framework.fingerprint, b.model.framework.fingerprint),
        )
        if x != y
    ]
    if problems:
        raise ArgumentError(
            "compare_uncertain: the two analyses are not paired (" + "; ".join(problems) + "); "
            "run both with the same spec, seed and n, on the same framework"
        )
    ua, ub = a.model.units, b.model.units
    ma, mb = ua["mission"].astype(str).to_numpy(), ub["mission"].astype(str).to_numpy()
    pa, pb = ua["period"].astype(str).to_numpy(), ub["period"].astype(str).to_numpy()
    shared = set(pa) & set(pb)
    if shared:
        key_a = {(m, p): i for i, (m, p) in enumerate(zip(ma, pa, strict=True))}
        pairs = [
            (key_a[(m, p)], j)
            for j, (m, p) in enumerate(zip(mb, pb, strict=True))
            if (m, p) in key_a
        ]
    else:
        twice = sorted(
            {m for m in ma if list(ma).count(m) > 1} | {m for m in mb if list(mb).count(m) > 1}
        )
        if twice:
            raise ArgumentError(
                "compare_uncertain: the analyses share no period, so units are matched by "
                f"mission, but {listing(twice)} have several periods; analyse one period per "
                "round"
            )
        pos_a = {m: i for i, m in enumerate(ma)}
        pairs = [(pos_a[m], j) for j, m in enumerate(mb) if m in pos_a]
    if not pairs:
        raise ArgumentError("compare_uncertain: no mission (and period) is in both analyses")
    ia = np.array([p[0] for p in pairs], dtype=np.int64)
    ib = np.array([p[1] for p in pairs], dtype=np.int64)
    diff = b.scores[:, ib, :] - a.scores[:, ia, :]  # (n, pairs, nodes)
    k = len(a.model.nodes)
    flat = diff.reshape(a.n, -1)
    tail = (1.0 - a.model.spec.interval) / 2.0
    q = _quantiles(flat, [0.5, tail, 1.0 - tail])
    score = a.model.nominal[ia].reshape(-1)
    score_other = b.model.nominal[ib].reshape(-1)
    rows = np.repeat(np.arange(ia.size), k)
    cols = np.tile(np.arange(k), ia.size)
    lower, upper = q[1], q[2]
    out = pd.DataFrame(
        {
            "mission": ma[ia][rows],
            "period": pa[ia][rows],
            "period_other": pb[ib][rows],
            "node": np.array(a.model.nodes, dtype=object)[cols],
            "node_type": np.array(a.model.node_types, dtype=object)[cols],
            "score": score,
            "score_other": score_other,
            "difference": score_other - score,
            "diff_median": q[0],
            "diff_lower": lower,
            "diff_upper": upper,
            "n_compared": (~np.isnan(flat)).sum(axis=0).astype(np.int64),
            "real": np.nan_to_num((lower > 0) | (upper < 0), nan=0).astype(bool) & ~np.isnan(lower),
        }
    )
    return out[list(COMPARE_COLUMNS)]


def write_tables(result: UncertaintyResult, output: str | Path) -> list[Path]:
    """Write every table of ``result``: ``.xlsx`` one sheet per table; ``.csv`` one file per
    table, ``<stem>.<table>.csv`` beside ``output``. Text cells are protected against formula
    injection (:func:`missionlens.text.protect_text`; XLSX also escaped as ECMA-376 asks); every
    file is written atomically. Returns the paths written."""
    from missionlens.atomic import atomic_path, atomic_write
    from missionlens.text import ooxml_escape, protect_text

    path = Path(output)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ArgumentError(f"write_tables: output must end in .xlsx or .csv, not {path.name!r}")
    excel = suffix == ".xlsx"

    def safe(value: object) -> object:
        if not isinstance(value, str):
            return value
        text = protect_text(value) if value else value
        return ooxml_escape(text) if excel else text

    tables = {}
    for name, table in result.tables().items():
        frame = table.copy()
        for col in frame.columns:
            if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
                frame[col] = frame[col].astype(object).map(safe)
        tables[name] = frame
    if excel:
        with atomic_path(path) as temporary, pd.ExcelWriter(temporary, engine="openpyxl") as writer:
            for name, frame in tables.items():
                frame.to_excel(writer, index=False, sheet_name=name)
        return [path]
    written = []
    for name, frame in tables.items():
        target = path.with_name(f"{path.stem}.{name}.csv")
        with atomic_write(target, "w", encoding="utf-8", newline="") as handle:
            frame.to_csv(handle, index=False, lineterminator="\r\n")
        written.append(target)
    return written
