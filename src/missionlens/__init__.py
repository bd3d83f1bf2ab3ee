"""missionlens: whole-of-mission performance assessment of UN peace operations.

Scoring schemas (frameworks of dimensions, sub-dimensions and indicators with rubric anchors,
scales and weights) that analysts fill in, that missionlens validates and aggregates into
comparable mission profiles. See the README and ``docs/`` for a tour.
"""

from __future__ import annotations

import typing as _typing

from missionlens import datasets
from missionlens._version import __version__
from missionlens.analysis.agreement import agreement
from missionlens.assessments.consolidation import consolidate
from missionlens.assessments.excel_template import write_template
from missionlens.assessments.formats import write_assessments
from missionlens.assessments.reading import read_assessments
from missionlens.assessments.record import ASSESSMENT_COLUMNS
from missionlens.assessments.validation import ValidationReport, validate
from missionlens.assessments.xlsform import write_xlsform
from missionlens.errors import (
    FrameworkError,
    IncompatibleProfilesError,
    IncompleteScoreWarning,
    MissionLensError,
    RecipeError,
    ScoringInputError,
    ValidationError,
)
from missionlens.framework.elements import (
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
from missionlens.framework.model import Framework, framework_json_schema
from missionlens.framework.registry import list_frameworks, load_framework
from missionlens.periods import parse_period
from missionlens.scoring.profiles import PROFILE_COLUMNS, Profiles, score
from missionlens.scoring.recipe import Recipe, RecipeSettings, Step

# The plots are imported on first use (PEP 562), so that ``import missionlens`` does not load
# the plotting package; ``__all__`` and ``dir()`` list them, and type checkers see them here.
if _typing.TYPE_CHECKING:
    from missionlens.plot import plot_comparison, plot_facets, plot_lifecycle, plot_profile
_LAZY = {"plot_comparison", "plot_facets", "plot_lifecycle", "plot_profile"}


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import missionlens.plot

        value = getattr(missionlens.plot, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | _LAZY)


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
    "IncompleteScoreWarning",
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
