"""The framework schema: typed, immutable building blocks of an assessment framework.

A :class:`~missionlens.framework.model.Framework` is made of

* **scales** (:class:`RubricScale`, :class:`NumericScale`, :class:`BinaryScale`), referred to by id;
* **nodes** (:class:`Node`): the root, the dimensions and the sub-dimensions of the tree, each
  with its weight within its parent, its aggregation method and its rule for missing children;
* **indicators** (:class:`Indicator`): the leaves, each with a scale, a direction, a weight and the
  facets (level, lifecycle phases, Cairo findings, A4P+ priority) that let the same assessment be
  read in several ways;
* **facets** (:class:`Facet`): the allowed values of each facet.

All models are frozen pydantic v2 models that forbid unknown fields, so that a typo in a framework
file is an error rather than a silently ignored key.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "ACTORS",
    "DEFAULT_FACETS",
    "EVIDENCE_ACCESS",
    "LEVELS",
    "PHASES",
    "ROLES",
    "ROOT_MISSING_RULE",
    "SCHEMA_2_INDICATOR_FIELDS",
    "AggregationMethod",
    "AggregationSpec",
    "Anchor",
    "BinaryScale",
    "Facet",
    "FacetValue",
    "Indicator",
    "MissingRule",
    "Node",
    "NumericScale",
    "RubricLevel",
    "RubricScale",
    "Scale",
]

#: The three levels of finding 15 and 16(c) of the Cairo 2018 Chairman's Summary.
LEVELS: tuple[str, ...] = ("strategic", "operational", "tactical")

#: Lifecycle phases, "from mandate to exit" (finding 4 and the conference title).
PHASES: tuple[str, ...] = (
    "mandate_design",
    "start_up",
    "implementation",
    "drawdown",
    "transition",
    "exit",
)

#: Roles of an indicator: ``performance`` (what the mission and its partners do and achieve,
#: scored into the headline composite) or ``context`` (conditions the mission faces, scored into a
#: separate context (difficulty) index that is read beside performance, never averaged into it;
#: Cairo 2018, finding 16(b): the operating environment is *considered*).
ROLES: tuple[str, ...] = ("performance", "context")

#: Actors responsible for what an indicator measures (finding 15: a balanced distribution of
#: responsibilities; the Action for Peacekeeping Declaration of Shared Commitments, 2018).
ACTORS: tuple[str, ...] = (
    "mission",
    "security_council",
    "secretariat",
    "general_assembly",
    "contributing_countries",
    "host_state",
    "regional_organisations",
    "other_partners",
)

#: Where the evidence of an indicator can be found: in public documents, only inside the UN
#: (CPAS data, internal reports), or both.
EVIDENCE_ACCESS: tuple[str, ...] = ("public", "un_internal", "mixed")

Identifier = Annotated[
    str,
    Field(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z][A-Za-z0-9_.\-]*$",
        description="Identifier: starts with a letter; letters, digits, '_', '.', '-'.",
    ),
]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


# --------------------------------------------------------------------------------------- scales
class RubricLevel(_Model):
    """One level of an ordinal rubric: its value, a short label and an anchored description."""

    value: float = Field(description="Numeric value of the level (e.g. 1 to 5).")
    label: str = Field(min_length=1, description="Short label, e.g. 'Developing'.")
    description: str = Field(default="", description="Generic anchored description of the level.")


class RubricScale(_Model):
    """An ordinal rubric: ordered levels, each with a value, a label and an anchored description.

    Levels are listed from the lowest value to the highest; an indicator's ``direction`` says
    whether the highest level is the best.
    """

    kind: Literal["rubric"] = "rubric"
    id: Identifier
    name: str = ""
    description: str = ""
    levels: tuple[RubricLevel, ...] = Field(min_length=2)

    @property
    def values(self) -> tuple[float, ...]:
        """The level values, lowest first."""
        return tuple(level.value for level in self.levels)

    @property
    def bounds(self) -> tuple[float, float]:
        """Lowest and highest level value."""
        return (min(self.values), max(self.values))


class NumericScale(_Model):
    """A numeric scale: a unit, optional hard bounds, goalposts and a transform.

    ``minimum``/``maximum`` are hard bounds: a value outside them is invalid input.
    ``goalposts`` ``(worst_or_low, high)`` are the values mapped to 0 and 100 by goalpost
    normalisation (values beyond them are capped), as in the UNDP Human Development Index.
    ``transform`` is applied before normalisation (``log`` for natural log, ``log10``, ``log1p``).
    """

    kind: Literal["numeric"] = "numeric"
    id: Identifier
    name: str = ""
    description: str = ""
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    goalposts: tuple[float, float] | None = None
    transform: Literal["log", "log10", "log1p"] | None = None


class BinaryScale(_Model):
    """A yes/no scale stored as 0 and 1."""

    kind: Literal["binary"] = "binary"
    id: Identifier
    name: str = ""
    description: str = ""
    false_label: str = "No"
    true_label: str = "Yes"

    @property
    def values(self) -> tuple[float, ...]:
        """The two admissible values."""
        return (0.0, 1.0)


Scale = Annotated[RubricScale | NumericScale | BinaryScale, Field(discriminator="kind")]


# --------------------------------------------------------------------------------------- facets
class FacetValue(_Model):
    """One admissible value of a facet."""

    id: str = Field(min_length=1)
    label: str = ""
    description: str = ""


class Facet(_Model):
    """A facet: a way of grouping indicators other than the tree (level, phase, finding, ...).

    The facet ids ``level``, ``phase``, ``finding`` and ``a4p`` are tied to the indicator fields
    ``level``, ``phases``, ``findings`` and ``a4p``; any other facet id is read from an
    indicator's ``tags``.
    """

    id: Identifier
    name: str = ""
    description: str = ""
    values: tuple[FacetValue, ...] = Field(min_length=1)

    @property
    def value_ids(self) -> tuple[str, ...]:
        """The admissible value ids, in order."""
        return tuple(v.id for v in self.values)


DEFAULT_FACETS: tuple[Facet, ...] = (
    Facet(
        id="level",
        name="Level",
        description="Strategic, operational and tactical levels (Cairo 2018, findings 15 and 16c).",
        values=tuple(FacetValue(id=v, label=v.capitalize()) for v in LEVELS),
    ),
    Facet(
        id="phase",
        name="Lifecycle phase",
        description="Mission lifecycle phases from mandate to exit (Cairo 2018, finding 4).",
        values=tuple(FacetValue(id=v, label=v.replace("_", " ").capitalize()) for v in PHASES),
    ),
)


# ---------------------------------------------------------------------------------------- nodes
AggregationMethod = Literal[
    "arithmetic", "geometric", "harmonic", "minimum", "median", "generalised"
]


class AggregationSpec(_Model):
    """How a node combines its children's normalised scores.

    ``generalised`` is the weighted power mean with exponent ``p`` (``p=1`` arithmetic,
    ``p->0`` geometric, ``p=-1`` harmonic).
    """

    method: AggregationMethod = "arithmetic"
    p: float | None = Field(default=None, description="Exponent of the generalised mean.")


class MissingRule(_Model):
    """What a node does when some children have no score.

    ``reweight``: aggregate the children present, with their weights rescaled, if their share of
    the node's total weight is at least ``min_share``; otherwise the node is missing.
    ``propagate``: any missing child makes the node missing.
    """

    rule: Literal["reweight", "propagate"] = "reweight"
    min_share: float = Field(default=0.5, ge=0.0, le=1.0)


#: The root's missing rule when a framework does not give one: every dimension that applies
#: must have a score, so that a headline score never quietly leaves out a whole dimension.
ROOT_MISSING_RULE = MissingRule(rule="reweight", min_share=1.0)


class Node(_Model):
    """An aggregate node of the tree: the root, a dimension or a sub-dimension.

    The node type is not stored: it follows from the depth (the root has no parent, dimensions
    are children of the root, anything deeper is a sub-dimension).

    ``missing`` defaults to :data:`ROOT_MISSING_RULE` (``reweight`` with ``min_share`` 1:
    every applicable dimension needed) at the root, and to ``reweight`` with ``min_share`` 0.5
    everywhere else.
    """

    id: Identifier
    name: str = Field(min_length=1)
    description: str = ""
    parent: str | None = None
    weight: float = 1.0
    aggregation: AggregationSpec = AggregationSpec()
    missing: MissingRule = MissingRule()
    level: str | None = Field(default=None, description="Optional level facet of the node.")
    findings: tuple[int, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _root_missing_default(cls, data: Any) -> Any:
        """The root's default missing rule is :data:`ROOT_MISSING_RULE`."""
        if isinstance(data, dict) and data.get("parent") is None and data.get("missing") is None:
            data = {**data, "missing": ROOT_MISSING_RULE}
        return data


# ----------------------------------------------------------------------------------- indicators
class Anchor(_Model):
    """An indicator-specific anchored description for one level of its rubric."""

    value: float
    description: str = Field(min_length=1)


class Indicator(_Model):
    """A leaf of the framework: one thing an analyst scores or a data source measures."""

    id: Identifier
    name: str = Field(min_length=1)
    definition: str = ""
    question: str = Field(default="", description="Guiding question put to the analyst.")
    parent: str = Field(min_length=1)
    scale: str = Field(min_length=1, description="Id of a scale of the framework.")
    direction: Literal[1, -1] = Field(
        default=1, description="1 if a higher value is better, -1 if a lower value is better."
    )
    weight: float = 1.0
    level: str | None = Field(default=None, description="strategic, operational or tactical.")
    phases: tuple[str, ...] = Field(default=(), description="Phases in which it applies.")
    findings: tuple[int, ...] = Field(default=(), description="Cairo 2018 findings it serves.")
    a4p: str | None = Field(default=None, description="A4P+ priority it maps to.")
    anchors: tuple[Anchor, ...] = Field(
        default=(), description="Indicator-specific anchors overriding the rubric descriptions."
    )
    goalposts: tuple[float, float] | None = Field(
        default=None, description="Overrides the numeric scale's goalposts for this indicator."
    )
    evidence: tuple[str, ...] = Field(default=(), description="Suggested evidence.")
    data_sources: tuple[str, ...] = Field(default=(), description="Where the data can be found.")
    tags: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="Values of custom facets, keyed by facet id."
    )
    # ---- framework schema 2 (absent from, and so not changing, the fingerprint of a
    # framework that leaves them at their defaults: see SCHEMA_2_INDICATOR_FIELDS)
    role: Literal["performance", "context"] = Field(
        default="performance",
        description=(
            "performance: scored into the headline composite; context: conditions the mission "
            "faces, scored into the separate context (difficulty) index."
        ),
    )
    actors: tuple[str, ...] = Field(
        default=(),
        description="Who must act on it, main actor first (values of the 'actor' facet).",
    )
    measures: tuple[int, ...] = Field(
        default=(),
        description=(
            "Cairo 2018 findings the indicator measures directly (a subset of 'findings', which "
            "lists every finding it is tagged with)."
        ),
    )
    a4p_secondary: str | None = Field(
        default=None, description="Optional secondary A4P+ priority ('a4p' is the main one)."
    )
    critical: bool = Field(
        default=False,
        description=(
            "A rating at the worst level of its rubric is flagged in every profile, whatever "
            "the averages (acting to protect civilians, sexual exploitation and abuse, ...)."
        ),
    )
    not_applicable_when: str = Field(
        default="", description="When the indicator typically does not apply."
    )
    evidence_access: Literal["public", "un_internal", "mixed"] | None = Field(
        default=None, description="Whether its evidence is public, UN-internal or both."
    )


#: Indicator fields added by framework schema 2, with their defaults. A framework that leaves
#: them at their defaults has the fingerprint it had before they existed (they are left out of
#: the canonical form when at their default), so profiles saved with version 1 frameworks
#: regenerate unchanged.
SCHEMA_2_INDICATOR_FIELDS: dict[str, Any] = {
    "role": "performance",
    "actors": [],
    "measures": [],
    "a4p_secondary": None,
    "critical": False,
    "not_applicable_when": "",
    "evidence_access": None,
}
