"""missionlens: whole-of-mission performance assessment of UN peace operations.

Scoring schemas (frameworks of dimensions, sub-dimensions and indicators with rubric anchors,
scales and weights) that analysts fill in, that missionlens validates and aggregates into
comparable mission profiles. See the README and ``docs/`` for a tour.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from missionlens.engine import ScoringInputError
from missionlens.errors import FrameworkError, MissionLensError
from missionlens.framework import Framework, framework_json_schema
from missionlens.profiles import PROFILE_COLUMNS, IncompatibleProfilesError, Profiles, score
from missionlens.recipe import Recipe, RecipeError, RecipeSettings, Step
from missionlens.registry import list_frameworks, load_framework
from missionlens.schema import (
    LEVELS,
    PHASES,
    AggregationSpec,
    Anchor,
    BinaryScale,
    Facet,
    FacetValue,
    Indicator,
    MissingRule,
    Node,
    NumericScale,
    RubricLevel,
    RubricScale,
)

try:
    __version__ = version("missionlens")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "LEVELS",
    "PHASES",
    "PROFILE_COLUMNS",
    "AggregationSpec",
    "Anchor",
    "BinaryScale",
    "Facet",
    "FacetValue",
    "Framework",
    "FrameworkError",
    "IncompatibleProfilesError",
    "Indicator",
    "MissingRule",
    "MissionLensError",
    "Node",
    "NumericScale",
    "Profiles",
    "Recipe",
    "RecipeError",
    "RecipeSettings",
    "RubricLevel",
    "RubricScale",
    "ScoringInputError",
    "Step",
    "__version__",
    "framework_json_schema",
    "list_frameworks",
    "load_framework",
    "score",
]
