"""Briefing reports: one self-contained HTML file per mission or comparison (:func:`report`).

The package is named ``reports`` so that importing it never rebinds the package root's
function ``ml.report`` (``ml.report(profiles, "report.html", ...)``).
"""

from __future__ import annotations

from missionlens.reports.report import (
    BENCHMARK_COLUMNS,
    BIDI_CONTROLS,
    EVIDENCE_EXCERPT,
    LANGUAGES,
    REQUIRED_BENCHMARK_COLUMNS,
    display_text,
    report,
    write_reports,
)

__all__ = [
    "BENCHMARK_COLUMNS",
    "BIDI_CONTROLS",
    "EVIDENCE_EXCERPT",
    "LANGUAGES",
    "REQUIRED_BENCHMARK_COLUMNS",
    "display_text",
    "report",
    "write_reports",
]
