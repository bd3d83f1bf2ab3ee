"""Recipes: the ordered, serialisable list of steps that turns indicator values into scores.

A :class:`Recipe` is an ordered tuple of steps plus global :class:`RecipeSettings`. Each step is
a typed pydantic model (:class:`DenominateStep`, :class:`ImputeStep`, ...) tagged by its field
``step``, so a recipe is one discriminated union per step: parameters are validated when the
recipe is built, read from YAML or JSON, and written back unchanged. ``Step(step="impute",
params={...})`` builds the right one. The functions that run the steps are registered against
these models in :mod:`missionlens.scoring.steps`, never stored in the recipe, so a recipe can be
written to YAML or JSON, read back, compared by :attr:`Recipe.fingerprint`, and replayed. The
same step may appear more than once. Steps:

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

Order from data flow
--------------------
Every step declares the fields of the scoring state it reads and writes
(:meth:`Step.data_flow`); the order rules follow from them (:func:`flow_problems`):

1. what a step reads must exist when it runs: be in the prepared state (``values``,
   ``weights``) or be written by an earlier step (``aggregate`` reads ``normalised``, so a
   ``normalise`` step comes first);
2. what a step writes must be read afterwards, by a later step or by the profile (which reads
   ``normalised``, ``weights``, ``node_scores`` and ``node_share``), before another step
   overwrites it; otherwise the step would change nothing;
3. a step may not write a field that an earlier step has already read to compute a different
   one (an imputation after ``normalise`` would change values nobody reads any more).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from missionlens.assessments.consolidation import (
    DEFAULT_CONFIDENCE_WEIGHTS,
    ConsolidationMethod,
    checked_confidence_weights,
)
from missionlens.atomic import atomic_write
from missionlens.errors import ArgumentError, RecipeError
from missionlens.framework.elements import AggregationMethod
from missionlens.scoring.methods import normaliser, normaliser_names

__all__ = [
    "FINAL_READS",
    "INITIAL_FIELDS",
    "STEP_PARAMS",
    "STEP_TYPES",
    "AggregateParams",
    "AggregateStep",
    "AnyStep",
    "DenominateParams",
    "DenominateStep",
    "ImputeParams",
    "ImputeStep",
    "IndicatorNormalisation",
    "NodeAggregation",
    "NormaliseParams",
    "NormaliseStep",
    "Recipe",
    "RecipeSettings",
    "Step",
    "TreatOutliersParams",
    "TreatOutliersStep",
    "WeightParams",
    "WeightStep",
    "first_changed_step",
    "flow_problems",
]


class _Params(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _method_of(kind: str | None, extra: tuple[str, ...] = ()) -> AfterValidator:
    """Validator of a normalisation method name against the one table of methods."""
    allowed = (*extra, *normaliser_names(kind))

    def check(value: str) -> str:
        if kind is None:
            normaliser(value)  # ValueError naming every method if unknown
        elif value not in allowed:
            raise ValueError(
                f"unknown {kind} normalisation method {value!r}; use one of {', '.join(allowed)}"
            )
        return value

    return AfterValidator(check)


def _enum(kind: str | None, extra: tuple[str, ...] = ()) -> Any:
    return Field(json_schema_extra={"enum": [*extra, *normaliser_names(kind)]})


#: A normalisation method name, one of :data:`missionlens.scoring.methods.NORMALISERS`.
NormaliseMethod = Annotated[str, _method_of(None), _enum(None)]
RubricMethod = Annotated[str, _method_of("rubric"), _enum("rubric")]
BinaryMethod = Annotated[str, _method_of("binary"), _enum("binary")]
NumericMethod = Annotated[str, _method_of("numeric", ("auto",)), _enum("numeric", ("auto",))]


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
    numeric method of :data:`~missionlens.scoring.methods.NORMALISERS`) set the method by
    scale kind; ``overrides`` set it per indicator. ``transform``
    ``scale`` uses the numeric scale's own transform (e.g. log for income).
    """

    rubric: RubricMethod = "linear"
    rubric_mapping: dict[float, float] | None = None
    binary: BinaryMethod = "linear"
    numeric: NumericMethod = "auto"
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
            shown = ", ".join(f"{k}: {v}" for k, v in bad.items())
            raise ValueError(f"weights must be >= 0, got {shown}")
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

    method: Literal["framework", AggregationMethod] = "framework"
    p: float | None = None
    rule: Literal["reweight", "propagate"] | None = None
    min_share: float | None = Field(default=None, ge=0, le=1)
    overrides: dict[str, NodeAggregation] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _exponent_given(self) -> AggregateParams:
        if self.method == "generalised" and self.p is None:
            raise ValueError("method 'generalised' needs the exponent p, e.g. p: 0.5")
        return self


class RecipeSettings(BaseModel):
    """Global settings of a recipe.

    ``consolidate``: how several raters' values for one mission, period and indicator become
    one, with ``trim`` (share cut from each end by the trimmed mean) and ``confidence_weights``
    (weights of low, medium and high confidence): the ``method``, ``trim`` and
    ``confidence_weights`` of :func:`missionlens.consolidate`, computed by the same kernel
    (:func:`missionlens.assessments.consolidation.consolidate_cells`), so that a recipe's
    scores rest on exactly the values ``ml.consolidate`` shows.
    ``facets``: facets scored beside the tree; by default ``level`` and every facet the
    framework declares other than ``phase``; a list names them (each must be declared by the
    framework, or be ``level`` or ``phase``). ``facet_min_share``: share of a facet value's
    applicable weight that must be present for its score.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    consolidate: ConsolidationMethod = "median"
    trim: float = Field(default=0.2, ge=0, lt=0.5, description="Cut from each end, trimmed_mean.")
    confidence_weights: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_CONFIDENCE_WEIGHTS),
        description="Weights of confidence_weighted; an entry without confidence counts as low.",
    )
    facets: tuple[str, ...] | None = None
    facet_min_share: float = Field(default=0.5, ge=0, le=1)

    @model_validator(mode="after")
    def _weights_cover_levels(self) -> RecipeSettings:
        try:  # the one rule, shared with ml.consolidate
            checked_confidence_weights(self.confidence_weights)
        except ArgumentError as exc:
            raise ValueError(str(exc)) from None
        return self


# ----------------------------------------------------------------------------------- steps
#: Fields of the scoring state present before the first step (:func:`~missionlens.prepare`).
INITIAL_FIELDS: frozenset[str] = frozenset({"values", "weights"})

#: Fields of the final state that the profile reads (indicator scores, weights, node scores).
FINAL_READS: frozenset[str] = frozenset({"normalised", "weights", "node_scores", "node_share"})


class Step(BaseModel):
    """One step of a recipe: a registered step name and its typed parameters.

    ``Step(step="impute", params={"method": "locf"})`` builds the step's own model
    (:class:`ImputeStep` here), validating the parameters; an unknown step or a bad parameter
    raises :class:`~missionlens.errors.RecipeError` naming the field. Each subclass declares the
    fields of the scoring state it ``reads`` and ``writes`` (annotations it only adds, such as
    the ``imputed`` flags, are its ``flags``); :meth:`data_flow` gives them for its parameters.

    Examples
    --------
    >>> import missionlens as ml
    >>> step = ml.Step(step="impute", params={"method": "locf"})
    >>> type(step).__name__, step.params.method, sorted(step.data_flow()[1])
    ('ImputeStep', 'locf', ['values'])
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    step: str
    params: _Params

    reads: ClassVar[frozenset[str]] = frozenset()
    writes: ClassVar[frozenset[str]] = frozenset()
    flags: ClassVar[frozenset[str]] = frozenset()

    def __new__(cls, *args: Any, **data: Any) -> Step:
        if cls is Step:
            if args:
                raise TypeError("Step takes keyword arguments only: Step(step=..., params=...)")
            return _validate_step(data, "Step")
        return super().__new__(cls)

    def data_flow(self) -> tuple[frozenset[str], frozenset[str]]:
        """The fields of the scoring state this step reads and writes, with its parameters."""
        return type(self).reads, type(self).writes

    def why_reads(self, field: str) -> str:
        """Why the step reads ``field`` (used in error messages), or ``""``."""
        return ""

    def parsed(self) -> _Params:
        """The validated parameters (kept for code written against the untyped ``Step``)."""
        return self.params

    def to_dict(self) -> dict[str, Any]:
        """Plain data: ``{"step": name, "params": {every parameter}}``."""
        return {"step": self.step, "params": self.params.model_dump(mode="json")}


class DenominateStep(Step):
    """``denominate``: :class:`DenominateParams`; values -> values."""

    step: Literal["denominate"] = "denominate"
    params: DenominateParams

    reads = frozenset({"values"})
    writes = frozenset({"values"})


class ImputeStep(Step):
    """``impute``: :class:`ImputeParams`; values -> values (``sibling_mean``: normalised ->
    normalised); flags the imputed cells; ``none`` reads and writes nothing."""

    step: Literal["impute"] = "impute"
    params: ImputeParams = Field(default_factory=ImputeParams)

    reads = frozenset({"values"})
    writes = frozenset({"values"})
    flags = frozenset({"imputed"})

    def data_flow(self) -> tuple[frozenset[str], frozenset[str]]:
        """``none``: nothing; ``sibling_mean``: normalised; the other methods: values."""
        if self.params.method == "none":
            return frozenset(), frozenset()
        if self.params.method == "sibling_mean":
            return frozenset({"normalised"}), frozenset({"normalised"})
        return type(self).reads, type(self).writes

    def why_reads(self, field: str) -> str:
        """sibling_mean averages normalised scores."""
        if self.params.method == "sibling_mean" and field == "normalised":
            return "sibling_mean averages normalised scores"
        return ""


class TreatOutliersStep(Step):
    """``treat_outliers``: :class:`TreatOutliersParams`; values -> values; flags treated cells."""

    step: Literal["treat_outliers"] = "treat_outliers"
    params: TreatOutliersParams = Field(default_factory=TreatOutliersParams)

    reads = frozenset({"values"})
    writes = frozenset({"values"})
    flags = frozenset({"treated", "log_treated"})


class NormaliseStep(Step):
    """``normalise``: :class:`NormaliseParams`; values -> normalised."""

    step: Literal["normalise"] = "normalise"
    params: NormaliseParams = Field(default_factory=NormaliseParams)

    reads = frozenset({"values"})
    writes = frozenset({"normalised"})


class WeightStep(Step):
    """``weight``: :class:`WeightParams`; writes weights."""

    step: Literal["weight"] = "weight"
    params: WeightParams = Field(default_factory=WeightParams)

    writes = frozenset({"weights"})


class AggregateStep(Step):
    """``aggregate``: :class:`AggregateParams`; normalised and weights -> node scores."""

    step: Literal["aggregate"] = "aggregate"
    params: AggregateParams = Field(default_factory=AggregateParams)

    reads = frozenset({"normalised", "weights"})
    writes = frozenset({"node_scores", "node_share"})


#: Any step: a union of the step models discriminated by the field ``step``.
AnyStep = Annotated[
    Union[  # noqa: UP007 - a discriminated union needs the Union form here
        DenominateStep, ImputeStep, TreatOutliersStep, NormaliseStep, WeightStep, AggregateStep
    ],
    Field(discriminator="step"),
]

#: The step models by step name, derived from :data:`AnyStep`.
STEP_TYPES: Mapping[str, type[Step]] = {
    cls.model_fields["step"].default: cls for cls in get_args(get_args(AnyStep)[0])
}

#: Parameter model of every step, by step name (derived from :data:`STEP_TYPES`).
STEP_PARAMS: Mapping[str, type[_Params]] = {
    name: cls.model_fields["params"].annotation  # type: ignore[misc]
    for name, cls in STEP_TYPES.items()
}

_STEP_ADAPTER: TypeAdapter[Step] = TypeAdapter(AnyStep)


def _validate_step(data: Any, where: str) -> Step:
    """One step from plain data or a step, with a :class:`RecipeError` naming every problem."""
    if isinstance(data, Step):
        return data
    if not isinstance(data, Mapping):
        raise RecipeError(
            f"{where}: a step must be a mapping {{step: name, params: {{...}}}}, "
            f"not {type(data).__name__}"
        )
    name = data.get("step")
    if not isinstance(name, str) or name not in STEP_TYPES:
        raise RecipeError(
            f"{where}.step: unknown step {name!r}; known steps: {', '.join(STEP_TYPES)}"
        )
    try:
        return STEP_TYPES[name].model_validate(dict(data))
    except ValidationError as exc:
        lines = [
            f"{where} ({name}).{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            for e in exc.errors(include_url=False)
        ]
        raise RecipeError("\n  ".join(lines)) from None


def _producers(field: str) -> str:
    names = [name for name, cls in STEP_TYPES.items() if field in cls.writes]
    return " or ".join(f"'{n}'" for n in names) or "no known step"


def flow_problems(steps: Sequence[Step]) -> list[str]:
    """Problems of the order of ``steps``, derived from what each reads and writes.

    See the rules in the module docstring. Returns an empty list for a valid order.

    Examples
    --------
    >>> import missionlens as ml
    >>> steps = ml.Recipe.default().steps
    >>> flow_problems(steps)
    []
    >>> flow_problems([steps[3], steps[1]])[0]
    "steps[0] (aggregate): reads 'normalised', which no earlier step writes; it must come after a 'normalise' step"
    """  # noqa: E501
    flows = [s.data_flow() for s in steps]
    problems: list[str] = []
    available = set(INITIAL_FIELDS)
    for i, (step, (reads, writes)) in enumerate(zip(steps, flows, strict=True)):
        for field in sorted(reads - available):
            why = step.why_reads(field)
            problems.append(
                f"steps[{i}] ({step.step}): {why + ', so it ' if why else ''}reads '{field}', "
                f"which no earlier step writes; it must come after a {_producers(field)} step"
            )
        available |= writes
    for j, (step, (_, writes)) in enumerate(zip(steps, flows, strict=True)):
        late = False
        for field in sorted(writes):
            for i in range(j):
                earlier_reads, earlier_writes = flows[i]
                derived = earlier_writes - {field}
                if field in earlier_reads and derived:
                    problems.append(
                        f"steps[{j}] ({step.step}): writes '{field}', which steps[{i}] "
                        f"({steps[i].step}) has already read to compute "
                        f"{', '.join(sorted(derived))}; it must come before steps[{i}]"
                    )
                    late = True
                    break
        if late:
            continue
        for field in sorted(writes):
            fate = "is never read after it"
            for k in range(j + 1, len(steps)):
                if field in flows[k][0]:
                    fate = ""
                    break
                if field in flows[k][1]:
                    fate = (
                        f"is overwritten by steps[{k}] ({steps[k].step}) before anything reads it"
                    )
                    break
            else:
                if field in FINAL_READS:
                    fate = ""
            if fate:
                problems.append(
                    f"steps[{j}] ({step.step}): its output '{field}' {fate}, so the step would "
                    "change nothing"
                )
    missing = sorted(FINAL_READS - available)
    if missing:
        problems.append(
            f"steps: nothing writes {', '.join(repr(f) for f in missing)}, which the profile "
            f"reads; a recipe needs a {_producers(missing[0])} step"
        )
    return problems


def first_changed_step(old: Recipe, new: Recipe) -> int:
    """Index of the first step of ``new`` that differs from ``old`` (type or parameters).

    Steps are pure functions of the state, so the state before that step is the same for both
    recipes and a rerun can start there (see :func:`missionlens.scoring.steps.run_recipe`).
    When one recipe's steps begin with all of the other's, the index is the length of the
    shorter (``len(new.steps)`` for the same steps: nothing to rerun).

    The settings are not steps: they act before (``consolidate``) or after (facets) the steps, so
    they do not move the index; a change of ``settings.consolidate`` changes the prepared state
    itself, which the caller must prepare again.

    Examples
    --------
    >>> import missionlens as ml
    >>> old = ml.Recipe.default()
    >>> first_changed_step(old, old.with_params("weight", method="equal"))
    2
    >>> first_changed_step(old, old)
    4
    """
    for k, (a, b) in enumerate(zip(old.steps, new.steps, strict=False)):
        if a.to_dict() != b.to_dict():
            return k
    return min(len(old.steps), len(new.steps))


# ----------------------------------------------------------------------- parameter paths
def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model of an annotation ``M`` or ``M | None``, else ``None``."""
    candidates = (
        get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    )
    for c in candidates:
        if isinstance(c, type) and issubclass(c, BaseModel):
            return c
    return None


def _entry_model_of(annotation: Any) -> type[BaseModel] | None:
    """The value model of an annotation ``dict[str, M]``, else ``None``."""
    if get_origin(annotation) is dict:
        return _model_of(get_args(annotation)[1])
    return None


def _merge(
    model: type[BaseModel], current: Mapping[str, Any], path: Sequence[str], value: Any, at: str
) -> dict[str, Any]:
    """``current`` (the plain data of a ``model``) with ``value`` deep-merged at ``path``.

    Mappings of parameters merge key by key, at any depth (nested models and ``dict[str,
    model]`` such as ``overrides``); anything else (numbers, strings, lists, and mappings of
    plain values such as ``rubric_mapping``) replaces the old value. In a ``dict[str, model]``,
    ``None`` removes the entry. Unknown keys raise :class:`RecipeError` naming the valid ones.
    """
    out = dict(current)
    if not path:
        if isinstance(value, BaseModel):
            value = value.model_dump(exclude_unset=True)
        if not isinstance(value, Mapping):
            raise RecipeError(f"{at}: expected a mapping of parameters, got {value!r}")
        for key, item in value.items():
            out = _merge(model, out, (str(key),), item, at)
        return out
    key, rest = path[0], tuple(path[1:])
    fields = model.model_fields
    if key not in fields:
        raise RecipeError(f"{at}: no parameter {key!r}; valid keys: {', '.join(fields)}")
    annotation = fields[key].annotation
    nested = _model_of(annotation)
    entry = _entry_model_of(annotation)
    where = f"{at}.{key}"
    if nested is not None and (rest or isinstance(value, (Mapping, BaseModel))):
        old = out.get(key)
        out[key] = _merge(nested, old if isinstance(old, Mapping) else {}, rest, value, where)
    elif entry is not None and (rest or isinstance(value, Mapping)):
        entries = dict(out.get(key) or {})
        items = {rest[0]: _Sub(rest[1:], value)} if rest else dict(value)
        for name, item in items.items():
            sub_path, sub_value = (item.path, item.value) if isinstance(item, _Sub) else ((), item)
            if sub_value is None and not sub_path:
                entries.pop(str(name), None)
                continue
            old = entries.get(str(name))
            entries[str(name)] = _merge(
                entry,
                old if isinstance(old, Mapping) else {},
                sub_path,
                sub_value,
                f"{where}.{name}",
            )
        out[key] = entries
    elif rest:
        raise RecipeError(
            f"{where}: a single value, not a mapping of parameters; cannot address "
            f"'{'__'.join(rest)}' under it"
        )
    else:
        out[key] = value
    return out


class _Sub:
    """A path below an entry of a ``dict[str, model]`` and its value."""

    __slots__ = ("path", "value")

    def __init__(self, path: tuple[str, ...], value: Any) -> None:
        self.path = path
        self.value = value


_DERIVED = "Derived from "


def _derived_name(name: str, tag: str) -> str:
    parts = name.split("+")
    return name if tag in parts[1:] else f"{name}+{tag}"


def _derived_description(recipe: Recipe, change: str) -> str:
    old = recipe.description
    if old.startswith(_DERIVED) and old.endswith("."):
        return f"{old[:-1]}; {change}."
    return f"{_DERIVED}'{recipe.name}': {change}."


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
    >>> changed = recipe.set_params(aggregate__overrides__wom__method="geometric")
    >>> changed.name, changed.steps[3].params.overrides["wom"].method
    ('default+aggregate', 'geometric')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "default"
    description: str = ""
    settings: RecipeSettings = RecipeSettings()
    steps: tuple[AnyStep, ...] = ()

    @field_validator("steps", mode="before")
    @classmethod
    def _typed_steps(cls, value: Any) -> Any:
        if not isinstance(value, Sequence) or isinstance(value, (str, bytes)):
            return value  # pydantic reports the wrong type
        problems: list[str] = []
        steps: list[Step] = []
        for i, item in enumerate(value):
            try:
                steps.append(_validate_step(item, f"steps[{i}]"))
            except RecipeError as exc:
                problems.append(str(exc))
        if problems:
            raise RecipeError("invalid recipe:\n  " + "\n  ".join(problems))
        return tuple(steps)

    @model_validator(mode="after")
    def _check_order(self) -> Recipe:
        problems = flow_problems(self.steps)
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
                ImputeStep(params=ImputeParams(method="none")),
                NormaliseStep(),
                WeightStep(params=WeightParams(method="framework")),
                AggregateStep(params=AggregateParams(method="framework")),
            ),
        )

    # ------------------------------------------------------------------------ changes
    def data_columns(self) -> set[str]:
        """Columns of the data that the steps read besides the indicators.

        A denominator (``denominate``'s ``by``) and an imputation group (``impute``'s
        ``group`` for ``group_mean``/``group_median``): a wide table may hold these columns
        (:func:`~missionlens.validate` and :func:`~missionlens.score` accept them).
        """
        used: set[str] = set()
        for step in self.steps:
            params = step.parsed()
            if isinstance(params, DenominateParams):
                used.add(params.by)
            elif isinstance(params, ImputeParams) and params.method in (
                "group_mean",
                "group_median",
            ):
                used.add(params.group)
        return used

    def step_index(self, step: str | int) -> int:
        """Position of a step given by name (it must appear once) or by index.

        Raises
        ------
        RecipeError
            If the recipe has no such step, or has it more than once (then give its index).
        """
        if isinstance(step, bool) or not isinstance(step, (int, str)):
            raise RecipeError(f"step must be a step name or an index, not {step!r}")
        if isinstance(step, int):
            n = len(self.steps)
            if not -n <= step < n:
                raise RecipeError(
                    f"recipe '{self.name}' has {n} steps: index {step} is out of range"
                )
            return step % n
        found = [i for i, s in enumerate(self.steps) if s.step == step]
        if not found:
            raise RecipeError(
                f"recipe '{self.name}' has no step {step!r}; its steps: "
                f"{', '.join(s.step for s in self.steps)}"
            )
        if len(found) > 1:
            raise RecipeError(
                f"recipe '{self.name}': step {step!r} appears {len(found)} times (steps "
                f"{', '.join(map(str, found))}); address it by index, e.g. "
                f"steps__{found[0]}__<parameter>=... or with_params({found[0]}, ...)"
            )
        return found[0]

    def with_step(
        self,
        step: str,
        index: int | None = None,
        *,
        name: str | None = None,
        description: str | None = None,
        **params: Any,
    ) -> Recipe:
        """A copy with a step inserted.

        Parameters
        ----------
        step : str
            The step's name (``denominate``, ``impute``, ...).
        index : int, optional
            Where to insert it (as :meth:`list.insert`). By default, as late as possible where
            it still takes effect: just before the first later step that reads what it writes
            (an imputation of values goes just before ``normalise``).
        name, description : str, optional
            The new recipe's name and description; by default ``"<name>+<step>"`` and a
            description listing the change.
        **params
            The step's parameters.

        Raises
        ------
        RecipeError
            If the parameters are invalid, if the step would change nothing (it writes nothing,
            or what it writes is never read or is overwritten), or if ``index`` is a position
            where it cannot take effect; the message says why and where it would have to go.
        """
        new = _validate_step({"step": step, "params": params}, f"with_step({step!r})")
        label = f"{step}({', '.join(f'{k}={v!r}' for k, v in params.items())})"
        if not new.data_flow()[1]:
            raise RecipeError(
                f"with_step: {label} reads and writes nothing, so inserting it would change nothing"
            )
        n = len(self.steps)

        def inserted(position: int) -> list[Step]:
            steps: list[Step] = list(self.steps)
            steps.insert(position, new)
            return steps

        valid = [p for p in range(n + 1) if not flow_problems(inserted(p))]
        if index is None:
            if not valid:
                problems = flow_problems(inserted(n))
                raise RecipeError(
                    f"with_step: {label} cannot take effect anywhere in recipe '{self.name}'; "
                    "at the end:\n  " + "\n  ".join(problems)
                )
            position = valid[-1]
        else:
            position = index if index >= 0 else max(n + 1 + index, 0)
            position = min(position, n)
            if position not in valid:
                problems = flow_problems(inserted(position))
                raise RecipeError(
                    f"with_step: {label} at index {index} cannot take effect:\n  "
                    + "\n  ".join(problems)
                    + f"\n  {_where(valid, self.steps)}"
                )
        return self._changed(
            inserted(position),
            self.settings,
            tag=step,
            change=f"inserted {label} at steps[{position}]",
            name=name,
            description=description,
        )

    def with_params(
        self,
        step: str | int,
        *,
        name: str | None = None,
        description: str | None = None,
        **params: Any,
    ) -> Recipe:
        """A copy with ``params`` deep-merged into one step's parameters.

        ``step`` is the step's name (it must appear once in the recipe) or its index.
        Parameters are merged as by :meth:`set_params`: ``with_params("aggregate",
        overrides={"wom": {"method": "geometric"}})`` keeps the other nodes' overrides, and
        keys may be paths (``overrides__wom__p=0.5``). The new recipe is called
        ``"<name>+<step>"`` and its description lists the change, unless ``name`` or
        ``description`` are given.

        Raises
        ------
        RecipeError
            Unknown or ambiguous step, unknown parameter (naming the valid keys), invalid value.
        """
        position = self.step_index(step)
        prefix = f"steps__{position}__"
        return self.set_params(
            name=name,
            description=description,
            **{prefix + key: value for key, value in params.items()},
        )

    def set_params(
        self, *, name: str | None = None, description: str | None = None, **paths: Any
    ) -> Recipe:
        """A copy with parameters set by double-underscore paths, deep-merged.

        Each key is a path like scikit-learn's ``set_params``:

        * ``<step>__<parameter>[__<key>__<parameter>...]``: a step by name, which must appear
          once (``aggregate__overrides__wom__method="geometric"``);
        * ``steps__<index>__<parameter>...``: a step by position (``steps__0__method="locf"``),
          for a step that appears more than once;
        * ``settings__<setting>``: a global setting (``settings__consolidate="mean"``).

        A path may stop at a step (or ``settings``), with a mapping of parameters as value.
        Mappings of parameters merge at any depth: setting ``overrides__wom__method`` keeps
        ``overrides__wom__p`` and the other nodes' overrides; ``None`` for an entry of
        ``overrides`` removes it; other values (numbers, strings, lists, and level mappings
        such as ``rubric_mapping``) replace the old value whole.

        The new recipe is named ``"<name>+<step>"`` (each changed step once) and described as
        derived from this recipe with the list of changes, unless ``name`` or ``description``
        are given.

        Raises
        ------
        RecipeError
            Unknown step, ambiguous step name, unknown parameter (naming the valid keys at that
            level), invalid value.
        """
        steps: list[Step] = list(self.steps)
        merged: dict[int, dict[str, Any]] = {}
        settings: dict[str, Any] | None = None
        tags: list[str] = []
        changes: list[str] = []
        for key, value in paths.items():
            parts = key.split("__")
            head = parts[0]
            if head == "settings":
                settings = _merge(
                    RecipeSettings,
                    settings if settings is not None else self.settings.model_dump(),
                    parts[1:],
                    value,
                    "settings",
                )
                tag, label = "settings", ".".join(parts)
            else:
                if head == "steps":
                    if len(parts) < 2 or not parts[1].lstrip("-").isdigit():
                        raise RecipeError(
                            f"set_params: {key!r}: 'steps' must be followed by an index, e.g. "
                            "steps__0__method"
                        )
                    position = self.step_index(int(parts[1]))
                    rest = parts[2:]
                elif head in STEP_TYPES:
                    position = self.step_index(head)
                    rest = parts[1:]
                else:
                    raise RecipeError(
                        f"set_params: unknown key {key!r}; a key starts with a step of recipe "
                        f"'{self.name}' ({', '.join(dict.fromkeys(s.step for s in steps))}), "
                        "'steps__<index>' or 'settings'"
                    )
                current = steps[position]
                model = STEP_PARAMS[current.step]
                merged[position] = _merge(
                    model,
                    merged.get(position, current.params.model_dump()),
                    rest,
                    value,
                    f"steps[{position}] ({current.step}).params",
                )
                tag = current.step
                unique = [x.step for x in steps].count(current.step) == 1
                label = ".".join([current.step if unique else f"steps[{position}]", *rest])
            if tag not in tags:
                tags.append(tag)
            changes.append(f"{label}={value!r}")
        for position, params in merged.items():
            steps[position] = _validate_step(
                {"step": steps[position].step, "params": params}, f"steps[{position}]"
            )
        new_settings = self.settings
        if settings is not None:
            try:
                new_settings = RecipeSettings.model_validate(settings)
            except ValidationError as exc:
                raise RecipeError(_error_lines("settings", exc)) from None
        if not changes:
            return self
        return self._changed(
            steps,
            new_settings,
            tag="+".join(tags),
            change=", ".join(changes),
            name=name,
            description=description,
        )

    def _changed(
        self,
        steps: Sequence[Step],
        settings: RecipeSettings,
        *,
        tag: str,
        change: str,
        name: str | None,
        description: str | None,
    ) -> Recipe:
        new_name = self.name
        for part in tag.split("+"):
            new_name = _derived_name(new_name, part)
        return Recipe(
            name=new_name if name is None else name,
            description=_derived_description(self, change) if description is None else description,
            settings=settings,
            steps=tuple(steps),
        )

    def revalidated(self) -> Recipe:
        """The same recipe passed through validation again (after ``model_copy``).

        Raises :class:`RecipeError` listing every problem.
        """
        return Recipe.from_dict(self.to_dict())

    # ------------------------------------------------------------------------------- IO
    def to_dict(self) -> dict[str, Any]:
        """Plain data: name, description, settings and the steps with their full parameters."""
        return {
            "name": self.name,
            "description": self.description,
            "settings": self.settings.model_dump(mode="json"),
            "steps": [s.to_dict() for s in self.steps],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Recipe:
        """Build a recipe from plain data, raising :class:`RecipeError` with every problem."""
        if not isinstance(data, dict):
            raise RecipeError(f"a recipe must be a mapping, not {type(data).__name__}")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise RecipeError(_error_lines("", exc)) from None

    def to_yaml(self, path: str | Path | None = None) -> str:
        """The recipe as YAML (``yaml.safe_dump``); also written to ``path`` if given."""
        text = yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)
        if path is not None:
            with atomic_write(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        return text

    @classmethod
    def from_yaml(cls, source: str | Path) -> Recipe:
        """Read a recipe from a YAML file or string (a safe loader; duplicate keys refused)."""
        from missionlens.errors import YAMLDuplicateKeyError
        from missionlens.framework.yaml_io import safe_load_unique

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
            with atomic_write(path, "w", encoding="utf-8") as handle:
                handle.write(text)
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


def _where(valid: Sequence[int], steps: Sequence[Step]) -> str:
    if not valid:
        return "there is no position in this recipe where it takes effect"
    last = valid[-1]
    bound = f"just before steps[{last}] ({steps[last].step})" if last < len(steps) else "at the end"
    return f"it takes effect at index {', '.join(map(str, valid))} (at the latest {bound})"


def _error_lines(prefix: str, exc: ValidationError) -> str:
    lines = []
    for e in exc.errors(include_url=False):
        loc = ".".join([prefix, *map(str, e["loc"])] if prefix else map(str, e["loc"]))
        lines.append(f"{loc}: {e['msg']}")
    return "invalid recipe:\n  " + "\n  ".join(lines)


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
