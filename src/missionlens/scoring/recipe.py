"""Recipes: the ordered, serialisable list of steps that turns indicator values into scores.

A :class:`Recipe` is an ordered tuple of :class:`Step` objects (a registered step name and its
parameters) plus global :class:`RecipeSettings`. Steps are looked up by name in a registry of pure
functions, never stored as callables, so a recipe can be written to YAML or JSON, read back,
compared by :attr:`Recipe.fingerprint`, and replayed. The same step may appear more than once
(unlike a dict keyed by function name). Steps:

``denominate``
    divide numeric indicators by another column (per capita, per 1,000 personnel);
``impute``
    fill missing values (group mean or median, mean of siblings, last observation carried
    forward), flagging every imputed cell;
``treat_outliers``
    winsorise skewed numeric indicators, with a log fallback;
``normalise``
    put every indicator on 0-100 where 100 is best;
``weight``
    set the weights (framework, equal, overrides);
``aggregate``
    combine children into nodes up to the root, node by node with the framework's or the
    recipe's methods and missing-children rules.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from missionlens.errors import RecipeError
from missionlens.framework.elements import AggregationMethod

__all__ = [
    "STEP_PARAMS",
    "AggregateParams",
    "DenominateParams",
    "ImputeParams",
    "IndicatorNormalisation",
    "NodeAggregation",
    "NormaliseParams",
    "Recipe",
    "RecipeSettings",
    "Step",
    "TreatOutliersParams",
    "WeightParams",
]


class _Params(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DenominateParams(_Params):
    """Divide indicators by a column of the data: ``value / by * multiplier``.

    Example: malicious-act fatalities per 1,000 personnel is
    ``{indicators: [fatalities], by: personnel, multiplier: 1000}``.
    """

    indicators: tuple[str, ...] = Field(min_length=1)
    by: str = Field(min_length=1, description="Column of the data holding the denominator.")
    multiplier: float = 1.0


class ImputeParams(_Params):
    """Fill missing indicator values; every filled cell is flagged as imputed.

    ``none`` leaves gaps (the default: the aggregation's missing rule deals with them);
    ``group_mean``/``group_median`` use the same indicator's mean or median over the units of
    the same group (``group`` names a column, by default the period); ``sibling_mean`` uses the
    mean of the unit's normalised scores on the other indicators of the same parent (so it must
    come after ``normalise``); ``locf`` carries the mission's last observed value forward across
    periods.
    """

    method: Literal["none", "group_mean", "group_median", "sibling_mean", "locf"] = "none"
    group: str = "period"
    indicators: tuple[str, ...] | None = None


class TreatOutliersParams(_Params):
    """Winsorise skewed numeric indicators (COINr ``Treat`` defaults), log fallback."""

    skew_threshold: float = Field(default=2.0, gt=0)
    kurtosis_threshold: float = 3.5
    max_points: int = Field(default=5, ge=1)
    fallback: Literal["log", "none"] = "log"
    indicators: tuple[str, ...] | None = Field(
        default=None, description="Indicators to treat; default: all numeric indicators."
    )


NormaliseMethod = Literal[
    "linear", "custom", "minmax", "goalposts", "zscore", "rank", "percentile", "distance_to_target"
]


class IndicatorNormalisation(_Params):
    """Per-indicator normalisation settings, overriding those of the step."""

    method: NormaliseMethod | None = None
    goalposts: tuple[float, float] | None = None
    target: float | None = None
    transform: Literal["log", "log10", "log1p", "none"] | None = None
    mapping: dict[float, float] | None = None
    cap: bool | None = None


class NormaliseParams(_Params):
    """Normalise every indicator to 0-100, 100 best.

    ``rubric`` (``linear`` or ``custom`` with ``rubric_mapping``), ``binary`` (``linear``) and
    ``numeric`` (``auto``: goalposts where the framework gives them, else min-max; or any
    method) set the method by scale kind; ``overrides`` set it per indicator. ``transform``
    ``scale`` uses the numeric scale's own transform (e.g. log for income).
    """

    rubric: Literal["linear", "custom"] = "linear"
    rubric_mapping: dict[float, float] | None = None
    binary: Literal["linear"] = "linear"
    numeric: Literal[
        "auto", "minmax", "goalposts", "zscore", "rank", "percentile", "distance_to_target"
    ] = "auto"
    transform: Literal["scale", "none", "log", "log10", "log1p"] = "scale"
    cap: bool = True
    zscore_centre: float = 0.0
    zscore_scale: float = 1.0
    overrides: dict[str, IndicatorNormalisation] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _mapping_given(self) -> NormaliseParams:
        if self.rubric == "custom" and not self.rubric_mapping:
            raise ValueError("rubric 'custom' needs rubric_mapping, e.g. {1: 0, 3: 50, 5: 100}")
        return self


class WeightParams(_Params):
    """Weights: the framework's, or equal; ``overrides`` set a node's or indicator's weight."""

    method: Literal["framework", "equal"] = "framework"
    overrides: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _non_negative(self) -> WeightParams:
        bad = {k: v for k, v in self.overrides.items() if not v >= 0}
        if bad:
            raise ValueError(f"weights must be >= 0, got {bad}")
        return self


class NodeAggregation(_Params):
    """Per-node aggregation settings overriding the framework's."""

    method: AggregationMethod | None = None
    p: float | None = None
    rule: Literal["reweight", "propagate"] | None = None
    min_share: float | None = Field(default=None, ge=0, le=1)


class AggregateParams(_Params):
    """Aggregate up the tree.

    ``method`` ``framework`` uses each node's own method; any other method applies to every
    node; ``overrides`` set method, exponent and missing rule per node; ``rule`` and
    ``min_share``, when given, replace every node's missing rule.
    """

    method: Literal[
        "framework", "arithmetic", "geometric", "harmonic", "minimum", "median", "generalised"
    ] = "framework"
    p: float | None = None
    rule: Literal["reweight", "propagate"] | None = None
    min_share: float | None = Field(default=None, ge=0, le=1)
    overrides: dict[str, NodeAggregation] = Field(default_factory=dict)


#: Parameter model of every registered step, by step name.
STEP_PARAMS: dict[str, type[_Params]] = {
    "denominate": DenominateParams,
    "impute": ImputeParams,
    "treat_outliers": TreatOutliersParams,
    "normalise": NormaliseParams,
    "weight": WeightParams,
    "aggregate": AggregateParams,
}


class Step(BaseModel):
    """One step of a recipe: a registered step name and its parameters."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    step: str
    params: dict[str, Any] = Field(default_factory=dict)

    def parsed(self) -> _Params:
        """The parameters validated by the step's parameter model."""
        return STEP_PARAMS[self.step].model_validate(self.params)


class RecipeSettings(BaseModel):
    """Global settings of a recipe.

    ``consolidate``: how several raters' values for one mission, period and indicator become
    one (see :func:`missionlens.consolidate`), with ``trim`` (share cut from each end by the
    trimmed mean) and ``confidence_weights`` (weights of low, medium and high confidence).
    ``facets``: facets scored beside the tree; by default ``level`` and every facet the
    framework declares other than ``phase``; a list names them (each must be declared by the
    framework, or be ``level`` or ``phase``). ``facet_min_share``: share of a facet value's
    applicable weight that must be present for its score.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    consolidate: Literal["median", "mean", "trimmed_mean", "confidence_weighted"] = "median"
    trim: float = Field(default=0.2, ge=0, lt=0.5, description="Cut from each end, trimmed_mean.")
    confidence_weights: dict[str, float] = Field(
        default_factory=lambda: {"low": 1.0, "medium": 2.0, "high": 3.0},
        description="Weights of confidence_weighted; an entry without confidence counts as low.",
    )
    facets: tuple[str, ...] | None = None
    facet_min_share: float = Field(default=0.5, ge=0, le=1)

    @model_validator(mode="after")
    def _weights_cover_levels(self) -> RecipeSettings:
        levels = {"low", "medium", "high"}
        if set(self.confidence_weights) != levels:
            raise ValueError(f"confidence_weights needs exactly the keys {sorted(levels)}")
        if any(not w > 0 for w in self.confidence_weights.values()):
            raise ValueError("confidence_weights must be positive")
        return self


class Recipe(BaseModel):
    """An ordered, serialisable list of scoring steps with global settings.

    Examples
    --------
    >>> import missionlens as ml
    >>> recipe = ml.Recipe.default()
    >>> [s.step for s in recipe.steps]
    ['impute', 'normalise', 'weight', 'aggregate']
    >>> ml.Recipe.from_yaml(recipe.to_yaml()) == recipe
    True
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "default"
    description: str = ""
    settings: RecipeSettings = RecipeSettings()
    steps: tuple[Step, ...] = ()

    @model_validator(mode="after")
    def _check_steps(self) -> Recipe:
        problems: list[str] = []
        names = [s.step for s in self.steps]
        for i, step in enumerate(self.steps):
            if step.step not in STEP_PARAMS:
                problems.append(
                    f"steps[{i}].step: unknown step {step.step!r}; known steps: "
                    f"{', '.join(STEP_PARAMS)}"
                )
                continue
            try:
                step.parsed()
            except ValidationError as exc:
                for err in exc.errors(include_url=False):
                    loc = ".".join(str(p) for p in err["loc"])
                    problems.append(f"steps[{i}] ({step.step}).params.{loc}: {err['msg']}")
        if "aggregate" in names:
            first_agg = names.index("aggregate")
            if "normalise" not in names[:first_agg]:
                problems.append("steps: 'aggregate' needs a 'normalise' step before it")
            if names.count("aggregate") > 1:
                problems.append("steps: 'aggregate' may appear only once, as the last step")
            elif first_agg != len(names) - 1:
                problems.append("steps: 'aggregate' must be the last step")
        else:
            problems.append("steps: a recipe needs an 'aggregate' step (the last step)")
        if names.count("normalise") > 1:
            problems.append("steps: 'normalise' may appear only once")
        for i, step in enumerate(self.steps):
            if (
                step.step == "impute"
                and step.params.get("method") == "sibling_mean"
                and ("normalise" not in names[:i])
            ):
                problems.append(
                    f"steps[{i}] (impute): sibling_mean averages normalised scores, so it must "
                    "come after 'normalise'"
                )
            if step.step in ("denominate", "treat_outliers") and "normalise" in names[:i]:
                problems.append(
                    f"steps[{i}] ({step.step}): works on raw values, so it must come before "
                    "'normalise'"
                )
        if problems:
            raise RecipeError("invalid recipe:\n  " + "\n  ".join(problems))
        return self

    # ------------------------------------------------------------------------ constructors
    @classmethod
    def default(cls) -> Recipe:
        """The default recipe: no imputation, rubric levels linear, numeric goalposts (else
        min-max), the framework's weights, aggregation and missing rules."""
        return cls(
            name="default",
            description="No imputation; rubric linear, numeric goalposts or min-max; framework "
            "weights and aggregation.",
            steps=(
                Step(step="impute", params={"method": "none"}),
                Step(step="normalise", params={}),
                Step(step="weight", params={"method": "framework"}),
                Step(step="aggregate", params={"method": "framework"}),
            ),
        )

    def with_step(self, step: str, index: int | None = None, **params: Any) -> Recipe:
        """A copy with a step inserted at ``index`` (default: before the final aggregate)."""
        steps = list(self.steps)
        position = index if index is not None else max(len(steps) - 1, 0)
        steps.insert(position, Step.model_construct(step=step, params=params))
        return self.model_copy(update={"steps": tuple(steps)}).revalidated()

    def with_params(self, step: str, **params: Any) -> Recipe:
        """A copy in which every step named ``step`` has ``params`` merged into its parameters."""
        if step not in [s.step for s in self.steps]:
            raise RecipeError(f"recipe '{self.name}' has no step {step!r}")
        steps = tuple(
            Step.model_construct(step=s.step, params={**s.params, **params})
            if s.step == step
            else s
            for s in self.steps
        )
        return self.model_copy(update={"steps": steps}).revalidated()

    def revalidated(self) -> Recipe:
        """The same recipe passed through validation again (after ``model_copy``).

        Raises :class:`RecipeError` listing every problem.
        """
        return Recipe.from_dict(
            {
                "name": self.name,
                "description": self.description,
                "settings": self.settings.model_dump(mode="json"),
                "steps": [{"step": s.step, "params": s.params} for s in self.steps],
            }
        )

    # ------------------------------------------------------------------------------- IO
    def to_dict(self) -> dict[str, Any]:
        """Plain data: name, description, settings and the steps with their full parameters."""
        return {
            "name": self.name,
            "description": self.description,
            "settings": self.settings.model_dump(mode="json"),
            "steps": [
                {"step": s.step, "params": s.parsed().model_dump(mode="json")}
                if s.step in STEP_PARAMS
                else {"step": s.step, "params": s.params}
                for s in self.steps
            ],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Recipe:
        """Build a recipe from plain data, raising :class:`RecipeError` with every problem."""
        if not isinstance(data, dict):
            raise RecipeError(f"a recipe must be a mapping, not {type(data).__name__}")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            lines = [
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                for e in exc.errors(include_url=False)
            ]
            raise RecipeError("invalid recipe:\n  " + "\n  ".join(lines)) from None

    def to_yaml(self, path: str | Path | None = None) -> str:
        """The recipe as YAML (``yaml.safe_dump``); also written to ``path`` if given."""
        text = yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_yaml(cls, source: str | Path) -> Recipe:
        """Read a recipe from a YAML file or string (a safe loader; duplicate keys refused)."""
        from missionlens.errors import YAMLDuplicateKeyError
        from missionlens.framework.model import safe_load_unique

        text = _text(source)
        try:
            data = safe_load_unique(text)
        except (yaml.YAMLError, YAMLDuplicateKeyError) as exc:
            raise RecipeError(f"recipe is not valid YAML: {exc}".replace("\n", " ")) from None
        return cls.from_dict(data)

    def to_json(self, path: str | Path | None = None) -> str:
        """The recipe as JSON; also written to ``path`` if given."""
        text = json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_json(cls, source: str | Path) -> Recipe:
        """Read a recipe from a JSON file or string."""
        try:
            data = json.loads(_text(source))
        except json.JSONDecodeError as exc:
            raise RecipeError(
                f"recipe is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            ) from None
        return cls.from_dict(data)

    @property
    def fingerprint(self) -> str:
        """SHA-256 (16 hex digits) of the canonical JSON of the recipe with all defaults filled.

        The name and description do not count: two recipes that compute the same thing have the
        same fingerprint.
        """
        data = self.to_dict()
        data.pop("name")
        data.pop("description")
        canonical = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Recipe):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(self.fingerprint)


def _text(source: str | Path) -> str:
    path: Path | None = None
    if isinstance(source, Path):
        path = source
    elif "\n" not in source and source.endswith((".yaml", ".yml", ".json")):
        path = Path(source)
    if path is None:
        return str(source)
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise RecipeError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
