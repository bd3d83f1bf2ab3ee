"""missionlens: whole-of-mission performance assessment of UN peace operations.

Scoring schemas (frameworks of dimensions, sub-dimensions and indicators with rubric anchors,
scales and weights) that analysts fill in, that missionlens validates and aggregates into
comparable mission profiles. See the README and ``docs/`` for a tour.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from missionlens import datasets
from missionlens.assessment import (
    ASSESSMENT_COLUMNS,
    parse_period,
    read_assessments,
    write_assessments,
)
from missionlens.consolidate import agreement, consolidate
from missionlens.engine import ScoringInputError
from missionlens.errors import FrameworkError, MissionLensError, ValidationError
from missionlens.framework import Framework, framework_json_schema
from missionlens.plotting import plot_comparison, plot_facets, plot_lifecycle, plot_profile
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
from missionlens.templates import write_template
from missionlens.validation import ValidationReport, validate
from missionlens.xlsform import write_xlsform

try:
    __version__ = version("missionlens")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "ASSESSMENT_COLUMNS",
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
    "ValidationError",
    "ValidationReport",
    "__version__",
    "agreement",
    "consolidate",
    "datasets",
    "framework_json_schema",
    "list_frameworks",
    "load_framework",
    "parse_period",
    "plot_comparison",
    "plot_facets",
    "plot_lifecycle",
    "plot_profile",
    "read_assessments",
    "score",
    "validate",
    "write_assessments",
    "write_template",
    "write_xlsform",
]
