"""missionlens: whole-of-mission performance assessment of UN peace operations.

Scoring schemas (frameworks of dimensions, sub-dimensions and indicators with rubric anchors,
scales and weights) that analysts fill in, that missionlens validates and aggregates into
comparable mission profiles. See the README and ``docs/`` for a tour.
"""

from __future__ import annotations

import typing as _typing
from importlib import import_module as _import_module

from missionlens._version import __version__
from missionlens.errors import (
    ArchiveError,
    ArgumentError,
    BenchmarkError,
    FrameworkError,
    IncompatibleProfilesError,
    IncompleteScoreWarning,
    MigrationError,
    MissionLensError,
    MixedPhasesWarning,
    NotFoundError,
    RecipeError,
    ScoringInputError,
    UnreadableFileError,
    ValidationError,
    WriteError,
    YAMLDuplicateKeyError,
    YAMLTooDeepError,
)

# Everything else is imported on first use (PEP 562), so that ``import missionlens`` (and
# ``missionlens --version``) stays fast: each public name maps to the module that defines it.
# ``__all__`` and ``dir()`` list them all, and type checkers see them through the imports below.
_LAZY: dict[str, str] = {
    "datasets": "missionlens.datasets",
    "agreement": "missionlens.analysis.agreement",
    **{
        name: "missionlens.analysis.lifecycle"
        for name in ("change", "decompose_change", "trajectories")
    },
    **{
        name: "missionlens.analysis.benchmarks"
        for name in (
            "BENCHMARK_STATUSES",
            "Benchmark",
            "BenchmarkSet",
            "benchmark_status",
            "exit_readiness",
            "load_benchmarks",
        )
    },
    **{
        name: "missionlens.analysis.uncertainty"
        for name in (
            "Uncertainty",
            "UncertaintyModel",
            "UncertaintyResult",
            "compare_uncertain",
            "uncertainty",
        )
    },
    **{
        name: "missionlens.analysis.peers"
        for name in ("compare_missions", "nearest_peers", "rank_missions", "strengths_weaknesses")
    },
    **{
        name: "missionlens.analysis.context"
        for name in ("context_adjusted", "difficulty_bands", "performance_vs_context")
    },
    "consolidate": "missionlens.assessments.consolidation",
    "write_template": "missionlens.assessments.excel_template",
    "write_assessments": "missionlens.assessments.formats",
    "read_assessments": "missionlens.assessments.reading",
    "ASSESSMENT_COLUMNS": "missionlens.assessments.record",
    "ValidationReport": "missionlens.assessments.validation",
    "validate": "missionlens.assessments.validation",
    "write_xlsform": "missionlens.assessments.xlsform",
    "diff_frameworks": "missionlens.framework.diff",
    "load_migration": "missionlens.framework.diff",
    "Migration": "missionlens.framework.diff",
    "framework_json_schema": "missionlens.framework.model",
    "Framework": "missionlens.framework.model",
    "list_frameworks": "missionlens.framework.registry",
    "load_framework": "missionlens.framework.registry",
    "parse_period": "missionlens.periods",
    "PROFILE_COLUMNS": "missionlens.scoring.profiles",
    "Profiles": "missionlens.scoring.profiles",
    "score": "missionlens.scoring.profiles",
    "Recipe": "missionlens.scoring.recipe",
    "RecipeSettings": "missionlens.scoring.recipe",
    "Step": "missionlens.scoring.recipe",
    "plot_comparison": "missionlens.plot",
    "plot_facets": "missionlens.plot",
    "plot_lifecycle": "missionlens.plot",
    "plot_profile": "missionlens.plot",
    "plot_agreement": "missionlens.plot",
    "plot_framework": "missionlens.plot",
    "plot_levels": "missionlens.plot",
    "plot_quadrant": "missionlens.plot",
    "plot_radar": "missionlens.plot",
    "plot_rank_intervals": "missionlens.plot",
    "plot_rater_spread": "missionlens.plot",
    "plot_score_intervals": "missionlens.plot",
    "plot_small_multiples": "missionlens.plot",
    "plot_waterfall": "missionlens.plot",
    "report": "missionlens.reports",
    **{
        name: "missionlens.analysis.sensitivity"
        for name in (
            "SENSITIVITY_COLUMNS",
            "SensitivityProblem",
            "SensitivityResult",
            "UnitModel",
            "analyse_sobol",
            "mean_rank_shift",
            "rank_of",
            "sample_sobol",
            "score_of",
            "sensitivity",
        )
    },
    **{
        name: "missionlens.mission_registry"
        for name in ("MissionRecord", "PhaseSpan", "PhaseTimeline", "mission", "missions")
    },
    "read_timelines": "missionlens.assessments.timelines",
    **{name: "missionlens.periods" for name in ("period_order", "sort_periods", "years_since")},
    **{
        name: "missionlens.framework.elements"
        for name in (
            "LEVELS",
            "PHASES",
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
        )
    },
}

if _typing.TYPE_CHECKING:
    from missionlens import datasets
    from missionlens.analysis.agreement import agreement
    from missionlens.analysis.benchmarks import (
        BENCHMARK_STATUSES,
        Benchmark,
        BenchmarkSet,
        benchmark_status,
        exit_readiness,
        load_benchmarks,
    )
    from missionlens.analysis.context import (
        context_adjusted,
        difficulty_bands,
        performance_vs_context,
    )
    from missionlens.analysis.lifecycle import change, decompose_change, trajectories
    from missionlens.analysis.peers import (
        compare_missions,
        nearest_peers,
        rank_missions,
        strengths_weaknesses,
    )
    from missionlens.analysis.sensitivity import (
        SENSITIVITY_COLUMNS,
        SensitivityProblem,
        SensitivityResult,
        UnitModel,
        analyse_sobol,
        mean_rank_shift,
        rank_of,
        sample_sobol,
        score_of,
        sensitivity,
    )
    from missionlens.analysis.uncertainty import (
        Uncertainty,
        UncertaintyModel,
        UncertaintyResult,
        compare_uncertain,
        uncertainty,
    )
    from missionlens.assessments.consolidation import consolidate
    from missionlens.assessments.excel_template import write_template
    from missionlens.assessments.formats import write_assessments
    from missionlens.assessments.reading import read_assessments
    from missionlens.assessments.record import ASSESSMENT_COLUMNS
    from missionlens.assessments.timelines import read_timelines
    from missionlens.assessments.validation import ValidationReport, validate
    from missionlens.assessments.xlsform import write_xlsform
    from missionlens.framework.diff import Migration, diff_frameworks, load_migration
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
    from missionlens.mission_registry import (
        MissionRecord,
        PhaseSpan,
        PhaseTimeline,
        mission,
        missions,
    )
    from missionlens.periods import parse_period, period_order, sort_periods, years_since
    from missionlens.plot import (
        plot_agreement,
        plot_comparison,
        plot_facets,
        plot_framework,
        plot_levels,
        plot_lifecycle,
        plot_profile,
        plot_quadrant,
        plot_radar,
        plot_rank_intervals,
        plot_rater_spread,
        plot_score_intervals,
        plot_small_multiples,
        plot_waterfall,
    )
    from missionlens.reports.report import report
    from missionlens.scoring.profiles import PROFILE_COLUMNS, Profiles, score
    from missionlens.scoring.recipe import Recipe, RecipeSettings, Step


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    imported = _import_module(module)
    value = imported if name == "datasets" else getattr(imported, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "ASSESSMENT_COLUMNS",
    "BENCHMARK_STATUSES",
    "LEVELS",
    "PHASES",
    "PROFILE_COLUMNS",
    "SENSITIVITY_COLUMNS",
    "AggregationSpec",
    "Anchor",
    "ArchiveError",
    "ArgumentError",
    "Benchmark",
    "BenchmarkError",
    "BenchmarkSet",
    "BinaryScale",
    "Facet",
    "FacetValue",
    "Framework",
    "FrameworkError",
    "IncompatibleProfilesError",
    "IncompleteScoreWarning",
    "Indicator",
    "Migration",
    "MigrationError",
    "MissingRule",
    "MissionLensError",
    "MissionRecord",
    "MixedPhasesWarning",
    "Node",
    "NotFoundError",
    "NumericScale",
    "PhaseSpan",
    "PhaseTimeline",
    "Profiles",
    "Recipe",
    "RecipeError",
    "RecipeSettings",
    "RubricLevel",
    "RubricScale",
    "ScoringInputError",
    "SensitivityProblem",
    "SensitivityResult",
    "Step",
    "Uncertainty",
    "UncertaintyModel",
    "UncertaintyResult",
    "UnitModel",
    "UnreadableFileError",
    "ValidationError",
    "ValidationReport",
    "WriteError",
    "YAMLDuplicateKeyError",
    "YAMLTooDeepError",
    "__version__",
    "agreement",
    "analyse_sobol",
    "benchmark_status",
    "change",
    "compare_missions",
    "compare_uncertain",
    "consolidate",
    "context_adjusted",
    "datasets",
    "decompose_change",
    "diff_frameworks",
    "difficulty_bands",
    "exit_readiness",
    "framework_json_schema",
    "list_frameworks",
    "load_benchmarks",
    "load_framework",
    "load_migration",
    "mean_rank_shift",
    "mission",
    "missions",
    "nearest_peers",
    "parse_period",
    "performance_vs_context",
    "period_order",
    "plot_agreement",
    "plot_comparison",
    "plot_facets",
    "plot_framework",
    "plot_levels",
    "plot_lifecycle",
    "plot_profile",
    "plot_quadrant",
    "plot_radar",
    "plot_rank_intervals",
    "plot_rater_spread",
    "plot_score_intervals",
    "plot_small_multiples",
    "plot_waterfall",
    "rank_missions",
    "rank_of",
    "read_assessments",
    "read_timelines",
    "report",
    "sample_sobol",
    "score",
    "score_of",
    "sensitivity",
    "sort_periods",
    "strengths_weaknesses",
    "trajectories",
    "uncertainty",
    "validate",
    "write_assessments",
    "write_template",
    "write_xlsform",
    "years_since",
]
